import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KnownHosts, HostKeyMismatchError } from '../../shared/ssh-connect.js';
import { localExecutor } from '../../checks/exec/local-executor.js';
import { localSystemProbe } from '../../checks/system/local-probe.js';
import { procSystemProbe } from '../../checks/system/proc-probe.js';
import { runAssignment } from '../../checks/run.js';
import { LINUX_BASE } from '../../collector/assignment/linux-base.js';
import { SshConnectionPool, remoteCommandLine, type SshTarget } from '../../collector/remote/ssh-executor.js';
import { createLogger } from '../../shared/logger.js';
import { startSshd, type RunningSshd } from '../helpers/sshd.js';
import { withStableInterfaces } from '../helpers/host-interfaces.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/ports.js';
import { memoryState } from '../helpers/check-context.js';

describe('agentless host over SSH: the same system figures as on the host itself', () => {
  let sshd: RunningSshd;
  let dir: ReturnType<typeof tempDir>;
  let pool: SshConnectionPool;
  let knownHosts: KnownHosts;
  let target: SshTarget;

  beforeAll(async () => {
    sshd = await startSshd();
    dir = tempDir('agentless');
    knownHosts = new KnownHosts(join(dir.path, 'known_hosts.json'));
    pool = new SshConnectionPool({ knownHosts });
    target = { host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keyPath };
  });
  afterAll(async () => {
    await pool?.close();
    await sshd?.stop();
    dir?.remove();
  });

  test('memory total, size of /, CPU count and boot time match the local probe', async () => {
    const remote = procSystemProbe(pool.executor(target));
    const local = localSystemProbe(localExecutor());
    const [rm, lm] = await Promise.all([remote.memory(), local.memory()]);
    expect(rm.totalBytes).toBe(lm.totalBytes);
    expect(rm.swapTotalBytes).toBe(lm.swapTotalBytes);
    // Available memory moves from moment to moment: within 5% of the total.
    expect(Math.abs(rm.availableBytes - lm.availableBytes)).toBeLessThan(lm.totalBytes * 0.05);
    const [rfs, lfs] = await Promise.all([remote.filesystems(), local.filesystems()]);
    const rootR = rfs.find((f) => f.mount === '/');
    const rootL = lfs.find((f) => f.mount === '/');
    expect(rootR).toBeDefined();
    expect(rootR!.sizeBytes).toBe(rootL!.sizeBytes);
    expect(rootR!.fsType).toBe(rootL!.fsType);
    expect(Math.abs(rootR!.usedBytes - rootL!.usedBytes)).toBeLessThan(rootL!.sizeBytes * 0.01);
    expect(new Set(rfs.map((f) => f.mount))).toEqual(new Set(lfs.map((f) => f.mount)));
    expect(await remote.cpuCount()).toBe(await local.cpuCount());
    expect(Math.abs((await remote.bootTime()) - (await local.bootTime()))).toBeLessThan(2000);
    const load = await remote.loadAverage();
    expect(load).toHaveLength(3);
    const rt = await remote.cpuTimes();
    const lt = await local.cpuTimes();
    // Cumulative CPU time since boot: the two reads are a moment apart, so within a few seconds per core.
    expect(Math.abs(rt.idle + rt.iowait - (lt.idle + lt.iowait))).toBeLessThan(10_000);
    const { result: ifaces, stable } = await withStableInterfaces(() => remote.interfaces());
    const listed = new Set(ifaces.map((i) => i.iface));
    expect(stable.filter((i) => !listed.has(i))).toEqual([]);
    const lo = ifaces.find((i) => i.iface === 'lo');
    expect(lo?.up).toBe(null); // the kernel says "unknown" for loopback
  });

  test('the five linux-base checks run unchanged over SSH and judge the host', async () => {
    const exec = pool.executor(target);
    const states = new Map<string, ReturnType<typeof memoryState>>();
    const rt = {
      now: Date.now,
      exec,
      host: { hostname: 'remote', os: '', kernel: '', arch: '', cpuCores: 0, memoryBytes: 0 },
      system: procSystemProbe(exec),
      stateFor: (n: string) => states.get(n) ?? states.set(n, memoryState()).get(n)!,
      log: createLogger('test'),
    };
    const results = await Promise.all(LINUX_BASE.map((a) => runAssignment(a, rt)));
    for (const r of results) {
      expect(r.status, `${r.name}: ${r.summary}`).not.toBe('UNKNOWN');
      expect(r.metrics.length, r.name).toBeGreaterThan(0);
    }
    const mem = results.find((r) => r.name === 'system.memory')!;
    const memTotal = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
    expect(mem.metrics[0]!.fields.total_bytes).toBe(memTotal);
    // One connection carried all of it.
    expect(pool.openConnections).toBe(1);
  });

  test('argv words reach the remote program as given, never through the shell', async () => {
    const exec = pool.executor(target);
    const tricky = ["it's", '$(touch /tmp/pwned)', 'a b', '*', ';', '"q"', ''];
    const r = await exec.exec('printf', ['%s\\n', ...tricky]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(tricky.map((w) => `${w}\n`).join(''));
    expect(remoteCommandLine('ls', ['-l'])).toBe(`exec sh -c 'echo patrol-pgid:$$ >&2; exec "$@"' sh env LC_ALL=C ls -l`);
    const missing = await exec.exec('cat', ['--', '/no/such/file']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No such file/);
    await expect(exec.readFile('/no/such/file')).rejects.toThrow(/cannot read \/no\/such\/file/);
    const capped = await exec.exec('head', ['-c', '100000', '/dev/zero'], { maxOutputBytes: 1000 });
    expect(capped.stdout.length).toBe(1000);
  });

  test('a hung remote command is killed at its timeout', async () => {
    const exec = pool.executor(target);
    const r = await exec.exec('sleep', ['300'], { timeoutMs: 500 });
    expect(r).toMatchObject({ timedOut: true, code: null });
    // The program itself is gone on the host, not just our channel.
    await waitFor(() => !sshd.runAsUser('ps -o args= -u $(id -u)').includes('sleep 300'), 'the remote sleep to be killed', 10_000);
    // And the connection still serves the next command.
    expect((await exec.exec('true', [])).code).toBe(0);
  });

  test('a check that gives up (its own timeout) stops its remote command at once, children too', async () => {
    const exec = pool.executor(target);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 700);
    const t0 = Date.now();
    const r = await exec.exec('sh', ['-c', 'sleep 304 & sleep 305; wait'], { timeoutMs: 60_000, signal: controller.signal });
    expect(r).toMatchObject({ timedOut: true, code: null });
    expect(Date.now() - t0).toBeLessThan(10_000);
    await waitFor(() => !/sleep 30[45]/.test(sshd.runAsUser('ps -o args= -u $(id -u)')), 'the command and its children to be killed', 10_000);
    // Already cancelled before it got a channel: not started at all.
    const early = await exec.exec('touch', ['/tmp/never-created-by-patrol'], { signal: AbortSignal.abort() });
    expect(early).toMatchObject({ timedOut: true, stderr: expect.stringContaining('cancelled') });
    expect(sshd.runAsUser('test -e /tmp/never-created-by-patrol && echo yes || echo no').trim()).toBe('no');
  });

  test('a timed-out plugin that started children leaves none of them behind', async () => {
    const exec = pool.executor(target);
    const r = await exec.exec('sh', ['-c', 'sleep 302 & sleep 303 & echo started; echo warming up >&2; wait'], { timeoutMs: 800 });
    expect(r).toMatchObject({ timedOut: true, code: null, stdout: 'started\n', stderr: 'warming up\n' });
    await waitFor(() => !/sleep 30[23]/.test(sshd.runAsUser('ps -o args= -u $(id -u)')), 'the plugin and its children to be killed', 10_000);
  });

  test('host key pinned on first contact; a changed key is refused, a wrong key or user is a clear error', async () => {
    expect(knownHosts.get(`${sshd.host}:${sshd.port}`)).toMatch(/^SHA256:/);
    const other = new SshConnectionPool({ knownHosts });
    try {
      await other.connect(target); // same key: fine
      await expect(other.connect({ ...target, username: 'nosuchuser' })).rejects.toThrow(/authentication methods failed/);
      await expect(other.connect({ ...target, privateKeyPath: join(dir.path, 'missing-key') })).rejects.toThrow(/private key .*missing-key does not exist on the collector/);
      await sshd.rotateHostKey();
      other.drop(target);
      await expect(other.connect(target)).rejects.toBeInstanceOf(HostKeyMismatchError);
    } finally {
      await other.close();
    }
  });
});
