import { afterEach, expect, test } from 'vitest';
import { TicketStateEngine } from '../../collector/tickets/state-engine.js';
import { getTicket, listEvents, listTickets } from '../../collector/tickets/ticket-store.js';
import { setContract } from '../../collector/contracts/contract-store.js';
import { resolve } from '../../collector/tickets/ticket-actions.js';
import { visibleCustomerIds } from '../../collector/db/users.js';
import { makeWorld, result, MIN, type World } from './world.js';
import type { Status } from '../../shared/status.js';

let world: World;
afterEach(() => world?.db.close());

function runChecks(engine: TicketStateEngine, statuses: Status[], name = 'system.disk') {
  for (const s of statuses) {
    world.clock.advance(MIN);
    world.seen(world.acmeHost);
    engine.onResults({ hostId: world.acmeHost.id, customerId: 'acme' }, [result(name, s, world.clock.now())], world.clock.now());
  }
}

test('resolved while still failing and reopened: the restore target is judged on the final restore, the first one stays in the events', () => {
  world = makeWorld();
  const engine = new TicketStateEngine({ db: world.db, now: world.clock.now, reconnectGraceMs: 0 });
  runChecks(engine, ['CRITICAL', 'CRITICAL']);
  const t = listTickets(world.db, { now: world.clock.now() })[0]!;
  expect(t.restoreDueAt).toBe(t.openedAt + 240 * MIN); // P1: restore within 4 h

  world.clock.advance(20 * MIN);
  const l1 = world.users.l1;
  expect(resolve({ db: world.db, user: l1, customerIds: visibleCustomerIds(world.db, l1), now: world.clock.now() }, t.id, 'rebooted').ok).toBe(true);
  const firstRestore = world.clock.now();
  runChecks(engine, ['CRITICAL']); // it was not fixed: the next failure reopens the ticket
  let now = getTicket(world.db, t.id, { now: world.clock.now() })!;
  expect(now).toMatchObject({ state: 'open', reopenCount: 1, restoredAt: null, resolvedAt: null });
  expect(now.sla.restoreMet).toBeNull(); // running again, not "met" by the early resolve
  const reopened = listEvents(world.db, t.id).find((e) => e.kind === 'reopened')!;
  expect(reopened.data).toMatchObject({ previous: { resolvedAt: firstRestore, restoredAt: firstRestore } });

  world.clock.set(t.openedAt + 250 * MIN);
  now = getTicket(world.db, t.id, { now: world.clock.now() })!;
  expect(now.sla).toMatchObject({ restoreMet: false, breached: true });

  runChecks(engine, Array(50).fill('CRITICAL')); // still failing: events, no new ticket
  runChecks(engine, ['OK']);
  now = getTicket(world.db, t.id, { now: world.clock.now() })!;
  expect(now).toMatchObject({ state: 'recovered', restoredAt: world.clock.now() });
  expect(now.sla.restoreMet).toBe(false);
  expect(listTickets(world.db, { now: world.clock.now() })).toHaveLength(1);
});

test('the reopen window runs from the latest recovery, not the first', () => {
  world = makeWorld();
  const engine = new TicketStateEngine({ db: world.db, now: world.clock.now, reconnectGraceMs: 0 });
  setContract(world.db, 'acme', { reopenWindowMin: 60 }, world.clock.now());
  runChecks(engine, ['CRITICAL', 'CRITICAL', 'OK']); // recovered at A
  const firstRecovery = world.clock.now();
  world.clock.advance(45 * MIN);
  runChecks(engine, ['CRITICAL', 'CRITICAL']); // A+47: inside the window, reopened
  runChecks(engine, ['OK']); // recovered again at A+48
  world.clock.set(firstRecovery + 100 * MIN);
  runChecks(engine, ['CRITICAL', 'CRITICAL']); // A+102: 54 min after the latest recovery, 102 after the first
  const all = listTickets(world.db, { now: world.clock.now() });
  expect(all).toHaveLength(1);
  expect(all[0]).toMatchObject({ state: 'open', reopenCount: 2 });

  world.clock.advance(61 * MIN); // nothing recovered it since: a later failure is still the same problem
  runChecks(engine, ['OK']);
  world.clock.advance(61 * MIN);
  runChecks(engine, ['CRITICAL', 'CRITICAL']); // more than 60 min after the latest recovery: a new ticket
  expect(listTickets(world.db, { now: world.clock.now() })).toHaveLength(2);
});
