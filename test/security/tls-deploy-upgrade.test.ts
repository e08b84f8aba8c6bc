import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildAgent, type AgentBuild } from '../../deploy/build-agent.js';
import { startCollector, type Collector } from '../../collector/server.js';
import { loadCollectorConfig, type CollectorConfigInput } from '../../collector/config.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import type { CheckAssignment } from '../../shared/assignment.js';
import { startSshd } from '../helpers/sshd.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';
import { agentConfigOf, credentialsOf, patrolDeploy, resultRow, stopDeployHost, type DeployHost } from '../deploy/deploy-run.js';

/**
 * The upgrade path of issue 11 (item 4) as an operator walks it: agents in the field stream over plain ws://; the
 * collector is upgraded first (TLS on a new port, the old port kept plain for agents not yet moved, with
 * PATROL_PLAIN_PORT); then `patrol deploy --upgrade --collector wss://... --ca-pin ...` moves each agent to wss with
 * the pinned CA; then the plain port is closed. The agent reports after every step.
 */
const API = { user: 'deployer', password: 'deployer-password-tls' };
// A cheap check every second and half-second batches: fresh points arrive within a few seconds of any step.
const FAST: CheckAssignment[] = [{ name: 'system.uptime', checkId: 'system.uptime', params: {}, intervalSec: 1, timeoutSec: 10 }];

