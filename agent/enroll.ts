import { z } from 'zod';
import type { Credentials } from './state-dir.js';
import { textRequest } from '../shared/http-request.js';

const EnrollResponseSchema = z.object({ agentId: z.string(), agentKey: z.string(), hostId: z.string(), customerId: z.string() });

/** ws://host:8080/agent -> http://host:8080/api/enroll (wss -> https). */
export function enrollUrlFor(collectorUrl: string): string {
  const u = new URL(collectorUrl);
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`collector URL must start with ws:// or wss://, got ${collectorUrl}`);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = u.pathname.replace(/\/agent\/?$/, '') + '/api/enroll';
  return u.toString();
}

/** POST JSON with node:http(s), which (unlike fetch) takes a private CA for a collector's own certificate. */
async function postJson(url: string, payload: unknown, ca?: Buffer): Promise<{ status: number; body: unknown }> {
  const res = await textRequest(new URL(url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), ca, timeoutMs: 15_000 });
  let body: unknown = {};
  try {
    body = JSON.parse(res.text);
  } catch {
    // not JSON: the status says enough
  }
  return { status: res.status, body };
}

/** Trade a one-time enrollment token for this agent's key. Throws with the collector's reason. */
export async function enroll(collectorUrl: string, token: string, hostname: string, ca?: Buffer): Promise<Credentials> {
  const url = enrollUrlFor(collectorUrl);
  let res: { status: number; body: unknown };
  try {
    res = await postJson(url, { token, hostname }, ca);
  } catch (err) {
    throw new Error(`cannot reach the collector at ${url}: ${(err as Error).message}`);
  }
  const body = res.body;
  if (res.status < 200 || res.status >= 300) {
    const reason = typeof body === 'object' && body && 'error' in body ? String(body.error) : `HTTP ${res.status}`;
    throw new Error(`enrollment refused: ${reason}`);
  }
  const r = EnrollResponseSchema.parse(body);
  return { ...r, collectorUrl };
}
