import { z } from 'zod';

/**
 * The few collector API calls `patrol deploy` makes, with HTTP Basic auth (PATROL_USER / PATROL_PASSWORD):
 * list hosts (to see a deployed agent come online), mint enrollment tokens (one per new host) and revoke the
 * key of an agent that is uninstalled.
 */
const HostViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  customerId: z.string(),
  connected: z.boolean(),
  agentVersion: z.string().nullable().optional(),
  lastSeenAt: z.number().nullable().optional(),
});
export type CollectorHostView = z.infer<typeof HostViewSchema>;

export interface CollectorApiOptions {
  url: string;
  user?: string;
  password?: string;
}

/** ws://host:8080/agent -> http://host:8080 (wss -> https): where the API lives when not told. */
export function apiUrlFromCollector(collectorUrl: string): string {
  const u = new URL(collectorUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = u.pathname.replace(/\/agent\/?$/, '');
  return u.toString().replace(/\/$/, '');
}

export class CollectorApi {
  private readonly base: string;
  constructor(private readonly opts: CollectorApiOptions) {
    this.base = opts.url.replace(/\/$/, '');
  }

  get hasCredentials(): boolean {
    return Boolean(this.opts.user && this.opts.password);
  }

  private async call(path: string, init: RequestInit = {}): Promise<unknown> {
    if (!this.hasCredentials) throw new Error('the collector API needs PATROL_USER and PATROL_PASSWORD');
    const auth = Buffer.from(`${this.opts.user}:${this.opts.password}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        ...init,
        headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new Error(`cannot reach the collector API at ${this.base}: ${(err as Error).message}`);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const reason = body && typeof body === 'object' && 'error' in body ? String(body.error) : `HTTP ${res.status}`;
      throw new Error(`collector API ${init.method ?? 'GET'} ${path}: ${reason}`);
    }
    return body;
  }

  async listHosts(): Promise<CollectorHostView[]> {
    return z.object({ hosts: z.array(HostViewSchema) }).parse(await this.call('/api/hosts')).hosts;
  }

  /** The agent's key stops working at once; its live connection is dropped by the collector. */
  async revokeAgent(agentId: string): Promise<void> {
    const body = await this.call(`/api/agents/${encodeURIComponent(agentId)}/revoke`, { method: 'POST', body: '{}' });
    z.object({ revoked: z.literal(true) }).parse(body);
  }

  async createEnrollmentToken(customerId: string, note: string): Promise<string> {
    const body = await this.call('/api/enrollment-tokens', { method: 'POST', body: JSON.stringify({ customerId, note: note.slice(0, 200), ttlHours: 1 }) });
    return z.object({ token: z.string() }).parse(body).token;
  }
}

export interface WaitOnlineOptions {
  name: string;
  customerId: string;
  version: string;
  timeoutMs: number;
  everyMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Poll until the collector lists the host (by name, within the customer) as connected with the expected
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
      const hosts = (await api.listHosts()).filter((h) => h.name === o.name);
      const mine = hosts.find((h) => h.customerId === o.customerId && h.connected && h.agentVersion === o.version);
      if (mine) return mine;
      const near = hosts.find((h) => h.customerId === o.customerId) ?? hosts[0];
      if (near) {
        lastSeen = near.customerId !== o.customerId
          ? `listed under customer ${near.customerId}, not ${o.customerId}`
          : near.connected
            ? `connected with version ${near.agentVersion ?? '?'}, expected ${o.version}`
            : 'listed but not connected';
      }
    } catch (err) {
      lastSeen = (err as Error).message;
    }
    if (now() >= deadline) throw new Error(`agent not online after ${Math.round(o.timeoutMs / 1000)} s: ${lastSeen}`);
    await sleep(o.everyMs ?? 500);
  }
}
