import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The other agents bench:agent measures beside Patrol's, started the way machine-notes.md describes: Debian's
 * packages, each with its own config on a free loopback port (apt installs their services here but never starts
 * them). Also the Redis the database-template run checks. Every process is a child of the bench and is stopped
 * by its own pid.
 */

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let aptUpdated = false;

/** The binary of a Debian package: installed when missing and we are root; undefined when it cannot be had. */
export function debianBinary(pkg: string, binary: string, log: (s: string) => void): string | undefined {
  if (existsSync(binary)) return binary;
  if (!isRoot) {
    log(`${pkg}: not installed (${binary}) and not root; left out`);
    return undefined;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    log(`${pkg}: installing (apt-get install -y ${pkg})`);
    if (!aptUpdated) {
      execFileSync('apt-get', ['update'], { stdio: 'ignore', env, timeout: 300_000 });
      aptUpdated = true;
    }
    execFileSync('apt-get', ['install', '-y', pkg], { stdio: 'ignore', env, timeout: 900_000 });
  } catch (err) {
    log(`${pkg}: could not install (${(err as Error).message.split('\n')[0]}); left out`);
    return undefined;
  }
  return existsSync(binary) ? binary : undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A free port in a range (zabbix_agent2 takes ListenPort 1024-32767 only; the OS picks higher ones). */
export async function freePortBelow(max: number, min = 20_000): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = min + Math.floor(Math.random() * (max - min));
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port between ${min} and ${max}`);
}

export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function benchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `patrol-bench-${prefix}-`));
}

/** A process the bench started: measured by pid, stopped by pid. */
export interface BenchProcess {
  name: string;
  pid: number;
  stop(): Promise<void>;
}

export function childProcess(name: string, child: ChildProcess, dir?: string): BenchProcess {
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return {
    name,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Output of a peer goes to a file in its folder, shown when it fails to start. */
function logTo(dir: string): ['ignore', number, number] {
  const fd = openSync(join(dir, 'output.log'), 'a');
  return ['ignore', fd, fd];
}

async function started(name: string, child: ChildProcess, port: number, dir: string): Promise<BenchProcess> {
  await waitFor(async () => {
    if (child.exitCode !== null) {
      const out = existsSync(join(dir, 'output.log')) ? readFileSync(join(dir, 'output.log'), 'utf8').trim().split('\n').slice(-5).join('\n') : '';
      throw new Error(`${name} exited with ${child.exitCode} (folder ${dir}):\n${out}`);
    }
    return tcpOpen(port);
  }, `${name} to listen on ${port}`, 60_000);
  return childProcess(name, child, dir);
}

export async function startNodeExporter(bin: string): Promise<BenchProcess> {
  const dir = benchDir('node-exporter');
  const port = await freePort();
  // Debian's defaults (its collectors as shipped); only the address is ours.
  const child = spawn(bin, [`--web.listen-address=127.0.0.1:${port}`], { stdio: logTo(dir) });
  return started('prometheus-node-exporter', child, port, dir);
}

export async function startZabbixAgent2(bin: string): Promise<BenchProcess> {
  const dir = benchDir('zabbix-agent2');
  const port = await freePortBelow(32_767);
  // Debian's zabbix_agent2.conf with a port, sockets and pid file of our own, logging to the console; no
  // ServerActive (no Zabbix server here to ask for active checks: it would retry and log every few seconds).
  const conf = join(dir, 'zabbix_agent2.conf');
  writeFileSync(
    conf,
    [
      'LogType=console',
      'Server=127.0.0.1',
      'ListenIP=127.0.0.1',
      `ListenPort=${port}`,
      'Hostname=patrol-bench',
      `PidFile=${join(dir, 'zabbix_agent2.pid')}`,
      `ControlSocket=${join(dir, 'agent.sock')}`,
      'Include=/etc/zabbix/zabbix_agent2.d/plugins.d/*.conf',
      '',
    ].join('\n'),
  );
  const child = spawn(bin, ['-c', conf, '-f'], { stdio: logTo(dir) });
  return started('zabbix_agent2', child, port, dir);
}

export async function startNetdata(bin: string): Promise<BenchProcess> {
  const dir = benchDir('netdata');
  const port = await freePort();
  for (const d of ['cache', 'lib', 'log', 'lock']) mkdirSync(join(dir, d));
  // Debian's netdata.conf (run as netdata, loopback) with our port and folders; the registry off (it would
  // announce itself), everything else as shipped: its plugins, its database, its health checks.
  writeFileSync(
    join(dir, 'netdata.conf'),
    [
      '[global]',
      '\trun as user = netdata',
      '\tweb files owner = root',
      '\tweb files group = root',
      '\tbind socket to IP = 127.0.0.1',
      '[directories]',
      `\tcache = ${dir}/cache`,
      `\tlib = ${dir}/lib`,
      `\tlog = ${dir}/log`,
      `\tlock = ${dir}/lock`,
      '[logs]',
      `\tdebug = ${dir}/log/debug.log`,
      `\terror = ${dir}/log/error.log`,
      '\taccess = none',
      '[web]',
      `\tbind to = 127.0.0.1:${port}`,
      '[registry]',
      '\tenabled = no',
      '',
    ].join('\n'),
  );
  if (isRoot) {
    const ids = execFileSync('id', ['-u', 'netdata'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'netdata'], { encoding: 'utf8' }).trim();
    for (const d of ['', 'cache', 'lib', 'log', 'lock']) chownSync(join(dir, d), Number(ids), Number(gid));
    chmodSync(dir, 0o755);
  }
  const child = spawn(bin, ['-D', '-c', join(dir, 'netdata.conf'), '-P', join(dir, 'netdata.pid')], {
    stdio: logTo(dir),
    env: { ...process.env, DISABLE_TELEMETRY: '1', DO_NOT_TRACK: '1' },
  });
  return started('netdata', child, port, dir);
}

export interface BenchRedis extends BenchProcess {
  port: number;
  password: string;
}

/** Redis with a password and no persistence (the start of test/helpers/redis.ts, which bench may not import). */
export async function startRedis(bin: string): Promise<BenchRedis> {
  const dir = benchDir('redis');
  const port = await freePort();
  const password = `pw-${Math.random().toString(36).slice(2)}-bench`;
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--logfile', join(dir, 'redis.log'), '--requirepass', password],
    { stdio: logTo(dir) },
  );
  return { ...(await started('redis-server', child, port, dir)), port, password };
}
