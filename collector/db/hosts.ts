import { randomUUID } from 'node:crypto';
import type { Db } from './database.js';
import { customerFilter, customerParam } from './tenancy.js';
import type { HostFacts } from '../../shared/host-facts.js';

export type HostKind = 'agent' | 'ssh' | 'snmp';
export type Criticality = 'low' | 'normal' | 'high' | 'critical';

export interface Host {
  id: string;
  customerId: string;
  name: string;
  kind: HostKind;
  criticality: Criticality;
  tags: string[];
  facts: Partial<HostFacts> & Record<string, unknown>;
  agentVersion: string | null;
  lastSeenAt: number | null;
  connected: boolean;
  createdAt: number;
  /** When its agent key was revoked (the host was decommissioned); null while it is monitored. */
  retiredAt: number | null;
}

interface HostRow {
  id: string;
  customer_id: string;
  name: string;
  kind: HostKind;
  criticality: Criticality;
  tags: string;
  facts: string;
  agent_version: string | null;
  last_seen_at: number | null;
  connected: number;
  created_at: number;
  retired_at: number | null;
}

function toHost(r: HostRow): Host {
  return {
    id: r.id,
    customerId: r.customer_id,
    name: r.name,
    kind: r.kind,
    criticality: r.criticality,
    tags: JSON.parse(r.tags) as string[],
    facts: JSON.parse(r.facts) as Host['facts'],
    agentVersion: r.agent_version,
    lastSeenAt: r.last_seen_at,
    connected: r.connected === 1,
    createdAt: r.created_at,
    retiredAt: r.retired_at,
  };
}

