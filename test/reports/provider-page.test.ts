import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, SessionPool } from '../helpers/browser.js';
import { httpLogin, PASSWORDS, startDashboardWorld, type DashboardWorld } from '../dashboard/world.js';
import { solidPng } from './png.js';

/**
 * /settings/provider (issue 13, item 1) as its users meet it in a browser: an admin saves the company name, a
 * PNG logo and a customer's contract number through the forms, and the API then shows them; a text file as
 * the logo is refused with a message in the page language and changes nothing; an engineer reads without
 * forms; a customer user gets 404. Screenshots at 1366x900 in zh and en go to test-output/screenshots.
 */

let world: DashboardWorld;
let browser: Browser;
const pool = new SessionPool(() => browser, () => world.url);
const dir = mkdtempSync(join(tmpdir(), 'patrol-provider-page-'));

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
});

afterAll(async () => {
  await pool.closeAll();
  await browser?.close();
  await world?.collector.destroy();
});

async function apiProvider(): Promise<{ provider: Record<string, unknown>; customers: Array<Record<string, unknown>> }> {
  const s = await httpLogin(world.url, 'admin', world.adminPassword);
  const res = await fetch(`${world.url}/api/settings/provider`, { headers: { cookie: s.cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as { provider: Record<string, unknown>; customers: Array<Record<string, unknown>> };
}

test('an admin saves the name, a PNG logo and a contract number; a text file as logo is refused; engineers read; customers 404', async () => {
  const admin = await pool.logIn('admin', world.adminPassword, 'en-US');
  const p = admin.page;
  await p.setViewportSize({ width: 1366, height: 900 });
  await p.goto(`${world.url}/settings/provider`);
  await p.waitForSelector('#provider-empty');
  await screenshot(p, 'provider-page-empty-en');

  const png = solidPng(120, 40);
  const pngPath = join(dir, 'logo.png');
  writeFileSync(pngPath, png);
  await p.fill('#provider-companyName', '云巡信息技术有限公司');
  await p.fill('#provider-companyNameEn', 'Yunxun IT Services Ltd.');
  await p.fill('#provider-hotline', '400-800-1234');
  await p.setInputFiles('#provider-logo-file', pngPath);
  // The chosen logo shows before it is saved.
  await p.waitForSelector('#provider-logo-new:not([hidden])');
  await Promise.all([p.waitForURL(/saved=/), p.click('#provider-save')]);
  const saved = await p.innerText('#provider-saved');
  expect(saved).toContain('Company name (Chinese reports)');
  expect(saved).toContain('Logo');
  expect(saved).toContain('The next report uses it.');
  // The preview shows the stored logo itself.
  expect(await p.$eval('#provider-logo-img', (img) => (img as HTMLImageElement).naturalWidth)).toBe(120);

  // acme's contract number, through its row of the customers table.
  await p.fill('#customer-acme input[name="contractNumber"]', 'HT-2026-0042');
  await p.fill('#customer-acme textarea[name="reportEmails"]', 'ops@acme.example\nboss@acme.example');
  await Promise.all([p.waitForURL(/saved=/), p.click('#customer-acme button[type="submit"]')]);
  expect(await p.innerText('#provider-saved')).toMatch(/^ACME 制造: Saved: Contract number, Report addresses\. The next report uses it\./);

  let api = await apiProvider();
  expect(api.provider).toMatchObject({ companyName: '云巡信息技术有限公司', companyNameEn: 'Yunxun IT Services Ltd.', hotline: '400-800-1234', logo: { mime: 'image/png', bytes: png.length } });
  expect(api.customers.find((x) => x.customerId === 'acme')).toMatchObject({ contractNumber: 'HT-2026-0042', reportEmails: ['ops@acme.example', 'boss@acme.example'] });
  await screenshot(p, 'provider-page-en');

  // A text file as the logo, with a changed name beside it, in Chinese: refused by name, and nothing changes.
  await p.goto(`${world.url}/lang/zh?back=${encodeURIComponent('/settings/provider')}`);
  await p.waitForSelector('#provider-form');
  const txtPath = join(dir, 'logo.png.txt');
  writeFileSync(txtPath, 'this is not a picture\n');
  await p.fill('#provider-companyName', '别的公司');
  await p.setInputFiles('#provider-logo-file', txtPath);
  // The page refuses it at once, and Save does not send the form.
  const said = await (await p.waitForSelector('#provider-logo-check:not([hidden])')).innerText();
  expect(said).toContain('不是 PNG 或 SVG 文件');
  await screenshot(p, 'provider-page-refused-zh');
  await p.click('#provider-save');
  expect(p.url()).toBe(`${world.url}/settings/provider`);
  // The server checks the content itself (a browser without the script, or a renamed file): refused by name in the page language.
  const zhAdmin = await httpLogin(world.url, 'admin', world.adminPassword);
  const form = new FormData();
  form.set('_csrf', zhAdmin.csrf);
  form.set('companyName', '别的公司');
  form.set('logo', new Blob([Buffer.from('this is not a picture\n')], { type: 'image/png' }), 'logo.png');
  const posted = await fetch(`${world.url}/settings/provider`, { method: 'POST', redirect: 'manual', headers: { cookie: `${zhAdmin.cookie}; patrol_lang=zh` }, body: form });
  expect(posted.status).toBe(303);
  await p.goto(`${world.url}${posted.headers.get('location')}`);
  const refusal = await p.innerText('.flash.error[role="alert"]:not([hidden])');
  expect(refusal).toContain('标志被拒绝，未保存任何内容');
  expect(refusal).toContain('SVG');
  api = await apiProvider();
  expect(api.provider).toMatchObject({ companyName: '云巡信息技术有限公司', logo: { mime: 'image/png', bytes: png.length } });
  await p.goto(`${world.url}/settings/provider`);
  await screenshot(p, 'provider-page-zh');
  // On a phone the page fits the screen: the customers table scrolls in its own box.
  await p.setViewportSize({ width: 390, height: 844 });
  await p.reload();
  expect(await p.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(p, 'provider-page-phone-zh');

  // An engineer reads the page (the customers it serves only), without a form to save.
  const eng = await pool.logIn('eng', PASSWORDS.eng, 'zh-CN');
  const res = await eng.page.goto(`${world.url}/settings/provider`);
  expect(res?.status()).toBe(200);
  expect(await eng.page.inputValue('#provider-companyName')).toBe('云巡信息技术有限公司');
  expect(await eng.page.$('#provider-save')).toBeNull();
  expect(await eng.page.$('#provider-companyName[disabled]')).not.toBeNull();
  expect(await eng.page.innerText('#customer-acme')).toContain('HT-2026-0042');
  expect(await eng.page.$('#customer-beta')).toBeNull();
  await eng.page.setViewportSize({ width: 1366, height: 900 });
  await screenshot(eng.page, 'provider-page-engineer-zh');
  const engSession = await httpLogin(world.url, 'eng', PASSWORDS.eng);
  const engPost = await fetch(`${world.url}/settings/provider/customers/acme`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: engSession.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: engSession.csrf, contractNumber: 'HT-by-engineer' }),
  });
  expect(engPost.status).toBe(404);

  // A customer user: the page does not exist.
  const cust = await pool.logIn('cust-a', PASSWORDS.custA, 'en-US');
  expect((await cust.page.goto(`${world.url}/settings/provider`))?.status()).toBe(404);
  api = await apiProvider();
  expect(api.customers.find((x) => x.customerId === 'acme')).toMatchObject({ contractNumber: 'HT-2026-0042' });
}, 60_000);
