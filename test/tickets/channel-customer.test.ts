import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { Hono } from 'hono';
import type { AppEnv } from '../../collector/http/context.js';
import { findUserByName, visibleCustomerIds } from '../../collector/db/users.js';
import { notificationChannelRoutes } from '../../collector/notify/routes.js';
import { ChannelCustomerError, createChannel, getChannel, updateChannel, type ChannelView } from '../../collector/notify/channels.js';
import { createTicketSystem, type TicketSystem } from '../../collector/tickets/ticket-runtime.js';
import { listTickets } from '../../collector/tickets/ticket-store.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { makeWorld, result, MIN, type World } from './world.js';
import type { Host } from '../../collector/db/hosts.js';
import type { Status } from '../../shared/status.js';

let hook: WebhookReceiver;
let world: World;
let app: Hono<AppEnv>;
let system: TicketSystem | undefined;

/** The API as the collector mounts it, with "x-test-user names the user" for authentication. */
function buildApp(w: World): Hono<AppEnv> {
  const a = new Hono<AppEnv>();
  a.use('/api/*', async (c, next) => {
    const user = findUserByName(w.db, c.req.header('x-test-user') ?? '');
    if (!user) return c.json({ error: 'unauthenticated' }, 401);
    c.set('user', user);
    c.set('customerIds', visibleCustomerIds(w.db, user));
    await next();
  });
  a.route('/api/notification-channels', notificationChannelRoutes({ db: w.db, now: w.clock.now }));
  return a;
}

async function call(user: string, method: string, path: string, body?: unknown) {
  const res = await app.request(`/api/notification-channels${path}`, {
    method,
    headers: { 'x-test-user': user, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, json: type.includes('json') ? ((await res.json()) as Record<string, any>) : undefined };
}

beforeAll(async () => {
  hook = await startWebhookReceiver();
});
afterAll(async () => hook?.stop());
beforeEach(() => {
  world = makeWorld();
  app = buildApp(world);
});
afterEach(async () => {
  await system?.close();
  system = undefined;
  world.db.close();
  hook.received.length = 0;
});

const stored = (id: string) => getChannel(world.db, id)!;

describe("changing a channel's customer through the API", () => {
  let ch: ChannelView;
  beforeEach(() => {
    ch = createChannel(world.db, { kind: 'webhook', name: 'acme hook', customerId: 'acme', config: { url: `${hook.url}/acme` } }, world.clock.now());
  });

  test('an admin moves a channel from ACME to Beta, then to all customers; GET shows each', async () => {
    const moved = await call('admin', 'PATCH', `/${ch.id}`, { customerId: 'beta' });
    expect(moved.status).toBe(200);
    expect(moved.json!.channel).toMatchObject({ id: ch.id, customerId: 'beta', name: 'acme hook', config: { url: `${hook.url}/acme` } });
    expect((await call('admin', 'GET', `/${ch.id}`)).json!.channel.customerId).toBe('beta');
    // Beta's engineer now sees it, ACME's no longer does
    expect((await call('bob', 'GET', `/${ch.id}`)).status).toBe(200);
    expect((await call('lin', 'GET', `/${ch.id}`)).status).toBe(404);

    // leaving customerId out keeps it
    expect((await call('admin', 'PATCH', `/${ch.id}`, { name: 'beta hook' })).json!.channel).toMatchObject({ name: 'beta hook', customerId: 'beta' });

    const all = await call('admin', 'PATCH', `/${ch.id}`, { customerId: null });
    expect(all.status).toBe(200);
    expect((await call('admin', 'GET', '')).json!.channels.find((c: ChannelView) => c.id === ch.id).customerId).toBeNull();
  });

  test('an unknown customer is 404 "customer not found" and an unknown key is 400; nothing is changed', async () => {
    const unknown = await call('admin', 'PATCH', `/${ch.id}`, { customerId: 'no-such-customer', name: 'renamed' });
    expect(unknown).toEqual({ status: 404, json: { error: 'customer not found' } });
    expect((await call('admin', 'PATCH', `/${ch.id}`, { customerId: '' })).status).toBe(400);
    // a typo is refused, not silently ignored
    const typo = await call('admin', 'PATCH', `/${ch.id}`, { customer: 'beta', name: 'renamed' });
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.json)).toContain('customer');
    expect(stored(ch.id)).toMatchObject({ customerId: 'acme', name: 'acme hook' });
    // an unknown channel stays a plain 404
    expect((await call('admin', 'PATCH', '/no-such-channel', { customerId: 'beta' })).json).toEqual({ error: 'not found' });
  });

  test('engineers and customer users cannot move a channel (only admins manage channels); nothing is changed', async () => {
    // lin serves ACME only, bob Beta only; neither may manage channels, whichever customer is named
    for (const [user, customerId] of [
      ['lin', 'beta'],
      ['lin', null],
      ['lin', 'acme'],
      ['bob', 'beta'],
      ['acme-it', 'beta'],
      ['beta-it', 'beta'],
    ] as const) {
      const r = await call(user, 'PATCH', `/${ch.id}`, { customerId });
      expect({ user, customerId, status: r.status }).toEqual({ user, customerId, status: 403 });
    }
    expect(stored(ch.id).customerId).toBe('acme');
  });

  test('a caller restricted to some customers cannot point a channel at a customer it does not see, nor at all customers', () => {
    // What the route passes for a restricted caller: the data layer refuses, as the route would with 404 / 403.
    const lin = visibleCustomerIds(world.db, world.users.l1);
    expect(lin).toEqual(['acme']);
    const refusal = (customerId: string | null) => {
      try {
        updateChannel(world.db, ch.id, { customerId, name: 'moved' }, lin);
        return 'changed';
      } catch (err) {
        return err instanceof ChannelCustomerError ? err.problem : String(err);
      }
    };
    expect(refusal('beta')).toBe('not-found');
    expect(refusal('no-such-customer')).toBe('not-found');
    expect(refusal(null)).toBe('forbidden');
    expect(stored(ch.id)).toMatchObject({ customerId: 'acme', name: 'acme hook' });
    // a channel of a customer the caller does not see is not found at all
    expect(updateChannel(world.db, ch.id, { customerId: 'acme' }, ['beta'])).toBeUndefined();
    // the caller's own customer is fine
    expect(updateChannel(world.db, ch.id, { customerId: 'acme', name: 'still acme' }, lin)).toMatchObject({ customerId: 'acme', name: 'still acme' });
  });

  test('POST with an unknown customer is 404 "customer not found", not a database error; a known one is created', async () => {
    const bad = await call('admin', 'POST', '', { kind: 'slack', name: 'x', customerId: 'no-such-customer', config: { url: `${hook.url}/x` } });
    expect(bad).toEqual({ status: 404, json: { error: 'customer not found' } });
    expect((await call('admin', 'GET', '')).json!.channels.map((c: ChannelView) => c.name)).toEqual(['acme hook']);
    const ok = await call('admin', 'POST', '', { kind: 'slack', name: 'beta slack', customerId: 'beta', config: { url: `${hook.url}/x` } });
    expect(ok.status).toBe(201);
    expect(ok.json!.channel.customerId).toBe('beta');
    expect((await call('lin', 'POST', '', { kind: 'slack', name: 'y', customerId: 'acme', config: { url: `${hook.url}/y` } })).status).toBe(403);
  });
});

