import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { startSshd, type RunningSshd } from '../helpers/sshd.js';
import { waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { getHost } from '../../collector/db/hosts.js';
import { listCheckStates } from '../../collector/db/check-states.js';
import { createRemoteHost, getRemoteAccess } from '../../collector/remote/remote-hosts.js';
import { KEY_REFUSED } from '../../collector/remote/customer-keys.js';
import { apiClient } from '../remote/api.js';

/**
 * Issue 11, item 3 (agentless hosts) and 7 (their secrets at rest): how the collector reaches a host (address,
 * port, user, key, community) is set by admins only; a customer's host logs in only with that customer's keys,
 * and a refused key path never tells which files exist; passphrases and communities are sealed in the database.
 * A real collector polls a real sshd.
 */
const PASSPHRASE = 'key-passphrase-6e1f-secret';
const COMMUNITY = 'community-secret-93d0';

let collector: TestCollector;
let sshd: RunningSshd;
let admin: ReturnType<typeof apiClient>;
let eng: ReturnType<typeof apiClient>;
const work = tempDir('roles-agentless');
const keysDir = () => join(collector.dataDir, 'ssh-keys');
const states = (hostId: string) => Object.fromEntries(listCheckStates(collector.db, { hostId }).map((s) => [s.name, s]));
const reachable = (hostId: string, status: string) =>
  waitFor(() => (states(hostId)['ssh.reachable']?.status === status ? states(hostId)['ssh.reachable'] : undefined), `ssh.reachable ${status} for ${hostId}`, 30_000);

beforeAll(async () => {
  sshd = await startSshd({ userPrefix: 'rolekey' });
  collector = await startTestCollector({}, { plugins: [remoteChecksPlugin({ pollEveryMs: 200 })] });
  const now = Date.now();
  ensureCustomer(collector.db, 'acme', 'ACME', now);
  ensureCustomer(collector.db, 'beta', 'Beta', now);
  createUser(collector.db, { username: 'eng-acme', password: 'eng-acme-pass-1', role: 'engineer', serves: ['acme', 'beta'], now });
  admin = apiClient(collector.url, 'admin', collector.adminPassword!);
  eng = apiClient(collector.url, 'eng-acme', 'eng-acme-pass-1');
  // Each customer's key folder, as an admin of the collector machine fills it: ACME's key logs in to the sshd.
  for (const c of ['acme', 'beta']) mkdirSync(join(keysDir(), c), { recursive: true, mode: 0o700 });
  writeFileSync(join(keysDir(), 'acme', 'acme_ed25519'), readFileSync(sshd.keyPath), { mode: 0o600 });
  writeFileSync(join(keysDir(), 'beta', 'beta_ed25519'), readFileSync(sshd.keyPath), { mode: 0o600 });
});
afterAll(async () => {
  await collector?.destroy();
  await sshd?.stop();
  work.remove();
});

const sshHost = (over: Record<string, unknown>) => ({ customerId: 'acme', name: `h-${Math.random().toString(36).slice(2, 8)}`, kind: 'ssh', address: sshd.host, port: sshd.port, user: sshd.user, ...over });

describe('keys belong to a customer', () => {
  test("ACME's own key by file name: the host logs in; the path stored is in ACME's folder", async () => {
    const add = await admin('POST', '/api/hosts', sshHost({ keyPath: 'acme_ed25519' }));
    expect(add.status).toBe(201);
    const host = getHost(collector.db, add.json.host.id)!;
    expect(getRemoteAccess(collector.db, host)).toMatchObject({ keyPath: join(keysDir(), 'acme', 'acme_ed25519') });
    await reachable(host.id, 'OK');
  });

  test("an admin cannot point ACME's host at Beta's key, at any other file, or through a symlink: one answer, the same as for a missing file", async () => {
    const outside = join(work.path, 'stray_key');
    writeFileSync(outside, readFileSync(sshd.keyPath), { mode: 0o600 });
    symlinkSync(join(keysDir(), 'beta', 'beta_ed25519'), join(keysDir(), 'acme', 'link-to-beta'));
    const missing = await admin('POST', '/api/hosts', sshHost({ keyPath: join(keysDir(), 'acme', 'no_such_key') }));
    expect(missing).toEqual({ status: 400, json: { error: KEY_REFUSED.en, errorZh: KEY_REFUSED.zh } });
    for (const keyPath of [join(keysDir(), 'beta', 'beta_ed25519'), 'beta_ed25519', 'link-to-beta', outside, '/etc/shadow', join(keysDir(), 'acme'), 'no_such_key']) {
      const r = await admin('POST', '/api/hosts', sshHost({ keyPath }));
      expect({ keyPath, answer: r }).toEqual({ keyPath, answer: missing });
    }
    expect(KEY_REFUSED.en).not.toMatch(/exist|permission|denied|found/i);

    // The same on a change of an existing host.
    const add = await admin('POST', '/api/hosts', sshHost({ keyPath: 'acme_ed25519' }));
    for (const keyPath of [join(keysDir(), 'beta', 'beta_ed25519'), 'no_such_key']) {
      expect(await admin('PATCH', `/api/hosts/${add.json.host.id}`, { keyPath })).toEqual(missing);
    }
    expect(getRemoteAccess(collector.db, getHost(collector.db, add.json.host.id)!)).toMatchObject({ keyPath: join(keysDir(), 'acme', 'acme_ed25519') });
  });

  test('a key path stored by an older version outside the folder is refused at login, with a result that says what to do', async () => {
    // Written straight into the database, as a version before the key folders did (a key that logs in).
    const { host } = createRemoteHost(collector.db, {
      customerId: 'acme', name: 'legacy-db', now: Date.now(),
      access: { kind: 'ssh', address: sshd.host, port: sshd.port, user: sshd.user, keyPath: join(keysDir(), 'beta', 'beta_ed25519') },
    });
    const r = await reachable(host.id, 'CRITICAL');
    expect(r!.summary).toMatch(/^private key of this host is not one of its customer's keys .* an admin must set it again$/);
  });

  test('a key sent as text with its passphrase: written 0600 into the customer folder, the passphrase sealed; the host logs in', async () => {
    const key = join(work.path, 'pp_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-C', 'pp', '-f', key]);
    appendFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(`${key}.pub`));
    const add = await admin('POST', '/api/hosts', sshHost({ privateKey: readFileSync(key, 'utf8'), passphrase: PASSPHRASE }));
    expect(add.status).toBe(201);
    expect(JSON.stringify(add.json)).not.toContain(PASSPHRASE);
    const host = getHost(collector.db, add.json.host.id)!;
    const access = getRemoteAccess(collector.db, host) as { keyPath: string; passphrase?: string };
    expect(access.passphrase).toBe(PASSPHRASE);
    expect(access.keyPath.startsWith(join(keysDir(), 'acme', 'uploaded-'))).toBe(true);
    expect(statSync(access.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(keysDir(), 'acme')).mode & 0o777).toBe(0o700);
    await reachable(host.id, 'OK');

    // Without the passphrase the key does not open: the passphrase is what logged in.
    const noPass = await admin('POST', '/api/hosts', sshHost({ privateKey: readFileSync(key, 'utf8') }));
    expect((await reachable(noPass.json.host.id, 'CRITICAL'))!.summary).not.toContain(PASSPHRASE);

    // Removing the host removes the key file the API wrote.
    expect((await admin('DELETE', `/api/hosts/${host.id}`)).status).toBe(200);
    expect(existsSync(access.keyPath)).toBe(false);
  });
});

