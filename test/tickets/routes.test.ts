import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, test } from 'vitest';
import { Hono } from 'hono';
import type { AppEnv } from '../../collector/http/context.js';
import { findUserByName, visibleCustomerIds } from '../../collector/db/users.js';
import { ticketRoutes } from '../../collector/tickets/routes.js';
import { faultReportApiRoutes } from '../../collector/reports/fault-routes.js';
import { maintenanceRoutes } from '../../collector/maintenance/routes.js';
import { contractRoutes } from '../../collector/contracts/routes.js';
import { oncallRoutes } from '../../collector/oncall/routes.js';
import { notificationChannelRoutes } from '../../collector/notify/routes.js';
import { TicketStateEngine } from '../../collector/tickets/state-engine.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { makeWorld, result, MIN, type World } from './world.js';
import type { Ticket } from '../../collector/tickets/ticket-store.js';

let world: World;
let app: Hono<AppEnv>;
let hook: WebhookReceiver;
let acmeTicket: Ticket;

/** The lead's auth middleware, reduced to "x-test-user names the user". */
function buildApp(w: World): Hono<AppEnv> {
  const a = new Hono<AppEnv>();
  a.use('/api/*', async (c, next) => {
    const user = findUserByName(w.db, c.req.header('x-test-user') ?? '');
    if (!user) return c.json({ error: 'unauthenticated' }, 401);
    c.set('user', user);
    c.set('customerIds', visibleCustomerIds(w.db, user));
    await next();
  });
  const deps = { db: w.db, now: w.clock.now };
  a.route('/api/tickets', ticketRoutes(deps));
  a.route('/api/tickets', faultReportApiRoutes(deps));
  a.route('/api/maintenance', maintenanceRoutes(deps));
  a.route('/api/contracts', contractRoutes(deps));
  a.route('/api/oncall', oncallRoutes(deps));
  a.route('/api/notification-channels', notificationChannelRoutes(deps));
  return a;
}

async function call(user: string, method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { 'x-test-user': user, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, json: type.includes('json') ? ((await res.json()) as Record<string, any>) : undefined, res };
}

beforeAll(async () => {
  hook = await startWebhookReceiver();
});
afterAll(async () => hook?.stop());

beforeEach(() => {
  world = makeWorld();
  app = buildApp(world);
  const engine = new TicketStateEngine({ db: world.db, now: world.clock.now, reconnectGraceMs: 0 });
  for (let i = 0; i < 3; i++) {
    world.clock.advance(MIN);
    for (const h of [world.acmeHost, world.betaHost]) {
      engine.onResults({ hostId: h.id, customerId: h.customerId }, [result('system.disk', 'CRITICAL', world.clock.now(), 'disk / 95% used')], world.clock.now());
    }
  }
  // the ACME ticket opened first: INC-2026-000001
  acmeTicket = (world.db.prepare("SELECT id, number FROM tickets WHERE customer_id = 'acme'").get() as Ticket);
});
afterEach(() => world.db.close());

describe('tenancy', () => {
  test("customer B gets 404 for A's ticket, by id or number, and never sees it listed", async () => {
    for (const path of [`/api/tickets/${acmeTicket.id}`, `/api/tickets/${acmeTicket.number}`, `/api/tickets/${acmeTicket.id}/report`]) {
      expect((await call('beta-it', 'GET', path)).status).toBe(404);
    }
    expect((await call('beta-it', 'POST', `/api/tickets/${acmeTicket.id}/comment`, { text: 'hi' })).status).toBe(404);
    expect((await call('bob', 'POST', `/api/tickets/${acmeTicket.id}/acknowledge`)).status).toBe(404);
    const list = await call('beta-it', 'GET', '/api/tickets');
    expect(list.json!.tickets.map((t: Ticket) => t.customerId)).toEqual(['beta']);
    const own = await call('acme-it', 'GET', `/api/tickets/${acmeTicket.number}`);
    expect(own.status).toBe(200);
    expect(own.json!.ticket.id).toBe(acmeTicket.id);
    expect(own.json!.events[0].kind).toBe('opened');
    expect((await call('admin', 'GET', '/api/tickets')).json!.tickets).toHaveLength(2);
  });

  test('contracts and maintenance of another customer are 404 too', async () => {
    expect((await call('beta-it', 'GET', '/api/contracts/acme')).status).toBe(404);
    const r = await call('bob', 'POST', '/api/maintenance', { customerId: 'acme', scope: 'customer', startsAt: 1, endsAt: 2 });
    expect(r.status).toBe(404);
  });
});

