import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackage } from './system-packages.js';
import { freePort, waitFor } from './ports.js';
import { tempDir } from './temp-dir.js';
import { stopChild } from './processes.js';

export interface RunningInfluxDb {
  url: string;
  port: number;
  /** SIGTERM, wait for exit; data stays so start() can bring the same server back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** The running influxd's process id (benchmarks read its CPU time from /proc). */
  pid(): number | undefined;
  /** Stop and delete the data folder. */
  destroy(): Promise<void>;
  query(q: string, db: string): Promise<InfluxQueryResult>;
}

export interface InfluxQueryResult {
  results: Array<{ series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>; error?: string }>;
}

/**
 * A real InfluxDB 1.x (Debian 'influxdb') on free loopback ports with its data in a temp folder, or in
 * `opts.dataDir` when given (kept by destroy(), so a benchmark can reuse a seeded database between runs).
 */
export async function startInfluxDb(opts: { dataDir?: string } = {}): Promise<RunningInfluxDb> {
  const influxd = ensureDebianPackage('influxdb', '/usr/bin/influxd');
  const dir = opts.dataDir ? (mkdirSync(opts.dataDir, { recursive: true }), { path: opts.dataDir, remove: () => {} }) : tempDir('influx');
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const conf = join(dir.path, 'influxdb.conf');
  writeFileSync(
    conf,
    `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir.path}/meta"
[data]
  dir = "${dir.path}/data"
  wal-dir = "${dir.path}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  max-body-size = 0
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`,
  );
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(influxd, ['-config', conf], { stdio: 'ignore' });
    const c = child;
    await waitFor(async () => {
      if (c.exitCode !== null) throw new Error(`influxd exited with ${c.exitCode}`);
      const r = await fetch(`${url}/ping`).catch(() => undefined);
      return r?.status === 204;
    }, 'influxd /ping', 30_000);
  };
  const stop = async () => {
    await stopChild(child);
  };
  await start();
  return {
    url,
    port: httpPort,
    pid: () => child?.pid,
    start,
    stop,
    async destroy() {
      await stop();
      dir.remove();
    },
    async query(q, db) {
      const r = await fetch(`${url}/query?db=${encodeURIComponent(db)}&epoch=ms&q=${encodeURIComponent(q)}`);
      return (await r.json()) as InfluxQueryResult;
    },
  };
}
