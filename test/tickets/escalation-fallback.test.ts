import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { createTicketSystem, type TicketSystem } from '../../collector/tickets/ticket-runtime.js';
import { addShift } from '../../collector/oncall/rota-store.js';
import { createChannel } from '../../collector/notify/channels.js';
import { getTicket, listEvents, listTickets } from '../../collector/tickets/ticket-store.js';
import { startSmtpServer, type RunningSmtpServer } from '../helpers/smtp-server.js';
import { makeWorld, result, MIN, T0, type World } from './world.js';

let smtp: RunningSmtpServer;
let world: World;
let system: TicketSystem;

beforeAll(async () => {
  smtp = await startSmtpServer({ auth: { user: 'patrol', password: 's3cret-smtp' } });
});
afterAll(async () => smtp?.stop());
afterEach(async () => {
  await system?.close();
  world?.db.close();
  smtp.mails.length = 0;
});

/** L1 has LIN on duty; which other tiers have someone is up to the story. */
function setup(rota: { l2?: boolean; l3?: boolean }) {
  world = makeWorld();
  system = createTicketSystem({ db: world.db, now: world.clock.now, reconnectGraceMs: 0, notifyTimeoutMs: 2000 });
  const now = world.clock.now();
  const since = T0 - 86_400_000;
  addShift(world.db, { tier: 1, userId: world.users.l1.id, customerId: 'acme', startsAt: since }, now);
  if (rota.l2) addShift(world.db, { tier: 2, userId: world.users.l2.id, startsAt: since }, now);
  if (rota.l3) addShift(world.db, { tier: 3, userId: world.users.l3.id, startsAt: since }, now);
  // on the L2 rota but serving only Beta: never a recipient for ACME, so L2 is still "empty" for ACME
  addShift(world.db, { tier: 2, userId: world.users.betaEngineer.id, startsAt: since }, now);
  createChannel(
    world.db,
    { kind: 'email', name: 'duty mail', config: { host: '127.0.0.1', port: smtp.port, user: 'patrol', from: 'patrol@patrol.test', lang: 'en', requireTls: false }, secret: 's3cret-smtp' },
    now,
  );
  for (let i = 0; i < 2; i++) {
    world.clock.advance(MIN);
    world.seen(world.acmeHost);
    system.engine.onResults({ hostId: world.acmeHost.id, customerId: 'acme' }, [result('system.disk', 'CRITICAL', world.clock.now())], world.clock.now());
  }
  return listTickets(world.db, { now: world.clock.now() })[0]!;
}

async function tickAt(t: number) {
  world.clock.set(t);
  world.seen(world.acmeHost);
  await system.tick(t);
}

const mailsTo = (addr: string) => smtp.mails.filter((m) => m.to.includes(addr));

test('nobody on duty at L2: the escalation goes to L3 instead, is delivered, and the ticket says who was told', async () => {
  const t = setup({ l3: true });
  await tickAt(t.openedAt + MIN);
  expect(mailsTo('lin@patrol.test')).toHaveLength(1);
  await tickAt(t.openedAt + 30 * MIN);
  expect(getTicket(world.db, t.id, { now: world.clock.now() })!.tier).toBe(2);
  await tickAt(t.openedAt + 31 * MIN);
  expect(mailsTo('zhao@patrol.test')).toHaveLength(1);
  expect(mailsTo('zhao@patrol.test')[0]!.subject).toContain(`${t.number} ESCALATED L2`);
  expect(mailsTo('bob@patrol.test')).toHaveLength(0);
  expect(system.notifier.listDeliveries().map((d) => [d.state, d.lastError])).toEqual([
    ['sent', null],
    ['sent', null],
  ]);
  const fallback = listEvents(world.db, t.id).filter((e) => e.kind === 'notify-fallback');
  expect(fallback).toHaveLength(1);
  expect(fallback[0]!.message).toBe('nobody on duty at L2; escalation message goes to L3 instead: ZHAO');
  expect(fallback[0]!.data).toMatchObject({ tier: 2, emptyTiers: [2], fromTier: 3, recipients: ['ZHAO'] });
});

test('nobody on duty at L2 or L3: a P1 escalation reaches the admins rather than nobody', async () => {
  const t = setup({});
  await tickAt(t.openedAt + MIN);
  await tickAt(t.openedAt + 30 * MIN);
  await tickAt(t.openedAt + 31 * MIN);
  expect(mailsTo('admin@patrol.test')).toHaveLength(1);
  expect(mailsTo('admin@patrol.test')[0]!.subject).toContain('ESCALATED L2');
  await tickAt(t.openedAt + 60 * MIN);
  await tickAt(t.openedAt + 61 * MIN);
  expect(mailsTo('admin@patrol.test').map((m) => m.subject.match(/ESCALATED L\d/)?.[0])).toEqual(['ESCALATED L2', 'ESCALATED L3']);
  expect(system.notifier.listDeliveries().every((d) => d.state === 'sent')).toBe(true);
  expect(listEvents(world.db, t.id).filter((e) => e.kind === 'notify-fallback').map((e) => e.message)).toEqual([
    'nobody on duty at L2, L3; escalation message goes to admins instead: ADMIN',
    'nobody on duty at L3; escalation message goes to admins instead: ADMIN',
  ]);
});

test('with the tier staffed, nothing changes: the escalation goes to L2 and no fallback is recorded', async () => {
  const t = setup({ l2: true, l3: true });
  await tickAt(t.openedAt + 31 * MIN);
  await tickAt(t.openedAt + 32 * MIN);
  expect(mailsTo('wang@patrol.test')).toHaveLength(1);
  expect(mailsTo('zhao@patrol.test')).toHaveLength(0);
  expect(listEvents(world.db, t.id).filter((e) => e.kind === 'notify-fallback')).toHaveLength(0);
});
