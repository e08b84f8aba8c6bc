import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, openSession, screenshot, submitForm as submit, submitRefused as refused, type BrowserSession } from '../helpers/browser.js';
import { startSmtpServer, type RunningSmtpServer } from '../helpers/smtp-server.js';
import { freePort } from '../helpers/ports.js';
import { createChannel, getChannel, getChannelWithSecret, type ChannelView } from '../../collector/notify/channels.js';
import { httpLogin, PASSWORDS, startDashboardWorld, XSS_NAME, type DashboardWorld } from './world.js';

const SMTP_USER = 'mailer';
const OLD_PASSWORD = 'old-Smtp-pass-1';
const NEW_PASSWORD = 'new-Smtp-pass-2';

let world: DashboardWorld;
let browser: Browser;
let smtp: RunningSmtpServer;
let admin: BrowserSession;
let mail: ChannelView;
let hook: ChannelView;
let deadPort: number;

beforeAll(async () => {
  [world, browser, smtp] = await Promise.all([startDashboardWorld(), launchBrowser(), startSmtpServer({ auth: { user: SMTP_USER, password: NEW_PASSWORD } })]);
  admin = await openSession(browser);
  await logIn(admin, world.url, 'admin', world.adminPassword);
  const db = world.collector.db;
  // The stored settings point at a port nobody listens on, with the old password: the edit must fix both.
  deadPort = await freePort();
  mail = createChannel(
    db,
    { kind: 'email', name: 'Ops mail', secret: OLD_PASSWORD, config: { host: '127.0.0.1', port: deadPort, user: SMTP_USER, from: 'patrol@example.test', to: ['ops@example.test'], notifyOnDuty: false, lang: 'en' } },
    Date.now(),
  );
  hook = createChannel(db, { kind: 'webhook', name: 'Hook', customerId: 'acme', config: { url: 'http://127.0.0.1:9/old' } }, Date.now());
});

afterAll(async () => {
  await admin?.context.close();
  await browser?.close();
  await smtp?.stop();
  await world?.collector.destroy();
});

const secret = () => getChannelWithSecret(world.collector.db, mail.id)!.secret;

const f = '#channel-edit-form';

