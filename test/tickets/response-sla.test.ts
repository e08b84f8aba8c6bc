import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { createTicketSystem, type TicketSystem } from '../../collector/tickets/ticket-runtime.js';
import { createChannel } from '../../collector/notify/channels.js';
import { getTicket, listEvents, listTickets } from '../../collector/tickets/ticket-store.js';
import { acknowledge, assign, resolve, startWork } from '../../collector/tickets/ticket-actions.js';
import { buildFaultDocument } from '../../collector/reports/fault-document.js';
import { renderDocumentMarkdown } from '../../collector/reports/render-markdown.js';
import { buildInspectionReport } from '../../collector/reports/build-report.js';
import { renderReportHtml } from '../../collector/reports/render-html.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import { visibleCustomerIds } from '../../collector/db/users.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeWorld, result, MIN, T0, type World } from './world.js';
import type { Status } from '../../shared/status.js';

let hook: WebhookReceiver;
let world: World;
let system: TicketSystem;

beforeAll(async () => {
  hook = await startWebhookReceiver();
});
afterAll(async () => hook?.stop());
afterEach(async () => {
  await system?.close();
  world?.db.close();
  hook.received.length = 0;
});

function setup(criticality: 'critical' | 'normal' = 'critical') {
  world = makeWorld({ criticality });
  system = createTicketSystem({ db: world.db, now: world.clock.now, reconnectGraceMs: 0, notifyTimeoutMs: 2000 });
  createChannel(world.db, { kind: 'webhook', name: 'ops hook', config: { url: `${hook.url}/hook` } }, world.clock.now());
}

function run(name: string, statuses: Status[]) {
  for (const s of statuses) {
    world.clock.advance(MIN);
    world.seen(world.acmeHost);
    system.engine.onResults({ hostId: world.acmeHost.id, customerId: 'acme' }, [result(name, s, world.clock.now())], world.clock.now());
  }
}

const ctx = (user: World['users'][keyof World['users']]) => ({ db: world.db, user, customerIds: visibleCustomerIds(world.db, user), now: world.clock.now() });
const ticketOf = (name: string) => listTickets(world.db, { now: world.clock.now() }).find((t) => t.checkName === name)!;
const fresh = (id: string) => getTicket(world.db, id, { now: world.clock.now() })!;

describe('what counts as the first response', () => {
  test('resolving an unanswered ticket answers it: response recorded at the resolve, met when in time', () => {
    setup();
    run('system.disk', ['CRITICAL', 'CRITICAL']);
    const t = ticketOf('system.disk');
    world.clock.advance(12 * MIN);
    const r = resolve(ctx(world.users.l1), t.id, 'cleaned /var/log');
    expect(r.ok && r.ticket).toMatchObject({ state: 'resolved', acknowledgedAt: world.clock.now(), acknowledgedBy: world.users.l1.id });
    expect(r.ok && r.ticket.sla.responseMet).toBe(true);
    const ack = listEvents(world.db, t.id).find((e) => e.kind === 'acknowledged')!;
    expect(ack).toMatchObject({ actorName: 'LIN', message: 'resolved', data: { responseMs: 12 * MIN, responseMet: true } });
  });

  test('taking an unanswered ticket oneself answers it and stops escalation; being assigned by someone else does not', async () => {
    setup();
    run('system.disk', ['CRITICAL', 'CRITICAL']);
    run('system.memory', ['CRITICAL', 'CRITICAL']);
    const disk = ticketOf('system.disk');
    const memory = ticketOf('system.memory');
    world.clock.advance(5 * MIN);
    expect(assign(ctx(world.users.admin), disk.id, world.users.l1.id).ok).toBe(true);
    expect(fresh(disk.id)).toMatchObject({ state: 'open', acknowledgedAt: null, assigneeId: world.users.l1.id });
    expect(assign(ctx(world.users.l2), memory.id, world.users.l2.id).ok).toBe(true);
    expect(fresh(memory.id)).toMatchObject({ state: 'acknowledged', acknowledgedAt: world.clock.now(), acknowledgedBy: world.users.l2.id, nextEscalationAt: null });
    expect(fresh(memory.id).sla.responseMet).toBe(true);
    world.clock.set(disk.openedAt + 31 * MIN);
    await system.tick();
    expect(fresh(disk.id).tier).toBe(2); // assigned by the admin, still unanswered: escalated
    expect(fresh(memory.id).tier).toBe(1);
  });

  test('starting work is a response too (unchanged)', () => {
    setup();
    run('system.disk', ['CRITICAL', 'CRITICAL']);
    world.clock.advance(40 * MIN);
    const r = startWork(ctx(world.users.l1), ticketOf('system.disk').id);
    expect(r.ok && r.ticket.sla.responseMet).toBe(false);
  });
});

