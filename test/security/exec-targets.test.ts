import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import { RemotePoller } from '../../collector/remote/poller.js';
import { createRemoteHost, setRemoteAllowances } from '../../collector/remote/remote-hosts.js';
import { isLocalAddress, targetRefusal, withTarget } from '../../collector/remote/target-policy.js';
import type { CheckAssignment } from '../../shared/assignment.js';
import type { ReceivedResult } from '../../shared/protocol.js';
import { startSnmpd, type RunningSnmpd } from '../helpers/snmpd.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A TCP listener that only records who connected and what they sent (a Redis, an HTTP server, anything). */
interface Recorder {
  port: number;
  connections: number;
  received: string;
  close(): Promise<void>;
}

async function recorder(host: string): Promise<Recorder> {
  const r = { port: 0, connections: 0, received: '' } as Recorder;
  const server: Server = createServer((socket) => {
    r.connections++;
    socket.on('data', (d) => (r.received += d.toString('latin1')));
    socket.on('error', () => {});
    // Long enough to hear a client's first words (a Redis AUTH), then hang up.
    setTimeout(() => socket.destroy(), 300).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  r.port = (server.address() as { port: number }).port;
  r.close = () => new Promise((resolve) => server.close(() => resolve()));
  return r;
}

/**
 * Issue 11, item 3 (targets): the network and database checks of an agentless host run in the collector and
 * connect only to the host's own address, or to targets an admin added; loopback, link-local and metadata
 * addresses (names resolved first) need the admin's allowLocalAddresses; passwordEnv on the collector reads
 * only PATROL_CHECK_* names. Every refusal is an UNKNOWN result with a message key, and nothing connected.
 */
describe('agentless checks connect only where the host record allows', () => {
  const dir = tempDir('exec-targets');
  let snmpd: RunningSnmpd;
  let db: Db;
  let store: MetricsStore;
  let poller: RemotePoller;
  let now = Date.UTC(2026, 11, 1, 8, 0, 0);
  const assigned = new Map<string, CheckAssignment[]>();
  const latest = new Map<string, Map<string, ReceivedResult>>();
  const listeners: Recorder[] = [];
  const redis = (name: string, params: Record<string, unknown>): CheckAssignment => ({ name, checkId: 'db.redis', params: { timeoutSec: 2, ...params }, intervalSec: 60, timeoutSec: 10 });
  const round = async () => {
    now += 61_000; // every check due again
    await poller.tick();
  };
  const result = (hostId: string, name: string) => latest.get(hostId)?.get(name);

  beforeAll(async () => {
    snmpd = await startSnmpd();
    db = openDatabase(join(dir.path, 'patrol.db'));
    store = sqliteMetricsStore({ path: join(dir.path, 'metrics.db'), retentionDays: 30, now: () => now });
    await store.init();
    ensureCustomer(db, 'acme', 'ACME', now);
    poller = new RemotePoller({
      db,
      store,
      listeners: [
        {
          onResults: (h, results) => {
            const m = latest.get(h.hostId) ?? new Map<string, ReceivedResult>();
            for (const r of results) m.set(r.name, r);
            latest.set(h.hostId, m);
          },
        },
      ],
      assignments: { forHost: (h) => assigned.get(h.id) ?? [] },
      now: () => now,
      log: pino({ level: 'silent' }),
      knownHostsFile: join(dir.path, 'known_hosts.json'),
    });
  });
  afterAll(async () => {
    delete process.env.PATROL_ADMIN_PASSWORD;
    delete process.env.PATROL_CHECK_REDIS_PW;
    await poller?.close();
    await store?.close();
    db?.close();
    await Promise.all(listeners.map((l) => l.close()));
    await snmpd?.stop();
    dir.remove();
  });

  test('loopback and other targets are refused until an admin allows them; PATROL_ADMIN_PASSWORD is never read', async () => {
    const [own, other, adminPw, checkPw, web] = await Promise.all([recorder('127.0.0.1'), recorder('127.0.0.2'), recorder('127.0.0.1'), recorder('127.0.0.1'), recorder('127.0.0.1')]);
    listeners.push(own, other, adminPw, checkPw, web);
    process.env.PATROL_ADMIN_PASSWORD = 'collector-admin-secret';
    process.env.PATROL_CHECK_REDIS_PW = 'redis-monitor-secret';
    const { host } = createRemoteHost(db, { customerId: 'acme', name: 'core-switch', access: { kind: 'snmp', address: snmpd.host, port: snmpd.port, community: snmpd.community }, now });
    assigned.set(host.id, [
      redis('own-address', { port: own.port }),
      redis('other-target', { host: '127.0.0.2', port: other.port }),
      redis('admin-password', { port: adminPw.port, passwordEnv: 'PATROL_ADMIN_PASSWORD' }),
      redis('check-password', { port: checkPw.port, passwordEnv: 'PATROL_CHECK_REDIS_PW' }),
      { name: 'web', checkId: 'network.http', params: { url: `http://127.0.0.1:${web.port}/` }, intervalSec: 60, timeoutSec: 10 },
      { name: 'dns', checkId: 'network.dns', params: { name: 'example.test', timeoutMs: 500 }, intervalSec: 60, timeoutSec: 10 },
    ]);

    await round();
    expect(result(host.id, 'snmp.reachable')?.status).toBe('OK');
    expect(result(host.id, 'own-address')).toMatchObject({ status: 'UNKNOWN', message: { key: 'target.refused.local', values: { target: '127.0.0.1', ip: '127.0.0.1' } } });
    expect(result(host.id, 'own-address')!.summary).toMatch(/loopback, link-local or cloud metadata address; .*allowLocalAddresses .*PUT \/api\/hosts\/.*\/allowances/);
    expect(result(host.id, 'other-target')).toMatchObject({ status: 'UNKNOWN', message: { key: 'target.refused.notHost', values: { target: '127.0.0.2', address: '127.0.0.1' } } });
    expect(result(host.id, 'web')).toMatchObject({ status: 'UNKNOWN', message: { key: 'target.refused.local' } });
    // A DNS check without a server asks the host itself (not the collector's resolver): loopback here.
    expect(result(host.id, 'dns')).toMatchObject({ status: 'UNKNOWN', message: { key: 'target.refused.local' } });
    for (const l of [own, other, adminPw, checkPw, web]) expect(l.connections).toBe(0);

    // The admin allows the collector's loopback for this host (its snmpd lives there).
    setRemoteAllowances(db, host.id, { allowLocalAddresses: true }, now);
    await round();
    expect(own.connections).toBeGreaterThan(0);
    expect(web.connections).toBeGreaterThan(0);
    expect(result(host.id, 'other-target')).toMatchObject({ message: { key: 'target.refused.notHost' } });
    expect(other.connections).toBe(0);
    // The collector's own secrets are out of reach whatever the target: refused before any connection.
    expect(result(host.id, 'admin-password')).toMatchObject({ status: 'UNKNOWN', message: { key: 'secret.refused.envName', values: { name: 'PATROL_ADMIN_PASSWORD' } } });
    expect(result(host.id, 'admin-password')!.summary).toMatch(/starts with PATROL_CHECK_/);
    expect(adminPw.connections).toBe(0);
    expect(adminPw.received).not.toContain('collector-admin-secret');
    // A PATROL_CHECK_ name is the collector's way to give an agentless check its password.
    expect(checkPw.connections).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(checkPw.received).toContain('redis-monitor-secret');

    // Another target only when the admin names it.
    setRemoteAllowances(db, host.id, { allowLocalAddresses: true, allowTargets: ['127.0.0.2'] }, now);
    await round();
    expect(other.connections).toBeGreaterThan(0);
    expect(adminPw.connections).toBe(0);
  });

  test('a host name is resolved before it is judged: "localhost" is loopback', async () => {
    const l = await recorder('127.0.0.1');
    listeners.push(l);
    const { host } = createRemoteHost(db, { customerId: 'acme', name: 'by-name', access: { kind: 'snmp', address: 'localhost', port: snmpd.port, community: snmpd.community }, now });
    assigned.set(host.id, [redis('by-name', { port: l.port })]);
    await round();
    const r = result(host.id, 'by-name');
    expect(r).toMatchObject({ status: 'UNKNOWN', message: { key: 'target.refused.local', values: { target: 'localhost' } } });
    expect(['127.0.0.1', '::1']).toContain(r!.message!.values.ip);
    expect(l.connections).toBe(0);
  });

  test('which addresses need the allowance: loopback, "this host", link-local and cloud metadata, in IPv4 and IPv6', () => {
    for (const ip of ['127.0.0.1', '127.8.9.10', '0.0.0.0', '169.254.169.254', '169.254.170.2', '100.100.100.200', '168.63.129.16', '::1', '::', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:169.254.169.254']) {
      expect(isLocalAddress(ip), ip).toBe(true);
    }
    for (const ip of ['10.0.0.5', '192.168.1.20', '8.8.8.8', '2001:db8::1', 'fd00::1', '::ffff:10.0.0.5']) expect(isLocalAddress(ip), ip).toBe(false);
    expect(isLocalAddress('not-an-address')).toBe(true);
  });

  test("a clock check's NTP server is asked from the collector: a target like any other", async () => {
    const access = { kind: 'ssh', address: '10.0.0.5', port: 22, user: 'u', keyPath: '/k' } as const;
    const clock = { name: 'clock', checkId: 'system.clock', params: {}, intervalSec: 60, timeoutSec: 10 };
    expect(withTarget(clock, access).target).toBe('pool.ntp.org');
    expect(withTarget({ ...clock, params: { reference: 'collector' } }, access).target).toBeUndefined();
    const allowances = { allowCommandDirs: [], allowCommands: [], allowTargets: [], allowLocalAddresses: false };
    expect((await targetRefusal('pool.ntp.org', { address: access.address, allowances, where: 'x' }))?.message?.key).toBe('target.refused.notHost');
    // Named by an admin: allowed (resolved by a stand-in resolver here: this machine may not reach any DNS).
    const named = { ...allowances, allowTargets: ['pool.ntp.org'] };
    expect(await targetRefusal('pool.ntp.org', { address: access.address, allowances: named, where: 'x', lookup: async () => ['203.0.113.7'] })).toBeUndefined();
    expect((await targetRefusal('pool.ntp.org', { address: access.address, allowances: named, where: 'x', lookup: async () => ['169.254.169.254'] }))?.message?.key).toBe('target.refused.local');
  });
});
