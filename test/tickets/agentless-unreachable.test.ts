import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { TicketStateEngine } from '../../collector/tickets/state-engine.js';
import { getTicket, listEvents, listTickets } from '../../collector/tickets/ticket-store.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { startSshd, type RunningSshd } from '../helpers/sshd.js';
import { startSnmpd, type RunningSnmpd } from '../helpers/snmpd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { apiClient } from '../remote/api.js';
import { fixedClock, makeWorld, result, MIN, type World } from './world.js';
import type { CheckResult } from '../../shared/check-result.js';
import type { Status } from '../../shared/status.js';

const CHECKS = ['system.cpu', 'system.memory', 'system.disk', 'system.network', 'system.uptime'];

describe('an agentless host the collector cannot log in to', () => {
  let world: World;
  afterEach(() => world?.db.close());

  /** One poller round as collector/remote/poller.ts sends it: ssh.reachable first, then every check. */
  function round(engine: TicketStateEngine, reachable: Status, checks: Status | 'not-run' = 'OK') {
    world.clock.advance(MIN);
    const at = world.clock.now();
    const reason = 'SSH to root@10.0.0.5:22: connection refused (no SSH server on that port?)';
    const results: CheckResult[] = [
      result('ssh.reachable', reachable, at, reachable === 'OK' ? 'logged in as root@10.0.0.5:22' : reason, 'remote.ssh'),
      ...CHECKS.map((name) => (checks === 'not-run' ? result(name, 'UNKNOWN', at, `not run: ${reason}`) : result(name, checks, at))),
    ];
    world.seen(world.acmeHost); // ingest records every round, also the failed ones: silence never fires
    engine.onResults({ hostId: world.acmeHost.id, customerId: 'acme' }, results, at);
    engine.tick(at);
  }

  const tickets = () => listTickets(world.db, { now: world.clock.now() });
  const queuedKinds = () => (world.db.prepare("SELECT kind FROM notification_outbox WHERE state = 'queued' ORDER BY id").all() as Array<{ kind: string }>).map((r) => r.kind);

  test('gets one host-unreachable ticket and one problem message, not one per check; it recovers when SSH works again', () => {
    world = makeWorld();
    const engine = new TicketStateEngine({ db: world.db, now: world.clock.now, reconnectGraceMs: 0 });
    round(engine, 'OK');
    for (let i = 0; i < 10; i++) round(engine, 'CRITICAL', 'not-run');
    expect(tickets()).toHaveLength(1);
    const host = tickets()[0]!;
    expect(host).toMatchObject({ kind: 'host-unreachable', state: 'open', checkName: null, title: 'db01: host unreachable', severity: 'P1' });
    expect(host.summary).toContain('connection refused');
    expect(queuedKinds()).toEqual(['problem']);

    // Back: the host ticket recovers with the reachability result; the checks' "not run" rounds did not count,
    // so one failing round afterwards is not yet a check ticket (openAfter 2), two are.
    round(engine, 'OK', 'OK');
    expect(getTicket(world.db, host.id, { now: world.clock.now() })!.state).toBe('recovered');
    expect(listEvents(world.db, host.id).find((e) => e.kind === 'recovered')!.message).toMatch(/^host reachable again/);
    round(engine, 'OK', 'CRITICAL');
    expect(tickets().filter((t) => t.kind === 'check')).toHaveLength(0);
    round(engine, 'OK', 'CRITICAL');
    expect(tickets().filter((t) => t.kind === 'check')).toHaveLength(CHECKS.length);
  });

  test('a check ticket open before the host went down stays open through the "not run" rounds and recovers afterwards', () => {
    world = makeWorld();
    const engine = new TicketStateEngine({ db: world.db, now: world.clock.now, reconnectGraceMs: 0 });
    round(engine, 'OK', 'CRITICAL');
    round(engine, 'OK', 'CRITICAL');
    const before = tickets();
    expect(before).toHaveLength(CHECKS.length);
    for (let i = 0; i < 4; i++) round(engine, 'CRITICAL', 'not-run');
    const during = tickets();
    expect(during).toHaveLength(CHECKS.length + 1);
    // the check tickets keep their real status (not UNKNOWN) and note the rounds that could not run
    for (const t of during.filter((x) => x.kind === 'check')) {
      expect(t).toMatchObject({ state: 'open', status: 'CRITICAL' });
      expect(listEvents(world.db, t.id).filter((e) => e.kind === 'result' && e.message.startsWith('not run:'))).toHaveLength(4);
    }
    round(engine, 'OK', 'OK');
    expect(tickets().every((t) => t.state === 'recovered')).toBe(true);
  });

  test('the reachability ticket reopens within the window instead of opening a second host ticket', () => {
    world = makeWorld();
    const engine = new TicketStateEngine({ db: world.db, now: world.clock.now, reconnectGraceMs: 0 });
    for (let i = 0; i < 3; i++) round(engine, 'CRITICAL', 'not-run');
    round(engine, 'OK');
    for (let i = 0; i < 3; i++) round(engine, 'CRITICAL', 'not-run');
    expect(tickets()).toHaveLength(1);
    expect(tickets()[0]).toMatchObject({ kind: 'host-unreachable', state: 'open', reopenCount: 1 });
  });
});

