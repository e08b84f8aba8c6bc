import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createTicketSystem, type TicketSystem } from '../../collector/tickets/ticket-runtime.js';
import { addShift } from '../../collector/oncall/rota-store.js';
import { createChannel, listChannels, getChannel } from '../../collector/notify/channels.js';
import { sendTestMessage } from '../../collector/notify/notifier.js';
import { getTicket, listTickets } from '../../collector/tickets/ticket-store.js';
import { acknowledge } from '../../collector/tickets/ticket-actions.js';
import { visibleCustomerIds } from '../../collector/db/users.js';
import { startSmtpServer, type RunningSmtpServer } from '../helpers/smtp-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { freePort } from '../helpers/ports.js';
import { makeWorld, result, MIN, T0, type World } from './world.js';
import type { Status } from '../../shared/status.js';

let smtp: RunningSmtpServer;
let hook: WebhookReceiver;
let world: World;
let system: TicketSystem;

beforeAll(async () => {
  smtp = await startSmtpServer({ auth: { user: 'patrol', password: 's3cret-smtp' } });
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  await smtp?.stop();
  await hook?.stop();
});
afterEach(async () => {
  await system?.close();
  world?.db.close();
  smtp.mails.length = 0;
  hook.received.length = 0;
});

function setup(opts: { webhookUrl?: string; email?: boolean } = {}) {
  world = makeWorld();
  system = createTicketSystem({ db: world.db, now: world.clock.now, reconnectGraceMs: 0, notifyTimeoutMs: 2000 });
  const now = world.clock.now();
  const { l1, l2, l3, betaEngineer, admin } = world.users;
  addShift(world.db, { tier: 1, userId: l1.id, customerId: 'acme', startsAt: T0 - 86_400_000 }, now);
  addShift(world.db, { tier: 2, userId: l2.id, startsAt: T0 - 86_400_000, endsAt: T0 + 86_400_000 }, now);
  // on the company-wide L2 rota too, but does not serve ACME: must never hear of ACME's tickets
  addShift(world.db, { tier: 2, userId: betaEngineer.id, startsAt: T0 - 86_400_000 }, now);
  addShift(world.db, { tier: 3, userId: l3.id, weekly: { days: [1, 2, 3, 4, 5], start: '08:00', end: '20:00' } }, now);
  // an L3 shift that ended yesterday
  addShift(world.db, { tier: 3, userId: admin.id, startsAt: T0 - 3 * 86_400_000, endsAt: T0 - 86_400_000 }, now);
  if (opts.email !== false) {
    createChannel(
      world.db,
      { kind: 'email', name: 'duty mail', config: { host: '127.0.0.1', port: smtp.port, user: 'patrol', from: 'patrol@patrol.test', lang: 'en', requireTls: false }, secret: 's3cret-smtp' },
      now,
    );
  }
  createChannel(world.db, { kind: 'webhook', name: 'ops hook', config: { url: opts.webhookUrl ?? `${hook.url}/hook` } }, now);
}

function fail(name: string, statuses: Status[], host = world.acmeHost) {
  for (const s of statuses) {
    world.clock.advance(MIN);
    world.seen(host);
    system.engine.onResults({ hostId: host.id, customerId: host.customerId }, [result(name, s, world.clock.now())], world.clock.now());
  }
}

async function tickAt(t: number) {
  world.clock.set(t);
  world.seen(world.acmeHost);
  await system.tick(t);
}

function mailsTo(addr: string) {
  return smtp.mails.filter((m) => m.to.includes(addr));
}

