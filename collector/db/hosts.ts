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

export function listHosts(db: Db, customerIds?: readonly string[]): Host[] {
  const rows = db
    .prepare(`SELECT * FROM hosts WHERE ${customerFilter('customer_id')} ORDER BY customer_id, name`)
    .all(customerParam(customerIds)) as HostRow[];
  return rows.map(toHost);
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
