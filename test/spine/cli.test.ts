import { afterAll, expect, test } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The README's hand install, as a user types it: collector CLI, `enroll`, then the agent CLI with the token. */
const data = tempDir('cli-collector');
const state = tempDir('cli-agent');
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) await new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')));
  data.remove();
  state.remove();
});

test('patrol-collector enroll + patrol-agent --enroll: the key is saved 0600 and the host streams', async () => {
  const port = await freePort();
  // Plain on loopback (PATROL_TLS=off): the TLS side of these commands is test/security/tls-cli.test.ts.
  const env = { ...process.env, PATROL_ADMIN_PASSWORD: 'cli-test-pw', PATROL_LOG_LEVEL: 'warn', PATROL_BATCH_INTERVAL_SEC: '1', PATROL_TLS: 'off' };
  const collector = spawn(process.execPath, ['bin/patrol-collector.js', 'start', '--data-dir', data.path, '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(collector);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok, 'collector', 30_000);

  const token = execFileSync(process.execPath, ['bin/patrol-collector.js', 'enroll', '--customer', 'acme', '--data-dir', data.path], { env, encoding: 'utf8' }).trim();
  expect(token).toMatch(/^pe_[A-Za-z0-9_-]{40,}$/);

  const agent = spawn(process.execPath, ['bin/patrol-agent.js', '--collector', `ws://127.0.0.1:${port}/agent`, '--enroll', token, '--state-dir', state.path, '--name', 'cli-host'], { env, stdio: 'ignore' });
  children.push(agent);
  const auth = { authorization: `Basic ${Buffer.from('admin:cli-test-pw').toString('base64')}` };
  const host = await waitFor(async () => {
    const body = (await (await fetch(`http://127.0.0.1:${port}/api/hosts`, { headers: auth })).json()) as { hosts: Array<{ id: string; name: string; customerId: string; connected: boolean; status: string }> };
    return body.hosts.find((h) => h.name === 'cli-host' && h.connected && h.status !== 'UNKNOWN');
  }, 'cli-host streaming', 60_000);
  expect(host.customerId).toBe('acme');

  const credsFile = join(state.path, 'credentials.json');
  expect(statSync(credsFile).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(credsFile, 'utf8'))).toMatchObject({ agentKey: expect.stringMatching(/^pa_/), customerId: 'acme' });

  // A report made through the installed collector: its figures are built in the report worker thread, which loads the
  // TypeScript itself (bin/patrol-collector.js registers tsx in the main thread only).
  const bj = new Date(Date.now() + 8 * 3600_000);
  const period = `${bj.getUTCFullYear()}Q${Math.floor(bj.getUTCMonth() / 3) + 1}`;
  const made = await fetch(`http://127.0.0.1:${port}/api/reports`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ customer: 'acme', period, lang: 'en' }) });
  expect(made.status, await made.clone().text()).toBe(201);
  const { id } = (await made.json()) as { id: string };
  const report = (await (await fetch(`http://127.0.0.1:${port}/api/reports/${id}/json`, { headers: auth })).json()) as { hosts: Array<{ name: string }> };
  expect(report.hosts.map((h) => h.name)).toEqual(['cli-host']);

  // The same token again is refused with its reason, and the CLI says so.
  const second = spawn(process.execPath, ['bin/patrol-agent.js', '--collector', `ws://127.0.0.1:${port}/agent`, '--enroll', token, '--state-dir', join(state.path, 'other')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  second.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => second.once('exit', r));
  expect(code).not.toBe(0);
  expect(stderr).toMatch(/already used/);
});

test('a bad setting is a clear error naming it, not a stack trace', () => {
  let out = '';
  try {
    execFileSync(process.execPath, ['bin/patrol-collector.js', 'start', '--data-dir', data.path], { env: { ...process.env, PATROL_PORT: 'eighty' }, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    out = (err as { stderr: string }).stderr;
  }
  expect(out).toMatch(/invalid configuration.*port/);
});
