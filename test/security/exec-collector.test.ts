import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setHostTemplates } from '../../collector/assignment/template-store.js';
import { listCheckStates } from '../../collector/db/check-states.js';
import { createUser } from '../../collector/db/users.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { createRemoteHost } from '../../collector/remote/remote-hosts.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { waitFor } from '../helpers/ports.js';
import { startSnmpd, type RunningSnmpd } from '../helpers/snmpd.js';
import { startSshd, type RunningSshd } from '../helpers/sshd.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { tempDir } from '../helpers/temp-dir.js';
import { apiClient } from '../remote/api.js';

/**
 * Issue 11, item 2: the collector never executes anything for a host. An SNMP device given a script template is
 * refused when the template is assigned (by host, by tag, or by changing a template it runs), in English and
 * Chinese; forced into the database anyway, the check is UNKNOWN and its command never runs on the collector.
 * An SSH host runs commands on the host itself, held to the plugin folders unless an admin allows more for it.
 */
describe('the collector never runs a command for a host; SSH hosts run only what their allowances permit', () => {
  const work = tempDir('exec-collector');
  let collector: TestCollector;
  let snmpd: RunningSnmpd;
  let sshd: RunningSshd;
  let admin: ReturnType<typeof apiClient>;
  const states = (hostId: string) => Object.fromEntries(listCheckStates(collector.db, { hostId }).map((s) => [s.name, s]));
  const nagios = (name: string, params: Record<string, unknown>) => ({ name, checkId: 'script.nagios', params, intervalSec: 1, timeoutSec: 10 });

  beforeAll(async () => {
    ensureDebianPackage('monitoring-plugins-basic', '/usr/lib/nagios/plugins/check_disk');
    [snmpd, sshd] = await Promise.all([startSnmpd(), startSshd({ userPrefix: 'pexec' })]);
    collector = await startTestCollector({}, { plugins: [remoteChecksPlugin({ pollEveryMs: 200 })] });
    admin = apiClient(collector.url, 'admin', collector.adminPassword!);
    ensureCustomer(collector.db, 'acme', 'ACME', Date.now());
  }, 120_000);
  afterAll(async () => {
    await collector?.destroy();
    await Promise.all([snmpd?.stop(), sshd?.stop()]);
    work.remove();
  });

  test('an SNMP device: script and system checks are refused at assignment (zh and en), and forced in they never run', async () => {
    const marker = join(work.path, 'ran-on-the-collector');
    const add = await admin('POST', '/api/hosts', { customerId: 'acme', name: 'core-switch', kind: 'snmp', address: snmpd.host, port: snmpd.port, community: snmpd.community, tags: ['edge'] });
    expect(add.status, JSON.stringify(add.json)).toBe(201);
    const hostId = add.json.host.id as string;
    const script = await admin('POST', '/api/templates', {
      customerId: 'acme',
      name: 'runs-things',
      checks: [
        nagios('shell', { command: '/bin/sh', args: ['-c', `id > ${marker}`] }),
        { name: 'cpu', checkId: 'system.cpu', params: {}, intervalSec: 1, timeoutSec: 10 },
        { name: 'file', checkId: 'system.file', params: { path: '/etc/passwd' }, intervalSec: 1, timeoutSec: 10 },
      ],
    });
    expect(script.status, JSON.stringify(script.json)).toBe(201);
    const scriptId = script.json.template.id as string;

    const byHost = await admin('PUT', `/api/hosts/${hostId}/assignments`, { templates: [scriptId] });
    expect(byHost.status).toBe(400);
    expect(byHost.json.error).toMatch(/^check 'shell' \(script\.nagios\) cannot run on SNMP device 'core-switch': .*the collector never runs programs or reads files for a host/);
    expect(byHost.json.errorZh).toMatch(/不能用于 SNMP 设备“core-switch”/);
    const byTag = await admin('PUT', `/api/templates/${scriptId}/tags`, { customerId: 'acme', tags: ['edge'] });
    expect(byTag.status).toBe(400);
    expect(byTag.json.error).toMatch(/cannot run on SNMP device 'core-switch'/);

    // The same through the device's own tags: a tag the template already applies to is refused on the device.
    expect((await admin('PUT', `/api/templates/${scriptId}/tags`, { customerId: 'acme', tags: ['scripted'] })).status).toBe(200);
    const retag = await admin('PATCH', `/api/hosts/${hostId}`, { tags: ['edge', 'scripted'] });
    expect(retag.status).toBe(400);
    expect(retag.json.errorZh).toMatch(/不能用于 SNMP 设备/);
    expect((await admin('PUT', `/api/templates/${scriptId}/tags`, { customerId: 'acme', tags: [] })).status).toBe(200);

    // A network-only template is fine on the device; changing it to run a program is refused while the device uses it.
    const tcp = await admin('POST', '/api/templates', { customerId: 'acme', name: 'port-open', checks: [{ name: 'snmp-port', checkId: 'network.tcp', params: { port: 1 }, intervalSec: 60, timeoutSec: 10 }] });
    expect((await admin('PUT', `/api/hosts/${hostId}/assignments`, { templates: ['network-device', tcp.json.template.id] })).status).toBe(200);
    const change = await admin('PUT', `/api/templates/${tcp.json.template.id}`, { name: 'port-open', checks: script.json.template.checks });
    expect(change.status).toBe(400);
    expect(change.json.error).toMatch(/cannot run on SNMP device 'core-switch'/);

    // Forced into the database (an older version, a hand edit): refused again where it would run.
    setHostTemplates(collector.db, hostId, [scriptId]);
    const s = await waitFor(() => (states(hostId).shell && states(hostId).file ? states(hostId) : undefined), 'the forced checks', 30_000);
    expect(s.shell).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/^not run: a snmp host cannot run script\.nagios: it would run on the collector/) });
    expect(s.cpu).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/^not run: a snmp host cannot run system\.cpu/) });
    expect(s.file).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/^not run: a snmp host cannot run system\.file/) });
    const first = s.shell!.lastRunAt ?? 0;
    await waitFor(() => (states(hostId).shell!.lastRunAt ?? 0) >= first + 2000, 'more rounds of the forced check', 30_000);
    expect(existsSync(marker)).toBe(false);
  });

  test('an SSH host: a shell is refused, check_disk runs over SSH, and an exact line runs once an admin allows it', async () => {
    // The customer's own key folder on the collector (collector/remote/customer-keys.ts).
    const keyDir = join(collector.dataDir, 'ssh-keys', 'acme');
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    const keyPath = join(keyDir, 'ssh-box');
    copyFileSync(sshd.keyPath, keyPath);
    chmodSync(keyPath, 0o600);
    const { host } = createRemoteHost(collector.db, {
      customerId: 'acme',
      name: 'ssh-box',
      access: { kind: 'ssh', address: sshd.host, port: sshd.port, user: sshd.user, keyPath },
      now: Date.now(),
    });
    const touch = join(sshd.home, 'check_touch');
    writeFileSync(touch, '#!/bin/sh\ntouch "$1"\necho "OK - touched"\n');
    chmodSync(touch, 0o755);
    const marker = (n: string) => join(sshd.home, `marker-${n}`);
    const tpl = await admin('POST', '/api/templates', {
      customerId: 'acme',
      name: 'ssh-scripts',
      checks: [
        nagios('shell', { command: '/bin/sh', args: ['-c', `touch ${marker('shell')}`] }),
        nagios('disk', { command: '/usr/lib/nagios/plugins/check_disk', args: ['-w', '1%', '-c', '1%', '-p', '/'] }),
        nagios('exact', { command: touch, args: [marker('exact')] }),
      ],
    });
    expect(tpl.status).toBe(201);
    expect((await admin('PUT', `/api/hosts/${host.id}/assignments`, { templates: [tpl.json.template.id] })).status).toBe(200);
    const s = await waitFor(() => (['shell', 'disk', 'exact'].every((n) => states(host.id)[n]) ? states(host.id) : undefined), 'the SSH round', 30_000);
    expect(s.shell).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/^not run: \/bin\/sh is not in an allowed folder .*host ssh-box's allowances on the collector/) });
    expect(s.disk!.summary).toMatch(/^DISK (OK|WARNING|CRITICAL)/);
    expect(s.exact).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/is not in an allowed folder/) });

    // Only an admin widens what runs on the host.
    createUser(collector.db, { username: 'eng-exec', password: 'pw-eng-exec-1', role: 'engineer', serves: ['acme'], now: Date.now() });
    const eng = apiClient(collector.url, 'eng-exec', 'pw-eng-exec-1');
    expect((await eng('PUT', `/api/hosts/${host.id}/allowances`, { allowCommands: [`${touch} ${marker('exact')}`] })).status).toBe(403);
    expect((await eng('GET', `/api/hosts/${host.id}/allowances`)).json.allowances).toMatchObject({ allowCommands: [] });
    const put = await admin('PUT', `/api/hosts/${host.id}/allowances`, { allowCommands: [`${touch} ${marker('exact')}`] });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    const after = await waitFor(() => (states(host.id).exact?.status === 'OK' ? states(host.id) : undefined), 'the allowed line over SSH', 30_000);
    expect(after.exact!.summary).toBe('OK - touched');
    expect(existsSync(marker('exact'))).toBe(true);
    expect(existsSync(marker('shell'))).toBe(false);
  });
});
