import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { createTicketSystem, type TicketSystem } from '../../collector/tickets/ticket-runtime.js';
import { createChannel } from '../../collector/notify/channels.js';
import { setContract } from '../../collector/contracts/contract-store.js';
import { flapPercent } from '../../collector/tickets/flapping.js';
import { listEvents, listTickets } from '../../collector/tickets/ticket-store.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { makeWorld, result, MIN, type World } from './world.js';
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

function setup() {
  world = makeWorld();
  system = createTicketSystem({ db: world.db, now: world.clock.now, reconnectGraceMs: 0, notifyTimeoutMs: 2000 });
  createChannel(world.db, { kind: 'webhook', name: 'ops hook', config: { url: `${hook.url}/hook` } }, world.clock.now());
}

/** One result a minute, the notifier ticking after each (60 s coalescing), as in production. */
async function runMinutes(statuses: Status[]) {
  for (const s of statuses) {
    world.clock.advance(MIN);
    world.seen(world.acmeHost);
    system.engine.onResults({ hostId: world.acmeHost.id, customerId: 'acme' }, [result('net.ping', s, world.clock.now())], world.clock.now());
    await system.tick(world.clock.now());
  }
}

/** 3 minutes CRITICAL, 3 minutes OK, for `minutes` minutes. */
const oscillation = (minutes: number): Status[] => Array.from({ length: minutes }, (_, i) => (Math.floor(i / 3) % 2 === 0 ? 'CRITICAL' : 'OK'));

const messageKinds = () => hook.received.map((r) => (r.body as { items: Array<{ kind: string }> }).items.map((i) => i.kind).join('+'));

const items = () => hook.received.flatMap((r) => (r.body as { items: Array<{ kind: string; at: number }> }).items);

test('a check 3 minutes down, 3 minutes up for two hours: every change on the ticket, one reopen/recovery pair per half hour in messages', async () => {
  setup();
  expect(flapPercent(oscillation(21))).toBeLessThan(50); // ~30 %: below the Nagios mark, never "flapping"
  await runMinutes(oscillation(120));
  const [t, ...more] = listTickets(world.db, { now: world.clock.now() });
  expect(more).toHaveLength(0);
  expect(t).toMatchObject({ flapping: false, state: 'recovered', reopenCount: 19 });
  const events = listEvents(world.db, t!.id);
  expect(events.filter((e) => e.kind === 'reopened')).toHaveLength(19);
  expect(events.filter((e) => e.kind === 'recovered')).toHaveLength(20);
  // 40 messages before; now 8, and the last word people got matches the ticket (recovered)
  expect(messageKinds()).toEqual(['problem', 'recovery', 'reopen', 'recovery', 'reopen', 'recovery', 'reopen', 'recovery']);
  const problems = items().filter((i) => i.kind === 'problem' || i.kind === 'reopen').map((i) => i.at);
  for (let k = 1; k < problems.length; k++) expect(problems[k]! - problems[k - 1]!).toBeGreaterThanOrEqual(30 * MIN);
  expect(events.filter((e) => e.kind === 'reopened' && e.message.includes('message held back'))).toHaveLength(16);
});

test('the contract can lower the flapping marks: the same oscillation is then marked flapping and not repeated', async () => {
  setup();
  setContract(world.db, 'acme', { flapHighPct: 30, flapLowPct: 15 }, world.clock.now());
  await runMinutes(oscillation(120));
  const tickets = listTickets(world.db, { now: world.clock.now() });
  expect(tickets).toHaveLength(1);
  expect(tickets[0]).toMatchObject({ flapping: true, state: 'open' });
  expect(listEvents(world.db, tickets[0]!.id).filter((e) => e.kind === 'flapping-started')).toHaveLength(1);
  // flapping: no reopen or recovery messages any more; still unanswered, it escalates as any open ticket does
  expect(messageKinds()).toEqual(['problem', 'recovery', 'escalation', 'escalation']);
});

test('a reopen held back by the limit is announced once the limit allows, when the ticket is still failing', async () => {
  setup();
  await runMinutes(['CRITICAL', 'CRITICAL', 'CRITICAL']); // opened at minute 2, its message out at minute 3
  await runMinutes(['OK', 'OK', 'CRITICAL', 'CRITICAL']); // back 4 minutes after the problem message: held
  expect(messageKinds()).toEqual(['problem', 'recovery']);
  const t = listTickets(world.db, { now: world.clock.now() })[0]!;
  expect(t).toMatchObject({ state: 'open', reopenCount: 1 });
  await runMinutes(Array(40).fill('CRITICAL'));
  expect(messageKinds().slice(0, 3)).toEqual(['problem', 'recovery', 'reopen']); // (then an escalation: nobody answered)
  const reopen = items().find((i) => i.kind === 'reopen')!;
  const announced = items().find((i) => i.kind === 'problem')!.at;
  expect(reopen.at - announced).toBeGreaterThanOrEqual(30 * MIN);
  expect(reopen.at - announced).toBeLessThanOrEqual(31 * MIN);
  expect(listEvents(world.db, t.id).filter((e) => e.kind === 'reopen-announced')).toHaveLength(1);
});
