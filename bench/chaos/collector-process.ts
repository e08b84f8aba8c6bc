import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { OPEN_FILES } from '../fleet/collector-process.js';

/** The real collector (`patrol-collector start`) as a process that can be killed hard and started again on the same data. */
export class ChaosCollector {
  private child?: ChildProcess;
  private readonly log: WriteStream;
  readonly url: string;
  readonly wsUrl: string;
  starts = 0;

  constructor(private readonly o: { dataDir: string; port: number; env: Record<string, string>; logFile: string }) {
    this.log = createWriteStream(o.logFile, { flags: 'a' });
    this.url = `http://127.0.0.1:${o.port}`;
    this.wsUrl = `ws://127.0.0.1:${o.port}/agent`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start and wait for /health. Through a shell that raises the open-files limit first (as LimitNOFILE would). */
  async start(timeoutMs = 180_000): Promise<number> {
    const t0 = performance.now();
    const args = ['bin/patrol-collector.js', 'start', '--data-dir', this.o.dataDir, '--port', String(this.o.port)];
    const raise = `ulimit -n ${OPEN_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)"`;
    const child = spawn('sh', ['-c', `${raise} && exec "$0" "$@"`, process.execPath, ...args], {
      env: { ...process.env, PATROL_LOG_LEVEL: 'warn', PATROL_TLS: 'off', ...this.o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`collector exited with ${child.exitCode}:\n${readFileSync(this.o.logFile, 'utf8').slice(-2000)}`);
      const ok = await fetch(`${this.url}/health`).then((r) => r.ok, () => false);
      if (ok) return performance.now() - t0;
      if (Date.now() > deadline) throw new Error(`collector not healthy after ${timeoutMs} ms:\n${readFileSync(this.o.logFile, 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Send a signal and wait until the process has gone (SIGKILL: no clean-up of any kind runs). */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  }

  async close(): Promise<void> {
    await this.kill('SIGTERM');
    await new Promise((r) => this.log.end(r));
  }
}