describe('end to end: the real poller against a host where nothing answers on the SSH port', () => {
  let collector: TestCollector | undefined;
  let sshd: RunningSshd | undefined;
  afterEach(async () => {
    await collector?.destroy();
    await sshd?.stop();
  });

  test('one host ticket, no check tickets; pointed at a running sshd it recovers, still with no check tickets', async () => {
    sshd = await startSshd();
    const clock = fixedClock(Date.now());
    collector = await startTestCollector({}, { now: clock.now, plugins: [ticketsPlugin, remoteChecksPlugin({ pollEveryMs: 100 })] });
    const c = collector;
    ensureCustomer(c.db, 'acme', 'ACME', clock.now());
    const admin = apiClient(c.url, 'admin', c.adminPassword!);
    const closedPort = await freePort();
    const add = await admin('POST', '/api/hosts', { customerId: 'acme', name: 'db-no-agent', kind: 'ssh', address: sshd.host, port: closedPort, user: sshd.user, privateKey: readFileSync(sshd.keyPath, 'utf8') });
    expect(add.status).toBe(201);
    const hostId = add.json.host.id as string;
    const reachability = () =>
      c.db.prepare("SELECT last_status AS status, last_result_at AS at FROM alert_states WHERE host_id = ? AND name = 'ssh.reachable'").get(hostId) as
        | { status: Status; at: number }
        | undefined;
    /** Wait for the poller's round at the current clock time (every check is due again after 10 minutes). */
    const roundAt = (what: string) => waitFor(() => (reachability()?.at === clock.now() ? reachability() : undefined), what, 30_000);

    expect((await roundAt('the first refused round'))!.status).toBe('CRITICAL');
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * MIN);
      await roundAt(`refused round ${i + 2}`);
    }
    const open = listTickets(c.db, { now: clock.now() });
    expect(open.map((t) => t.kind)).toEqual(['host-unreachable']);
    expect(open[0]!.summary).toMatch(/connection refused/);

    expect((await admin('PATCH', `/api/hosts/${hostId}`, { port: sshd.port })).status).toBe(200);
    clock.advance(10 * MIN);
    expect((await roundAt('the first round over SSH'))!.status).toBe('OK');
    const after = listTickets(c.db, { now: clock.now() });
    expect(after.map((t) => `${t.kind}:${t.state}`)).toEqual(['host-unreachable:recovered']);
  });
});

describe('end to end: the real poller against an SNMP device that does not answer', () => {
  let collector: TestCollector | undefined;
  let snmpd: RunningSnmpd | undefined;
  afterEach(async () => {
    await collector?.destroy();
    await snmpd?.stop();
  });

  test('snmp.reachable is CRITICAL, one host ticket and no check tickets; pointed at a real snmpd it recovers', async () => {
    snmpd = await startSnmpd();
    const clock = fixedClock(Date.now());
    collector = await startTestCollector({}, { now: clock.now, plugins: [ticketsPlugin, remoteChecksPlugin({ pollEveryMs: 100 })] });
    const c = collector;
    ensureCustomer(c.db, 'acme', 'ACME', clock.now());
    const admin = apiClient(c.url, 'admin', c.adminPassword!);
    const silentPort = await freePort();
    const add = await admin('POST', '/api/hosts', { customerId: 'acme', name: 'core-switch', kind: 'snmp', address: snmpd.host, port: silentPort, community: snmpd.community });
    expect(add.status).toBe(201);
    const hostId = add.json.host.id as string;
    const state = (name: string) =>
      c.db.prepare('SELECT last_status AS status, last_result_at AS at FROM alert_states WHERE host_id = ? AND name = ?').get(hostId, name) as
        | { status: Status; at: number }
        | undefined;
    const roundAt = (what: string) => waitFor(() => (state('snmp.reachable')?.at === clock.now() ? state('snmp.reachable') : undefined), what, 30_000);

    expect((await roundAt('the first silent round'))!.status).toBe('CRITICAL');
    // The device's checks are not run (UNKNOWN "not run: ..."), so they cannot open tickets of their own.
    const checkState = c.db.prepare("SELECT status, summary FROM check_states WHERE host_id = ? AND name = 'network.snmp'").get(hostId) as { status: Status; summary: string };
    expect(checkState).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/^not run: no SNMP answer from /) });
    for (let i = 0; i < 2; i++) {
      clock.advance(10 * MIN);
      await roundAt(`silent round ${i + 2}`);
    }
    const open = listTickets(c.db, { now: clock.now() });
    expect(open.map((t) => t.kind)).toEqual(['host-unreachable']);
    expect(open[0]!.summary).toMatch(/no SNMP answer/);

    expect((await admin('PATCH', `/api/hosts/${hostId}`, { port: snmpd.port })).status).toBe(200);
    clock.advance(10 * MIN);
    expect((await roundAt('the first answered round'))!.status).toBe('OK');
    expect(listTickets(c.db, { now: clock.now() }).map((t) => `${t.kind}:${t.state}`)).toEqual(['host-unreachable:recovered']);
  });
});
