import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

/** POST JSON with node:http(s), which (unlike fetch) takes a private CA for a collector's own certificate. */
function postJson(url: string, payload: unknown, ca?: Buffer): Promise<{ status: number; body: unknown }> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const data = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(u, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }, ca, timeout: 15_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let body: unknown = {};
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the status says enough
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', reject);
    req.end(data);
  });
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