describe('lifecycle over HTTP', () => {
  test('acknowledge, comment, resolve; only the customer can confirm-close; then it can be reopened', async () => {
    const id = acmeTicket.id;
    expect((await call('acme-it', 'POST', `/api/tickets/${id}/acknowledge`)).status).toBe(403);
    const ack = await call('lin', 'POST', `/api/tickets/${id}/acknowledge`, { note: 'looking' });
    expect(ack.status).toBe(200);
    expect(ack.json!.ticket.state).toBe('acknowledged');
    expect((await call('lin', 'POST', `/api/tickets/${id}/acknowledge`)).status).toBe(409);
    expect((await call('lin', 'POST', `/api/tickets/${id}/assign`, { assigneeId: world.users.betaEngineer.id })).status).toBe(400);
    expect((await call('lin', 'POST', `/api/tickets/${id}/assign`, { assigneeId: world.users.l2.id })).json!.ticket.assigneeId).toBe(world.users.l2.id);
    expect((await call('acme-it', 'POST', `/api/tickets/${id}/comment`, { text: 'please hurry' })).status).toBe(200);
    expect((await call('lin', 'POST', `/api/tickets/${id}/comment`, {})).status).toBe(400);
    expect((await call('lin', 'POST', `/api/tickets/${id}/comment`, '{not json')).status).toBe(400);
    expect((await call('wang', 'POST', `/api/tickets/${id}/resolve`, { note: 'rotated logs' })).json!.ticket.state).toBe('resolved');

    expect((await call('wang', 'POST', `/api/tickets/${id}/confirm-close`)).status).toBe(403);
    expect((await call('admin', 'POST', `/api/tickets/${id}/confirm-close`)).status).toBe(403);
    expect((await call('beta-it', 'POST', `/api/tickets/${id}/confirm-close`)).status).toBe(404);
    const closed = await call('acme-it', 'POST', `/api/tickets/${id}/confirm-close`, { note: 'ok' });
    expect(closed.status).toBe(200);
    expect(closed.json!.ticket.state).toBe('closed');

    const reopened = await call('acme-it', 'POST', `/api/tickets/${id}/reopen`, { reason: 'again' });
    expect(reopened.json!.ticket).toMatchObject({ state: 'open', reopenCount: 1 });
    const events = (await call('lin', 'GET', `/api/tickets/${id}`)).json!.events.map((e: { kind: string; actorName: string }) => `${e.kind}:${e.actorName}`);
    // No rota in this world: every message falls back to the admins, and the ticket says so.
    expect(events).toEqual([
      'opened:system',
      'notify-fallback:system',
      'result:system',
      'acknowledged:LIN',
      'assigned:LIN',
      'comment:acme-it',
      'resolved:WANG',
      'closed:acme-it',
      'reopened:acme-it',
      'notify-fallback:system',
    ]);
  });

  test('list filters: state, severity, host, breached', async () => {
    const q = async (qs: string) => (await call('admin', 'GET', `/api/tickets?${qs}`)).json!.tickets as Ticket[];
    expect(await q('state=open')).toHaveLength(2);
    expect(await q('state=closed')).toHaveLength(0);
    expect(await q('severity=P1')).toHaveLength(2);
    expect(await q(`host=${world.betaHost.id}`)).toHaveLength(1);
    expect(await q('customer=acme')).toHaveLength(1);
    expect(await q('breached=true')).toHaveLength(0);
    world.clock.advance(31 * MIN);
    expect(await q('breached=true')).toHaveLength(2);
    expect((await call('admin', 'GET', '/api/tickets?state=bogus')).status).toBe(400);
  });
});

