import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, openSession, screenshot, submitForm as submit, submitRefused as refused, type BrowserSession } from '../helpers/browser.js';
import { createHmac } from 'node:crypto';
import { startSmtpServer, type RunningSmtpServer } from '../helpers/smtp-server.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { freePort } from '../helpers/ports.js';
import { createChannel, getChannel, getChannelWithSecret, type ChannelView } from '../../collector/notify/channels.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { httpLogin, PASSWORDS, startDashboardWorld, XSS_NAME, type DashboardWorld } from './world.js';

const SMTP_USER = 'mailer';
const OLD_PASSWORD = 'old-Smtp-pass-1';
const NEW_PASSWORD = 'new-Smtp-pass-2';
const OLD_SIGN = 'SECold0ding0sign0secret0aaaaaaaaaaaaaaaa';
const NEW_SIGN = 'SECnew1ding1sign1secret1bbbbbbbbbbbbbbbb';
const FEISHU_SIGN = 'feishu-sign-secret-3';

let world: DashboardWorld;
let browser: Browser;
let smtp: RunningSmtpServer;
let admin: BrowserSession;
let mail: ChannelView;
let hook: ChannelView;
let ding: ChannelView;
let feishu: ChannelView;
let robot: WebhookReceiver;
let deadPort: number;

beforeAll(async () => {
  [world, browser, smtp, robot] = await Promise.all([
    startDashboardWorld(),
    launchBrowser(),
    startSmtpServer({ auth: { user: SMTP_USER, password: NEW_PASSWORD } }),
    // Answers as DingTalk and Feishu robots do when they accept a message.
    startWebhookReceiver({ replyBody: '{"errcode":0,"code":0}' }),
  ]);
  admin = await openSession(browser);
  await logIn(admin, world.url, 'admin', world.adminPassword);
  const db = world.collector.db;
  // The stored settings point at a port nobody listens on, with the old password: the edit must fix both.
  deadPort = await freePort();
  mail = createChannel(
    db,
    { kind: 'email', name: 'Ops mail', secret: OLD_PASSWORD, config: { host: '127.0.0.1', port: deadPort, user: SMTP_USER, from: 'patrol@example.test', to: ['ops@example.test'], notifyOnDuty: false, lang: 'en', requireTls: false } },
    Date.now(),
  );
  hook = createChannel(db, { kind: 'webhook', name: 'Hook', customerId: 'acme', config: { url: 'http://127.0.0.1:9/old' } }, Date.now());
  ding = createChannel(db, { kind: 'dingtalk', name: 'ACME DingTalk', customerId: 'acme', secret: OLD_SIGN, config: { url: `${robot.url}/ding`, lang: 'en' } }, Date.now());
  feishu = createChannel(db, { kind: 'feishu', name: 'Feishu', config: { url: `${robot.url}/feishu`, lang: 'zh' } }, Date.now());
});

