import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, SessionPool } from '../helpers/browser.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { createDashboardPlugin } from '../../collector/dashboard/plugin.js';
import { createUser } from '../../collector/db/users.js';
import { listShifts } from '../../collector/oncall/rota-store.js';
import { httpLogin } from './world.js';

/**
 * Issue 14 item 4 on a collector fresh from install: each settings page has its own URL, and a list with
 * nothing in it says so and offers its primary action, in English and Chinese. An admin adds a customer and an
 * on-call shift by clicking, and old links to a part of the former all-in-one settings pages still arrive.
 */

const ADMIN = { username: 'root-admin', password: 'admin-password-1' };
let collector: TestCollector;
let browser: Browser;
const pool = new SessionPool(() => browser, () => collector.url);

beforeAll(async () => {
  [collector, browser] = await Promise.all([startTestCollector({}, { plugins: [createDashboardPlugin()] }), launchBrowser()]);
  createUser(collector.db, { ...ADMIN, role: 'admin', now: Date.now() });
  createUser(collector.db, { username: 'eng-1', password: 'engineer-password-1', role: 'engineer', displayName: 'Engineer Wang', now: Date.now() });
});

afterAll(async () => {
  await pool.closeAll();
  await browser?.close();
  await collector?.destroy();
});

/** Page path, the id of its empty-state line (none: the list is never empty here), the id of its primary action. */
const PAGES: Array<[string, string | null, string]> = [
  ['/settings/customers', 'customers-empty', 'customer-add'],
  ['/settings/users', null, 'user-add'],
  ['/settings/contracts', 'contracts-empty', 'contract-add-customer'],
  ['/settings/on-call', 'shifts-empty', 'shift-add'],
  ['/settings/channels', 'channels-empty', 'channel-add'],
  ['/settings/maintenance', 'maintenance-empty', 'maintenance-add'],
  ['/settings/templates', null, 'template-add'],
  ['/settings/checks', 'host-checks-empty', ''],
  ['/settings/agentless', 'agentless-empty', 'agentless-add'],
];

test('a fresh collector: each settings list says it is empty and offers its primary action, in English and in Chinese', async () => {
  const { cookie } = await httpLogin(collector.url, ADMIN.username, ADMIN.password);
  const index = await (await fetch(`${collector.url}/settings`, { headers: { cookie } })).text();
  for (const [path, empty, action] of PAGES) {
    expect(index).toContain(`href="${path}"`);
    for (const lang of ['en', 'zh'] as const) {
      const res = await fetch(`${collector.url}${path}`, { headers: { cookie: `${cookie}; patrol_lang=${lang}` } });
      expect({ path, lang, status: res.status }).toEqual({ path, lang, status: 200 });
      const text = await res.text();
      if (empty) expect({ path, lang, empty: text.includes(`id="${empty}"`) }).toEqual({ path, lang, empty: true });
      if (action) expect({ path, lang, action: text.includes(`id="${action}"`) }).toEqual({ path, lang, action: true });
    }
  }
  const zh = await (await fetch(`${collector.url}/settings/channels`, { headers: { cookie: `${cookie}; patrol_lang=zh` } })).text();
  expect(zh).toContain('还没有通知渠道');
  expect(zh).not.toContain('No notification channels yet');
  // An engineer gets none of them.
  const eng = await httpLogin(collector.url, 'eng-1', 'engineer-password-1');
  for (const [path] of PAGES) expect({ path, status: (await fetch(`${collector.url}${path}`, { headers: { cookie: eng.cookie } })).status }).toEqual({ path, status: 404 });
});

test('an admin adds a customer and then an on-call shift for it by clicking; the rota lists it, and deleting it empties the list again', async () => {
  const s = await pool.logIn(ADMIN.username, ADMIN.password);
  const p = s.page;
  await p.goto(`${collector.url}/settings/customers`);
  await p.click('#customer-add');
  await p.fill('#customer-form input[name="id"]', 'acme');
  await p.fill('#customer-form input[name="name"]', 'ACME Trading');
  await Promise.all([p.waitForURL(/done=1/), p.click('#customer-form button[type="submit"]')]);
  expect(await p.locator('#customer-list tr[data-customer="acme"]').innerText()).toContain('ACME Trading');
  expect(await p.locator('#customers-empty').count()).toBe(0);

  await p.click('#settings-tabs a[data-tab="on-call"]');
  await p.waitForURL((u) => u.pathname === '/settings/on-call');
  expect(await p.locator('#shifts-empty').isVisible()).toBe(true);
  await p.selectOption('#shift-form select[name="tier"]', '2');
  await p.selectOption('#shift-form select[name="userId"]', { label: 'Engineer Wang (Engineer)' });
  await p.selectOption('#shift-form select[name="customerId"]', 'acme');
  await p.selectOption('#shift-form select[name="domain"]', 'database');
  await p.fill('#shift-form input[name="startsAt"]', '2030-01-01T08:00');
  await Promise.all([p.waitForURL(/done=1/), p.click('#shift-form button[type="submit"]')]);
  const [shift] = listShifts(collector.db);
  expect(shift).toMatchObject({ tier: 2, customerId: 'acme', domain: 'database', endsAt: null });
  const row = p.locator(`#shift-list tr[data-shift="${shift!.id}"]`);
  expect(await row.innerText()).toMatch(/L2\s+Engineer Wang\s+ACME Trading\s+database\s+2030-01-01 08:00 – open-ended/);
  await screenshot(p, 'settings-on-call');

  // An end before the start is refused with the reason, and nothing is stored.
  await p.fill('#shift-form input[name="startsAt"]', '2030-01-02T08:00');
  await p.fill('#shift-form input[name="endsAt"]', '2030-01-01T08:00');
  await Promise.all([p.waitForURL(/error=/), p.click('#shift-form button[type="submit"]')]);
  expect(await p.locator('.flash.error').innerText()).toContain('endsAt must be after startsAt');
  expect(listShifts(collector.db)).toHaveLength(1);

  await Promise.all([p.waitForURL(/done=1/), p.click(`#shift-list tr[data-shift="${shift!.id}"] button`)]);
  expect(listShifts(collector.db)).toEqual([]);
  expect(await p.locator('#shifts-empty').isVisible()).toBe(true);
  expect(s.errors).toEqual([]);
});

test('old links to a part of the former settings pages land on that part\'s own page', async () => {
  const s = await pool.logIn(ADMIN.username, ADMIN.password);
  for (const [old, now] of [
    ['/settings#channels', '/settings/channels'],
    ['/settings#contracts', '/settings/contracts'],
    ['/settings/checks#agentless', '/settings/agentless'],
    ['/settings/checks#templates', '/settings/templates'],
  ] as const) {
    await s.page.goto(`${collector.url}${old}`);
    await s.page.waitForURL((u) => u.pathname === now);
  }
  // A fragment that names no moved part stays where it is.
  await s.page.goto(`${collector.url}/settings/checks#assignment`);
  expect(new URL(s.page.url()).pathname).toBe('/settings/checks');
  expect(s.errors).toEqual([]);
});