export function createHost(
  db: Db,
  h: { customerId: string; name: string; kind: HostKind; criticality?: Criticality; tags?: string[]; now: number },
): Host {
  const id = randomUUID();
  db.prepare(
    'INSERT INTO hosts (id, customer_id, name, kind, criticality, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(id, h.customerId, h.name, h.kind, h.criticality ?? 'normal', JSON.stringify(h.tags ?? []), h.now);
  return getHost(db, id)!;
}

/** Look a host up by id. Pass customerIds to enforce tenancy: a host of another customer is "not found". */
export function getHost(db: Db, id: string, customerIds?: readonly string[]): Host | undefined {
  const r = db.prepare('SELECT * FROM hosts WHERE id = ?').get(id) as HostRow | undefined;
  if (!r) return undefined;
  if (customerIds && !customerIds.includes(r.customer_id)) return undefined;
  return toHost(r);
}

export interface ListHostsOptions {
  /**
   * Also list hosts retired at or after this time (0: every retired host). Left out: only hosts monitored now,
   * which is what the overview, the silence check and new inspections want; a view of a past period passes
   * the period's start so a host decommissioned since still appears in it.
   */
  includeRetiredSince?: number;
}

export function listHosts(db: Db, customerIds?: readonly string[], opts: ListHostsOptions = {}): Host[] {
  const rows = db
    .prepare(
      `SELECT * FROM hosts WHERE ${customerFilter('customer_id')}
         AND (retired_at IS NULL OR (@retiredSince IS NOT NULL AND retired_at >= @retiredSince)) ORDER BY customer_id, name`,
    )
    .all({ ...customerParam(customerIds), retiredSince: opts.includeRetiredSince ?? null }) as HostRow[];
  return rows.map(toHost);
}

/**
 * Every live host that has been seen, as id and last-seen time only: what the silence judge reads every few
 * seconds. At 10,000 hosts the full listing (every column, tags and facts parsed, sorted) took most of a 100-270 ms
 * ticket tick that held every agent's ack (bench:fleet profile).
 */
export function hostsLastSeen(db: Db): Array<{ id: string; lastSeenAt: number }> {
  return db.prepare('SELECT id, last_seen_at AS lastSeenAt FROM hosts WHERE retired_at IS NULL AND last_seen_at IS NOT NULL').all() as Array<{
    id: string;
    lastSeenAt: number;
  }>;
}

export function recordHello(db: Db, hostId: string, facts: HostFacts, version: string, now: number): void {
  db.prepare('UPDATE hosts SET facts = ?, agent_version = ?, last_seen_at = ?, connected = 1 WHERE id = ?').run(
    JSON.stringify(facts),
    version,
    now,
    hostId,
  );
}

export function touchHost(db: Db, hostId: string, now: number): void {
  db.prepare('UPDATE hosts SET last_seen_at = ? WHERE id = ?').run(now, hostId);
}

export function setConnected(db: Db, hostId: string, connected: boolean): void {
  db.prepare('UPDATE hosts SET connected = ? WHERE id = ?').run(connected ? 1 : 0, hostId);
}

/** Change what a person sets on a host (name, tags, criticality); fields left out stay as they are. */
export function updateHostProfile(db: Db, hostId: string, p: { name?: string; tags?: string[]; criticality?: Criticality }): void {
  db.prepare(
    'UPDATE hosts SET name = COALESCE(@name, name), tags = COALESCE(@tags, tags), criticality = COALESCE(@criticality, criticality) WHERE id = @id',
  ).run({ id: hostId, name: p.name ?? null, tags: p.tags ? JSON.stringify(p.tags) : null, criticality: p.criticality ?? null });
}

/**
 * Remove a host with its latest check states. False (and nothing removed) while other records still refer to it
 * (tickets, agents, inventory history): those are kept for the reports, so such a host cannot be deleted.
 */
export function deleteHost(db: Db, hostId: string): boolean {
  try {
    db.transaction(() => {
      db.prepare('DELETE FROM check_states WHERE host_id = ?').run(hostId);
      db.prepare('DELETE FROM hosts WHERE id = ?').run(hostId);
    })();
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return false;
    throw err;
  }
}

/**
 * Mark a host decommissioned (its agent key was revoked): it leaves the host lists and the silence check. The
 * first retirement time stays; a host once retired is never monitored again (re-enrolling makes a new host).
 */
export function markHostRetired(db: Db, hostId: string, now: number): void {
  db.prepare('UPDATE hosts SET retired_at = COALESCE(retired_at, ?), connected = 0 WHERE id = ?').run(now, hostId);
}

/** Records that tell what happened while the host was monitored: they outlive it, so it cannot be deleted. */
const HISTORY_OF_HOST: ReadonlyArray<{ sql: string; what: (n: number) => string }> = [
  { sql: 'SELECT COUNT(*) AS n FROM tickets WHERE host_id = ?', what: (n) => `${n} ticket${n === 1 ? '' : 's'}` },
  { sql: 'SELECT COUNT(*) AS n FROM inspection_hosts WHERE host_id = ?', what: (n) => `${n} inspection result${n === 1 ? '' : 's'}` },
];

/** Records that only describe the host as it was (latest states, inventory, its revoked keys): they go with it. */
const STATE_OF_HOST = [
  'DELETE FROM check_states WHERE host_id = ?',
  'DELETE FROM alert_states WHERE host_id = ?',
  'DELETE FROM host_metric_fields WHERE host_id = ?',
  'DELETE FROM host_inventory WHERE host_id = ?',
  'DELETE FROM inventory_changes WHERE host_id = ?',
  "DELETE FROM maintenance_windows WHERE scope = 'host' AND host_id = ?",
  'DELETE FROM agents WHERE host_id = ? AND revoked_at IS NOT NULL',
];

export type DeleteRetiredOutcome = { removed: true } | { removed: false; keptBy: string[] };

/**
 * Remove a retired host for good, with everything that only described it. Refused (nothing removed) while
 * tickets or inspection results name it: the reports of the periods it was monitored still need them, and a
 * retired host is listed nowhere anyway.
 */
export function deleteRetiredHost(db: Db, hostId: string): DeleteRetiredOutcome {
  return db.transaction((): DeleteRetiredOutcome => {
    const keptBy = HISTORY_OF_HOST.flatMap((h) => {
      const { n } = db.prepare(h.sql).get(hostId) as { n: number };
      return n > 0 ? [h.what(n)] : [];
    });
    if (keptBy.length) return { removed: false, keptBy };
    for (const sql of STATE_OF_HOST) db.prepare(sql).run(hostId);
    db.prepare('DELETE FROM hosts WHERE id = ? AND retired_at IS NOT NULL').run(hostId);
    return { removed: true };
  })();
}