afterAll(async () => {
  await admin?.context.close();
  await browser?.close();
  await smtp?.stop();
  await robot?.stop();
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

  // Port and recipients changed, password field left empty: refused (a stored password never goes to a new
  // server or port: issue 11); typed again with the change (the old one here), it is stored as it was.
  await p.fill(`${f} input[name="to"]`, 'ops@example.test, noc@example.test');
  await p.fill(`${f} input[name="name"]`, XSS_NAME);
  expect(await refused(admin, f)).toContain('the SMTP password (`secret`) must be given again');
  expect(getChannel(world.collector.db, mail.id)!.config).toMatchObject({ port: deadPort, to: ['ops@example.test'] });
  await p.fill(`${f} input[name="password"]`, OLD_PASSWORD);
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
  for (const path of ['/settings/channels', `/settings/channels/${mail.id}`, '/api/notification-channels', `/api/notification-channels/${mail.id}`]) {
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

const storedSecret = (id: string) => getChannelWithSecret(world.collector.db, id)!.secret;

/** Press "Send test" for a channel on /settings, as an admin would; what the robot received. */
async function sendTest(channelId: string): Promise<ReceivedRequest> {
  const p = admin.page;
  const before = robot.received.length;
  await p.goto(`${world.url}/settings#channels`);
  await Promise.all([p.waitForEvent('load'), p.click(`tr[data-channel="${channelId}"] button:has-text("Send test")`)]);
  expect(p.url()).toContain('done=1');
  await robot.waitFor(before + 1);
  return robot.received[before]!;
}

/** DingTalk "加签": timestamp and sign in the query; sign = base64 HMAC-SHA256 keyed with the secret over "timestamp\nsecret". */
function dingtalkSignature(r: ReceivedRequest): { timestamp: string | null; sign: string | null } {
  const q = new URL(r.path, 'http://x').searchParams;
  return { timestamp: q.get('timestamp'), sign: q.get('sign') };
}
const dingtalkSign = (secret: string, timestamp: string) => createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');

/** Every page and API answer an admin can load about channels; none may carry a secret. */
async function pagesCarry(...secrets: string[]): Promise<string[]> {
  const session = await httpLogin(world.url, 'admin', world.adminPassword);
  const found: string[] = [];
  for (const path of ['/settings/channels', `/settings/channels/${ding.id}`, `/settings/channels/${feishu.id}`, '/api/notification-channels', `/api/notification-channels/${ding.id}`]) {
    const text = await (await fetch(`${world.url}${path}`, { headers: { cookie: session.cookie } })).text();
    for (const s of secrets) if (text.includes(s)) found.push(`${path}: ${s}`);
  }
  return found;
}

test('DingTalk signing secret: never in the page; an empty field keeps it, a typed one replaces it, "remove" clears it; the robot sees each', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings#channels`);
  await Promise.all([p.waitForURL(/\/settings\/channels\//), p.click(`tr[data-channel="${ding.id}"] a[data-edit-channel]`)]);
  expect(await p.locator('#secret-state').innerText()).toContain('signing secret stored');
  expect(await p.inputValue(`${f} input[name="secret"]`)).toBe('');
  expect(await p.getAttribute(`${f} input[name="secret"]`, 'type')).toBe('password');
  expect(await p.content()).not.toContain(OLD_SIGN);

  // Name changed, secret field left empty: the stored secret stays, and the robot's messages are signed with it.
  await p.fill(`${f} input[name="name"]`, `DingTalk ${XSS_NAME}`);
  await submit(admin, f);
  expect(getChannel(world.collector.db, ding.id)).toMatchObject({ name: `DingTalk ${XSS_NAME}`, hasSecret: true, customerId: 'acme', config: { url: `${robot.url}/ding` } });
  expect(storedSecret(ding.id)).toBe(OLD_SIGN);
  expect(await p.content()).not.toContain(OLD_SIGN);
  expect(await p.inputValue(`${f} input[name="secret"]`)).toBe('');
  let sig = dingtalkSignature(await sendTest(ding.id));
  expect(sig.timestamp).toMatch(/^\d+$/);
  expect(sig.sign).toBe(dingtalkSign(OLD_SIGN, sig.timestamp!));

  // A new secret typed in: stored, never shown, and the next message is signed with it.
  await p.goto(`${world.url}/settings/channels/${ding.id}`);
  await p.fill(`${f} input[name="secret"]`, NEW_SIGN);
  await submit(admin, f);
  expect(storedSecret(ding.id)).toBe(NEW_SIGN);
  const html = await p.content();
  expect({ old: html.includes(OLD_SIGN), now: html.includes(NEW_SIGN) }).toEqual({ old: false, now: false });
  expect(await p.inputValue(`${f} input[name="secret"]`)).toBe('');
  expect(await p.locator('#secret-state').innerText()).toContain('signing secret stored');
  sig = dingtalkSignature(await sendTest(ding.id));
  expect(sig.sign).toBe(dingtalkSign(NEW_SIGN, sig.timestamp!));
  expect(sig.sign).not.toBe(dingtalkSign(OLD_SIGN, sig.timestamp!));
  expect(await pagesCarry(OLD_SIGN, NEW_SIGN)).toEqual([]);
  await p.goto(`${world.url}/settings#channels`);
  expect(await p.locator(`tr[data-channel="${ding.id}"] td`).first().textContent()).toBe(`DingTalk ${XSS_NAME}`);
  expect(await p.locator(`tr[data-channel="${ding.id}"]`).innerText()).toContain('signing secret stored');
  expect(await p.locator('#channels img').count()).toBe(0);

  // "Remove": the secret is gone and messages go unsigned.
  await p.goto(`${world.url}/settings/channels/${ding.id}`);
  await screenshot(p, 'settings-channel-edit-dingtalk');
  await p.check(`${f} input[name="clearSecret"]`);
  await submit(admin, f);
  expect(storedSecret(ding.id)).toBeNull();
  expect(await p.locator('#secret-state').innerText()).toContain('no signing secret');
  expect(await p.locator(`${f} input[name="clearSecret"]`).count()).toBe(0);
  sig = dingtalkSignature(await sendTest(ding.id));
  expect(sig).toEqual({ timestamp: null, sign: null });
  expect(admin.dialogs).toEqual([]);
});

test('Feishu: a signing secret added on the edit page (stray spaces dropped) signs the messages; the customer select left alone keeps "all customers"', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/channels/${feishu.id}`);
  expect(await p.locator('#secret-state').innerText()).toContain('no signing secret');
  expect(await p.locator(`${f} input[name="clearSecret"]`).count()).toBe(0);
  expect(await p.inputValue(`${f} select[name="customerId"]`)).toBe('');
  expect(await p.locator(`${f} select[name="customerId"] option:checked`).innerText()).toBe('All customers');
  let got = await sendTest(feishu.id);
  expect(got.body).not.toHaveProperty('sign');

  await p.goto(`${world.url}/settings/channels/${feishu.id}`);
  await p.fill(`${f} input[name="secret"]`, `  ${FEISHU_SIGN} `);
  await submit(admin, f);
  expect(storedSecret(feishu.id)).toBe(FEISHU_SIGN);
  expect(await p.content()).not.toContain(FEISHU_SIGN);
  expect(getChannel(world.collector.db, feishu.id)!.customerId).toBeNull();
  got = await sendTest(feishu.id);
  const body = got.body as { timestamp: string; sign: string };
  expect(body.timestamp).toMatch(/^\d+$/);
  expect(body.sign).toBe(createHmac('sha256', `${body.timestamp}\n${FEISHU_SIGN}`).update('').digest('base64'));
  expect(await pagesCarry(FEISHU_SIGN)).toEqual([]);

  // The page in Chinese says the same.
  const session = await httpLogin(world.url, 'admin', world.adminPassword);
  const zh = await (await fetch(`${world.url}/settings/channels/${feishu.id}`, { headers: { cookie: `${session.cookie}; patrol_lang=zh` } })).text();
  expect(zh).toContain('已存加签密钥');
  expect(zh).toContain('删除已存加签密钥');
  expect(zh).not.toContain(FEISHU_SIGN);
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

/** What the API says about a channel, as an admin (session cookie over plain HTTP). */
async function apiChannel(id: string): Promise<ChannelView & { config: Record<string, unknown> }> {
  const session = await httpLogin(world.url, 'admin', world.adminPassword);
  const res = await fetch(`${world.url}/api/notification-channels/${id}`, { headers: { cookie: session.cookie } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { channel: ChannelView & { config: Record<string, unknown> } }).channel;
}

test("an admin moves a channel to another customer with the select, sees it saved, then sets it to all customers", async () => {
  const db = world.collector.db;
  // A customer whose name is markup: it must show as text in the select.
  ensureCustomer(db, 'evil', XSS_NAME, Date.now());
  const moving = createChannel(db, { kind: 'slack', name: 'Moving hook', customerId: 'acme', config: { url: `${robot.url}/slack` } }, Date.now());
  const p = admin.page;
  const select = `${f} select[name="customerId"]`;
  await p.goto(`${world.url}/settings#channels`);
  expect(await p.locator(`tr[data-channel="${moving.id}"] td`).nth(2).innerText()).toBe('acme');
  await Promise.all([p.waitForURL(/\/settings\/channels\//), p.click(`tr[data-channel="${moving.id}"] a[data-edit-channel]`)]);
  expect(await p.inputValue(select)).toBe('acme');
  const options = await p.locator(`${select} option`).evaluateAll((els) => els.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
  expect(options).toEqual([
    ['', 'All customers'],
    ['acme', 'ACME 制造'],
    ['beta', 'Beta Bank'],
    ['evil', XSS_NAME],
  ]);
  expect(await p.locator('#channel-edit img').count()).toBe(0);

  await p.selectOption(select, 'beta');
  await submit(admin, f);
  expect(await p.inputValue(select)).toBe('beta');
  expect(p.url()).toContain('done=1');
  expect(await apiChannel(moving.id)).toMatchObject({ customerId: 'beta', name: 'Moving hook', config: { url: `${robot.url}/slack` } });
  await p.goto(`${world.url}/settings#channels`);
  expect(await p.locator(`tr[data-channel="${moving.id}"] td`).nth(2).innerText()).toBe('beta');

  // "All customers"
  await p.goto(`${world.url}/settings/channels/${moving.id}`);
  await p.selectOption(select, '');
  await submit(admin, f);
  expect(await p.inputValue(select)).toBe('');
  expect((await apiChannel(moving.id)).customerId).toBeNull();
  await p.goto(`${world.url}/settings#channels`);
  expect(await p.locator(`tr[data-channel="${moving.id}"] td`).nth(2).innerText()).toBe('*');
  expect(await p.locator('#channels img').count()).toBe(0);
  expect(admin.dialogs).toEqual([]);

  // A customer that disappeared from the list while the page was open: the API's reason is shown, nothing changes.
  await p.goto(`${world.url}/settings/channels/${moving.id}`);
  await p.locator(`${select} option[value="evil"]`).evaluate((o) => ((o as HTMLOptionElement).value = 'gone-customer'));
  await p.selectOption(select, 'gone-customer');
  expect(await refused(admin, f)).toContain('customer not found');
  expect((await apiChannel(moving.id)).customerId).toBeNull();

  // In Chinese: the select's "all customers" and the hint, escaped customer names.
  const session = await httpLogin(world.url, 'admin', world.adminPassword);
  const zh = await (await fetch(`${world.url}/settings/channels/${moving.id}`, { headers: { cookie: `${session.cookie}; patrol_lang=zh` } })).text();
  expect(zh).toContain('全部客户');
  expect(zh).toContain('此前为原客户排队中的通知不再经此渠道发送');
  expect(zh).not.toContain(XSS_NAME);
  expect(zh).toContain('&lt;img src=x onerror=alert(1)&gt;');
});

test('Require TLS: the e-mail create form has it ticked (on by default) and stores it off when unticked; the edit form shows and changes it', async () => {
  const p = admin.page;
  const create = '#email-channel-form';
  const fillMail = async (name: string) => {
    await p.goto(`${world.url}/settings#channels`);
    await p.fill(`${create} input[name="name"]`, name);
    await p.fill(`${create} input[name="host"]`, '127.0.0.1');
    await p.fill(`${create} input[name="port"]`, String(smtp.port));
    await p.fill(`${create} input[name="from"]`, 'patrol@example.test');
    await p.selectOption(`${create} select[name="customerId"]`, 'beta');
  };
  await fillMail('Strict mail');
  expect(await p.isChecked(`${create} input[name="requireTls"]`)).toBe(true);
  expect(await p.locator(`${create} label:has(input[name="requireTls"])`).innerText()).toContain('Require TLS (never send the password in plaintext)');
  await p.check(`${create} input[name="requireTls"]`);
  await Promise.all([p.waitForEvent('load'), p.click(`${create} button[type="submit"]`)]);
  expect(p.url()).toContain('done=1');
  await fillMail('Lax mail');
  await p.uncheck(`${create} input[name="requireTls"]`);
  await Promise.all([p.waitForEvent('load'), p.click(`${create} button[type="submit"]`)]);
  expect(p.url()).toContain('done=1');

  const session = await httpLogin(world.url, 'admin', world.adminPassword);
  const listed = ((await (await fetch(`${world.url}/api/notification-channels`, { headers: { cookie: session.cookie } })).json()) as { channels: Array<ChannelView & { config: Record<string, unknown> }> }).channels;
  const strict = listed.find((c) => c.name === 'Strict mail')!;
  const lax = listed.find((c) => c.name === 'Lax mail')!;
  expect(strict).toMatchObject({ kind: 'email', customerId: 'beta', config: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: true } });
  expect(lax.config.requireTls).toBe(false);

  // The edit form shows it; unticking and ticking again goes through the PATCH.
  const box = `${f} input[name="requireTls"]`;
  await p.goto(`${world.url}/settings/channels/${strict.id}`);
  expect(await p.isChecked(box)).toBe(true);
  expect(await p.inputValue(`${f} select[name="customerId"]`)).toBe('beta');
  await p.uncheck(box);
  await submit(admin, f);
  expect(await p.isChecked(box)).toBe(false);
  expect((await apiChannel(strict.id)).config).toMatchObject({ requireTls: false, port: smtp.port });
  await p.check(box);
  await submit(admin, f);
  expect(await p.isChecked(box)).toBe(true);
  expect(await apiChannel(strict.id)).toMatchObject({ customerId: 'beta', config: { requireTls: true } });
  await p.goto(`${world.url}/settings/channels/${lax.id}`);
  expect(await p.isChecked(box)).toBe(false);
  await screenshot(p, 'settings-channel-edit-require-tls');

  // The Chinese label on both forms.
  for (const path of ['/settings/channels', `/settings/channels/${strict.id}`]) {
    const zh = await (await fetch(`${world.url}${path}`, { headers: { cookie: `${session.cookie}; patrol_lang=zh` } })).text();
    expect({ path, label: zh.includes('强制 TLS（绝不以明文发送密码）') }).toEqual({ path, label: true });
  }
  expect(admin.dialogs).toEqual([]);
});
