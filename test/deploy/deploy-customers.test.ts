import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildAgent, type AgentBuild } from '../../deploy/build-agent.js';
import { startCollector, type Collector } from '../../collector/server.js';
import { loadCollectorConfig } from '../../collector/config.js';
import { remoteChecks } from '../../collector/remote/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { createEnrollmentToken, listAgents } from '../../collector/db/agents.js';
import { revokeAgent } from '../../collector/tickets/host-retirement.js';
import { getHost } from '../../collector/db/hosts.js';
import { createTemplate, setTemplateTags } from '../../collector/assignment/template-store.js';
import { startSshd } from '../helpers/sshd.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';
import { agentConfigOf, agentProcesses, credentialsOf, patrolDeploy, resultRow, stopDeployHost, type DeployHost } from './deploy-run.js';

/**
 * `patrol deploy` for a service company with more than one customer: every host must end up under the customer
 * its inventory entry names, whatever token deploy was given. Real sshd "hosts" on loopback, the agent bundle,
 * a real collector with two customers.
 */
const API = { user: 'deployer', password: 'deployer-password-2' };
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

describe('patrol deploy with several customers', () => {
  const work = tempDir('deploy-customers');
  const collectorData = tempDir('deploy-customers-collector');
  let collector: Collector;
  let bundle: AgentBuild;
  const hosts: DeployHost[] = [];
  const knownHosts = join(work.path, 'known_hosts.json');

  async function newHost(name: string): Promise<DeployHost> {
    const sshd = await startSshd({ userPrefix: 'pc' });
    const h = { name, sshd, installDir: join(sshd.home, 'opt', 'patrol-agent') };
    hosts.push(h);
    return h;
  }

  function entry(h: DeployHost, customer: string, extra: Record<string, unknown> = {}) {
    return { host: '127.0.0.1', port: h.sshd.port, user: h.sshd.user, key: h.sshd.keyPath, customer, name: h.name, installDir: h.installDir, ...extra };
  }

  function inventory(file: string, entries: object[]): string {
    const path = join(work.path, file);
    writeFileSync(path, stringify({ hosts: entries }));
    return path;
  }

  const args = (inv: string, b: AgentBuild = bundle) => [
    '--inventory', inv,
    '--collector', `ws://127.0.0.1:${collector.port}/agent`,
    '--known-hosts', knownHosts,
    '--bundle', b.tarball,
    '--concurrency', '1',
    '--online-timeout', '30',
  ];

  type ApiHost = { id: string; name: string; customerId: string; connected: boolean; agentVersion: string | null; tags: string[] };
  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${collector.port}${path}`, {
      headers: { authorization: `Basic ${Buffer.from(`${API.user}:${API.password}`).toString('base64')}` },
    });
    return (await res.json()) as T;
  }
  const listed = async (name: string) => (await api<{ hosts: ApiHost[] }>('/api/hosts')).hosts.filter((x) => x.name === name);

  function logs(): string {
    return hosts
      .map((h) => {
        const f = join(h.installDir, 'log', 'agent.log');
        return `--- ${h.name}\n${existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-10).join('\n') : '(no log)'}`;
      })
      .join('\n');
  }

  beforeAll(async () => {
    ensureDebianPackage('openssh-server', '/usr/sbin/sshd');
    ensureDebianPackage('cron', '/usr/bin/crontab');
    // The default version: package.json's, with the bundle's content hash.
    bundle = await buildAgent({ outDir: join(work.path, 'dist') });
    collector = await startCollector({
      config: loadCollectorConfig(undefined, { port: 0, dataDir: collectorData.path, batchIntervalSec: 0.5, tls: 'off' }),
      // Templates by tag, PATCH /api/hosts/:id.
      plugins: [remoteChecks],
    });
    const now = Date.now();
    ensureCustomer(collector.db, 'acme', 'ACME Bank', now);
    ensureCustomer(collector.db, 'beta', 'Beta Corp', now);
    createUser(collector.db, { username: API.user, password: API.password, role: 'engineer', serves: ['acme', 'beta'], now });
  });

  afterAll(async () => {
    for (const h of hosts) await stopDeployHost(h);
    await collector?.close();
    collectorData.remove();
    work.remove();
  });

  test('a two-customer inventory puts each host under its own customer; the acme token enrolls only the acme host', async () => {
    const beta = await newHost('beta-db01');
    const acme = await newHost('acme-db01');
    const given = createEnrollmentToken(collector.db, 'acme', Date.now());
    // The order of the audit's repro: the beta host comes first and needs a token first.
    const inv = inventory('mixed.yaml', [entry(beta, 'beta'), entry(acme, 'acme')]);
    const r = await patrolDeploy([...args(inv), '--enroll-token', given.token], API);
    if (r.code !== 0) console.error(r.stdout, r.stderr, logs());
    expect(r.code).toBe(0);
    expect(resultRow(r.stdout, 'beta-db01').slice(0, 3)).toEqual(['beta-db01', 'ok', 'installed']);
    expect(resultRow(r.stdout, 'acme-db01').slice(0, 3)).toEqual(['acme-db01', 'ok', 'installed']);
    expect(r.stderr).toContain('[beta-db01] --enroll-token is for customer acme: minting a token for beta');

    expect(await listed('beta-db01')).toMatchObject([{ customerId: 'beta', connected: true }]);
    expect(await listed('acme-db01')).toMatchObject([{ customerId: 'acme', connected: true }]);
    expect(credentialsOf(beta)).toMatchObject({ customerId: 'beta' });
    expect(credentialsOf(acme)).toMatchObject({ customerId: 'acme' });
    // The given token went to the acme host's agent, and to no other.
    const usedBy = collector.db.prepare('SELECT used_by_agent AS agentId FROM enrollment_tokens WHERE id = ?').get(given.record.id) as { agentId: string };
    expect(usedBy.agentId).toBe(credentialsOf(acme)!.agentId);
  });

  test('an agent enrolled into another customer than its entry is stopped at once and its key revoked; the next run enrolls it under its own', async () => {
    // Without API credentials deploy cannot ask the collector whose token it holds: the agent enrolls with
    // acme's token although the inventory says beta, which deploy sees in the agent's credentials.
    const h = await newHost('beta-app01');
    const inv = inventory('wrong-token.yaml', [entry(h, 'beta')]);
    const acmeToken = createEnrollmentToken(collector.db, 'acme', Date.now()).token;
    const first = await patrolDeploy([...args(inv), '--enroll-token', acmeToken, '--no-wait']);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    const misenrolled = credentialsOf(h)!;
    expect(misenrolled.customerId).toBe('acme');
    expect(resultRow(first.stdout, 'beta-app01')[5]).toBe(
      `the agent enrolled into customer acme, but the inventory says beta: agent stopped, its key ${misenrolled.agentId} is NOT revoked (no PATROL_USER/PATROL_PASSWORD): run again with them, or POST /api/agents/${misenrolled.agentId}/revoke`,
    );
    expect(agentProcesses(h)).toEqual([]);
    await waitFor(async () => (await listed('beta-app01')).every((x) => !x.connected), 'the collector to see it gone');

    // With API credentials: the key is revoked (its acme host retired) and the credentials removed.
    const second = await patrolDeploy(args(inv), API);
    expect(second.code, second.stdout + second.stderr).toBe(1);
    expect(resultRow(second.stdout, 'beta-app01')[5]).toBe(
      `the agent enrolled into customer acme, but the inventory says beta: agent stopped, its key ${misenrolled.agentId} is revoked and its host there retired; run deploy again to enroll it under beta`,
    );
    expect(listAgents(collector.db).find((a) => a.id === misenrolled.agentId)?.revokedAt).toEqual(expect.any(Number));
    expect(getHost(collector.db, misenrolled.hostId)?.retiredAt).toEqual(expect.any(Number));
    expect(await listed('beta-app01')).toEqual([]);
    expect(credentialsOf(h)).toBeUndefined();

    const third = await patrolDeploy(args(inv), API);
    expect(third.code, third.stdout + third.stderr).toBe(0);
    expect(resultRow(third.stdout, 'beta-app01').slice(0, 3)).toEqual(['beta-app01', 'ok', 'enrolled']);
    expect(credentialsOf(h)).toMatchObject({ customerId: 'beta' });
    expect(await listed('beta-app01')).toMatchObject([{ customerId: 'beta', connected: true, id: credentialsOf(h)!.hostId }]);
  });

  test('a first install with a mistyped token fails with the agent\'s reason; deploy again with API credentials repairs it', async () => {
    const h = await newHost('acme-web01');
    const inv = inventory('typo.yaml', [entry(h, 'acme')]);
    const first = await patrolDeploy([...args(inv), '--enroll-token', 'pe_mistyped-token-0000000', '--no-wait']);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    expect(resultRow(first.stdout, 'acme-web01')[5]).toMatch(/^(starting the agent failed|the agent stopped without enrolling): patrol-agent: enrollment refused: enrollment token not recognised$/);
    // Installed, but never enrolled: the spent token is still in agent.json.
    expect(agentConfigOf(h).enroll).toBe('pe_mistyped-token-0000000');
    expect(credentialsOf(h)).toBeUndefined();

    const second = await patrolDeploy(args(inv), API);
    if (second.code !== 0) console.error(second.stdout, second.stderr, logs());
    expect(second.code).toBe(0);
    expect(resultRow(second.stdout, 'acme-web01').slice(0, 4)).toEqual(['acme-web01', 'ok', 'enrolled', bundle.version]);
    expect(second.stderr).toContain('the agent never enrolled (no credentials.json)');
    expect(agentConfigOf(h).enroll).not.toBe('pe_mistyped-token-0000000');
    expect(await listed('acme-web01')).toMatchObject([{ customerId: 'acme', connected: true, id: credentialsOf(h)!.hostId }]);
    expect(agentProcesses(h)).toHaveLength(1);
  });

  test('an agent whose key was revoked on the collector is reported at once; uninstall and deploy enroll it afresh', async () => {
    const h = hosts.find((x) => x.name === 'acme-web01')!;
    const old = credentialsOf(h)!;
    // Someone decommissioned it in the dashboard, though the inventory still lists it.
    expect(revokeAgent(collector.db, old.agentId, Date.now())).toBe(true);
    const inv = inventory('typo.yaml', [entry(h, 'acme')]);
    const r = await patrolDeploy(args(inv), API);
    expect(r.code).toBe(1);
    expect(resultRow(r.stdout, 'acme-web01')[5]).toBe(`the collector retired host ${old.hostId} (its agent key was revoked): run --uninstall, then deploy again to enroll it afresh`);

    expect((await patrolDeploy([...args(inv), '--uninstall'], API)).code).toBe(0);
    const again = await patrolDeploy(args(inv), API);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(resultRow(again.stdout, 'acme-web01').slice(0, 3)).toEqual(['acme-web01', 'ok', 'installed']);
    expect(credentialsOf(h)!.hostId).not.toBe(old.hostId);
    expect(await listed('acme-web01')).toMatchObject([{ customerId: 'acme', connected: true, id: credentialsOf(h)!.hostId }]);
  });

  test('the inventory\'s tags and role become the host\'s tags, and a template assigned by tag runs on the deployed host', async () => {
    const h = await newHost('acme-pg01');
    const template = createTemplate(collector.db, {
      customerId: 'acme',
      name: 'database hosts',
      description: 'assigned by the tag db',
      checks: [{ name: 'db-host-uptime', checkId: 'system.uptime', params: {}, intervalSec: 1, timeoutSec: 10 }],
      now: Date.now(),
    });
    setTemplateTags(collector.db, template.id, 'acme', ['db'], Date.now());
    const inv = inventory('tags.yaml', [entry(h, 'acme', { tags: ['db', 'shanghai'], role: 'postgres' })]);
    const r = await patrolDeploy(args(inv), API);
    if (r.code !== 0) console.error(r.stdout, r.stderr, logs());
    expect(r.code).toBe(0);
    expect(resultRow(r.stdout, 'acme-pg01')[5]).toBe('tags set: db, shanghai, role:postgres');
    const [host] = await listed('acme-pg01');
    expect(host!.tags).toEqual(['db', 'shanghai', 'role:postgres']);
    await waitFor(
      async () => (await api<{ checks: Array<{ name: string; status: string }> }>(`/api/hosts/${host!.id}`)).checks.find((c) => c.name === 'db-host-uptime' && c.status === 'OK'),
      'the tag-assigned check to report from the deployed host',
      30_000,
    );

    // Again: the tags are right, nothing to do.
    const again = await patrolDeploy(args(inv), API);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(resultRow(again.stdout, 'acme-pg01')).toEqual(['acme-pg01', 'ok', 'unchanged', bundle.version, 'background']);
  });

  test('the bundle version carries its content hash: the same sources give the same version, a changed agent a new one that --upgrade installs', async () => {
    expect(bundle.version).toMatch(new RegExp(`^${PACKAGE_VERSION.replace(/\./g, '\\.')}\\+[0-9a-f]{10}$`));
    expect(bundle.version).toBe(`${PACKAGE_VERSION}+${bundle.contentHash}`);
    expect(readFileSync(join(bundle.folder, 'VERSION'), 'utf8').trim()).toBe(bundle.version);
    const again = await buildAgent({ outDir: join(work.path, 'dist-again') });
    expect(again.version).toBe(bundle.version);
    // The same package.json version, a different agent file.
    const entryFile = join(work.path, 'changed-agent.ts');
    writeFileSync(entryFile, `import ${JSON.stringify(join(REPO, 'agent', 'cli.ts'))};\nexport const buildVariant = 'changed';\n`);
    const changed = await buildAgent({ outDir: join(work.path, 'dist-changed'), entry: entryFile });
    expect(changed.version).toMatch(new RegExp(`^${PACKAGE_VERSION.replace(/\./g, '\\.')}\\+[0-9a-f]{10}$`));
    expect(changed.version).not.toBe(bundle.version);
    // An explicit version is taken as it is.
    expect((await buildAgent({ outDir: join(work.path, 'dist-explicit'), version: '2.0.0-rc.1' })).version).toBe('2.0.0-rc.1');

    const h = hosts.find((x) => x.name === 'acme-db01')!;
    const inv = inventory('upgrade.yaml', [entry(h, 'acme')]);
    const same = await patrolDeploy(args(inv, again), API);
    expect(resultRow(same.stdout, 'acme-db01').slice(0, 4)).toEqual(['acme-db01', 'ok', 'unchanged', bundle.version]);
    const refused = await patrolDeploy(args(inv, changed), API);
    expect(resultRow(refused.stdout, 'acme-db01')[5]).toBe(`agent ${bundle.version} is installed: run with --upgrade to replace it with ${changed.version}`);
    const up = await patrolDeploy([...args(inv, changed), '--upgrade'], API);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(resultRow(up.stdout, 'acme-db01').slice(0, 4)).toEqual(['acme-db01', 'ok', 'upgraded', changed.version]);
    expect(await listed('acme-db01')).toMatchObject([{ customerId: 'acme', connected: true, agentVersion: changed.version }]);
  });
});
