import { z } from 'zod';
import { textRequest } from '../shared/http-request.js';

/**
 * The few collector API calls `patrol deploy` makes, with HTTP Basic auth (PATROL_USER / PATROL_PASSWORD):
 * list hosts (to see a deployed agent come online), look up and mint enrollment tokens (one per new host, of
 * the host's customer), set a host's tags, and revoke the key of an agent that is uninstalled or enrolled into
 * the wrong customer. node:http(s) rather than fetch: it takes the private CA of a collector's own certificate.
 */
const HostViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  customerId: z.string(),
  connected: z.boolean(),
  tags: z.array(z.string()).default([]),
  agentVersion: z.string().nullable().optional(),
  lastSeenAt: z.number().nullable().optional(),
  /** Set once its agent key was revoked: the collector no longer takes this agent. */
  retiredAt: z.number().nullable().optional(),
});
export type CollectorHostView = z.infer<typeof HostViewSchema>;

const TokenRecordSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  expiresAt: z.number(),
  usedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
});
export type EnrollmentTokenRecord = z.infer<typeof TokenRecordSchema>;

export interface CollectorApiOptions {
  url: string;
  user?: string;
  password?: string;
  /** PEM of the CA that signed the collector's certificate (https with a private CA). */
  ca?: Buffer;
}

/** ws://host:8080/agent -> http://host:8080 (wss -> https): where the API lives when not told. */
export function apiUrlFromCollector(collectorUrl: string): string {
  const u = new URL(collectorUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = u.pathname.replace(/\/agent\/?$/, '');
  return u.toString().replace(/\/$/, '');
}

/** Node's codes for a certificate the client does not trust (a private CA, self-signed, wrong name). */
const UNTRUSTED_CERT = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

export class CollectorApiError extends Error {
  override name = 'CollectorApiError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class CollectorApi {
  private readonly base: string;
  constructor(private readonly opts: CollectorApiOptions) {
    this.base = opts.url.replace(/\/$/, '');
  }

  get hasCredentials(): boolean {
    return Boolean(this.opts.user && this.opts.password);
  }

  private send(method: string, url: URL, payload: string | undefined): Promise<{ status: number; text: string }> {
    const auth = Buffer.from(`${this.opts.user}:${this.opts.password}`).toString('base64');
    const headers: Record<string, string> = { authorization: `Basic ${auth}`, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    return textRequest(url, { method, headers, body: payload, ca: this.opts.ca, timeoutMs: 10_000 });
  }

  private async call(method: string, path: string, payload?: unknown): Promise<unknown> {
    if (!this.hasCredentials) throw new CollectorApiError('the collector API needs PATROL_USER and PATROL_PASSWORD');
    let res: { status: number; text: string };
    try {
      res = await this.send(method, new URL(`${this.base}${path}`), payload === undefined ? undefined : JSON.stringify(payload));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const hint = UNTRUSTED_CERT.test(e.code ?? '')
        ? " (give --ca-pin with the pin `patrol-collector tls` prints, or --ca-file with the CA certificate that signed the collector's certificate)"
        : '';
      throw new CollectorApiError(`cannot reach the collector API at ${this.base}: ${e.message}${hint}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      body = undefined;
    }
    if (res.status < 200 || res.status >= 300) {
      const reason = body && typeof body === 'object' && 'error' in body ? String(body.error) : `HTTP ${res.status}`;
      throw new CollectorApiError(`collector API ${method} ${path}: ${reason}`, res.status);
    }
    return body;
  }

  async listHosts(): Promise<CollectorHostView[]> {
    return z.object({ hosts: z.array(HostViewSchema) }).parse(await this.call('GET', '/api/hosts')).hosts;
  }

  async getHost(hostId: string): Promise<CollectorHostView> {
    return z.object({ host: HostViewSchema }).parse(await this.call('GET', `/api/hosts/${encodeURIComponent(hostId)}`)).host;
  }

  /** Replace the host's tags (templates assigned by tag follow; the collector pushes them to the agent). */
  async setHostTags(hostId: string, tags: readonly string[]): Promise<void> {
    await this.call('PATCH', `/api/hosts/${encodeURIComponent(hostId)}`, { tags });
  }

  /** The agent's key stops working at once; its live connection is dropped and its host retired by the collector. */
  async revokeAgent(agentId: string): Promise<void> {
    const body = await this.call('POST', `/api/agents/${encodeURIComponent(agentId)}/revoke`, {});
    z.object({ revoked: z.literal(true) }).parse(body);
  }

  async createEnrollmentToken(customerId: string, note: string): Promise<string> {
    const body = await this.call('POST', '/api/enrollment-tokens', { customerId, note: note.slice(0, 200), ttlHours: 1 });
    return z.object({ token: z.string() }).parse(body).token;
  }

  /** Which customer a token enrolls into, and whether it still works; undefined when the collector does not know it (to this user). */
  async lookupEnrollmentToken(token: string): Promise<EnrollmentTokenRecord | undefined> {
    try {
      return z.object({ token: TokenRecordSchema }).parse(await this.call('POST', '/api/enrollment-tokens/lookup', { token })).token;
    } catch (err) {
      if (err instanceof CollectorApiError && err.status === 404) return undefined;
      throw err;
    }
  }
}

class RetiredHostError extends Error {
  override name = 'RetiredHostError';
}

export interface WaitOnlineOptions {
  name: string;
  customerId: string;
  /** The host id the agent enrolled with (its credentials.json), when known: matched instead of the name. */
  hostId?: string;
  version: string;
  timeoutMs: number;
  everyMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Poll until the collector lists the host (by id, else by name within the customer) as connected with the expected
 * agent version. Rejects with what was last seen, so "online under another customer" or "old version still
 * connected" reads as such.
 */
export async function waitUntilOnline(api: CollectorApi, o: WaitOnlineOptions): Promise<CollectorHostView> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const deadline = now() + o.timeoutMs;
  let lastSeen = 'not listed by the collector';
  for (;;) {
    try {
      const hosts = o.hostId ? [await api.getHost(o.hostId)] : (await api.listHosts()).filter((h) => h.name === o.name);
      const mine = hosts.find((h) => h.customerId === o.customerId && h.connected && h.agentVersion === o.version);
      if (mine) return mine;
      const near = hosts.find((h) => h.customerId === o.customerId) ?? hosts[0];
      if (near?.retiredAt) {
        throw new RetiredHostError(`the collector retired host ${near.id} (its agent key was revoked): run --uninstall, then deploy again to enroll it afresh`);
      }
      if (near) {
        lastSeen = near.customerId !== o.customerId
          ? `listed under customer ${near.customerId}, not ${o.customerId}`
          : near.connected
            ? `connected with version ${near.agentVersion ?? '?'}, expected ${o.version}`
            : 'listed but not connected';
      }
    } catch (err) {
      if (err instanceof RetiredHostError) throw err;
      lastSeen = (err as Error).message;
    }
    if (now() >= deadline) throw new Error(`agent not online after ${Math.round(o.timeoutMs / 1000)} s: ${lastSeen}`);
    await sleep(o.everyMs ?? 500);
  }
}