describe('escalation', () => {
  test('an unacknowledged P1 escalates to L2 at minute 30 and L3 at the next deadline, mailing the right on-duty person', async () => {
    setup();
    fail('system.disk', ['CRITICAL', 'CRITICAL']);
    const t = listTickets(world.db, { now: world.clock.now() })[0]!;
    expect(t.severity).toBe('P1');
    const opened = t.openedAt;

    await tickAt(opened + MIN); // coalescing window over: the problem goes to L1
    expect(smtp.mails).toHaveLength(1);
    expect(mailsTo('lin@patrol.test')).toHaveLength(1);
    expect(smtp.mails[0]!.subject).toContain(`${t.number} PROBLEM`);
    expect(smtp.mails[0]!.authUser).toBe('patrol');

    await tickAt(opened + 29 * MIN);
    expect(getTicket(world.db, t.id, { now: world.clock.now() })!.tier).toBe(1);

    await tickAt(opened + 30 * MIN);
    expect(getTicket(world.db, t.id, { now: world.clock.now() })!.tier).toBe(2);
    await tickAt(opened + 31 * MIN);
    expect(mailsTo('wang@patrol.test')).toHaveLength(1);
    expect(mailsTo('wang@patrol.test')[0]!.subject).toContain(`${t.number} ESCALATED L2`);
    expect(mailsTo('bob@patrol.test')).toHaveLength(0);

    await tickAt(opened + 59 * MIN);
    expect(getTicket(world.db, t.id, { now: world.clock.now() })!.tier).toBe(2);
    await tickAt(opened + 60 * MIN);
    expect(getTicket(world.db, t.id, { now: world.clock.now() })!.tier).toBe(3);
    await tickAt(opened + 61 * MIN);
    expect(mailsTo('zhao@patrol.test')).toHaveLength(1);
    expect(mailsTo('admin@patrol.test')).toHaveLength(0); // their shift had ended
    expect(smtp.mails).toHaveLength(3);

    // the webhook got the same three messages, naming who is on duty
    expect(hook.received.map((r) => (r.body as { items: Array<{ kind: string }> }).items[0]!.kind)).toEqual(['problem', 'escalation', 'escalation']);
    expect(hook.received.map((r) => (r.body as { recipients: Array<{ name: string }> }).recipients.map((x) => x.name))).toEqual([['LIN'], ['WANG'], ['ZHAO']]);

    // acknowledged: the response is late (breached), and nothing escalates any more
    const acked = acknowledge({ db: world.db, user: world.users.l3, customerIds: visibleCustomerIds(world.db, world.users.l3), now: world.clock.now() }, t.id);
    expect(acked.ok && acked.ticket.sla.responseMet).toBe(false);
    await tickAt(opened + 180 * MIN);
    expect(smtp.mails).toHaveLength(3);
  });
});

