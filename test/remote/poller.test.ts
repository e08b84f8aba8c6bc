import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureCustomer } from '../../collector/db/customers.js';
import { listCheckStates } from '../../collector/db/check-states.js';
import { createUser } from '../../collector/db/users.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { startSshd, type RunningSshd } from '../helpers/sshd.js';
import { startSnmpd, type RunningSnmpd } from '../helpers/snmpd.js';
import { kernelInterfaces } from '../helpers/host-interfaces.js';
import { waitFor } from '../helpers/ports.js';
import { apiClient } from './api.js';

describe('the collector polls hosts without an agent (SSH and SNMP) and stores their results like an agent’s', () => {
  let collector: TestCollector;
  let sshd: RunningSshd;
  let snmpd: RunningSnmpd;
  let admin: ReturnType<typeof apiClient>;
  const states = (hostId: string) => Object.fromEntries(listCheckStates(collector.db, { hostId }).map((s) => [s.name, s]));
  const since = Date.now() - 60_000;
  const points = (hostId: string, measurement: string, field: string) =>
    collector.store.countPoints({ measurement, field, where: { host: hostId }, from: since, to: Date.now() + 60_000 });

  beforeAll(async () => {
    [sshd, snmpd] = await Promise.all([startSshd(), startSnmpd()]);
    collector = await startTestCollector({}, { plugins: [remoteChecksPlugin({ pollEveryMs: 200 })] });
    admin = apiClient(collector.url, 'admin', collector.adminPassword!);
    const now = Date.now();
    ensureCustomer(collector.db, 'acme', 'ACME', now);
    ensureCustomer(collector.db, 'other', 'Other', now);
  });
  afterAll(async () => {
    await collector?.destroy();
    await Promise.all([sshd?.stop(), snmpd?.stop()]);
  });

  test('an SSH host gets linux-base by default; its figures reach the store and its check states', async () => {
    const add = await admin('POST', '/api/hosts', {
      customerId: 'acme', name: 'db-without-agent', kind: 'ssh', address: sshd.host, port: sshd.port, user: sshd.user, privateKey: readFileSync(sshd.keyPath, 'utf8'),
    });
    expect(add.status).toBe(201);
    const id = add.json.host.id as string;
    // The key path is stored, never shown again.
    expect(JSON.stringify(add.json)).not.toContain(sshd.keyPath);
    expect(add.json.host.access).toEqual({ kind: 'ssh', address: sshd.host, port: sshd.port, user: sshd.user, keyConfigured: true });
    const assigned = await admin('GET', `/api/hosts/${id}/assignments`);
    expect(assigned.json.templates).toEqual([{ id: 'linux-base', name: 'linux-base', via: { kind: 'default' } }]);

    const s = await waitFor(() => {
      const st = states(id);
      return ['ssh.reachable', 'system.cpu', 'system.memory', 'system.disk', 'system.network', 'system.uptime'].every((n) => st[n]) ? st : undefined;
    }, 'the first round of the SSH host', 30_000);
    expect(s['ssh.reachable']!.status).toBe('OK');
    for (const n of ['system.cpu', 'system.memory', 'system.disk', 'system.network', 'system.uptime']) {
      expect(s[n]!.status, `${n}: ${s[n]!.summary}`).not.toBe('UNKNOWN');
    }
    expect(await points(id, 'mem', 'total_bytes')).toBeGreaterThan(0);
    expect(await points(id, 'check', 'status_code')).toBeGreaterThanOrEqual(6);
    const host = await admin('GET', `/api/hosts/${id}`);
    expect(host.json.host).toMatchObject({ kind: 'ssh', connected: true });

    // A template with a 1 s memory check and a per-host override that no host can pass: the poller picks up both.
    const tpl = await admin('POST', '/api/templates', {
      customerId: 'acme', name: 'fast-memory', checks: [{ name: 'mem-fast', checkId: 'system.memory', params: {}, intervalSec: 1, timeoutSec: 10 }],
    });
    expect((await admin('PUT', `/api/hosts/${id}/assignments`, { templates: [tpl.json.template.id] })).status).toBe(200);
    const fast = await waitFor(() => states(id)['mem-fast'], 'the new template on the SSH host', 30_000);
    expect(fast.status, fast.summary).not.toBe('UNKNOWN');
    expect((await admin('PUT', `/api/hosts/${id}/assignments`, { overrides: { 'mem-fast': { warnPct: 0, critPct: 0 } } })).status).toBe(200);
    const crit = await waitFor(() => (states(id)['mem-fast']?.status === 'CRITICAL' ? states(id)['mem-fast'] : undefined), 'the override on the SSH host', 30_000);
    expect(crit!.summary).toMatch(/^memory [\d.]+% used/);
  });

  test('a wrong user gives UNKNOWN checks and a CRITICAL reachability that say why, and the collector carries on', async () => {
    const add = await admin('POST', '/api/hosts', {
      customerId: 'acme', name: 'wrong-user', kind: 'ssh', address: sshd.host, port: sshd.port, user: 'nobody-here', privateKey: readFileSync(sshd.keyPath, 'utf8'),
    });
    const id = add.json.host.id as string;
    const s = await waitFor(() => (states(id)['system.cpu'] ? states(id) : undefined), 'the wrong-user round', 30_000);
    expect(s['ssh.reachable']).toMatchObject({ status: 'CRITICAL', summary: `SSH login as nobody-here@${sshd.host}:${sshd.port} refused: wrong user or key not authorized` });
    expect(s['system.cpu']).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/^not run: SSH login as nobody-here@.* refused/) });
    const host = await admin('GET', `/api/hosts/${id}`);
    expect(host.json.host.connected).toBe(false);
    // Nothing listens on a port we just closed: connection refused, also a result, not a crash.
    const gone = await admin('POST', '/api/hosts', { customerId: 'acme', name: 'no-sshd', kind: 'ssh', address: '127.0.0.1', port: 1, user: 'x', privateKey: readFileSync(sshd.keyPath, 'utf8') });
    const g = await waitFor(() => states(gone.json.host.id)['ssh.reachable'], 'the refused round', 30_000);
    expect(g).toMatchObject({ status: 'CRITICAL', summary: expect.stringMatching(/connection refused/) });
    expect((await admin('DELETE', `/api/hosts/${gone.json.host.id}`)).status).toBe(200);
    expect((await admin('GET', `/api/hosts/${gone.json.host.id}`)).status).toBe(404);
  });

  test('an SNMP device gets network-device by default: interface figures of this machine in the store', async () => {
    const before = kernelInterfaces();
    const add = await admin('POST', '/api/hosts', { customerId: 'acme', name: 'core-switch', kind: 'snmp', address: snmpd.host, port: snmpd.port, community: snmpd.community });
    expect(add.status).toBe(201);
    const id = add.json.host.id as string;
    const access = await admin('GET', `/api/hosts/${id}/access`);
    expect(access.json.host.access).toEqual({ kind: 'snmp', address: snmpd.host, port: snmpd.port, communityConfigured: true });
    expect(JSON.stringify(access.json)).not.toContain(`"${snmpd.community}"`);
    // The test's snmpd listens on loopback, which the collector reaches only with an admin's allowance: refused first,
    // and once allowed the check runs at the next round, not a 60 s interval later.
    const refused = await waitFor(() => states(id)['network.snmp'], 'the refused SNMP round', 30_000);
    expect(refused).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/^not run: 127\.0\.0\.1 is 127\.0\.0\.1, a loopback/) });
    expect((await admin('PUT', `/api/hosts/${id}/allowances`, { allowLocalAddresses: true })).status).toBe(200);
    const st = await waitFor(() => (states(id)['network.snmp']?.summary.startsWith('not run:') === false ? states(id)['network.snmp'] : undefined), 'the SNMP round', 30_000);
    expect(st.status, st.summary).toBe('OK');
    const series = await collector.store.series({
      measurement: 'snmp_interface', field: 'in_octets', where: { host: id, customer: 'acme' }, from: since, to: Date.now() + 60_000, stepMs: 3600_000, agg: 'last', groupBy: ['ifname'],
    });
    // Other test files add and remove veth pairs on this machine meanwhile: the interfaces there throughout must all be in.
    const after = kernelInterfaces();
    const stable = [...before].filter((i) => after.has(i));
    expect(stable.length).toBeGreaterThan(0);
    const stored = new Set(series.map((s) => s.tags.ifname));
    expect(stable.filter((i) => !stored.has(i))).toEqual([]);
  });

  test("tenancy: an engineer of another customer sees none of it and cannot add hosts for ACME", async () => {
    createUser(collector.db, { username: 'eng-other', password: 'pw-other-123', role: 'engineer', serves: ['other'], now: Date.now() });
    const eng = apiClient(collector.url, 'eng-other', 'pw-other-123');
    const acmeHost = (await admin('GET', '/api/hosts')).json.hosts.find((h: { customerId: string }) => h.customerId === 'acme');
    expect((await eng('GET', `/api/hosts/${acmeHost.id}/assignments`)).status).toBe(404);
    expect((await eng('GET', `/api/hosts/${acmeHost.id}/access`)).status).toBe(404);
    expect((await eng('PATCH', `/api/hosts/${acmeHost.id}`, { tags: ['x'] })).status).toBe(404);
    expect((await eng('DELETE', `/api/hosts/${acmeHost.id}`)).status).toBe(404);
    expect((await eng('PUT', `/api/hosts/${acmeHost.id}/assignments`, { templates: ['redis'] })).status).toBe(404);
    // Adding an agentless host is for admins only (its address and credentials): refused before the customer is looked at.
    const add = await eng('POST', '/api/hosts', { customerId: 'acme', name: 'sneaky', kind: 'snmp', address: '127.0.0.1', community: 'x' });
    expect(add.status).toBe(403);
    const bad = await admin('POST', '/api/hosts', { customerId: 'acme', name: 'bad', kind: 'ssh', address: '127.0.0.1; rm -rf /', user: 'u', keyPath: 'relative/key' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/address: a host name or IP address; keyPath: an absolute path/);
  });
});
