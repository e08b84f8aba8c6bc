import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { getChannelWithSecret } from '../../collector/notify/channels.js';
import { SECRET_KEY_FILE } from '../../collector/db/database.js';
import { apiClient } from '../remote/api.js';

/**
 * Issue 11, item 7: channel secrets at rest. A real collector in a data folder it makes itself; channels
 * created through the API; the database files read byte by byte; deliveries checked at a real receiver.
 */
const SECRET = {
  dingToken: 'ding-access-token-a1b2c3',
  dingSign: 'SECding-signing-secret-d4e5',
  bearer: 'Bearer webhook-bearer-f6a7b8',
  hookToken: 'hook-url-token-c9d0e1',
  smtpPassword: 'smtp-password-2f3a4b',
  slackPath: 'XXslackPathToken5c6d',
};

const parent = tempDir('secrets-channels');
let collector: TestCollector;
let rx: WebhookReceiver;
let admin: ReturnType<typeof apiClient>;
const ids: Record<'ding' | 'hook' | 'mail' | 'slack', string> = { ding: '', hook: '', mail: '', slack: '' };
const dataDir = join(parent.path, 'fresh', 'patrol-data');

beforeAll(async () => {
  rx = await startWebhookReceiver({ replyBody: '{"errcode":0,"code":0}' });
  // A data folder that does not exist yet: the collector makes it.
  collector = await startTestCollector({ dataDir }, { plugins: [ticketsPlugin] });
  ensureCustomer(collector.db, 'acme', 'ACME', Date.now());
  admin = apiClient(collector.url, 'admin', collector.adminPassword!);
});
afterAll(async () => {
  await collector?.destroy();
  await rx?.stop();
  parent.remove();
});

async function sendTest(id: string): Promise<ReceivedRequest> {
  const before = rx.received.length;
  const r = await admin('POST', `/api/notification-channels/${id}/test`);
  expect(r.json).toEqual({ ok: true });
  await rx.waitFor(before + 1);
  return rx.received[before]!;
}

test('the data folder is made 0700 and the secret key file in it 0600, 32 bytes', () => {
  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  const key = join(dataDir, SECRET_KEY_FILE);
  expect(statSync(key).mode & 0o777).toBe(0o600);
  expect(readFileSync(key)).toHaveLength(32);
  expect(statSync(join(dataDir, 'patrol.db')).mode & 0o777).toBe(0o600);
});

describe('channel secrets are sealed in the database and still delivered', () => {
  test('no secret is in the database files, byte for byte; the receivers get the right token, header and signature', async () => {
    const made = await Promise.all([
      admin('POST', '/api/notification-channels', { kind: 'dingtalk', name: 'ding', customerId: 'acme', config: { url: `${rx.url}/robot/send?access_token=${SECRET.dingToken}` }, secret: SECRET.dingSign }),
      admin('POST', '/api/notification-channels', { kind: 'webhook', name: 'hook', customerId: 'acme', config: { url: `${rx.url}/hook?token=${SECRET.hookToken}`, headers: { Authorization: SECRET.bearer } } }),
      admin('POST', '/api/notification-channels', { kind: 'email', name: 'mail', customerId: 'acme', config: { host: '127.0.0.1', port: 2525, user: 'patrol', from: 'patrol@patrol.test', to: ['ops@acme.test'] }, secret: SECRET.smtpPassword }),
      admin('POST', '/api/notification-channels', { kind: 'slack', name: 'slack', customerId: 'acme', config: { url: `${rx.url}/services/T0/B0/${SECRET.slackPath}` } }),
    ]);
    expect(made.map((m) => m.status)).toEqual([201, 201, 201, 201]);
    [ids.ding, ids.hook, ids.mail, ids.slack] = made.map((m) => m.json.channel.id as string);
    // requireTls is on unless turned off.
    expect(made[2]!.json.channel.config.requireTls).toBe(true);

    const files = readdirSync(dataDir).filter((f) => f.startsWith('patrol.db'));
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(dataDir, f))));
    expect(bytes.length).toBeGreaterThan(10_000);
    const inClear = Object.values(SECRET).filter((s) => bytes.includes(s) || bytes.includes(Buffer.from(s, 'utf16le')));
    expect(inClear).toEqual([]);

    const ding = await sendTest(ids.ding);
    const q = new URL(ding.path, 'http://x').searchParams;
    expect(q.get('access_token')).toBe(SECRET.dingToken);
    expect(q.get('sign')).toBe(createHmac('sha256', SECRET.dingSign).update(`${q.get('timestamp')}\n${SECRET.dingSign}`).digest('base64'));
    const hook = await sendTest(ids.hook);
    expect(hook.path).toBe(`/hook?token=${SECRET.hookToken}`);
    expect(hook.headers.authorization).toBe(SECRET.bearer);
    expect((await sendTest(ids.slack)).path).toBe(`/services/T0/B0/${SECRET.slackPath}`);
  });
});