describe('on-site arrival', () => {
  test('an engineer records the arrival, with or without a time; it is judged against the on-site due time', async () => {
    const id = acmeTicket.id; // opened 10:02 Beijing, P1: on site by 11:02
    const betaId = (world.db.prepare("SELECT id FROM tickets WHERE customer_id = 'beta'").get() as { id: string }).id;
    world.clock.advance(5 * MIN);
    await call('lin', 'POST', `/api/tickets/${id}/acknowledge`);
    await call('bob', 'POST', `/api/tickets/${betaId}/acknowledge`);
    world.clock.advance(42 * MIN); // 10:50

    expect((await call('acme-it', 'POST', `/api/tickets/${id}/onsite`)).status).toBe(403);
    expect((await call('beta-it', 'POST', `/api/tickets/${id}/onsite`)).status).toBe(404);
    expect((await call('lin', 'POST', `/api/tickets/${id}/onsite`, { at: '2026-03-02T10:55:00+08:00' })).status).toBe(400); // future
    expect((await call('lin', 'POST', `/api/tickets/${id}/onsite`, { at: '2026-03-02T09:00:00+08:00' })).status).toBe(400); // before opening
    expect((await call('lin', 'POST', `/api/tickets/${id}/onsite`, { at: 'yesterday' })).status).toBe(400);

    const arrived = await call('lin', 'POST', `/api/tickets/${id}/onsite`, { at: '2026-03-02T10:45:00+08:00', note: 'in the server room' });
    expect(arrived.status).toBe(200);
    expect(arrived.json!.ticket).toMatchObject({
      onsiteAt: Date.parse('2026-03-02T10:45:00+08:00'),
      onsiteBy: world.users.l1.id,
      state: 'acknowledged',
      sla: { responseMet: true, onsiteMet: true, breached: false },
    });
    expect((await call('lin', 'POST', `/api/tickets/${id}/onsite`)).status).toBe(409); // recorded once
    const shown = (await call('acme-it', 'GET', `/api/tickets/${id}`)).json!;
    expect(shown.ticket.onsiteAt).toBe(Date.parse('2026-03-02T10:45:00+08:00'));
    const onsiteEvent = shown.events.find((e: { kind: string }) => e.kind === 'onsite');
    expect(onsiteEvent).toMatchObject({ actorName: 'LIN', message: 'in the server room', data: { onsiteMet: true, onsiteMs: 43 * MIN } });

    const breached = async () => ((await call('admin', 'GET', '/api/tickets?breached=true')).json!.tickets as Ticket[]).map((t) => t.id);
    expect(await breached()).toEqual([]);
    world.clock.advance(30 * MIN); // 11:20: Beta's engineer arrives now, 18 minutes late
    const late = await call('bob', 'POST', `/api/tickets/${betaId}/onsite`);
    expect(late.json!.ticket).toMatchObject({ onsiteAt: world.clock.now(), sla: { responseMet: true, onsiteMet: false, breached: true } });
    expect(await breached()).toEqual([betaId]);

    // the fault-handling report shows the arrival and its verdict; a ticket nobody had to go to says "not required"
    const zh = await (await call('acme-it', 'GET', `/api/tickets/${id}/report?format=html&lang=zh`)).res.text();
    expect(zh).toContain('<tr><td class="b">到场时间</td><td>2026-03-02 10:45</td></tr>');
    expect(zh).toContain('<tr><td>到场</td><td>60 分钟（截止 2026-03-02 11:02）</td><td>43 分钟</td><td class="nw ok">达标</td></tr>');
    expect(zh).toContain('<td>工程师到达现场</td>');
    const en = await (await call('bob', 'GET', `/api/tickets/${betaId}/report?format=md&lang=en`)).res.text();
    expect(en).toMatch(/\| On site \| 60 min \(due 2026-03-02 11:02\) \| 78 min \| missed \|/);
    world.db.prepare('UPDATE tickets SET onsite_at = NULL WHERE id = ?').run(betaId);
    const none = await (await call('bob', 'GET', `/api/tickets/${betaId}/report?format=md&lang=en`)).res.text();
    expect(none).toMatch(/\| On site \| 60 min \(due 2026-03-02 11:02\) \| not required \| not applicable \|/);
    const noneZh = await (await call('bob', 'GET', `/api/tickets/${betaId}/report?format=html&lang=zh`)).res.text();
    expect(noneZh).toContain('<tr><td>到场</td><td>60 分钟（截止 2026-03-02 11:02）</td><td>无需到场</td><td class="nw muted">不适用</td></tr>');
    expect(noneZh).not.toContain('未到场');
  });
});

