import { z } from 'zod';
import type { Credentials } from './state-dir.js';

const EnrollResponseSchema = z.object({ agentId: z.string(), agentKey: z.string(), hostId: z.string(), customerId: z.string() });

/** ws://host:8080/agent -> http://host:8080/api/enroll (wss -> https). */
export function enrollUrlFor(collectorUrl: string): string {
  const u = new URL(collectorUrl);
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`collector URL must start with ws:// or wss://, got ${collectorUrl}`);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = u.pathname.replace(/\/agent\/?$/, '') + '/api/enroll';
  return u.toString();
}

/** Trade a one-time enrollment token for this agent's key. Throws with the collector's reason. */
export async function enroll(collectorUrl: string, token: string, hostname: string): Promise<Credentials> {
  const url = enrollUrlFor(collectorUrl);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, hostname }) });
  } catch (err) {
    throw new Error(`cannot reach the collector at ${url}: ${(err as Error).message}`);
  }
  const body: unknown = await res.json().catch(() => ({}));
  if (!res.ok) {
    const reason = typeof body === 'object' && body && 'error' in body ? String(body.error) : `HTTP ${res.status}`;
    throw new Error(`enrollment refused: ${reason}`);
  }
  const r = EnrollResponseSchema.parse(body);
  return { ...r, collectorUrl };
}
