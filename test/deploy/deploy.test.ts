import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLine } from '../../shared/line-protocol.js';
import { stringify } from 'yaml';
import { buildAgent, type AgentBuild } from '../../deploy/build-agent.js';
import { startCollector, type Collector } from '../../collector/server.js';
import { loadCollectorConfig } from '../../collector/config.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { createEnrollmentToken, listAgents, listEnrollmentTokens } from '../../collector/db/agents.js';
import type { CheckAssignment } from '../../shared/assignment.js';
import { startSshd, processesOf, type RunningSshd } from '../helpers/sshd.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * `patrol deploy` against three "customer hosts": three private sshd instances on loopback, each with its own
 * Unix user, home and installDir, and a real collector. The agents deployed are the esbuild bundle, run by
 * the hosts' users, streaming to the collector.
 */
const CUSTOMER = 'acme';
const API_USER = 'deployer';
const API_PASSWORD = 'deployer-password-1';
// A cheap check every second and a half-second batch interval: batches pile up in the spool within
// seconds of the collector going away, which the upgrade story needs.
const FAST_ASSIGNMENT: CheckAssignment[] = [{ name: 'system.uptime', checkId: 'system.uptime', params: {}, intervalSec: 1, timeoutSec: 10 }];

interface HostHandle {
  name: string;
  sshd: RunningSshd;
  installDir: string;
}

