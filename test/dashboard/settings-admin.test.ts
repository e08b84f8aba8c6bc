import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, openSession, screenshot, type BrowserSession } from '../helpers/browser.js';
import { startSmtpServer, type RunningSmtpServer } from '../helpers/smtp-server.js';
import { getChannelWithSecret, listChannels } from '../../collector/notify/channels.js';
import { findUserByName, visibleCustomerIds } from '../../collector/db/users.js';
import { getContract } from '../../collector/contracts/contract-store.js';
import { httpLogin, PASSWORDS, startDashboardWorld, XSS_NAME, type DashboardWorld } from './world.js';

const SMTP_USER = 'mailer';
const SMTP_PASSWORD = 'smtp-Secret-pass-9';

let world: DashboardWorld;
let browser: Browser;
let smtp: RunningSmtpServer;
let admin: BrowserSession;

beforeAll(async () => {
  [world, browser, smtp] = await Promise.all([startDashboardWorld(), launchBrowser(), startSmtpServer({ auth: { user: SMTP_USER, password: SMTP_PASSWORD } })]);
  admin = await openSession(browser);
  await logIn(admin, world.url, 'admin', world.adminPassword);
});

afterAll(async () => {
  await admin?.context.close();
  await browser?.close();
  await smtp?.stop();
  await world?.collector.destroy();
});

const clickAndLoad = (s: BrowserSession, selector: string) => Promise.all([s.page.waitForEvent('load'), s.page.click(selector)]);
const get = (path: string, cookie: string) => fetch(`${world.url}${path}`, { headers: { cookie }, redirect: 'manual' });

describe('an SMTP channel', () => {
  test('is created in the settings form, sends its test mail through a real SMTP server with the password, and the password never comes back', async () => {
    const p = admin.page;
    await p.goto(`${world.url}/settings/channels`);
    const f = '#email-channel-form';
    await p.fill(`${f} input[name="name"]`, 'Ops mail');
    await p.fill(`${f} input[name="host"]`, '127.0.0.1');
    await p.fill(`${f} input[name="port"]`, String(smtp.port));
    await p.fill(`${f} input[name="user"]`, SMTP_USER);
    await p.fill(`${f} input[name="password"]`, SMTP_PASSWORD);
    await p.fill(`${f} input[name="from"]`, 'patrol@example.test');
    await p.fill(`${f} input[name="to"]`, 'ops@example.test, noc@example.test');
    await p.uncheck(`${f} input[name="notifyOnDuty"]`);
    // The test SMTP server speaks plain SMTP only: Require TLS (on by default) is turned off for it.
    await p.uncheck(`${f} input[name="requireTls"]`);
    await p.selectOption(`${f} select[name="lang"]`, 'en');
    await clickAndLoad(admin, `${f} button[type="submit"]`);
    expect(p.url()).toContain('done=1');

    const channel = listChannels(world.collector.db).find((c) => c.name === 'Ops mail')!;
    expect(channel).toMatchObject({ kind: 'email', hasPassword: true, config: { host: '127.0.0.1', port: smtp.port, secure: false, user: SMTP_USER, to: ['ops@example.test', 'noc@example.test'], notifyOnDuty: false, lang: 'en' } });
    expect(getChannelWithSecret(world.collector.db, channel.id)!.secret).toBe(SMTP_PASSWORD);
    const row = p.locator(`tr[data-channel="${channel.id}"]`);
    expect(await row.innerText()).toContain('password stored');
    expect(await p.inputValue(`${f} input[name="password"]`)).toBe('');

    await clickAndLoad(admin, `tr[data-channel="${channel.id}"] button:has-text("Send test")`);
    expect(p.url()).toContain('done=1');
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({ authUser: SMTP_USER, from: 'patrol@example.test', to: ['ops@example.test', 'noc@example.test'] });
    await screenshot(p, 'settings-channels');

    const session = await httpLogin(world.url, 'admin', world.adminPassword);
    for (const path of ['/settings/channels', '/api/notification-channels', `/api/notification-channels/${channel.id}`]) {
      const text = await (await get(path, session.cookie)).text();
      expect({ path, leaks: text.includes(SMTP_PASSWORD) }).toEqual({ path, leaks: false });
    }
    expect(await p.content()).not.toContain(SMTP_PASSWORD);
  });

  test('a form without a sender address is refused with the reason and stores nothing', async () => {
    const session = await httpLogin(world.url, 'admin', world.adminPassword);
    const before = listChannels(world.collector.db).length;
    const res = await fetch(`${world.url}/settings/channels/email`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrf, name: 'bad', host: '127.0.0.1', port: '25', from: '' }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('error=');
    // Without the CSRF token: refused outright.
    const noToken = await fetch(`${world.url}/settings/channels/email`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'x', host: '127.0.0.1', from: 'a@b.test' }).toString(),
    });
    expect(noToken.status).toBe(403);
    expect(listChannels(world.collector.db)).toHaveLength(before);
  });
});

