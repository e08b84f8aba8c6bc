import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createTicketSystem, type TicketSystem } from '../../collector/tickets/ticket-runtime.js';
import { addShift } from '../../collector/oncall/rota-store.js';
import { setUserContact } from '../../collector/oncall/contacts.js';
import { createChannel } from '../../collector/notify/channels.js';
import { setContract } from '../../collector/contracts/contract-store.js';
import { getTicket, listEvents, listTickets } from '../../collector/tickets/ticket-store.js';
import { acknowledge, resolve } from '../../collector/tickets/ticket-actions.js';
import { escalateToTier } from '../../collector/tickets/case-actions.js';
import { openCase } from '../../collector/tickets/open-case.js';
import { casesAwaitingCustomer } from '../../collector/tickets/consent.js';
import { visibleCustomerIds, type User } from '../../collector/db/users.js';
import { simpleParser } from 'mailparser';
import { startSmtpServer, type RunningSmtpServer, type ReceivedMail } from '../helpers/smtp-server.js';
import { makeWorld, result, MIN, T0, type World } from '../tickets/world.js';
import type { Status } from '../../shared/status.js';

const DAY = 86_400_000;
let smtp: RunningSmtpServer;
let world: World;
let system: TicketSystem;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => smtp?.stop());
afterEach(async () => {
  await system?.close();
  world?.db.close();
  smtp.mails.length = 0;
});

function setup() {
  world = makeWorld();
  system = createTicketSystem({ db: world.db, now: world.clock.now, reconnectGraceMs: 0, notifyTimeoutMs: 2000 });
  const now = world.clock.now();
  const { l1, l2, l3, admin } = world.users;
  addShift(world.db, { tier: 1, userId: l1.id, startsAt: T0 - DAY }, now);
  addShift(world.db, { tier: 2, userId: l2.id, startsAt: T0 - DAY }, now);
  addShift(world.db, { tier: 3, userId: l3.id, startsAt: T0 - DAY }, now); // general L3: systems
  addShift(world.db, { tier: 3, userId: admin.id, startsAt: T0 - DAY, domain: 'database' }, now); // the database expert
  setUserContact(world.db, world.users.acmeCustomer.id, { email: 'it@acme.test' });
  createChannel(world.db, { kind: 'email', name: 'mail', config: { host: '127.0.0.1', port: smtp.port, from: 'service@patrol.test', requireTls: false, lang: 'en' } }, now);
}

const ctx = (user: User) => ({ db: world.db, user, customerIds: visibleCustomerIds(world.db, user), now: world.clock.now() });

function fail(name: string, checkId: string, statuses: Status[]) {
  for (const s of statuses) {
    world.clock.advance(MIN);
    world.seen(world.acmeHost);
    system.engine.onResults({ hostId: world.acmeHost.id, customerId: 'acme' }, [result(name, s, world.clock.now(), `${name} ${s}`, checkId)], world.clock.now());
  }
}

async function tickAt(t: number) {
  world.clock.set(t);
  world.seen(world.acmeHost);
  await system.tick(t);
}

/** The subject as the reader sees it (the raw header is RFC 2047 encoded: the subject has Chinese in it). */
const subject = async (m: ReceivedMail) => (await simpleParser(m.raw)).subject ?? '';

const recipientsOf = (ticketId: string, kind: string) =>
  (world.db.prepare('SELECT tier, recipients FROM notification_outbox WHERE ticket_id = ? AND kind = ? ORDER BY id').all(ticketId, kind) as Array<{ tier: number; recipients: string }>).map(
    (r) => ({ tier: r.tier, recipients: JSON.parse(r.recipients) as string[] }),
  );