describe('a channel sent somewhere new needs its secret again', () => {
  test('a new URL with the masked token, or without the signing secret or headers, is refused with the reason; nothing changes', async () => {
    const other = await startWebhookReceiver({ replyBody: '{"errcode":0}' });
    try {
      const attempts = [
        [ids.ding, { config: { url: `${other.url}/robot/send?access_token=****` } }, /the full URL .*the signing secret \(`secret`\) must be given again/],
        [ids.ding, { config: { url: `${other.url}/robot/send?access_token=new-token` } }, /the signing secret \(`secret`\) must be given again/],
        [ids.hook, { config: { url: `${other.url}/hook?token=${SECRET.hookToken}` } }, /the headers .* must be given again/],
        [ids.hook, { config: { url: `${other.url}/hook?token=x`, headers: { Authorization: '(stored)' } } }, /the headers .* must be given again/],
        [ids.slack, { config: { url: `${other.url}/services/T0/B0/****` } }, /the full URL \(its masked \*\*\*\* parts are not carried to a new URL\) must be given again/],
        [ids.mail, { config: { host: '127.0.0.2' } }, /the SMTP password \(`secret`\) must be given again/],
        [ids.mail, { config: { to: ['attacker@evil.test'] } }, /the SMTP password/],
        [ids.mail, { config: { requireTls: false } }, /the SMTP password/],
        [ids.mail, { config: { port: 25, tlsRejectUnauthorized: false } }, /the SMTP password/],
      ] as const;
      for (const [id, patch, reason] of attempts) {
        const before = getChannelWithSecret(collector.db, id);
        const r = await admin('PATCH', `/api/notification-channels/${id}`, patch);
        expect({ patch, status: r.status }).toEqual({ patch, status: 400 });
        expect(r.json.detail).toMatch(/^the channel's destination changed, so /);
        expect(r.json.detail).toMatch(reason);
        expect(getChannelWithSecret(collector.db, id)).toEqual(before);
      }
      expect(other.received).toHaveLength(0);
      // Still delivered where it was.
      expect((await sendTest(ids.ding)).path).toMatch(new RegExp(`^/robot/send\\?access_token=${SECRET.dingToken}&`));

      // A rename, or the masked URL sent back unchanged, needs nothing.
      const view = (await admin('GET', `/api/notification-channels/${ids.ding}`)).json.channel;
      expect((await admin('PATCH', `/api/notification-channels/${ids.ding}`, { name: 'ding 2', config: view.config })).status).toBe(200);
      expect((await admin('PATCH', `/api/notification-channels/${ids.mail}`, { name: 'mail 2', config: { requireTls: true, lang: 'en' } })).status).toBe(200);

      // With the secret given again, the move goes through and the new place gets the new values.
      const moved = await admin('PATCH', `/api/notification-channels/${ids.ding}`, { config: { url: `${other.url}/robot/send?access_token=token-2` }, secret: 'SECsecond-secret' });
      expect(moved.status).toBe(200);
      const r = await admin('POST', `/api/notification-channels/${ids.ding}/test`);
      expect(r.json).toEqual({ ok: true });
      await other.waitFor(1);
      const q = new URL(other.received[0]!.path, 'http://x').searchParams;
      expect(q.get('access_token')).toBe('token-2');
      expect(q.get('sign')).toBe(createHmac('sha256', 'SECsecond-secret').update(`${q.get('timestamp')}\nSECsecond-secret`).digest('base64'));
      expect((await admin('PATCH', `/api/notification-channels/${ids.mail}`, { config: { host: '127.0.0.2' }, secret: SECRET.smtpPassword })).status).toBe(200);
      expect((await admin('PATCH', `/api/notification-channels/${ids.hook}`, { config: { url: `${other.url}/hook2`, headers: {} } })).status).toBe(200);
    } finally {
      await other.stop();
    }
  });
});
