import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { parseLine } from '../../shared/line-protocol.js';
import { stringify } from 'yaml';
import { buildAgent, type AgentBuild } from '../../deploy/build-agent.js';
import { CRON_NO_CRONTAB, cronLines, cronSetupScript } from '../../deploy/agent-install.js';
import { startCollector, type Collector } from '../../collector/server.js';
import { remoteChecks } from '../../collector/remote/plugin.js';
import { loadCollectorConfig } from '../../collector/config.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { createEnrollmentToken, listAgents, listEnrollmentTokens } from '../../collector/db/agents.js';
import { getHost } from '../../collector/db/hosts.js';
import type { CheckAssignment } from '../../shared/assignment.js';
import { startSshd, processesOf, type RunningSshd } from '../helpers/sshd.js';
import { ensureDebianPackage } from '../helpers/system-packages.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';
import { agentProcessesOf } from './deploy-run.js';

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
/** A line host2's user had in its crontab before Patrol came: deploy and uninstall must leave it alone. */
const UNRELATED_CRON = '17 3 * * * /usr/bin/true nightly-backup';
const execFileAsync = promisify(execFile);

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
  /** Servers a single test starts (stopped in afterAll with the others). */
  const extraSshds: RunningSshd[] = [];
  const knownHosts = join(work.path, 'known_hosts.json');
  const inventory = join(work.path, 'hosts.yaml');
  const inventoryWithBadKey = join(work.path, 'hosts-badkey.yaml');
  const unauthorizedKey = join(work.path, 'not-authorized');

  async function bootCollector() {
    collector = await startCollector({
      config: loadCollectorConfig(undefined, { port: collectorPort, dataDir: collectorData.path, batchIntervalSec: 0.5, tls: 'off' }),
      assignments: { forHost: () => FAST_ASSIGNMENT },
      // For PATCH /api/hosts/:id, which deploy sets the inventory's tags with.
      plugins: [remoteChecks],
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

  /** The user's crontab, line by line (none: []). */
  const crontabOf = (sshd: RunningSshd) => sshd.runAsUser('crontab -l 2>/dev/null || true').split('\n').filter(Boolean);
  /** What deploy must leave in a host's crontab: anything the user had, then Patrol's marker and two lines. */
  const expectedCrontab = (h: HostHandle) => [...(h === hosts[1] ? [UNRELATED_CRON] : []), ...cronLines(h.installDir)];
  /** The command of the crontab line that starts with `schedule`, exactly as cron would hand it to the shell. */
  function cronCommand(h: HostHandle, schedule: '@reboot' | '*/5 * * * *'): string {
    const line = crontabOf(h.sshd).find((l) => l.startsWith(`${schedule} `));
    if (!line) throw new Error(`no "${schedule}" line in the crontab of ${h.sshd.user}`);
    return line.slice(schedule.length + 1);
  }
  /** Run a command as the host's user the way cron does: /bin/sh -c, cron's bare environment, from the home folder. */
  async function runLikeCron(h: HostHandle, command: string): Promise<void> {
    const env = ['PATH=/usr/bin:/bin', 'SHELL=/bin/sh', `HOME=${h.sshd.home}`, `LOGNAME=${h.sshd.user}`];
    // Asynchronous: the collector the agent connects to runs in this process.
    await execFileAsync('runuser', ['-u', h.sshd.user, '--', 'env', '-i', ...env, '/bin/sh', '-c', command], { cwd: h.sshd.home });
  }
  /** A script of the install folder, run by the host's user (as by hand on the host). */
  const runScript = (h: HostHandle, script: string) => execFileAsync('runuser', ['-u', h.sshd.user, '--', `${h.installDir}/${script}`], { cwd: '/' });
  async function connectedState(name: string): Promise<boolean | undefined> {
    return (await apiHosts()).find((x) => x.name === name)?.connected;
  }

  beforeAll(async () => {
    ensureDebianPackage('openssh-server', '/usr/sbin/sshd');
    ensureDebianPackage('cron', '/usr/bin/crontab');
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
    hosts[1]!.sshd.runAsUser(`printf '%s\\n' '${UNRELATED_CRON}' | crontab -`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', unauthorizedKey]);
    writeFileSync(inventory, stringify({ hosts: hosts.map((h) => inventoryEntry(h)) }));
    // host3's sshd again, under another name and folder, with a key its user never authorized.
    const impostor = { ...inventoryEntry(hosts[2]!, unauthorizedKey), name: 'host4', installDir: join(hosts[2]!.sshd.home, 'other') };
    writeFileSync(inventoryWithBadKey, stringify({ hosts: [...hosts.map((h) => inventoryEntry(h)), impostor] }));
  });

  afterAll(async () => {
    for (const sshd of [...hosts.map((h) => h.sshd), ...extraSshds]) {
      // userdel leaves a user's crontab behind.
      try {
        execFileSync('crontab', ['-r', '-u', sshd.user], { stdio: 'ignore' });
      } catch {
        // had none
      }
    }
    for (const sshd of extraSshds) {
      for (const pid of processesOf(sshd.user)) process.kill(pid, 'SIGKILL');
      await sshd.stop();
    }
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
      // Background service: the user's crontab starts it after a reboot and every 5 minutes if it died.
      expect(crontabOf(h.sshd)).toEqual(expectedCrontab(h));
    }
    expect(cronLines(hosts[0]!.installDir)).toEqual([
      `# patrol-agent ${hosts[0]!.installDir}`,
      `@reboot ${hosts[0]!.installDir}/start.sh --from-cron >/dev/null 2>&1`,
      `*/5 * * * * ${hosts[0]!.installDir}/start.sh --from-cron >/dev/null 2>&1`,
    ]);
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
    for (const h of hosts) expect(crontabOf(h.sshd)).toEqual(expectedCrontab(h)); // not doubled

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
    expect(row(r.stdout, 'host1')[5]).toBe(`collector ${oldCollectorUrl} -> ${newCollectorUrl}: agent.json rewritten, key and state kept; tags not set (--no-wait)`);
    hosts.forEach((h, i) => {
      expect(pidOf(h)).not.toBe(oldPids[i]);
      // Only the address changed; the enrolled identity is the same.
      expect(agentConfig(h)).toEqual({ ...configsBefore[i], collector: newCollectorUrl });
      expect(h.sshd.runAsUser(`stat -c %a ${h.installDir}/agent.json`).trim()).toBe('600');
      expect(agentIdOf(h)).toBe(agentIds[i]);
      expect(crontabOf(h.sshd)).toEqual(expectedCrontab(h));
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

  test('after a crash or a reboot the @reboot line brings the same agent back; the watchdog leaves a running agent alone', async () => {
    const h = hosts[0]!;
    const agentId = agentIdOf(h);
    const hostId = (await apiHosts()).find((x) => x.name === h.name)!.id;
    const enrolledAgents = listAgents(collector!.db).length;
    const pid = pidOf(h);
    process.kill(pid, 'SIGKILL'); // a crash; after a reboot nothing runs either, and the pid file is stale the same way
    await waitFor(async () => !alive(pid) && (await connectedState(h.name)) === false, 'the collector to see host1 gone', 20_000);

    await runLikeCron(h, cronCommand(h, '@reboot'));
    const restarted = pidOf(h);
    expect(restarted).not.toBe(pid);
    expect(alive(restarted)).toBe(true);
    await waitFor(async () => (await connectedState(h.name)) === true, 'host1 connected again', 30_000);
    // The same agent: same key and host on the collector, no new enrollment.
    expect(agentIdOf(h)).toBe(agentId);
    expect((await apiHosts()).find((x) => x.name === h.name)).toMatchObject({ id: hostId, connected: true, agentVersion: '0.9.0-test.2' });
    expect(listAgents(collector!.db)).toHaveLength(enrolledAgents);

    // The watchdog while it runs: nothing happens.
    await runLikeCron(h, cronCommand(h, '*/5 * * * *'));
    expect(pidOf(h)).toBe(restarted);
    expect(agentProcessesOf(h.sshd.user)).toHaveLength(1);
  });

  test('an agent stopped with stop.sh stays stopped when cron fires, until start.sh', async () => {
    const h = hosts[1]!;
    const pid = pidOf(h);
    await runScript(h, 'stop.sh');
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(h.installDir, 'run', 'stopped'))).toBe(true);
    await runLikeCron(h, cronCommand(h, '@reboot'));
    await runLikeCron(h, cronCommand(h, '*/5 * * * *'));
    expect(agentProcessesOf(h.sshd.user)).toEqual([]);
    expect(existsSync(join(h.installDir, 'run', 'patrol-agent.pid'))).toBe(false);

    const started = await runScript(h, 'start.sh');
    expect(started.stdout).toMatch(/^patrol-agent started \(pid \d+\)$/m);
    expect(existsSync(join(h.installDir, 'run', 'stopped'))).toBe(false);
    expect(alive(pidOf(h))).toBe(true);
    await waitFor(async () => (await connectedState(h.name)) === true, 'host2 connected again', 30_000);
    // From now on cron looks after it again: a crash is repaired by the watchdog.
    const again = pidOf(h);
    process.kill(again, 'SIGKILL');
    await waitFor(() => !alive(again), 'the killed agent gone');
    await runLikeCron(h, cronCommand(h, '*/5 * * * *'));
    expect(alive(pidOf(h))).toBe(true);
    expect(pidOf(h)).not.toBe(again);
    expect(agentProcessesOf(h.sshd.user)).toHaveLength(1);
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
      expect(crontabOf(h.sshd)).toEqual(expectedCrontab(h));
    }

    const r = await patrol(['--inventory', inventory, '--uninstall', ...commonArgs(v2)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    hosts.forEach((h, i) => expect(row(r.stdout, h.name)).toEqual([h.name, 'ok', 'uninstalled', '0.9.0-test.2', 'background', `agent key ${agentIds[i]} revoked on the collector`]));
    const agents = listAgents(collector!.db);
    for (const id of agentIds) expect(agents.find((a) => a.id === id)?.revokedAt).toEqual(expect.any(Number));
    // Their hosts are retired: gone from the host list (and so from the silence check), kept for history.
    const retiredHostIds = agentIds.map((id) => agents.find((a) => a.id === id)!.hostId);
    expect((await apiHosts()).filter((x) => retiredHostIds.includes(x.id))).toEqual([]);
    for (const id of retiredHostIds) expect(getHost(collector!.db, id)?.retiredAt).toEqual(expect.any(Number));
    for (const h of hosts) expect(existsSync(h.installDir)).toBe(false);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    // Patrol's crontab lines are gone; the line host2's user had before stays.
    expect(hosts.map((h) => crontabOf(h.sshd))).toEqual([[], [UNRELATED_CRON], []]);
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

  test('several install folders of one user keep their own crontab lines; uninstall.sh removes only its own', async () => {
    const h = hosts[2]!; // reinstalled by the test before
    const before = crontabOf(h.sshd);
    expect(before).toEqual(expectedCrontab(h));
    // A second folder whose path starts like the first one's.
    const other = `${h.installDir}2`;
    mkdirSync(other);
    copyFileSync(join(v1.folder, 'uninstall.sh'), join(other, 'uninstall.sh'));
    chmodSync(other, 0o755);
    execFileSync('chown', ['-R', h.sshd.user, other]);
    expect(h.sshd.runAsUser(cronSetupScript(other)).trim()).toBe('written');
    expect(h.sshd.runAsUser(cronSetupScript(other)).trim()).toBe('unchanged');
    expect(h.sshd.runAsUser(cronSetupScript(h.installDir)).trim()).toBe('unchanged');
    expect(crontabOf(h.sshd)).toEqual([...before, ...cronLines(other)]);
    // A Patrol line edited by hand is replaced, not doubled.
    const edited = crontabOf(h.sshd).map((l) => (l === cronLines(other)[2] ? l.replace('*/5', '*/10') : l));
    execFileSync('crontab', ['-u', h.sshd.user, '-'], { input: `${edited.join('\n')}\n` });
    expect(h.sshd.runAsUser(cronSetupScript(other)).trim()).toBe('written');
    expect(crontabOf(h.sshd)).toEqual([...before, ...cronLines(other)]);

    h.sshd.runAsUser(`${other}/uninstall.sh`);
    expect(existsSync(other)).toBe(false);
    expect(crontabOf(h.sshd)).toEqual(before);
  });

  test('a host without crontab gets the agent all the same, and the result says it will not come back after a reboot', async () => {
    // A host whose login PATH has every command of this machine but crontab: a login shell that sets PATH to
    // a folder of links to /usr/bin, without crontab.
    const sshd = await startSshd({ userPrefix: 'pn' });
    extraSshds.push(sshd);
    const bin = join(sshd.dir, 'bin-without-crontab');
    mkdirSync(bin);
    for (const name of readdirSync('/usr/bin')) if (name !== 'crontab') symlinkSync(join('/usr/bin', name), join(bin, name));
    const shell = join(sshd.dir, 'login-shell');
    writeFileSync(shell, `#!/bin/sh\nPATH=${bin}\nexport PATH\nexec /bin/sh "$@"\n`, { mode: 0o755 });
    execFileSync('usermod', ['-s', shell, sshd.user]);
    expect(sshd.runAsUser(`${shell} -c 'command -v crontab || echo none'`).trim()).toBe('none');

    const h: HostHandle = { name: 'host-nocron', sshd, installDir: join(sshd.home, 'opt', 'patrol-agent') };
    const inv = join(work.path, 'hosts-nocron.yaml');
    writeFileSync(inv, stringify({ hosts: [inventoryEntry(h)] }));
    const r = await patrol(['--inventory', inv, ...commonArgs(v1)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(row(r.stdout, h.name)).toEqual([h.name, 'ok', 'installed', '0.9.0-test.1', 'background', `${CRON_NO_CRONTAB}; tags set: test, role:app`]);
    expect(r.stdout).toContain('no crontab: the agent will not restart after a reboot');
    expect(alive(pidOf(h))).toBe(true);
    expect(crontabOf(sshd)).toEqual([]);

    // Uninstall works there too.
    const gone = await patrol(['--inventory', inv, '--uninstall', ...commonArgs(v1)]);
    expect(gone.code, gone.stdout + gone.stderr).toBe(0);
    expect(row(gone.stdout, h.name).slice(0, 3)).toEqual([h.name, 'ok', 'uninstalled']);
    expect(existsSync(h.installDir)).toBe(false);
  });
});
