import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CollectorProcess {
  pid: number;
  /** The open-files limit it runs with. */
  openFilesLimit: number;
  url: string;
  stop(): Promise<void>;
}

/** The open-files limit for the collector and the load generator: one descriptor per agent connection and more. */
export const OPEN_FILES = 65_536;

/**
 * The real collector (`patrol-collector start`) in its own process, so its CPU and memory can be read from
 * /proc, started through a shell that raises its open-files limit first (as LimitNOFILE does under systemd).
 * `cpuProfDir` (or BENCH_CPU_PROF=DIR) writes a V8 CPU profile of it there on exit; `loopStatsFile` gets a line a
 * second with its event-loop delay (bench/fleet/loop-stats.mjs); its log goes to `logFile`.
 */
export async function startCollectorProcess(o: {
  dataDir: string;
  port: number;
  env: Record<string, string>;
  logFile: string;
  cpuProfDir?: string;
  loopStatsFile?: string;
  loopStatsEveryMs?: number;
}): Promise<CollectorProcess> {
  const profDir = o.cpuProfDir ?? process.env.BENCH_CPU_PROF;
  const nodeFlags = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  const env: Record<string, string> = {};
  if (o.loopStatsFile) {
    nodeFlags.push('--import', fileURLToPath(new URL('./loop-stats.mjs', import.meta.url)));
    env.PATROL_BENCH_LOOP_STATS = o.loopStatsFile;
    if (o.loopStatsEveryMs) env.PATROL_BENCH_LOOP_STATS_MS = String(o.loopStatsEveryMs);
  }
  const args = [...nodeFlags, 'bin/patrol-collector.js', 'start', '--data-dir', o.dataDir, '--port', String(o.port)];
  const log = createWriteStream(o.logFile, { flags: 'a' });
  // Where the hard limit is lower and may not be raised (a container without CAP_SYS_RESOURCE), take the hard limit.
  const raise = `ulimit -n ${OPEN_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)"`;
  const child: ChildProcess = spawn('sh', ['-c', `${raise} && exec "$0" "$@"`, process.execPath, ...args], {
    env: { ...process.env, PATROL_LOG_LEVEL: 'warn', PATROL_TLS: 'off', ...env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const url = `http://127.0.0.1:${o.port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      await new Promise((r) => log.end(r));
      throw new Error(`collector exited with ${child.exitCode}:\n${readFileSync(o.logFile, 'utf8').slice(-2000)}`);
    }
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`collector not healthy after 120 s; see ${o.logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const limits = readFileSync(`/proc/${child.pid}/limits`, 'utf8');
  return {
    pid: child.pid!,
    openFilesLimit: Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? 0),
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
