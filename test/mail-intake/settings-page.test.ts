import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { startDovecot, type RunningDovecot } from '../helpers/dovecot.js';
import { createDashboardPlugin } from '../../collector/dashboard/plugin.js';
import { mailIntakePlugin } from '../../collector/mail-intake/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { getMailIntakeConfig, setMailIntakeConfig } from '../../collector/mail-intake/config-store.js';
import { listMailDomains } from '../../collector/mail-intake/senders.js';
import { httpLogin } from '../dashboard/world.js';

/**
 * The support mailbox's settings page (/settings/mail-intake): admins save the IMAP settings (the password sealed,
 * never shown back) and the customers' mail domains, and test the connection against a real Dovecot; engineers
 * and customer users are refused. The API (PUT /api/mail-intake/config) keeps working on the same store.
 */
let collector: TestCollector;
let dovecot: RunningDovecot;
type Session = { cookie: string; csrf: string };
let admin: Session;

beforeAll(async () => {
  [collector, dovecot] = await Promise.all([startTestCollector({}, { plugins: [mailIntakePlugin, createDashboardPlugin()] }), startDovecot()]);
  const now = Date.now();
  ensureCustomer(collector.db, 'acme', 'ACME 制造', now);
  ensureCustomer(collector.db, 'beta', 'Beta Corp', now);
  createUser(collector.db, { username: 'boss', password: 'admin-pass-12', role: 'admin', now });
  createUser(collector.db, { username: 'eng', password: 'engineer-pass-1', role: 'engineer', serves: ['acme'], now });
  createUser(collector.db, { username: 'cust', password: 'customer-pass-1', role: 'customer', customerId: 'acme', now });
  admin = await httpLogin(collector.url, 'boss', 'admin-pass-12');
}, 60_000);
afterAll(async () => {
  await collector?.destroy();
  await dovecot?.stop();
});

const get = (s: Session, path: string, lang = 'en') => fetch(`${collector.url}${path}`, { redirect: 'manual', headers: { cookie: `${s.cookie}; patrol_lang=${lang}` } });
const post = (s: Session, path: string, fields: Record<string, string>, lang = 'en') =>
  fetch(`${collector.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: `${s.cookie}; patrol_lang=${lang}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, _csrf: s.csrf }),
  });

const form = (over: Record<string, string> = {}): Record<string, string> => ({
  enabled: 'on',
  host: '127.0.0.1',
  port: String(dovecot.port),
  tls: 'plain',
  user: dovecot.user,
  password: dovecot.password,
  mailbox: 'INBOX',
  processedMailbox: '',
  pollEverySec: '30',
  maxFileMb: '5',
  maxMailMb: '20',
  ...over,
});

test('an admin saves the mailbox; the password is sealed, never shown back, kept when left empty', async () => {
  const empty = await get(admin, '/settings/mail-intake');
  expect(empty.status).toBe(200);
  const html0 = await empty.text();
  expect(html0).toContain('id="mail-intake-form"');
  expect(html0).toContain('data-tab="mail-intake"');

  const saved = await post(admin, '/settings/mail-intake', form());
  expect(saved.status).toBe(303);
  expect(saved.headers.get('location')).toBe('/settings/mail-intake?done=1');
  const stored = getMailIntakeConfig(collector.db)!;
  expect(stored).toMatchObject({ enabled: true, host: '127.0.0.1', port: dovecot.port, secure: false, requireTls: false, user: dovecot.user, pollEveryMs: 30_000, maxFileBytes: 5 * 1024 * 1024, hasPassword: true, password: dovecot.password });
  // Sealed at rest: the column never holds the password itself.
  const raw = collector.db.prepare('SELECT config, password FROM mail_intake_config').get() as { config: string; password: string };
  expect(raw.password).not.toContain(dovecot.password);
  expect(raw.config).not.toContain(dovecot.password);

  const page = await (await get(admin, '/settings/mail-intake')).text();
  expect(page).not.toContain(dovecot.password);
  expect(page).toContain('stored: leave empty to keep it');
  const api = await (await fetch(`${collector.url}/api/mail-intake/config`, { headers: { cookie: admin.cookie } })).text();
  expect(api).not.toContain(dovecot.password);

  // Saved again with the field empty: the password stays.
  expect((await post(admin, '/settings/mail-intake', form({ password: '', pollEverySec: '120' }))).status).toBe(303);
  expect(getMailIntakeConfig(collector.db)).toMatchObject({ pollEveryMs: 120_000, password: dovecot.password });
  // A bad value is refused with the reason and changes nothing.
  const bad = await post(admin, '/settings/mail-intake', form({ port: '70000' }));
  expect(bad.headers.get('location')).toContain('error=');
  expect(getMailIntakeConfig(collector.db)!.port).toBe(dovecot.port);

  const zh = await (await get(admin, '/settings/mail-intake', 'zh')).text();
  expect(zh).toContain('服务邮箱');
  expect(zh).toContain('已保存：留空则保持不变');
});