describe('moving agents from plain ws:// to wss:// with patrol deploy --upgrade', () => {
  const work = tempDir('tls-upgrade');
  const collectorData = tempDir('tls-upgrade-collector');
  let collector: Collector | undefined;
  let oldPort = 0;
  let tlsPort = 0;
  let v1: AgentBuild;
  let v2: AgentBuild;
  let host: DeployHost;
  let inventory: string;

  async function bootCollector(config: CollectorConfigInput): Promise<Collector> {
    await collector?.close();
    collector = await startCollector({
      config: loadCollectorConfig(undefined, { dataDir: collectorData.path, batchIntervalSec: 0.5, ...config }),
      assignments: { forHost: () => FAST },
      plugins: [],
    });
    return collector;
  }

  /** Results of this host's checks stored with a time after `since`: the agent is reporting now. */
  async function reportsSince(since: number, what: string): Promise<void> {
    const hostId = credentialsOf(host)!.hostId;
    await waitFor(
      async () => (await collector!.store.countPoints({ measurement: 'check', field: 'status_code', where: { host: hostId }, from: since, to: Date.now() + 60_000 })) > 0,
      what,
      30_000,
    );
  }

  const deployArgs = (collectorUrl: string, bundle: AgentBuild, ...extra: string[]) => [
    '--inventory', inventory,
    '--collector', collectorUrl,
    '--known-hosts', join(work.path, 'known_hosts.json'),
    '--bundle', bundle.tarball,
    '--online-timeout', '30',
    ...extra,
  ];

  beforeAll(async () => {
    ensureDebianPackage('openssh-server', '/usr/sbin/sshd');
    ensureDebianPackage('cron', '/usr/bin/crontab');
    v1 = await buildAgent({ version: '0.9.0-plain', outDir: join(work.path, 'dist-v1') });
    v2 = await buildAgent({ version: '0.9.1-tls', outDir: join(work.path, 'dist-v2') });
    oldPort = await freePort();
    tlsPort = await freePort();
    // Before the upgrade: a plain collector, as every collector was.
    await bootCollector({ port: oldPort, tls: 'off' });
    ensureCustomer(collector!.db, 'acme', 'ACME Bank', Date.now());
    createUser(collector!.db, { username: API.user, password: API.password, role: 'engineer', serves: ['acme'], now: Date.now() });
    const sshd = await startSshd({ userPrefix: 'pu' });
    host = { name: 'acme-move01', sshd, installDir: join(sshd.home, 'opt', 'patrol-agent') };
    inventory = join(work.path, 'hosts.yaml');
    writeFileSync(inventory, stringify({ hosts: [{ host: '127.0.0.1', port: sshd.port, user: sshd.user, key: sshd.keyPath, customer: 'acme', name: host.name, installDir: host.installDir }] }));
  });

  afterAll(async () => {
    if (host) await stopDeployHost(host);
    await collector?.close();
    collectorData.remove();
    work.remove();
  });

  test('before: an agent installed with ws:// streams to the plain collector', async () => {
    const r = await patrolDeploy(deployArgs(`ws://127.0.0.1:${oldPort}/agent`, v1), API);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(resultRow(r.stdout, host.name).slice(0, 4)).toEqual([host.name, 'ok', 'installed', '0.9.0-plain']);
    expect(agentConfigOf(host).collector).toBe(`ws://127.0.0.1:${oldPort}/agent`);
    await reportsSince(Date.now(), 'the agent reporting over plain ws');
  });

  test('the collector is upgraded first: TLS on the new port, the old port plain for agents not moved yet; the old agent keeps reporting', async () => {
    const c = await bootCollector({ port: tlsPort, tls: 'auto', plainPort: oldPort });
    expect(c.url).toBe(`https://127.0.0.1:${tlsPort}`);
    expect(c.plainPort).toBe(oldPort);
    expect(c.tls?.caPin).toMatch(/^sha256:[0-9a-f]{64}$/);
    await reportsSince(Date.now(), 'the unmoved agent reporting through PATROL_PLAIN_PORT');
  });

  test('a pin that is not the collector CA stops deploy before it touches a host', async () => {
    const wrong = `sha256:${'ab'.repeat(32)}`;
    const r = await patrolDeploy(deployArgs(`wss://127.0.0.1:${tlsPort}/agent`, v2, '--upgrade', '--ca-pin', wrong), API);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`presented a CA with pin ${collector!.tls!.caPin}, but ${wrong} was expected: refusing to connect`);
    expect(agentConfigOf(host).collector).toBe(`ws://127.0.0.1:${oldPort}/agent`);
  });

  test('deploy refuses to leave agents on plain ws:// to another machine unless told --insecure', async () => {
    const r = await patrolDeploy(deployArgs('ws://10.255.255.1:8080/agent', v2, '--upgrade'), API);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/agents refuse plain ws:\/\/ to 10\.255\.255\.1:8080 .*give --collector wss:\/\/10\.255\.255\.1:8080\/agent with --ca-pin .*or --insecure/);
  });

  test('patrol deploy --upgrade moves the agent to wss with the pinned CA, and it keeps reporting', async () => {
    const pin = collector!.tls!.caPin!;
    const before = credentialsOf(host)!;
    const r = await patrolDeploy(deployArgs(`wss://127.0.0.1:${tlsPort}/agent`, v2, '--upgrade', '--ca-pin', pin), API);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const row = resultRow(r.stdout, host.name);
    expect(row.slice(0, 4)).toEqual([host.name, 'ok', 'upgraded', '0.9.1-tls']);
    expect(row[5]).toContain(`collector ws://127.0.0.1:${oldPort}/agent -> wss://127.0.0.1:${tlsPort}/agent, CA pinned (${pin})`);

    expect(agentConfigOf(host)).toMatchObject({ collector: `wss://127.0.0.1:${tlsPort}/agent`, caPin: pin });
    // Same key and host: an upgrade, not a new enrollment.
    expect(credentialsOf(host)).toEqual(before);
    // The agent fetched the CA, checked it against the pin and keeps it beside its key.
    const pinned = JSON.parse(readFileSync(join(host.installDir, 'state', 'collector-ca.json'), 'utf8')) as { pin: string; caPem: string };
    expect(pinned.pin).toBe(pin);
    expect(host.sshd.runAsUser(`stat -c %a ${join(host.installDir, 'state', 'collector-ca.json')}`).trim()).toBe('600');
    expect(existsSync(join(host.installDir, 'ca.pem'))).toBe(false);
    await reportsSince(Date.now(), 'the moved agent reporting over wss');
  });

  test('once every agent moved, the plain port closes: the agent reports over wss alone; deploying again changes nothing', async () => {
    await bootCollector({ port: tlsPort, tls: 'auto' });
    expect(collector!.plainPort).toBeUndefined();
    await reportsSince(Date.now(), 'the agent reporting with the plain port closed');
    const again = await patrolDeploy(deployArgs(`wss://127.0.0.1:${tlsPort}/agent`, v2, '--upgrade', '--ca-pin', collector!.tls!.caPin!), API);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(resultRow(again.stdout, host.name)).toEqual([host.name, 'ok', 'unchanged', '0.9.1-tls', 'background']);
  });
});