test('an admin edits SMTP settings: an empty password field keeps the stored one, a typed one replaces it, and the test mail then gets through', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings#channels`);
  await Promise.all([p.waitForURL(/\/settings\/channels\//), p.click(`tr[data-channel="${mail.id}"] a[data-edit-channel]`)]);
  expect(await p.locator('#password-state').innerText()).toContain('password stored');
  expect(await p.inputValue(`${f} input[name="password"]`)).toBe('');
  expect(await p.inputValue(`${f} input[name="user"]`)).toBe(SMTP_USER);

  // A recipient that is not an address: the API's reason is shown, nothing is changed.
  await p.fill(`${f} input[name="port"]`, String(smtp.port));
  await p.fill(`${f} input[name="to"]`, 'not-an-address');
  expect(await refused(admin, f)).toContain('invalid channel config');
  expect(getChannel(world.collector.db, mail.id)!.config).toMatchObject({ port: deadPort, to: ['ops@example.test'] });

  // Port and recipients changed, password field left empty: the old password stays.
  await p.fill(`${f} input[name="to"]`, 'ops@example.test, noc@example.test');
  await p.fill(`${f} input[name="name"]`, XSS_NAME);
  await submit(admin, f);
  expect(getChannel(world.collector.db, mail.id)).toMatchObject({ name: XSS_NAME, hasPassword: true, config: { port: smtp.port, to: ['ops@example.test', 'noc@example.test'], user: SMTP_USER } });
  expect(secret()).toBe(OLD_PASSWORD);
  expect(await p.inputValue(`${f} input[name="port"]`)).toBe(String(smtp.port));
  expect(await p.inputValue(`${f} input[name="password"]`)).toBe('');

  // With the old password the server refuses the test mail.
  await p.goto(`${world.url}/settings#channels`);
  await Promise.all([p.waitForEvent('load'), p.click(`tr[data-channel="${mail.id}"] button:has-text("Send test")`)]);
  expect(p.url()).toContain('error=');
  expect(smtp.mails).toHaveLength(0);

  // A new password typed in: stored, and the test mail is accepted with it.
  await p.goto(`${world.url}/settings/channels/${mail.id}`);
  await p.fill(`${f} input[name="password"]`, NEW_PASSWORD);
  await submit(admin, f);
  expect(secret()).toBe(NEW_PASSWORD);
  expect(await p.inputValue(`${f} input[name="password"]`)).toBe('');
  await p.goto(`${world.url}/settings#channels`);
  expect(await p.locator(`tr[data-channel="${mail.id}"] td`).first().textContent()).toBe(XSS_NAME);
  expect(await p.locator('#channels img').count()).toBe(0);
  await Promise.all([p.waitForEvent('load'), p.click(`tr[data-channel="${mail.id}"] button:has-text("Send test")`)]);
  expect(p.url()).toContain('done=1');
  expect(smtp.mails).toHaveLength(1);
  expect(smtp.mails[0]).toMatchObject({ authUser: SMTP_USER, to: ['ops@example.test', 'noc@example.test'] });
  expect(admin.dialogs).toEqual([]);

  // No page or API answer carries either password.
  const session = await httpLogin(world.url, 'admin', world.adminPassword);
  for (const path of ['/settings', `/settings/channels/${mail.id}`, '/api/notification-channels', `/api/notification-channels/${mail.id}`]) {
    const text = await (await fetch(`${world.url}${path}`, { headers: { cookie: session.cookie } })).text();
    expect({ path, old: text.includes(OLD_PASSWORD), now: text.includes(NEW_PASSWORD) }).toEqual({ path, old: false, now: false });
  }
  await p.goto(`${world.url}/settings/channels/${mail.id}`);
  expect(await p.content()).not.toContain(NEW_PASSWORD);
  await screenshot(p, 'settings-channel-edit');

  // The "remove" box clears it.
  await p.check(`${f} input[name="clearPassword"]`);
  await submit(admin, f);
  expect(secret()).toBeNull();
  expect(await p.locator('#password-state').innerText()).toContain('no password');
});

test('an admin changes a webhook URL; a URL the API refuses is shown and the old one stays', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/channels/${hook.id}`);
  await p.fill(`${f} input[name="url"]`, 'ftp://127.0.0.1/x');
  expect(await refused(admin, f)).toContain('invalid channel config');
  expect(getChannel(world.collector.db, hook.id)!.config).toMatchObject({ url: 'http://127.0.0.1:9/old' });

  await p.fill(`${f} input[name="url"]`, 'http://127.0.0.1:9/new');
  await p.uncheck(`${f} input[name="enabled"]`);
  await submit(admin, f);
  expect(getChannel(world.collector.db, hook.id)).toMatchObject({ enabled: false, config: { url: 'http://127.0.0.1:9/new' } });
  expect(await p.inputValue(`${f} input[name="url"]`)).toBe('http://127.0.0.1:9/new');
  expect(await p.isChecked(`${f} input[name="enabled"]`)).toBe(false);
});

test('non-admins get 404 for the edit page; a change without the CSRF header is refused', async () => {
  const eng = await httpLogin(world.url, 'eng', PASSWORDS.eng);
  expect((await fetch(`${world.url}/settings/channels/${hook.id}`, { headers: { cookie: eng.cookie } })).status).toBe(404);
  const cust = await httpLogin(world.url, 'cust-a', PASSWORDS.custA);
  expect((await fetch(`${world.url}/settings/channels/${hook.id}`, { headers: { cookie: cust.cookie } })).status).toBe(404);
  const a = await httpLogin(world.url, 'admin', world.adminPassword);
  const res = await fetch(`${world.url}/api/notification-channels/${mail.id}`, {
    method: 'PATCH',
    headers: { cookie: a.cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ secret: 'stolen-password' }),
  });
  expect(res.status).toBe(401);
  expect(secret()).toBeNull();
});
