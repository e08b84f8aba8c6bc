import type { Db } from '../../collector/db/database.js';
import { openDatabase } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createHost, touchHost, type Criticality, type Host } from '../../collector/db/hosts.js';
import { createUser, type User } from '../../collector/db/users.js';
import { setUserContact } from '../../collector/oncall/contacts.js';
import type { CheckResult } from '../../shared/check-result.js';
import type { Status } from '../../shared/status.js';

/** Monday 2 March 2026, 10:00 Beijing time. */
export const T0 = Date.UTC(2026, 2, 2, 2, 0, 0);
export const MIN = 60_000;

export interface Clock {
  now(): number;
  advance(ms: number): number;
  set(t: number): void;
}

export function fixedClock(start = T0): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), set: (v) => void (t = v) };
}

/** Two customers, a host each, staff for three tiers and a customer user each: the usual service company. */
export interface World {
  db: Db;
  clock: Clock;
  acmeHost: Host;
  betaHost: Host;
  users: { admin: User; l1: User; l2: User; l3: User; betaEngineer: User; acmeCustomer: User; betaCustomer: User };
  addHost(name: string, opts?: { customerId?: string; criticality?: Criticality; tags?: string[] }): Host;
  /** Record that the host's agent was heard from now (the ingest edge does this). */
  seen(host: Host): void;
}

export function makeWorld(opts: { criticality?: Criticality } = {}): World {
  const clock = fixedClock();
  const db = openDatabase(':memory:');
  const now = clock.now();
  ensureCustomer(db, 'acme', 'ACME Bank', now);
  ensureCustomer(db, 'beta', 'Beta Corp', now);
  const addHost: World['addHost'] = (name, o = {}) =>
    createHost(db, { customerId: o.customerId ?? 'acme', name, kind: 'agent', criticality: o.criticality ?? opts.criticality ?? 'critical', tags: o.tags, now });
  const staff = (username: string, serves: string[], role: 'admin' | 'engineer' = 'engineer') => {
    const u = createUser(db, { username, password: 'pw-' + username, role, serves, displayName: username.toUpperCase(), now });
    setUserContact(db, u.id, { email: `${username}@patrol.test` });
    return u;
  };
  const users = {
    admin: staff('admin', [], 'admin'),
    l1: staff('lin', ['acme']),
    l2: staff('wang', ['acme']),
    l3: staff('zhao', ['acme']),
    betaEngineer: staff('bob', ['beta']),
    acmeCustomer: createUser(db, { username: 'acme-it', password: 'pw-acme-it', role: 'customer', customerId: 'acme', now }),
    betaCustomer: createUser(db, { username: 'beta-it', password: 'pw-beta-it', role: 'customer', customerId: 'beta', now }),
  };
  return {
    db,
    clock,
    acmeHost: addHost('db01'),
    betaHost: addHost('web01', { customerId: 'beta' }),
    users,
    addHost,
    seen: (host) => touchHost(db, host.id, clock.now()),
  };
}

export function result(name: string, status: Status, at: number, summary = `${name} ${status}`, checkId = name): CheckResult {
  return { name, checkId, status, summary, startedAt: at, durationMs: 5, metrics: [] };
}