describe('fault-handling report', () => {
  test('engineer fills cause/actions/prevention; zh and en, HTML escaped and Markdown', async () => {
    const id = acmeTicket.id;
    expect((await call('acme-it', 'PATCH', `/api/tickets/${id}/report`, { cause: 'x' })).status).toBe(403);
    const upd = await call('lin', 'PATCH', `/api/tickets/${id}/report`, {
      cause: 'Log rotation stopped <script>alert(1)</script>',
      actions: 'Compressed | removed old logs',
      prevention: 'Monitor logrotate',
    });
    expect(upd.status).toBe(200);
    world.clock.advance(12 * MIN);
    await call('lin', 'POST', `/api/tickets/${id}/acknowledge`);

    const zh = await call('acme-it', 'GET', `/api/tickets/${id}/report?format=html&lang=zh`);
    expect(zh.status).toBe(200);
    expect(zh.type).toContain('text/html');
    const html = await zh.res.text();
    expect(html).toContain('<title>故障处理报告 INC-2026-000001</title>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toMatch(/<link|src="http/); // self-contained
    expect(html).toContain('<td>13 分钟</td><td class="nw ok">达标</td>'); // opened 10:02, acknowledged 10:15
    expect(html).toContain('<div class="role">客户确认签字</div>');

    const en = await call('lin', 'GET', `/api/tickets/${id}/report?format=md&lang=en`);
    expect(en.type).toContain('text/markdown');
    const md = await en.res.text();
    expect(md).toContain('# Fault-handling report\n');
    expect(md).toContain('- Case number: INC-2026-000001');
    expect(md).toContain('Compressed \\| removed old logs');
    expect(md).toMatch(/\| Response \| 30 min .* \| 13 min \| met \|/);
    expect(md).toContain('Accounting');
    expect((await call('lin', 'GET', `/api/tickets/${id}/report?format=xls`)).status).toBe(400);
    // Word, from the same blocks (customers edit and stamp it): a .docx is a zip whose document holds the words.
    const docx = await call('acme-it', 'GET', `/api/tickets/${id}/report?format=docx&lang=zh`);
    expect(docx.status).toBe(200);
    expect(docx.type).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(docx.res.headers.get('content-disposition')).toBe('attachment; filename="INC-2026-000001-zh.docx"');
    expect(Buffer.from(await docx.res.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
    expect((await call('beta-it', 'GET', `/api/tickets/${id}/report?format=docx`)).status).toBe(404);
  });
});

describe('maintenance, contracts, on-call, channels', () => {
  test('a maintenance window is created by staff and shown on the ticket list while active', async () => {
    const now = world.clock.now();
    expect((await call('acme-it', 'POST', '/api/maintenance', { customerId: 'acme', scope: 'customer', startsAt: now, endsAt: now + 3600_000 })).status).toBe(403);
    expect((await call('lin', 'POST', '/api/maintenance', { customerId: 'acme', scope: 'host' })).status).toBe(400);
    const created = await call('lin', 'POST', '/api/maintenance', { customerId: 'acme', scope: 'host', hostId: world.acmeHost.id, startsAt: now, endsAt: now + 3600_000, reason: 'patching' });
    expect(created.status).toBe(201);
    const list = await call('acme-it', 'GET', '/api/tickets');
    expect(list.json!.maintenance.map((m: { reason: string }) => m.reason)).toEqual(['patching']);
    // described for the banner: what it covers in words and until when
    expect(list.json!.maintenance[0]).toMatchObject({ scope: 'host', hostName: 'db01', customerName: 'ACME Bank', until: now + 3600_000 });
    expect((await call('beta-it', 'GET', '/api/tickets')).json!.maintenance).toEqual([]);
    expect((await call('lin', 'DELETE', `/api/maintenance/${created.json!.window.id}`)).status).toBe(204);
  });

  test('contracts: defaults until stored, only admins change them, zod rejects nonsense', async () => {
    const d = await call('acme-it', 'GET', '/api/contracts/acme');
    expect(d.json!.contract).toMatchObject({ stored: false, openAfter: 2, autoCloseDays: 0, targets: { P1: { respondMin: 30, onsiteMin: 60, restoreMin: 240 } } });
    expect((await call('lin', 'PUT', '/api/contracts/acme', { openAfter: 3 })).status).toBe(403);
    expect((await call('admin', 'PUT', '/api/contracts/acme', { openAfter: 0 })).status).toBe(400);
    const put = await call('admin', 'PUT', '/api/contracts/acme', { openAfter: 3, calendar: { kind: 'business' }, inspections: ['spring-festival', { date: '2026-09-20', name: 'pre-audit' }] });
    expect(put.json!.contract).toMatchObject({ stored: true, openAfter: 3, calendar: { kind: 'business', start: '09:00', timezone: 'Asia/Shanghai' } });
  });

  test('contracts: the flapping marks (Nagios 50/25 by default) and the reopen message limit; the low mark must be below the high one', async () => {
    expect((await call('admin', 'GET', '/api/contracts/acme')).json!.contract).toMatchObject({ flapHighPct: 50, flapLowPct: 25, reopenNotifyMin: 30 });
    const bad = await call('admin', 'PUT', '/api/contracts/acme', { flapHighPct: 20, flapLowPct: 30 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('flapLowPct must be below flapHighPct');
    expect((await call('admin', 'PUT', '/api/contracts/acme', { flapHighPct: 101 })).status).toBe(400);
    expect((await call('admin', 'PUT', '/api/contracts/acme', { reopenNotifyMin: -1 })).status).toBe(400);
    const put = await call('admin', 'PUT', '/api/contracts/acme', { flapHighPct: 30, flapLowPct: 15, reopenNotifyMin: 60 });
    expect(put.status).toBe(200);
    expect((await call('lin', 'GET', '/api/contracts/acme')).json!.contract).toMatchObject({ stored: true, flapHighPct: 30, flapLowPct: 15, reopenNotifyMin: 60 });
  });

  test('who may be assigned a ticket: staff serving its customer and admins; tenancy as for the ticket', async () => {
    const r = await call('lin', 'GET', `/api/tickets/${acmeTicket.number}/assignees`);
    expect(r.status).toBe(200);
    expect(r.json!.assignees.map((a: { username: string }) => a.username)).toEqual(['admin', 'lin', 'wang', 'zhao']);
    expect(r.json!.assignees[1]).toEqual({ id: world.users.l1.id, username: 'lin', name: 'LIN', role: 'engineer' });
    expect((await call('bob', 'GET', `/api/tickets/${acmeTicket.number}/assignees`)).status).toBe(404);
    expect((await call('acme-it', 'GET', `/api/tickets/${acmeTicket.number}/assignees`)).status).toBe(403);
  });

  test('on-call: admins edit the rota, staff ask who is on duty', async () => {
    expect((await call('lin', 'POST', '/api/oncall', { tier: 2, userId: world.users.l2.id, startsAt: 0 })).status).toBe(403);
    expect((await call('admin', 'POST', '/api/oncall', { tier: 2, userId: world.users.acmeCustomer.id, startsAt: 0 })).status).toBe(400);
    expect((await call('admin', 'POST', '/api/oncall', { tier: 2, userId: world.users.l2.id, startsAt: 0 })).status).toBe(201);
    expect((await call('admin', 'POST', '/api/oncall', { tier: 2, userId: world.users.betaEngineer.id, startsAt: 0 })).status).toBe(201);
    const now = await call('lin', 'GET', '/api/oncall/now?tier=2&customerId=acme');
    expect(now.json!.onDuty.map((u: { name: string }) => u.name)).toEqual(['WANG']);
    expect((await call('acme-it', 'GET', '/api/oncall')).status).toBe(403);
    expect((await call('lin', 'PUT', `/api/oncall/contacts/${world.users.l2.id}`, { email: 'x@patrol.test' })).status).toBe(403);
    expect((await call('lin', 'PUT', `/api/oncall/contacts/${world.users.l1.id}`, { email: 'not-an-email' })).status).toBe(400);
    const own = await call('lin', 'PUT', `/api/oncall/contacts/${world.users.l1.id}`, { email: 'lin.new@patrol.test', phone: '13800000000' });
    expect(own.json).toMatchObject({ email: 'lin.new@patrol.test' });
    const row = world.db.prepare('SELECT email FROM user_contacts WHERE user_id = ?').get(world.users.l1.id) as { email: string };
    expect(row.email).toBe('lin.new@patrol.test');
  });

  test('channels: the secret goes in and never comes out; the test button sends a real message', async () => {
    const mail = await call('admin', 'POST', '/api/notification-channels', {
      kind: 'email',
      name: 'smtp',
      config: { host: '127.0.0.1', from: 'patrol@patrol.test' },
      secret: 'hunter2',
    });
    expect(mail.status).toBe(201);
    expect(mail.json!.channel.hasPassword).toBe(true);
    expect(JSON.stringify(mail.json)).not.toContain('hunter2');
    expect(JSON.stringify((await call('admin', 'GET', '/api/notification-channels')).json)).not.toContain('hunter2');
    expect((await call('admin', 'POST', '/api/notification-channels', { kind: 'slack', name: 'x', config: { url: 'ftp://nope' } })).status).toBe(400);
    expect((await call('lin', 'POST', '/api/notification-channels', { kind: 'slack', name: 'x', config: { url: hook.url } })).status).toBe(403);

    const slack = await call('admin', 'POST', '/api/notification-channels', { kind: 'slack', name: 'slack', customerId: 'acme', config: { url: `${hook.url}/slack`, lang: 'en' } });
    const before = hook.received.length;
    const t = await call('admin', 'POST', `/api/notification-channels/${slack.json!.channel.id}/test`);
    expect(t.json).toEqual({ ok: true });
    expect(hook.received).toHaveLength(before + 1);
    expect(hook.received.at(-1)!.path).toBe('/slack');
    expect(hook.received.at(-1)!.body).toEqual({ text: expect.stringContaining('[Patrol] test message') });
    // engineers see channels of customers they serve only
    expect((await call('lin', 'GET', '/api/notification-channels')).json!.channels.map((c: { name: string }) => c.name)).toEqual(['slack']);
    expect((await call('bob', 'GET', `/api/notification-channels/${slack.json!.channel.id}`)).status).toBe(404);
  });
});
