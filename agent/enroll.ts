import { z } from 'zod';
import type { Credentials } from './state-dir.js';
import { textRequest } from '../shared/http-request.js';

const EnrollResponseSchema = z.object({ agentId: z.string(), agentKey: z.string(), hostId: z.string(), customerId: z.string() });

/** Node's codes for a certificate the client does not trust (unknown CA, self-signed, wrong name). */
const UNTRUSTED_CERT = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

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
    const e = err as NodeJS.ErrnoException;
    const hint = UNTRUSTED_CERT.test(e.code ?? '')
      ? ca
        ? " (the collector's certificate is not signed by the CA this agent trusts, or is not made for this name: check the address; see PATROL_TLS_SAN on the collector)"
        : ' (the collector\'s certificate is not trusted: use an enrollment token that carries the CA pin, made by the collector, or give --ca-pin or --ca-file)'
      : '';
    throw new Error(`cannot reach the collector at ${url}: ${e.message}${hint}`);
  }
  const body = res.body;
  if (res.status < 200 || res.status >= 300) {
    const reason = typeof body === 'object' && body && 'error' in body ? String(body.error) : `HTTP ${res.status}`;
    throw new Error(`enrollment refused: ${reason}`);
  }
  const r = EnrollResponseSchema.parse(body);
  return { ...r, collectorUrl };
}