describe('consent is strict', () => {
  test('auto-close is off by default: a solved case waits for the customer for a month, reminded three times by mail', async () => {
    setup();
    fail('system.disk', 'system.disk', ['CRITICAL', 'CRITICAL']);
    const tk = listTickets(world.db, { now: world.clock.now() })[0]!;
    expect(resolve(ctx(world.users.l1), tk.id, 'rotated logs').ok).toBe(true);
    const solved = world.clock.now();
    for (let d = 0; d <= 30; d++) await tickAt(solved + d * DAY + MIN);
    const t = getTicket(world.db, tk.id, { now: world.clock.now() })!;
    expect(t.state).toBe('resolved');
    const kinds = listEvents(world.db, tk.id).map((e) => e.kind);
    expect(kinds).not.toContain('closed-by-contract');
    expect(kinds).not.toContain('auto-close-notice');
    expect(kinds.filter((k) => k === 'customer-reminded')).toHaveLength(3);
    const reminders = smtp.mails.filter((m) => m.to.includes('it@acme.test'));
    expect(reminders).toHaveLength(3);
    expect(await subject(reminders[0]!)).toContain(`[${tk.number}] 请确认问题已解决 / Please confirm`);
    // The customer's overview lists it as waiting for them.
    expect(casesAwaitingCustomer(world.db, ['acme'], world.clock.now()).map((x) => x.number)).toEqual([tk.number]);
    expect(casesAwaitingCustomer(world.db, ['beta'], world.clock.now())).toEqual([]);
  });

  test('where the contract closes cases, the customer is told ahead once, and the case says it closed by the rule', async () => {
    setup();
    setContract(world.db, 'acme', { autoCloseDays: 5, autoCloseNoticeDays: 2 }, world.clock.now());
    fail('system.disk', 'system.disk', ['CRITICAL', 'CRITICAL']);
    const tk = listTickets(world.db, { now: world.clock.now() })[0]!;
    resolve(ctx(world.users.l1), tk.id);
    const solved = world.clock.now();
    await tickAt(solved + 3 * DAY - MIN);
    expect(listEvents(world.db, tk.id).filter((e) => e.kind === 'auto-close-notice')).toHaveLength(0);
    await tickAt(solved + 3 * DAY);
    await tickAt(solved + 4 * DAY);
    const notices = listEvents(world.db, tk.id).filter((e) => e.kind === 'auto-close-notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.data).toMatchObject({ closesAt: solved + 5 * DAY, recipients: ['it@acme.test'] });
    const subjects = await Promise.all(smtp.mails.map(subject));
    expect(subjects.filter((s) => s.includes("contract's rule"))).toHaveLength(1);
    await tickAt(solved + 5 * DAY - 1);
    expect(getTicket(world.db, tk.id, { now: world.clock.now() })!.state).toBe('resolved');
    await tickAt(solved + 5 * DAY);
    const closed = getTicket(world.db, tk.id, { now: world.clock.now() })!;
    expect(closed).toMatchObject({ state: 'closed', closedBy: 'system' });
    const kinds = listEvents(world.db, tk.id).map((e) => e.kind);
    expect(kinds).toContain('closed-by-contract');
    expect(kinds).not.toContain('closed');
  });
});

describe('engineers steer the case', () => {
  test('a missed restore target escalates: answered in time, still broken, up a tier before the restore is due, once', async () => {
    setup();
    fail('system.memory', 'system.memory', ['CRITICAL', 'CRITICAL']);
    const tk = listTickets(world.db, { now: world.clock.now() })[0]!;
    expect(tk.severity).toBe('P1'); // restore 240 min: escalates 30 min before
    world.clock.advance(5 * MIN);
    expect(acknowledge(ctx(world.users.l1), tk.id).ok).toBe(true);
    await tickAt(tk.restoreDueAt - 31 * MIN);
    expect(getTicket(world.db, tk.id, { now: world.clock.now() })!.tier).toBe(1);
    await tickAt(tk.restoreDueAt - 30 * MIN);
    const up = getTicket(world.db, tk.id, { now: world.clock.now() })!;
    expect(up.tier).toBe(2);
    const ev = listEvents(world.db, tk.id).filter((e) => e.kind === 'escalated');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toMatchObject({ from: 1, to: 2, target: 'restore', dueAt: tk.restoreDueAt });
    expect(recipientsOf(tk.id, 'escalation')).toEqual([{ tier: 2, recipients: [world.users.l2.id] }]);
    await tickAt(tk.restoreDueAt - 10 * MIN);
    expect(listEvents(world.db, tk.id).filter((e) => e.kind === 'escalated')).toHaveLength(1);
    // L2 is told by mail, like any escalation.
    await tickAt(tk.restoreDueAt - 5 * MIN);
    expect(smtp.mails.some((m) => m.to.includes('wang@patrol.test') && m.subject.includes('ESCALATED L2'))).toBe(true);
  });

  test('an L3 database case reaches the database expert; a case of another domain the general L3', async () => {
    setup();
    fail('mysql', 'database.mysql', ['CRITICAL', 'CRITICAL']);
    const db = listTickets(world.db, { now: world.clock.now() })[0]!;
    expect(db.domain).toBe('database');
    const r = escalateToTier(ctx(world.users.l1), db.id, 3, 'replication broken, needs the DBA');
    expect(r.ok && r.ticket.tier).toBe(3);
    expect(recipientsOf(db.id, 'escalation')).toEqual([{ tier: 3, recipients: [world.users.admin.id] }]);
    const phone = openCase(ctx(world.users.l1), {
      customerId: 'acme',
      channel: 'phone',
      caller: { name: 'Li' },
      title: 'Printer queue stuck',
      severity: 'P3',
      domain: 'system',
    });
    expect(phone.ok).toBe(true);
    if (!phone.ok) return;
    escalateToTier(ctx(world.users.l1), phone.ticket.id, 3, 'needs the OS expert');
    expect(recipientsOf(phone.ticket.id, 'escalation')).toEqual([{ tier: 3, recipients: [world.users.l3.id] }]);
    expect(listEvents(world.db, db.id).find((e) => e.kind === 'escalated')).toMatchObject({ message: 'replication broken, needs the DBA', actorName: 'LIN', data: { manual: true } });
  });

  test('a case marked as needing on-site work escalates before its on-site target is missed', async () => {
    setup();
    const r = openCase(ctx(world.users.l1), { customerId: 'acme', channel: 'phone', caller: { name: 'Li' }, title: 'Disk tray LED red', severity: 'P2', hostId: world.acmeHost.id, onsiteNeeded: true });
    if (!r.ok) throw new Error(r.message);
    acknowledge(ctx(world.users.l1), r.ticket.id);
    // P2 on site in 120 min: escalates 30 min before.
    await tickAt(r.ticket.onsiteDueAt - 31 * MIN);
    expect(getTicket(world.db, r.ticket.id, { now: world.clock.now() })!.tier).toBe(1);
    await tickAt(r.ticket.onsiteDueAt - 30 * MIN);
    expect(listEvents(world.db, r.ticket.id).find((e) => e.kind === 'escalated')!.data).toMatchObject({ target: 'onsite', to: 2 });
  });
});