describe('delivery', () => {
  test('several tickets of one host within a minute go out as one message', async () => {
    setup({ email: false });
    const h = { hostId: world.acmeHost.id, customerId: 'acme' };
    for (let run = 0; run < 2; run++) {
      world.clock.advance(20_000);
      world.seen(world.acmeHost);
      const at = world.clock.now();
      system.engine.onResults(h, [result('system.disk', 'CRITICAL', at), result('system.memory', 'CRITICAL', at), result('system.load', 'WARNING', at)], at);
    }
    await system.tick(world.clock.now());
    expect(hook.received).toHaveLength(0); // still inside the window
    await tickAt(world.clock.now() + MIN);
    expect(listTickets(world.db, { now: world.clock.now() })).toHaveLength(3);
    expect(hook.received).toHaveLength(1);
    const body = hook.received[0]!.body as { host: { name: string }; items: Array<{ number: string; kind: string }> };
    expect(body.host.name).toBe('db01');
    expect(body.items.map((i) => i.number).sort()).toEqual(['INC-2026-000001', 'INC-2026-000002', 'INC-2026-000003']);
  });

  test('a receiver that answers 500 twice gets the message on the third attempt, exactly once', async () => {
    setup({ email: false });
    hook.failNext(500, 500);
    fail('system.disk', ['CRITICAL', 'CRITICAL']);
    const start = world.clock.now();
    await tickAt(start + MIN);
    await tickAt(start + MIN + 30_000);
    expect(hook.received).toHaveLength(0);
    await tickAt(start + MIN + 30_000 + 120_000);
    expect(hook.received).toHaveLength(1);
    const [d] = system.notifier.listDeliveries();
    expect(d).toMatchObject({ state: 'sent', attempts: 3 });
    await tickAt(start + 60 * MIN);
    expect(hook.received).toHaveLength(1);
  });

  test('webhook receiver down: retries with backoff, then a logged failure; nothing is lost', async () => {
    const downPort = await freePort();
    setup({ email: false, webhookUrl: `http://127.0.0.1:${downPort}/hook` });
    fail('system.disk', ['CRITICAL', 'CRITICAL']);
    const start = world.clock.now() + MIN;
    // attempts at +0, +30 s, +2 min, +10 min, +30 min after the previous one
    const times = [0, 30_000, 150_000, 750_000, 2_550_000];
    for (const dt of times) await tickAt(start + dt);
    const [d] = system.notifier.listDeliveries();
    expect(d).toMatchObject({ state: 'failed', attempts: 5 });
    expect(d!.lastError).toMatch(/fetch failed|ECONNREFUSED/);
    const attempts = world.db.prepare('SELECT ok FROM notification_attempts WHERE delivery_id = ?').all(d!.id);
    expect(attempts).toHaveLength(5);
    // the problem was never delivered, so its recovery is not announced either
    const ticket = listTickets(world.db, { now: world.clock.now() })[0]!;
    expect(ticket.problemNotified).toBe(false);

    // the receiver comes back; an operator re-queues the failed delivery: the same message arrives
    const back = await startWebhookReceiver({ port: downPort });
    try {
      expect(system.notifier.retryDelivery(d!.id, world.clock.now())).toBe(true);
      await system.tick(world.clock.now());
      expect(back.received).toHaveLength(1);
      expect((back.received[0]!.body as { items: Array<{ number: string }> }).items[0]!.number).toBe(ticket.number);
      expect(getTicket(world.db, ticket.id, { now: world.clock.now() })!.problemNotified).toBe(true);
    } finally {
      await back.stop();
    }
  });

  test('a recovery message follows only a problem message that was sent', async () => {
    setup({ email: false });
    // recovers inside the coalescing window: the problem is dropped, and so no recovery either
    fail('system.disk', ['CRITICAL', 'CRITICAL', 'OK']);
    await tickAt(world.clock.now() + 5 * MIN);
    expect(hook.received).toHaveLength(0);
    // a problem that was announced gets its recovery
    fail('system.memory', ['CRITICAL', 'CRITICAL']);
    await tickAt(world.clock.now() + MIN);
    fail('system.memory', ['OK']);
    await tickAt(world.clock.now() + MIN);
    expect(hook.received.map((r) => (r.body as { items: Array<{ kind: string }> }).items.map((i) => i.kind))).toEqual([['problem'], ['recovery']]);
  });

  test('a recovery that comes while the problem delivery is still being retried follows once the problem is delivered', async () => {
    setup({ email: false });
    hook.failNext(500);
    fail('system.disk', ['CRITICAL', 'CRITICAL']);
    const start = world.clock.now();
    await tickAt(start + MIN); // problem flushed; first attempt answered 500, retry in 30 s
    expect(hook.received).toHaveLength(0);
    fail('system.disk', ['OK']); // recovers at start + 2 min, before the retry went out
    const ticket = listTickets(world.db, { now: world.clock.now() })[0]!;
    expect(ticket.state).toBe('recovered');
    expect(ticket.problemNotified).toBe(false);
    await tickAt(start + 2 * MIN); // the retry delivers the problem; the recovery waits for it
    expect(hook.received.map((r) => (r.body as { items: Array<{ kind: string }> }).items.map((i) => i.kind))).toEqual([['problem']]);
    await tickAt(start + 3 * MIN); // the recovery's coalescing minute has passed
    expect(hook.received.map((r) => (r.body as { items: Array<{ kind: string }> }).items.map((i) => i.kind))).toEqual([['problem'], ['recovery']]);
    await tickAt(start + 60 * MIN);
    expect(hook.received).toHaveLength(2);
  });

  test('a problem whose delivery fails for good is followed by no recovery, even if the check recovered during the retries', async () => {
    setup({ email: false });
    hook.failNext(500, 500, 500, 500, 500);
    fail('system.disk', ['CRITICAL', 'CRITICAL']);
    const start = world.clock.now() + MIN;
    await tickAt(start);
    fail('system.disk', ['OK']);
    for (const dt of [30_000, 150_000, 750_000, 2_550_000, 5_000_000]) await tickAt(start + dt);
    expect(hook.received).toHaveLength(0);
    const kinds = world.db.prepare('SELECT kind, state FROM notification_outbox ORDER BY id').all();
    expect(kinds).toEqual([
      { kind: 'problem', state: 'flushed' },
      { kind: 'recovery', state: 'cancelled' },
    ]);
  });

  test('the SMTP password is stored but never listed', () => {
    setup();
    const listed = listChannels(world.db);
    const mail = listed.find((c) => c.kind === 'email')!;
    expect(mail.hasPassword).toBe(true);
    expect(JSON.stringify(listed)).not.toContain('s3cret-smtp');
    expect(JSON.stringify(getChannel(world.db, mail.id))).not.toContain('s3cret-smtp');
    // an engineer sees only channels of customers they serve, not company-wide ones
    expect(listChannels(world.db, ['acme'])).toHaveLength(0);
  });

  test('chat formats: WeCom, DingTalk (signed), Feishu (signed) and Slack get their own text messages; an errcode body is a failure', async () => {
    setup({ email: false });
    const now = world.clock.now();
    for (const kind of ['wecom', 'dingtalk', 'feishu', 'slack'] as const) {
      createChannel(world.db, { kind, name: kind, customerId: 'acme', config: { url: `${hook.url}/${kind}`, lang: 'zh' }, secret: kind === 'dingtalk' || kind === 'feishu' ? 'sign-key' : undefined }, now);
    }
    fail('system.disk', ['CRITICAL', 'CRITICAL']);
    await tickAt(world.clock.now() + MIN);
    const byPath = new Map(hook.received.map((r) => [r.path.split('?')[0], r]));
    expect([...byPath.keys()].sort()).toEqual(['/dingtalk', '/feishu', '/hook', '/slack', '/wecom']);
    const number = 'INC-2026-000001';
    expect(byPath.get('/wecom')!.body).toMatchObject({ msgtype: 'text', text: { content: expect.stringContaining(number) } });
    expect(byPath.get('/dingtalk')!.body).toMatchObject({ msgtype: 'text', text: { content: expect.stringContaining('故障') }, at: { isAtAll: false } });
    expect(byPath.get('/dingtalk')!.path).toMatch(/\?timestamp=\d+&sign=[^&]+$/);
    expect(byPath.get('/feishu')!.body).toMatchObject({ msg_type: 'text', content: { text: expect.stringContaining(number) }, timestamp: expect.any(String), sign: expect.any(String) });
    expect(byPath.get('/slack')!.body).toEqual({ text: expect.stringContaining(number) });

    // a chat robot that answers 200 with an error code did not deliver
    const bad = await startWebhookReceiver({ replyBody: '{"errcode":93000,"errmsg":"invalid webhook url"}' });
    try {
      const ch = createChannel(world.db, { kind: 'wecom', name: 'bad', customerId: 'acme', config: { url: `${bad.url}/errcode` } }, now);
      const r = await sendTestMessage(world.db, ch.id, now);
      expect(r).toEqual({ ok: false, error: expect.stringContaining('93000') });
      expect(bad.received).toHaveLength(1);
    } finally {
      await bad.stop();
    }
  });
});