test('test connection logs in to the real IMAP server and says what it found; a wrong password says so', async () => {
  const ok = await post(admin, '/settings/mail-intake/test', form({ password: '' }));
  expect(ok.status).toBe(200);
  const okHtml = await ok.text();
  expect(okHtml).toContain('Logged in.');
  expect(okHtml).toMatch(/Folder INBOX: \d+ messages, \d+ unread\./);
  expect(okHtml).not.toContain(dovecot.password);

  const wrong = await (await post(admin, '/settings/mail-intake/test', form({ password: 'not-the-password' }), 'zh')).text();
  expect(wrong).toContain('测试失败：');
  expect(wrong).not.toContain('登录成功');
  const noFolder = await (await post(admin, '/settings/mail-intake/test', form({ password: '', mailbox: 'Support/Cases' }))).text();
  expect(noFolder).toContain('There is no folder Support/Cases on this server.');
  // Testing saves nothing.
  expect(getMailIntakeConfig(collector.db)).toMatchObject({ mailbox: 'INBOX', password: dovecot.password });
}, 60_000);

test("the customers' mail domains are set on the page, one customer per domain", async () => {
  expect((await post(admin, '/settings/mail-intake/domains/acme', { domains: 'acme.com.cn, ACME.cn' })).headers.get('location')).toBe('/settings/mail-intake?done=1');
  expect(listMailDomains(collector.db, ['acme']).map((d) => d.domain)).toEqual(['acme.cn', 'acme.com.cn']);
  expect((await post(admin, '/settings/mail-intake/domains/beta', { domains: 'acme.cn' })).headers.get('location')).toContain('error=');
  expect(listMailDomains(collector.db, ['beta'])).toEqual([]);
  expect(await (await get(admin, '/settings/mail-intake')).text()).toContain('value="acme.cn, acme.com.cn"');
});

test('engineers and customer users are refused and change nothing; the API still sets the same store', async () => {
  const before = JSON.stringify(getMailIntakeConfig(collector.db));
  for (const [user, pass] of [
    ['eng', 'engineer-pass-1'],
    ['cust', 'customer-pass-1'],
  ] as const) {
    const s = await httpLogin(collector.url, user, pass);
    expect((await get(s, '/settings/mail-intake')).status).toBe(404);
    expect((await post(s, '/settings/mail-intake', form({ host: 'evil.test' }))).status).toBe(404);
    expect((await post(s, '/settings/mail-intake/test', form())).status).toBe(404);
    expect((await post(s, '/settings/mail-intake/domains/acme', { domains: 'evil.test' })).status).toBe(404);
  }
  expect(JSON.stringify(getMailIntakeConfig(collector.db))).toBe(before);
  expect(listMailDomains(collector.db, ['acme']).map((d) => d.domain)).toEqual(['acme.cn', 'acme.com.cn']);
  // The store the page writes is the API's: a change through either shows in the other.
  setMailIntakeConfig(collector.db, { ...getMailIntakeConfig(collector.db)!, password: undefined, mailbox: 'Cases' }, Date.now());
  expect(await (await get(admin, '/settings/mail-intake')).text()).toContain('name="mailbox" required maxlength="200" value="Cases"');
});
