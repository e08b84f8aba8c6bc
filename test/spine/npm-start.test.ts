import { afterAll, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * `npm start` in a terminal and in a pipe (issue 14, item 7): the banner with the address, user and password
 * comes after the start-up logs; logs are JSON when piped (for log shippers) and pino-pretty lines on a TTY.
 */
const dirs = [tempDir('npm-start-pipe'), tempDir('npm-start-tty')];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) await new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')));
  for (const d of dirs) d.remove();
});

async function startEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  // The logger is silent under vitest unless asked: the child runs as a user's shell would run it.
  const { VITEST: _v, VITEST_WORKER_ID: _w, VITEST_POOL_ID: _p, PATROL_TLS: _t, PATROL_HOST: _h, ...env } = process.env;
  return { ...env, PATROL_DATA_DIR: dataDir, PATROL_PORT: String(await freePort()), PATROL_ADMIN_PASSWORD: 'start-test-pw', PATROL_LOG_LEVEL: 'info' };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string; err: () => string } {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err };
}

const BANNER = 'Patrol is running.';

test.concurrent('piped: JSON log lines, and the banner only after the local agent connected', async () => {
  const env = await startEnv(dirs[0]!.path);
  const p = run(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], env);
  await waitFor(() => p.out().includes(BANNER), 'the banner', 90_000);
  const bannerSeenAt = Date.now();
  expect(p.out()).toContain(`User: admin   Password: start-test-pw`);
  expect(p.out()).toContain(`http://127.0.0.1:${env.PATROL_PORT}`);
  const lines = p.err().split('\n').filter((l) => l.trim());
  const entries = lines.map((l) => JSON.parse(l) as { msg: string; time: string; component: string });
  expect(entries.map((e) => e.msg)).toContain('collector listening');
  const connected = entries.find((e) => e.msg === 'agent connected');
  expect(connected, 'the local agent connected before the banner').toBeDefined();
  expect(Date.parse(connected!.time)).toBeLessThanOrEqual(bannerSeenAt);
});

test.concurrent('on a terminal: pino-pretty lines, no JSON', async () => {
  const env = await startEnv(dirs[1]!.path);
  // util-linux `script` gives the command a pseudo-terminal, as a user's shell would.
  const p = run('script', ['-qfec', `${process.execPath} --import tsx scripts/start.ts`, '/dev/null'], { ...env, TERM: 'xterm' });
  await waitFor(() => p.out().includes(BANNER), 'the banner', 90_000);
  // eslint-disable-next-line no-control-regex
  const text = p.out().replace(/\u001b\[[0-9;]*m/g, '');
  expect(text).toMatch(/\[\d{2}:\d{2}:\d{2}\] INFO: \[collector\] collector listening/);
  expect(text).not.toContain('{"level"');
  expect(text.indexOf(BANNER)).toBeGreaterThan(text.indexOf('collector listening'));
});
