import { afterAll, expect, test } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { textRequest } from '../../shared/http-request.js';
import { splitEnrollmentToken, formatPin, certificatePin } from '../../shared/tls-pin.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The README's hand install with TLS on, as a user types it: `patrol-collector start` serves https/wss with its own
 * CA, `patrol-collector enroll` prints a token carrying the CA pin (`patrol-collector tls` prints the pin alone), and
 * `patrol-agent --collector wss://... --enroll <token>` needs no CA file.
 */
const data = tempDir('tls-cli-collector');
const state = tempDir('tls-cli-agent');
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) await new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')));
  data.remove();
  state.remove();
});

const env: NodeJS.ProcessEnv = { ...process.env, PATROL_ADMIN_PASSWORD: 'tls-cli-pw', PATROL_LOG_LEVEL: 'warn', PATROL_BATCH_INTERVAL_SEC: '1' };
delete env.PATROL_TLS;

test('collector start, enroll and tls, then an agent with the pinned token connects over wss', async () => {
  const port = await freePort();
  const collector = spawn(process.execPath, ['bin/patrol-collector.js', 'start', '--data-dir', data.path, '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(collector);
  let banner = '';
  collector.stdout!.on('data', (d: Buffer) => (banner += d.toString()));
  await waitFor(() => /CA pin sha256:[0-9a-f]{64}/.test(banner) && banner, 'the collector banner with its CA pin', 30_000);
  expect(banner).toContain(`on https://127.0.0.1:${port}`);
  const pin = /CA pin (sha256:[0-9a-f]{64})/.exec(banner)![1]!;
  const caPem = readFileSync(join(data.path, 'tls', 'ca.pem'), 'utf8');
  expect(formatPin(certificatePin(caPem))).toBe(pin);

  const tls = execFileSync(process.execPath, ['bin/patrol-collector.js', 'tls', '--data-dir', data.path], { env, encoding: 'utf8' });
  expect(tls).toContain(`CA pin: ${pin}`);
  expect(tls).toContain(`CA certificate: ${join(data.path, 'tls', 'ca.pem')}`);

  const token = execFileSync(process.execPath, ['bin/patrol-collector.js', 'enroll', '--customer', 'acme', '--data-dir', data.path], { env, encoding: 'utf8' }).trim();
  expect(token).toMatch(/^pe_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
  expect(formatPin(splitEnrollmentToken(token).pin!)).toBe(pin);

  const agent = spawn(process.execPath, ['bin/patrol-agent.js', '--collector', `wss://127.0.0.1:${port}/agent`, '--enroll', token, '--state-dir', state.path, '--name', 'tls-cli-host'], { env, stdio: 'ignore' });
  children.push(agent);
  const auth = { authorization: `Basic ${Buffer.from('admin:tls-cli-pw').toString('base64')}` };
  await waitFor(async () => {
    const res = await textRequest(new URL(`https://127.0.0.1:${port}/api/hosts`), { method: 'GET', headers: auth, ca: Buffer.from(caPem), timeoutMs: 5000 });
    const body = JSON.parse(res.text) as { hosts: Array<{ name: string; connected: boolean }> };
    return body.hosts.find((h) => h.name === 'tls-cli-host' && h.connected);
  }, 'tls-cli-host connected over wss', 60_000);
  expect(JSON.parse(readFileSync(join(state.path, 'collector-ca.json'), 'utf8'))).toEqual({ pin, caPem: expect.stringContaining('BEGIN CERTIFICATE') });

  // Plain http to the TLS port gets nowhere near the API.
  await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  // Four processes start here (collector, two CLI calls, agent): on a loaded 2-core machine that is more than 60 s.
}, 180_000);

test('patrol-agent refuses plain ws:// to another machine with a clear message (exit 2), before sending anything', () => {
  const r = spawnSync(process.execPath, ['bin/patrol-agent.js', '--collector', 'ws://10.255.255.1:8080/agent', '--enroll', 'pe_whatever_token_value', '--state-dir', join(state.path, 'refused')], { env, encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/patrol-agent: refusing plain ws:\/\/ to 10\.255\.255\.1:8080: .*Use wss:\/\/.*or start with --insecure/);
});