describe('users', () => {
  test('an admin changes which customers an engineer serves, and the engineer sees exactly those', async () => {
    const p = admin.page;
    const engId = findUserByName(world.collector.db, 'eng')!.id;
    const betaHost = world.betaHosts[0]!;
    const acmeHost = world.acmeHosts[0]!;
    const eng = await httpLogin(world.url, 'eng', PASSWORDS.eng);
    expect((await get(`/hosts/${betaHost.id}`, eng.cookie)).status).toBe(404);

    await p.goto(`${world.url}/settings/users`);
    await clickAndLoad(admin, 'tr[data-user="eng"] a');
    expect(p.url()).toContain(`/settings/users/${engId}`);
    await p.check('#serves input[value="beta"]');
    await p.uncheck('#serves input[value="acme"]');
    await p.fill('#user-form input[name="displayName"]', XSS_NAME);
    await clickAndLoad(admin, '#user-form button[type="submit"]');
    expect(p.url()).toContain('done=1');
    expect(visibleCustomerIds(world.collector.db, findUserByName(world.collector.db, 'eng')!)).toEqual(['beta']);
    // The same session, next request: the new set holds at once.
    expect((await get(`/hosts/${betaHost.id}`, eng.cookie)).status).toBe(200);
    expect((await get(`/hosts/${acmeHost.id}`, eng.cookie)).status).toBe(404);
    expect((await get(`/api/hosts/${acmeHost.id}`, eng.cookie)).status).toBe(404);

    await p.goto(`${world.url}/settings/users`);
    expect(await p.locator('tr[data-user="eng"] td').nth(1).textContent()).toBe(XSS_NAME);
    expect(await p.locator('#user-list img').count()).toBe(0);
    expect(admin.dialogs).toEqual([]);
    await screenshot(p, 'settings-users');

    // Back as it was, for the stories after this one.
    await p.goto(`${world.url}/settings/users/${engId}`);
    await p.check('#serves input[value="acme"]');
    await p.uncheck('#serves input[value="beta"]');
    await p.fill('#user-form input[name="displayName"]', 'Engineer Li');
    await clickAndLoad(admin, '#user-form button[type="submit"]');
    expect(visibleCustomerIds(world.collector.db, findUserByName(world.collector.db, 'eng')!)).toEqual(['acme']);
  });

  test('a disabled user is logged out at once and cannot log in; enabled again, they can', async () => {
    const p = admin.page;
    const custB = await httpLogin(world.url, 'cust-b', PASSWORDS.custB);
    expect((await get('/', custB.cookie)).status).toBe(200);
    const id = findUserByName(world.collector.db, 'cust-b')!.id;
    await p.goto(`${world.url}/settings/users/${id}`);
    await clickAndLoad(admin, '#user-disable button');
    expect(await p.locator('#user-status [data-disabled]').count()).toBe(1);
    const after = await get('/', custB.cookie);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toContain('/login');
    await expect(httpLogin(world.url, 'cust-b', PASSWORDS.custB)).rejects.toThrow(/login as cust-b failed/);

    await clickAndLoad(admin, '#user-disable button');
    const again = await httpLogin(world.url, 'cust-b', PASSWORDS.custB);
    expect((await get('/', again.cookie)).status).toBe(200);
  });

  test('an admin cannot disable or demote themselves, and non-admins get 404 for the users pages', async () => {
    const session = await httpLogin(world.url, 'admin', world.adminPassword);
    const adminId = findUserByName(world.collector.db, 'admin')!.id;
    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${world.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: session.csrf, ...fields }).toString(),
      });
    expect((await post(`/settings/users/${adminId}/disable`, {})).headers.get('location')).toContain('error=');
    expect((await post(`/settings/users/${adminId}`, { role: 'engineer', displayName: 'x' })).headers.get('location')).toContain('error=');
    expect(findUserByName(world.collector.db, 'admin')?.role).toBe('admin');
    const eng = await httpLogin(world.url, 'eng', PASSWORDS.eng);
    for (const path of ['/settings/users', `/settings/users/${adminId}`]) expect((await get(path, eng.cookie)).status).toBe(404);
  });
});

describe("a customer's contract", () => {
  test('the form sets the single numbers (flap marks, reopen messages, days before the holiday); a low mark above the high one is refused', async () => {
    const p = admin.page;
    await p.goto(`${world.url}/settings/contracts`);
    const f = 'form[action="/settings/contracts/acme"]';
    expect(await p.inputValue(`${f} input[name="inspectionDaysBefore"]`)).toBe(String(getContract(world.collector.db, 'acme').inspectionDaysBefore));
    await p.fill(`${f} input[name="inspectionDaysBefore"]`, '10');
    await p.fill(`${f} input[name="flapHighPct"]`, '30');
    await p.fill(`${f} input[name="flapLowPct"]`, '15');
    await p.fill(`${f} input[name="reopenNotifyMin"]`, '60');
    await clickAndLoad(admin, `${f} button[type="submit"]`);
    expect(p.url()).toContain('done=1');
    expect(getContract(world.collector.db, 'acme')).toMatchObject({ inspectionDaysBefore: 10, flapHighPct: 30, flapLowPct: 15, reopenNotifyMin: 60 });
    expect(await p.inputValue(`${f} input[name="flapHighPct"]`)).toBe('30');

    await p.fill(`${f} input[name="flapLowPct"]`, '40');
    await clickAndLoad(admin, `${f} button[type="submit"]`);
    expect(decodeURIComponent(p.url())).toContain('flapLowPct must be below flapHighPct');
    expect(getContract(world.collector.db, 'acme')).toMatchObject({ flapHighPct: 30, flapLowPct: 15 });
  });
});
