import { z } from 'zod';
import { ExecAllowListSchema } from '../../checks/exec/exec-policy.js';
import type { Db } from '../db/database.js';
import { createHost, getHost, type Criticality, type Host } from '../db/hosts.js';
import { customerFilter, customerParam } from '../db/tenancy.js';
import { openAccessSecret, sealAccessSecret } from './access-secrets.js';

/**
 * How the collector reaches a host that has no agent. Secrets (key path, passphrase, community) stay inside the
 * collector; the passphrase and community are stored sealed (access-secrets.ts).
 */
export type RemoteAccess =
  | { kind: 'ssh'; address: string; port: number; user: string; keyPath: string; passphrase?: string }
  | { kind: 'snmp'; address: string; port: number; community: string };

/**
 * What an admin allowed for one agentless host beyond the safe defaults. Script checks over SSH: more folders or
 * exact command lines (the monitoring-plugins folders are always in). Network and database checks run in the
 * collector: other targets than the host's own address, and loopback, link-local or metadata addresses (the
 * collector's own services, the cloud's credentials) only with allowLocalAddresses. Changing the host's address
 * clears them: they were granted for the machine that was there.
 */
export const RemoteAllowancesSchema = ExecAllowListSchema.extend({
  allowTargets: z.array(z.string().min(1).max(255).regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address')).max(100).default([]),
  allowLocalAddresses: z.boolean().default(false),
}).strict();
export type RemoteAllowances = z.infer<typeof RemoteAllowancesSchema>;
export type RemoteAllowancesInput = z.input<typeof RemoteAllowancesSchema>;
export const NO_ALLOWANCES: RemoteAllowances = RemoteAllowancesSchema.parse({});

export interface RemoteHost {
  host: Host;
  access: RemoteAccess;
  allowances: RemoteAllowances;
}

interface AccessRow {
  host_id: string;
  address: string;
  port: number;
  ssh_user: string | null;
  ssh_key_path: string | null;
  snmp_community: string | null;
  ssh_key_passphrase: string | null;
  allowances: string;
}

function toAllowances(text: string): RemoteAllowances {
  try {
    const parsed = RemoteAllowancesSchema.safeParse(JSON.parse(text));
    // A damaged record grants nothing.
    return parsed.success ? parsed.data : NO_ALLOWANCES;
  } catch {
    return NO_ALLOWANCES;
  }
}

function toAccess(db: Db, kind: Host['kind'], r: AccessRow): RemoteAccess | undefined {
  if (kind === 'ssh' && r.ssh_user && r.ssh_key_path) {
    const passphrase = openAccessSecret(db, 'ssh_key_passphrase', r.host_id, r.ssh_key_passphrase) ?? undefined;
    return { kind, address: r.address, port: r.port, user: r.ssh_user, keyPath: r.ssh_key_path, ...(passphrase === undefined ? {} : { passphrase }) };
  }
  if (kind === 'snmp' && r.snmp_community) return { kind, address: r.address, port: r.port, community: openAccessSecret(db, 'snmp_community', r.host_id, r.snmp_community)! };
  return undefined;
}

/** A host the collector checks itself (kind ssh or snmp), with how to reach it. */
export function createRemoteHost(
  db: Db,
  h: { customerId: string; name: string; criticality?: Criticality; tags?: string[]; access: RemoteAccess; now: number },
): RemoteHost {
  return db.transaction(() => {
    const host = createHost(db, { customerId: h.customerId, name: h.name, kind: h.access.kind, criticality: h.criticality, tags: h.tags, now: h.now });
    writeAccess(db, host, h.access, h.now);
    return { host, access: h.access, allowances: NO_ALLOWANCES };
  })();
}

function writeAccess(db: Db, host: Host, a: RemoteAccess, now: number): void {
  db.prepare(
    `INSERT INTO remote_hosts (host_id, customer_id, address, port, ssh_user, ssh_key_path, ssh_key_passphrase, snmp_community, updated_at)
     VALUES (@hostId, @customerId, @address, @port, @user, @keyPath, @passphrase, @community, @now)
     ON CONFLICT(host_id) DO UPDATE SET address = excluded.address, port = excluded.port, ssh_user = excluded.ssh_user,
       ssh_key_path = excluded.ssh_key_path, ssh_key_passphrase = excluded.ssh_key_passphrase, snmp_community = excluded.snmp_community, updated_at = excluded.updated_at,
       allowances = CASE WHEN remote_hosts.address = excluded.address THEN remote_hosts.allowances ELSE '{}' END`,
  ).run({
    hostId: host.id,
    customerId: host.customerId,
    address: a.address,
    port: a.port,
    user: a.kind === 'ssh' ? a.user : null,
    keyPath: a.kind === 'ssh' ? a.keyPath : null,
    passphrase: a.kind === 'ssh' ? sealAccessSecret(db, 'ssh_key_passphrase', host.id, a.passphrase) : null,
    community: a.kind === 'snmp' ? sealAccessSecret(db, 'snmp_community', host.id, a.community) : null,
    now,
  });
}

export function updateRemoteAccess(db: Db, host: Host, access: RemoteAccess, now: number): void {
  if (access.kind !== host.kind) throw new Error(`host ${host.id} is of kind ${host.kind}, not ${access.kind}`);
  writeAccess(db, host, access, now);
}

export function getRemoteAccess(db: Db, host: Host): RemoteAccess | undefined {
  const r = db.prepare('SELECT * FROM remote_hosts WHERE host_id = ?').get(host.id) as AccessRow | undefined;
  return r ? toAccess(db, host.kind, r) : undefined;
}

/** What an admin allowed for an agentless host (the safe defaults when nothing, or no such host). */
export function getRemoteAllowances(db: Db, hostId: string): RemoteAllowances {
  const r = db.prepare('SELECT allowances FROM remote_hosts WHERE host_id = ?').get(hostId) as { allowances: string } | undefined;
  return r ? toAllowances(r.allowances) : NO_ALLOWANCES;
}

/**
 * Replace what an admin allowed for an agentless host; false when it has no agentless access. Its checks run
 * again at the poller's next round (not at their next interval): what was refused before may run now. The new
 * updated_at is what says so (check-state-store.ts lastRuns counts only runs newer than it).
 */
export function setRemoteAllowances(db: Db, hostId: string, allowances: RemoteAllowancesInput, now: number): boolean {
  const text = JSON.stringify(RemoteAllowancesSchema.parse(allowances));
  return db.prepare('UPDATE remote_hosts SET allowances = ?, updated_at = ? WHERE host_id = ?').run(text, now, hostId).changes > 0;
}

/** Every agentless host with its access, of the given customers (undefined = all, for the poller). */
export function listRemoteHosts(db: Db, customerIds?: readonly string[]): RemoteHost[] {
  const rows = db
    .prepare(`SELECT * FROM remote_hosts WHERE ${customerFilter('customer_id')} ORDER BY host_id`)
    .all(customerParam(customerIds)) as AccessRow[];
  const out: RemoteHost[] = [];
  for (const r of rows) {
    const host = getHost(db, r.host_id, customerIds);
    const access = host && toAccess(db, host.kind, r);
    if (host && access) out.push({ host, access, allowances: toAllowances(r.allowances) });
  }
  return out;
}

/** What the API shows of the access: never the key path or the community. */
export function accessView(a: RemoteAccess): Record<string, unknown> {
  return a.kind === 'ssh'
    ? { kind: a.kind, address: a.address, port: a.port, user: a.user, keyConfigured: true }
    : { kind: a.kind, address: a.address, port: a.port, communityConfigured: true };
}
