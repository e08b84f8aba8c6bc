import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { simpleParser } from 'mailparser';
import { createTicketSystem, type TicketSystem } from '../../collector/tickets/ticket-runtime.js';
import { createChannel } from '../../collector/notify/channels.js';
import { getContract, setContract } from '../../collector/contracts/contract-store.js';
import { openCase } from '../../collector/tickets/open-case.js';
import { openTicket } from '../../collector/tickets/lifecycle.js';
import { getTicket, listEvents, listTickets } from '../../collector/tickets/ticket-store.js';
import { contractBanner } from '../../collector/tickets/case-pages.js';
import { translator } from '../../collector/page-kit/i18n/index.js';
import { visibleCustomerIds, type User } from '../../collector/db/users.js';
import { startSmtpServer, type RunningSmtpServer } from '../helpers/smtp-server.js';
import { makeWorld, MIN, T0, type World } from '../tickets/world.js';

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
});

const ctx = (user: User) => ({ db: world.db, user, customerIds: visibleCustomerIds(world.db, user), now: world.clock.now() });

test('a contract with terms: the account owner is told 30 days before the end, once; the overview says so', async () => {
  world = makeWorld();
  system = createTicketSystem({ db: world.db, now: world.clock.now, reconnectGraceMs: 0, notifyTimeoutMs: 2000 });
  createChannel(world.db, { kind: 'email', name: 'mail', config: { host: '127.0.0.1', port: smtp.port, from: 'service@patrol.test', requireTls: false, notifyOnDuty: false, to: ['duty@patrol.test'] } }, world.clock.now());
  // T0 is Monday 2 March 2026, 10:00 Beijing: the contract's last day, 31 March, is 30 days away (ends 1 April 00:00).
  setContract(world.db, 'acme', { startsOn: '2025-04-01', endsOn: '2026-03-31', accountOwnerId: world.users.l2.id, calendar: { kind: 'business' } }, world.clock.now());
  expect(getContract(world.db, 'acme')).toMatchObject({ serviceLevel: '5x8', startsOn: '2025-04-01', endsOn: '2026-03-31', coveredHostIds: null });
  world.clock.set(T0 - 2 * DAY);
  await system.tick(world.clock.now());
  expect(smtp.mails.filter((m) => m.to.includes('wang@patrol.test'))).toHaveLength(0);
  world.clock.set(T0);
  await system.tick(world.clock.now());
  await system.tick(world.clock.now() + MIN);
  const toOwner = smtp.mails.filter((m) => m.to.includes('wang@patrol.test'));
  expect(toOwner).toHaveLength(1);
  expect((await simpleParser(toOwner[0]!.raw)).subject).toContain('service contract ends on 2026-03-31');
  const banner = String(contractBanner(world.db, ['acme'], translator('zh'), world.clock.now()));
  expect(banner).toContain('ACME Bank 的服务合同将于 2026-03-31 到期（剩 30 天）。');
  expect(String(contractBanner(world.db, ['beta'], translator('en'), world.clock.now()))).toBe('');
});

test('cases outside the contract run no SLA clocks and say so: a host it does not cover, and any case after it ended', async () => {
  world = makeWorld();
  system = createTicketSystem({ db: world.db, now: world.clock.now, reconnectGraceMs: 0 });
  const spare = world.addHost('spare01');
  setContract(world.db, 'acme', { endsOn: '2026-03-31', coveredHostIds: [world.acmeHost.id] }, world.clock.now());
  const open = (hostId: string) => {
    const r = openCase(ctx(world.users.l1), { customerId: 'acme', channel: 'phone', caller: { name: 'Li' }, title: `down on ${hostId}`, hostId, severity: 'P1' });
    if (!r.ok) throw new Error(r.message);
    return r.ticket;
  };
  const covered = open(world.acmeHost.id);
  const notCovered = open(spare.id);
  expect(covered.slaStopped).toBeNull();
  expect(notCovered).toMatchObject({ slaStopped: 'host-not-covered', nextEscalationAt: null });
  expect(listEvents(world.db, notCovered.id).map((e) => e.kind)).toContain('sla-stopped');
  world.clock.advance(10 * 60 * MIN);
  await system.tick(world.clock.now());
  expect(getTicket(world.db, covered.id, { now: world.clock.now() })!.sla.breached).toBe(true);
  const late = getTicket(world.db, notCovered.id, { now: world.clock.now() })!;
  expect(late).toMatchObject({ tier: 1, sla: { breached: false, responseMet: null, restoreMet: null } });
  expect(listTickets(world.db, { breached: true, now: world.clock.now() }).map((t) => t.id)).toEqual([covered.id]);

  world.clock.set(Date.UTC(2026, 2, 31, 16, 0)); // 1 April 00:00 Beijing: the contract is over
  const after = open(world.acmeHost.id);
  expect(after.slaStopped).toBe('contract-expired');
  const monitoring = openTicket(world.db, { host: world.acmeHost, kind: 'check', checkName: 'system.disk', checkId: 'system.disk', status: 'CRITICAL', summary: 'disk full', severity: 'P1', flapping: false, now: world.clock.now() });
  expect(monitoring.slaStopped).toBe('contract-expired');
  expect(listEvents(world.db, after.id).find((e) => e.kind === 'sla-stopped')!.message).toContain('the contract has ended');
});