describe('deliveries queued before a move', () => {
  function fail(host: Host, name: string, statuses: Status[]) {
    for (const s of statuses) {
      world.clock.advance(MIN);
      world.seen(host);
      system!.engine.onResults({ hostId: host.id, customerId: host.customerId }, [result(name, s, world.clock.now())], world.clock.now());
    }
  }
  async function tickAt(t: number) {
    world.clock.set(t);
    world.seen(world.acmeHost);
    world.seen(world.betaHost);
    await system!.tick(t);
  }

  test("a delivery being retried for ACME is not sent after the channel moves to Beta; the log says why; Beta's next ticket goes out", async () => {
    system = createTicketSystem({ db: world.db, now: world.clock.now, reconnectGraceMs: 0, notifyTimeoutMs: 2000 });
    const ch = createChannel(world.db, { kind: 'webhook', name: 'acme hook', customerId: 'acme', config: { url: `${hook.url}/hook` } }, world.clock.now());

    // ACME's problem: the receiver answers 500, so the delivery waits 30 s for its retry
    hook.failNext(500);
    fail(world.acmeHost, 'system.disk', ['CRITICAL', 'CRITICAL']);
    const start = world.clock.now();
    await tickAt(start + MIN);
    const [queued] = system.notifier.listDeliveries();
    expect(queued).toMatchObject({ channelId: ch.id, customerId: 'acme', state: 'pending', attempts: 1, lastError: expect.stringContaining('500') });

    // an admin moves the channel to Beta before the retry
    expect((await call('admin', 'PATCH', `/${ch.id}`, { customerId: 'beta' })).status).toBe(200);

    // the retry is due: nothing goes out, and the delivery log (admin API) says why
    await tickAt(start + MIN + 30_000);
    await tickAt(start + 60 * MIN);
    expect(hook.received).toHaveLength(0);
    const log = (await call('admin', 'GET', '/deliveries')).json!.deliveries as Array<Record<string, unknown>>;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ id: queued!.id, state: 'failed', attempts: 1, lastError: 'channel no longer serves customer acme', sentAt: null });
    // only the one real attempt (the 500) was made
    expect(world.db.prepare('SELECT ok FROM notification_attempts WHERE delivery_id = ?').all(queued!.id)).toEqual([{ ok: 0 }]);
    // an operator's re-queue does not get it through either
    expect(system.notifier.retryDelivery(queued!.id, world.clock.now())).toBe(true);
    await system.tick(world.clock.now());
    expect(hook.received).toHaveLength(0);
    expect(system.notifier.getDelivery(queued!.id)).toMatchObject({ state: 'failed', lastError: 'channel no longer serves customer acme' });

    // a new Beta ticket is sent through the moved channel
    fail(world.betaHost, 'system.memory', ['CRITICAL', 'CRITICAL']);
    await tickAt(world.clock.now() + MIN);
    expect(hook.received).toHaveLength(1);
    const body = hook.received[0]!.body as { customer: { id: string }; items: Array<{ number: string }> };
    const betaTicket = listTickets(world.db, { now: world.clock.now() }).find((t) => t.customerId === 'beta')!;
    expect(body.customer.id).toBe('beta');
    expect(body.items.map((i) => i.number)).toEqual([betaTicket.number]);
    expect(JSON.stringify(body)).not.toContain('ACME');
    expect(system.notifier.listDeliveries({ customerIds: ['beta'] })).toMatchObject([{ channelId: ch.id, state: 'sent' }]);
  });
});