describe('patrol deploy over SSH', () => {
  const work = tempDir('deploy');
  const collectorData = tempDir('deploy-collector');
  let collector: Collector | undefined;
  let collectorPort = 0;
  let v1: AgentBuild;
  let v2: AgentBuild;
  const hosts: HostHandle[] = [];
  const knownHosts = join(work.path, 'known_hosts.json');
  const inventory = join(work.path, 'hosts.yaml');
  const inventoryWithBadKey = join(work.path, 'hosts-badkey.yaml');
  const unauthorizedKey = join(work.path, 'not-authorized');

  async function bootCollector() {
    collector = await startCollector({
      config: loadCollectorConfig(undefined, { port: collectorPort, dataDir: collectorData.path, batchIntervalSec: 0.5 }),
      assignments: { forHost: () => FAST_ASSIGNMENT },
      plugins: [],
    });
    collectorPort = collector.port;
  }

  function inventoryEntry(h: HostHandle, key = h.sshd.keyPath) {
    return { host: '127.0.0.1', port: h.sshd.port, user: h.sshd.user, key, customer: CUSTOMER, tags: ['test'], role: 'app', name: h.name, installDir: h.installDir };
  }

  function patrol(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    // Asynchronous on purpose: the collector the agents report to runs in this process.
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['bin/patrol.js', 'deploy', ...args], {
        env: { ...process.env, PATROL_USER: API_USER, PATROL_PASSWORD: API_PASSWORD },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  const commonArgs = (bundle: AgentBuild) => [
    '--collector',
    `ws://127.0.0.1:${collectorPort}/agent`,
    '--known-hosts',
    knownHosts,
    '--bundle',
    bundle.tarball,
    '--concurrency',
    '3',
    '--online-timeout',
    '30',
  ];

  /** The result table row of a host: [host, result, action, version, service, reason]. */
  function row(stdout: string, host: string): string[] {
    const line = stdout.split('\n').find((l) => l.startsWith(`${host} `));
    if (!line) throw new Error(`no row for ${host} in:\n${stdout}`);
    return line.split(/\s{2,}/);
  }

  async function apiHosts(): Promise<Array<{ id: string; name: string; connected: boolean; agentVersion: string | null }>> {
    const res = await fetch(`http://127.0.0.1:${collectorPort}/api/hosts`, {
      headers: { authorization: `Basic ${Buffer.from(`${API_USER}:${API_PASSWORD}`).toString('base64')}` },
    });
    return ((await res.json()) as { hosts: Array<{ id: string; name: string; connected: boolean; agentVersion: string | null }> }).hosts;
  }

  const agentConfig = (h: HostHandle) => JSON.parse(readFileSync(join(h.installDir, 'agent.json'), 'utf8')) as Record<string, unknown>;
  const agentIdOf = (h: HostHandle) => (JSON.parse(readFileSync(join(h.installDir, 'state', 'credentials.json'), 'utf8')) as { agentId: string }).agentId;
  const pidOf = (h: HostHandle) => Number(readFileSync(join(h.installDir, 'run', 'patrol-agent.pid'), 'utf8').trim());
  const spoolFiles = (h: HostHandle) => readdirSync(join(h.installDir, 'state', 'spool')).filter((f) => /^\d{12}\.json$/.test(f));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const commandLine = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      return ''; // exited meanwhile
    }
  };
  function agentLogs(): string {
    return hosts.map((h) => {
      const f = join(h.installDir, 'log', 'agent.log');
      return `--- ${h.name}\n${existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-15).join('\n') : '(no log)'}`;
    }).join('\n');
  }

  beforeAll(async () => {
    ensureDebianPackage('openssh-server', '/usr/sbin/sshd');
    const dist = join(work.path, 'dist');
    v1 = await buildAgent({ version: '0.9.0-test.1', outDir: dist });
    v2 = await buildAgent({ version: '0.9.0-test.2', outDir: dist });
    collectorPort = await freePort();
    await bootCollector();
    ensureCustomer(collector!.db, CUSTOMER, 'ACME', Date.now());
    createUser(collector!.db, { username: API_USER, password: API_PASSWORD, role: 'engineer', serves: [CUSTOMER], now: Date.now() });
    for (const name of ['host1', 'host2', 'host3']) {
      const sshd = await startSshd({ userPrefix: 'pd' });
      hosts.push({ name, sshd, installDir: join(sshd.home, 'opt', 'patrol-agent') });
    }
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', unauthorizedKey]);
    writeFileSync(inventory, stringify({ hosts: hosts.map((h) => inventoryEntry(h)) }));
    // host3's sshd again, under another name and folder, with a key its user never authorized.
    const impostor = { ...inventoryEntry(hosts[2]!, unauthorizedKey), name: 'host4', installDir: join(hosts[2]!.sshd.home, 'other') };
    writeFileSync(inventoryWithBadKey, stringify({ hosts: [...hosts.map((h) => inventoryEntry(h)), impostor] }));
  });

  afterAll(async () => {
    for (const h of hosts) {
      // The deployed agents run as the hosts' users; stop them by pid, then the servers.
      try {
        const pid = pidOf(h);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // never started or already uninstalled
      }
      for (const pid of processesOf(h.sshd.user)) process.kill(pid, 'SIGKILL');
      await h.sshd.stop();
    }
    await collector?.close();
    collectorData.remove();
    work.remove();
  });

  test('three hosts get the agent and stream to the collector; a host with a wrong key fails with a clear reason', async () => {
    const r = await patrol(['--inventory', inventoryWithBadKey, ...commonArgs(v1)]);
    if (r.code !== 1) console.error(r.stdout, r.stderr, agentLogs());
    expect(r.code).toBe(1); // one host failed
    for (const h of hosts) expect(row(r.stdout, h.name).slice(0, 5)).toEqual([h.name, 'ok', 'installed', '0.9.0-test.1', 'background']);
    const bad = row(r.stdout, 'host4');
    expect(bad[1]).toBe('failed');
    expect(bad[5]).toMatch(/SSH login refused for pd\w+@127\.0\.0\.1:\d+ with key .*not-authorized/);
    expect(r.stderr).toMatch(/\[host1\] .*Node\.js v\d+/); // progress lines per host

    const listed = await apiHosts();
    for (const h of hosts) {
      expect(listed.find((x) => x.name === h.name)).toMatchObject({ connected: true, agentVersion: '0.9.0-test.1' });
      // Config with the token: the agent user's eyes only. Runs as the host's own user.
      expect(readFileSync(join(h.installDir, 'agent.json'), 'utf8')).toContain('"enroll"');
      expect(h.sshd.runAsUser(`stat -c %a ${h.installDir}/agent.json`).trim()).toBe('600');
      expect(h.sshd.runAsUser(`ps -o user= -p ${pidOf(h)}`).trim()).toBe(h.sshd.user);
    }
    expect(listed.find((x) => x.name === 'host4')).toBeUndefined();
    // Results arrive: checks stored for every host.
    await waitFor(async () => {
      for (const h of listed.filter((x) => hosts.some((y) => y.name === x.name))) {
        const n = await collector!.store.countPoints({ measurement: 'check', field: 'status_code', where: { host: h.id }, from: 0, to: Date.now() + 60_000 });
        if (n === 0) return false;
      }
      return true;
    }, 'check results from all three hosts', 20_000);
  });

  test('running it again changes nothing', async () => {
    const pids = hosts.map(pidOf);
    const r = await patrol(['--inventory', inventory, ...commonArgs(v1)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of hosts) expect(row(r.stdout, h.name).slice(0, 4)).toEqual([h.name, 'ok', 'unchanged', '0.9.0-test.1']);
    expect(hosts.map(pidOf)).toEqual(pids); // not restarted

    // Another collector address without --upgrade: refused, nothing touched.
    const elsewhere = `ws://127.0.0.1:${await freePort()}/agent`;
    const configs = hosts.map(agentConfig);
    const moved = await patrol(['--inventory', inventory, ...commonArgs(v1), '--collector', elsewhere, '--no-wait']);
    expect(moved.code).toBe(1);
    for (const h of hosts) {
      expect(row(moved.stdout, h.name)[5]).toBe(`the agent connects to ws://127.0.0.1:${collectorPort}/agent: run with --upgrade to move it to ${elsewhere}`);
    }
    expect(hosts.map(agentConfig)).toEqual(configs);
    expect(hosts.map(pidOf)).toEqual(pids);
  });

  test('--upgrade brings the new version, moves the agents to the collector\'s new address, and loses nothing that was spooled while it was away', async () => {
    await collector!.close();
    collector = undefined;
    // The collector comes back on another port: only agents whose agent.json is rewritten can find it.
    const oldCollectorUrl = `ws://127.0.0.1:${collectorPort}/agent`;
    collectorPort = await freePort();
    const newCollectorUrl = `ws://127.0.0.1:${collectorPort}/agent`;
    const configsBefore = hosts.map(agentConfig);
    const agentIds = hosts.map(agentIdOf);
    expect(configsBefore.map((c) => c.collector)).toEqual(hosts.map(() => oldCollectorUrl));
    await waitFor(() => hosts.every((h) => spoolFiles(h).length >= 2), 'batches spooled on every host', 15_000);
    // What each agent holds right before the upgrade: the self-metric time of each spooled batch.
    const spooled = new Map<string, number[]>();
    for (const h of hosts) {
      const times: number[] = [];
      for (const f of spoolFiles(h)) {
        try {
          // Protocol 2: the agent's own figures are the batch's `lines`.
          const batch = JSON.parse(readFileSync(join(h.installDir, 'state', 'spool', f), 'utf8')) as { lines?: string };
          times.push(...(batch.lines ?? '').split('\n').filter(Boolean).map(parseLine).filter((m) => m.measurement === 'patrol_agent').map((m) => m.time));
        } catch {
          // acked and removed between listing and reading: cannot happen with the collector down
          throw new Error(`spool file ${f} vanished while the collector was down`);
        }
      }
      spooled.set(h.name, times);
    }
    const oldPids = hosts.map(pidOf);

    const r = await patrol(['--inventory', inventory, '--upgrade', '--no-wait', ...commonArgs(v2)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const h of hosts) expect(row(r.stdout, h.name).slice(0, 4)).toEqual([h.name, 'ok', 'upgraded', '0.9.0-test.2']);
    expect(row(r.stdout, 'host1')[5]).toBe(`collector ${oldCollectorUrl} -> ${newCollectorUrl}: agent.json rewritten, key and state kept`);
    hosts.forEach((h, i) => {
      expect(pidOf(h)).not.toBe(oldPids[i]);
      // Only the address changed; the enrolled identity is the same.
      expect(agentConfig(h)).toEqual({ ...configsBefore[i], collector: newCollectorUrl });
      expect(h.sshd.runAsUser(`stat -c %a ${h.installDir}/agent.json`).trim()).toBe('600');
      expect(agentIdOf(h)).toBe(agentIds[i]);
    });
    for (const h of hosts) expect(spoolFiles(h).length).toBeGreaterThanOrEqual(spooled.get(h.name)!.length);

    await bootCollector();
    await waitFor(
      async () => {
        const listed = await apiHosts();
        return hosts.every((h) => listed.some((x) => x.name === h.name && x.connected && x.agentVersion === '0.9.0-test.2'));
      },
      'all three upgraded agents online',
      30_000,
    );
    await waitFor(() => hosts.every((h) => spoolFiles(h).length === 0), 'spools drained', 30_000);
    const listed = await apiHosts();
    for (const h of hosts) {
      const hostId = listed.find((x) => x.name === h.name)!.id;
      const times = spooled.get(h.name)!;
      expect(times.length).toBeGreaterThanOrEqual(2);
      for (const t of times) {
        const n = await collector!.store.countPoints({ measurement: 'patrol_agent', field: 'spool_bytes', where: { host: hostId }, from: t, to: t + 1 });
        expect(n, `${h.name}: batch of ${new Date(t).toISOString()} stored once`).toBe(1);
      }
    }
  });

  test('--uninstall revokes each agent key on the collector, stops the agents and leaves nothing in installDir', async () => {
    const pids = hosts.map(pidOf);
    const agentIds = hosts.map(agentIdOf);
    // The collector API cannot be reached: nothing is removed, so the run can be repeated.
    const unreachable = await patrol(['--inventory', inventory, '--uninstall', '--api-url', `http://127.0.0.1:${await freePort()}`, ...commonArgs(v2)]);
    expect(unreachable.code).toBe(1);
    for (const [i, h] of hosts.entries()) {
      const failed = row(unreachable.stdout, h.name);
      expect(failed[1]).toBe('failed');
      expect(failed[5]).toContain(`nothing removed: revoking agent key ${agentIds[i]} on the collector failed (cannot reach the collector API`);
      expect(existsSync(join(h.installDir, 'state', 'credentials.json'))).toBe(true);
      expect(alive(pids[i]!)).toBe(true);
    }

    const r = await patrol(['--inventory', inventory, '--uninstall', ...commonArgs(v2)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    hosts.forEach((h, i) => expect(row(r.stdout, h.name)).toEqual([h.name, 'ok', 'uninstalled', '0.9.0-test.2', 'background', `agent key ${agentIds[i]} revoked on the collector`]));
    const agents = listAgents(collector!.db);
    for (const id of agentIds) expect(agents.find((a) => a.id === id)?.revokedAt).toEqual(expect.any(Number));
    for (const h of hosts) expect(existsSync(h.installDir)).toBe(false);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    // Whatever else the user runs (an sshd session winding down), no agent is among it.
    for (const h of hosts) expect(processesOf(h.sshd.user).map(commandLine).filter((c) => c.includes('patrol-agent'))).toEqual([]);
    // Again: nothing to do.
    const again = await patrol(['--inventory', inventory, '--uninstall', ...commonArgs(v2)]);
    expect(again.code).toBe(0);
    for (const h of hosts) expect(row(again.stdout, h.name).slice(0, 3)).toEqual([h.name, 'ok', 'absent']);
  });

  test('a host whose SSH host key changed is refused; --enroll-token serves one host, the next gets a minted one', async () => {
    await hosts[0]!.sshd.rotateHostKey();
    const given = createEnrollmentToken(collector!.db, CUSTOMER, Date.now());
    const r = await patrol(['--inventory', inventory, '--enroll-token', given.token, ...commonArgs(v1)]);
    expect(r.code).toBe(1);
    const refused = row(r.stdout, 'host1');
    expect(refused[1]).toBe('failed');
    expect(refused[5]).toMatch(/host key of 127\.0\.0\.1:\d+ changed .*man-in-the-middle/);
    expect(existsSync(hosts[0]!.installDir)).toBe(false); // nothing was done there
    // The others were reinstalled meanwhile (the pinned keys still match).
    expect(row(r.stdout, 'host2').slice(0, 3)).toEqual(['host2', 'ok', 'installed']);
    expect(row(r.stdout, 'host3').slice(0, 3)).toEqual(['host3', 'ok', 'installed']);
    const tokens = listEnrollmentTokens(collector!.db, [CUSTOMER]);
    expect(tokens.find((t) => t.id === given.record.id)?.usedAt).not.toBeNull();
    // Three minted for the first install; now host2 and host3 again: the given token and one more minted.
    expect(tokens.filter((t) => t.usedAt !== null)).toHaveLength(5);
  });
});