describe('a blip nobody was told about needs no response', () => {
  test('recovered before its problem message left the queue: response "not applicable", never breached, not in SLA figures', async () => {
    setup();
    // announced: the problem message is delivered, then it recovers; nobody answered in 30 minutes
    run('system.memory', ['CRITICAL', 'CRITICAL']);
    await system.tick(world.clock.now() + MIN);
    expect(hook.received).toHaveLength(1);
    run('system.memory', ['OK']);
    // the blip: recovers inside the coalescing minute, its problem message is cancelled
    run('system.disk', ['CRITICAL', 'CRITICAL', 'OK']);
    world.clock.advance(3 * 60 * MIN);
    world.seen(world.acmeHost);
    await system.tick();
    expect(hook.received).toHaveLength(2); // the memory problem and its recovery; nothing about the disk

    const blip = ticketOf('system.disk');
    const announced = ticketOf('system.memory');
    expect(blip.sla).toEqual({ responseMet: null, responseNotApplicable: true, onsiteMet: null, restoreMet: true, breached: false });
    expect(announced.sla).toMatchObject({ responseMet: false, responseNotApplicable: false, breached: true });
    expect(listTickets(world.db, { now: world.clock.now(), breached: true }).map((t) => t.checkName)).toEqual(['system.memory']);
    expect(listEvents(world.db, blip.id).find((e) => e.kind === 'recovered')!.data).toEqual({ responseNotApplicable: true });
    // resolving it later is not a (late) response either
    expect(resolve(ctx(world.users.l1), blip.id).ok).toBe(true);
    expect(fresh(blip.id)).toMatchObject({ acknowledgedAt: null, sla: { responseMet: null, breached: false } });

    const md = renderDocumentMarkdown(buildFaultDocument(world.db, blip.id, { now: world.clock.now(), lang: 'en' })!);
    expect(md).toMatch(/\| Response \|[^\n]*\| not applicable \(recovered before anyone was notified\) \| not applicable \|/);

    // the inspection report's SLA figures: the blip's response is neither met nor missed
    const dir = tempDir('sla-report');
    const store = sqliteMetricsStore({ path: join(dir.path, 'metrics.db'), retentionDays: 100_000, now: world.clock.now });
    try {
      await store.init();
      const report = await buildInspectionReport({ db: world.db, store, customerId: 'acme', scope: { from: T0 - 86_400_000, to: world.clock.now() + MIN, period: '2026Q1' }, lang: 'en', now: world.clock.now() });
      expect(report.tickets.items.map((i) => [i.number, i.responseMet])).toEqual([
        [announced.number, false],
        [blip.number, null],
      ]);
      expect(report.tickets.responseMetShare).toBe(0); // 0 of 1 decided, not 0 of 2 and not 1 of 2
      expect(report.tickets.items.map((i) => i.responseNotApplicable)).toEqual([false, true]);
      // The report says why there was no response, instead of "open".
      const html = renderReportHtml(report);
      const inTickets = html.indexOf(blip.number, html.indexOf('id="tickets"'));
      const blipRow = html.slice(inTickets, html.indexOf('</tr>', inTickets));
      expect(blipRow).toContain('n/a (recovered before anyone was told)');
    } finally {
      await store.close();
      dir.remove();
    }
  });

  test('a blip that comes back is announced with the reopen, and its response clock starts then', () => {
    setup();
    run('system.disk', ['CRITICAL', 'CRITICAL', 'OK']);
    const t = ticketOf('system.disk');
    expect(t.sla.responseNotApplicable).toBe(true);
    world.clock.advance(2 * 60 * MIN);
    run('system.disk', ['CRITICAL', 'CRITICAL']);
    const back = fresh(t.id);
    expect(back).toMatchObject({ state: 'open', reopenCount: 1, responseNotApplicable: false, responseDueAt: world.clock.now() + 30 * MIN });
    expect(back.sla).toMatchObject({ responseMet: null, breached: false });
  });
});

describe('raising the severity keeps deadlines already met', () => {
  test('WARNING answered on time, then CRITICAL: the response stays met; the restore deadline tightens', () => {
    setup('normal');
    run('system.disk', ['WARNING', 'WARNING']);
    const t = ticketOf('system.disk');
    expect(t.severity).toBe('P3'); // respond within 120 min
    world.clock.advance(60 * MIN);
    const acked = acknowledge(ctx(world.users.l1), t.id);
    expect(acked.ok && acked.ticket.sla.responseMet).toBe(true);
    run('system.disk', ['CRITICAL']);
    const raised = fresh(t.id);
    expect(raised.severity).toBe('P2'); // P2 would have needed a response within 30 min of the opening
    expect(raised.responseDueAt).toBe(t.responseDueAt);
    expect(raised.sla.responseMet).toBe(true);
    expect(raised.restoreDueAt).toBe(t.openedAt + 480 * MIN); // still running: P2's 8 h from the opening
  });

  test('a still-running response deadline tightens to the stricter target counted from the opening', () => {
    setup('normal');
    run('system.disk', ['WARNING', 'WARNING']);
    const t = ticketOf('system.disk');
    world.clock.advance(10 * MIN);
    run('system.disk', ['CRITICAL']); // 11 min after opening: P2's 30 min from the opening still lies ahead
    expect(fresh(t.id).responseDueAt).toBe(t.openedAt + 30 * MIN);
  });

  test('...and when the stricter one has already passed, it counts from the raise (nobody can answer in the past)', () => {
    setup('normal');
    run('system.disk', ['WARNING', 'WARNING']);
    const late = ticketOf('system.disk');
    world.clock.advance(44 * MIN);
    run('system.disk', ['CRITICAL']); // 45 min after opening: 30 min from the opening has passed
    const raised = fresh(late.id);
    expect(raised.responseDueAt).toBe(world.clock.now() + 30 * MIN);
    expect(raised.sla).toMatchObject({ responseMet: null, breached: false });
  });
});