describe('how a host is reached is for admins only', () => {
  test('an engineer cannot add an agentless host, nor change its address, port, user, key, passphrase or community; name and tags they may', async () => {
    expect((await eng('POST', '/api/hosts', sshHost({ keyPath: 'acme_ed25519' }))).status).toBe(403);
    const snmpAdd = await eng('POST', '/api/hosts', { customerId: 'acme', name: 'sw', kind: 'snmp', address: '127.0.0.1', community: 'x' });
    expect(snmpAdd.status).toBe(403);
    expect(snmpAdd.json.error).toMatch(/^only admins set how the collector reaches a host/);

    const add = await admin('POST', '/api/hosts', sshHost({ keyPath: 'acme_ed25519' }));
    const id = add.json.host.id as string;
    const before = getRemoteAccess(collector.db, getHost(collector.db, id)!);
    for (const patch of [
      { address: '10.0.0.9' },
      { port: 2222 },
      { user: 'root' },
      { keyPath: 'acme_ed25519' },
      { privateKey: readFileSync(sshd.keyPath, 'utf8') },
      { passphrase: 'x' },
      { name: 'renamed', address: '10.0.0.9' },
    ]) {
      const r = await eng('PATCH', `/api/hosts/${id}`, patch);
      expect({ patch: Object.keys(patch), status: r.status }).toEqual({ patch: Object.keys(patch), status: 403 });
    }
    expect(getRemoteAccess(collector.db, getHost(collector.db, id)!)).toEqual(before);
    expect(getHost(collector.db, id)!.name).toBe(add.json.host.name);
    expect((await eng('PATCH', `/api/hosts/${id}`, { name: 'db-renamed', tags: ['db'] })).status).toBe(200);
    expect(getHost(collector.db, id)).toMatchObject({ name: 'db-renamed', tags: ['db'] });
  });
});

test('SNMP communities and SSH passphrases are not in clear in the database files', async () => {
  const snmp = await admin('POST', '/api/hosts', { customerId: 'beta', name: 'core-sw', kind: 'snmp', address: '192.0.2.1', community: COMMUNITY });
  expect(snmp.status).toBe(201);
  expect(getRemoteAccess(collector.db, getHost(collector.db, snmp.json.host.id)!)).toMatchObject({ community: COMMUNITY });
  const files = readdirSync(collector.dataDir).filter((f) => f.startsWith('patrol.db'));
  expect(files).toContain('patrol.db');
  const bytes = Buffer.concat(files.map((f) => readFileSync(join(collector.dataDir, f))));
  expect(bytes.includes(COMMUNITY)).toBe(false);
  expect(bytes.includes(PASSPHRASE)).toBe(false);
});
