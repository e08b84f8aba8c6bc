import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, screenshot, SessionPool } from '../helpers/browser.js';
import { listReports } from '../../collector/reports/report-store.js';
import { PASSWORDS, startDashboardWorld, XSS_NAME, type DashboardWorld } from './world.js';
import { customerInspectionCalendar } from '../../collector/reports/customer-calendar.js';
import { localDate, previousPeriod, type InspectionDate } from '../../collector/reports/holiday-calendar.js';
import { setContract } from '../../collector/contracts/contract-store.js';

/**
 * Issue 6 on the reports page, in headless Chromium against a real collector: generating shows that it
 * runs and shows the API's refusal; an engineer remarks on findings and signs off by clicking; the
 * customer sees only the signed-off report. The world's customers were taken on today. acme's contract names two
 * inspection days of its own, a week and six weeks from today: the first is acme's first inspection, whose report
 * can be made now (covering up to now), and the second has not begun. With the holidays of the default contract the
 * test would depend on its day: a customer taken on between May Day's inspection and late June has no report it
 * can make yet.
 */

let world: DashboardWorld;
let browser: Browser;
const pool = new SessionPool(() => browser, () => world.url);

const session = (user: string, password: string, locale?: string) => pool.logIn(user, password, locale);

const DAY_MS = 86_400_000;
/** acme's two inspections (custom dates): the first's report can be made now, the second's window has not begun. */
let ready: InspectionDate;
let notBegun: InspectionDate;

function giveAcmeTwoInspections(): void {
  const now = Date.now();
  const dates = [localDate(now + 7 * DAY_MS), localDate(now + 42 * DAY_MS)];
  setContract(world.collector.db, 'acme', { inspections: dates.map((date) => ({ date, name: 'audit' })) }, now);
  const find = (date: string) => customerInspectionCalendar(world.collector.db, 'acme', now).find((e) => e.inspectionDate === date)!;
  [ready, notBegun] = [find(dates[0]!), find(dates[1]!)];
  expect([ready?.key, notBegun?.key]).toEqual(dates.map((d) => `custom-${d}`));
}

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
  giveAcmeTwoInspections();
  // The host with the hostile name fills its /data disk: a finding whose host name must stay text.
  const now = Date.now();
  const tags = { customer: 'acme', host: world.xssHost.id, mount: '/data' };
  await world.collector.store.write(Array.from({ length: 30 }, (_, i) => ({ measurement: 'disk', tags, fields: { used_pct: 92 }, time: now - (29 - i) * 60_000 })));
});

afterAll(async () => {
  await pool.closeAll();
  await browser?.close();
  await world?.collector.destroy();
});

describe('reports page', () => {
  let signedId: string;

  test('generating disables the button and says it runs; a refusal shows the API reason; the new draft is listed', async () => {
    const s = await session('eng', PASSWORDS.eng);
    await s.page.goto(`${world.url}/reports`);
    await s.page.waitForSelector('#report-list[data-loaded]');
    const button = s.page.locator('#report-generate-button');

    // The inspection after the next one begins only at the next one: the API refuses it, and the page says why.
    await s.page.selectOption('#report-generate select[name="inspection"]', notBegun.key);
    await button.click();
    await expect.poll(() => s.page.locator('#report-error').isVisible()).toBe(true);
    expect(await s.page.locator('#report-error').innerText()).toMatch(new RegExp(`^The request failed: the window of inspection ${notBegun.key} has not begun yet`));
    expect(await button.isDisabled()).toBe(false);
    await screenshot(s.page, 'reports-generate-error');

    // Hold the real request until the page has shown that it is busy (a report can take ~30 s).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await s.page.route('**/api/reports', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await s.page.selectOption('#report-generate select[name="inspection"]', ready.key);
    await s.page.selectOption('#report-generate select[name="lang"]', 'en');
    await button.click();
    await expect.poll(() => button.isDisabled()).toBe(true);
    expect(await s.page.locator('#report-generating').isVisible()).toBe(true);
    expect(await s.page.locator('#report-error').isVisible()).toBe(false);
    await screenshot(s.page, 'reports-generating');
    release();
    await s.page.waitForSelector('#report-generate[data-generated]');
    expect(await button.isDisabled()).toBe(false);
    expect(await s.page.locator('#report-generating').isVisible()).toBe(false);
    const id = (await s.page.getAttribute('#report-generate', 'data-generated'))!;
    await s.page.waitForSelector(`#report-list tr[data-report="${id}"]`);
    const row = s.page.locator(`#report-list tr[data-report="${id}"]`);
    expect(await row.getAttribute('data-status')).toBe('draft');
    // A custom day by the name the contract gives it, as on the calendar and the report's cover.
    expect(await row.innerText()).toContain(`audit ${ready.inspectionDate}`);
    // The browser logs the refused request itself; nothing else went wrong.
    expect(s.errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  test('an engineer writes remarks and signs off by clicking; the page and the report name who signed', async () => {
    const s = await session('eng', PASSWORDS.eng);
    // A second draft of the same inspection stays a draft: the customer must never see it.
    const drafts = listReports(world.collector.db, { customerId: 'acme' });
    expect(drafts.length).toBeGreaterThanOrEqual(1);
    await s.page.goto(`${world.url}/reports`);
    await s.page.waitForSelector('#report-list[data-loaded]');
    await s.page.click(`#report-list tr[data-report="${drafts[0]!.id}"] a.review-link`);
    await s.page.waitForSelector('#report-review[data-status="draft"]');
    signedId = drafts[0]!.id;

    const finding = s.page.locator(`#review-findings tr[data-finding="disk:${world.xssHost.id}:/data"]`);
    // The hostile host name is text in the review table, not an element.
    expect(await finding.innerText()).toContain(XSS_NAME);
    const area = finding.locator('textarea');
    await area.fill('Customer will extend /data <b>next week</b>');
    await finding.locator('button.save-remark').click();
    await expect.poll(() => finding.locator('.remark-status').innerText()).toBe('saved');
    await s.page.fill('#sign-off-note', 'Reviewed with the customer');
    await screenshot(s.page, 'reports-review-draft');
    await s.page.click('#sign-off');
    await s.page.waitForSelector('#report-review[data-status="signed-off"]');
    expect(await s.page.locator('#review-signed').innerText()).toMatch(/^Signed off by Engineer Li · .* · Reviewed with the customer$/);
    await s.page.waitForSelector('#report-list[data-loaded]');
    const row = s.page.locator(`#report-list tr[data-report="${signedId}"]`);
    expect(await row.getAttribute('data-status')).toBe('signed-off');
    expect(await row.innerText()).toContain('signed off by Engineer Li');
    await screenshot(s.page, 'reports-review-signed');

    const html = await (await s.page.request.get(`${world.url}/api/reports/${signedId}/html`)).text();
    expect(html).toMatch(/<dd id="cover-sign-off">Engineer Li \d{4}-\d{2}-\d{2} \d{2}:\d{2}<\/dd>/);
    expect(html).toContain('Customer will extend /data &lt;b&gt;next week&lt;/b&gt;');
    expect(s.dialogs).toEqual([]);
    expect(s.errors).toEqual([]);
  });

  test('the customer sees only the signed-off report, on the page and through the API', async () => {
    // Another draft exists by now (made through the API as an engineer would).
    const eng = await session('eng', PASSWORDS.eng);
    const csrf = (await eng.page.getAttribute('meta[name="csrf-token"]', 'content'))!;
    const made = await eng.page.request.post(`${world.url}/api/reports`, { headers: { 'x-csrf-token': csrf }, data: { customerId: 'acme', inspection: ready.key, lang: 'zh' } });
    expect(made.status()).toBe(201);
    const draftId = ((await made.json()) as { id: string }).id;

    const s = await session('cust-a', PASSWORDS.custA, 'zh-CN');
    await s.page.goto(`${world.url}/reports`);
    await s.page.waitForSelector('#report-list[data-loaded]');
    expect(await s.page.getAttribute('#report-list', 'data-loaded')).toBe('1');
    expect(await s.page.locator('#report-list tr[data-report]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-report')))).toEqual([signedId]);
    expect(await s.page.locator(`#report-list tr[data-report="${signedId}"]`).innerText()).toContain('签核人 Engineer Li');
    // No staff controls for a customer.
    expect(await s.page.locator('#report-generate, a.review-link, #report-review').count()).toBe(0);
    await s.page.goto(`${world.url}/reports?review=${draftId}`);
    expect(await s.page.locator('#report-review').count()).toBe(0);
    for (const p of ['', '/html', '/json']) expect((await s.page.request.get(`${world.url}/api/reports/${draftId}${p}`)).status()).toBe(404);
    expect((await s.page.request.get(`${world.url}/api/reports/${signedId}/html`)).status()).toBe(200);
    await screenshot(s.page, 'reports-customer-signed-only');
    expect(s.errors).toEqual([]);
  });

  test('the list filters by customer and quarter', async () => {
    const s = await session('eng', PASSWORDS.eng);
    await s.page.goto(`${world.url}/reports`);
    await s.page.waitForSelector('#report-list[data-loaded]');
    const all = Number(await s.page.getAttribute('#report-list', 'data-loaded'));
    expect(all).toBeGreaterThanOrEqual(2);
    // Every report of the test is of one inspection, filed under its quarter: the quarter before has none.
    await s.page.fill('#report-filters input[name="period"]', previousPeriod(ready.period));
    await s.page.click('#report-filters button[type="submit"]');
    await expect.poll(() => s.page.getAttribute('#report-list', 'data-loaded')).toBe('0');
    await s.page.fill('#report-filters input[name="period"]', ready.period);
    await s.page.selectOption('#report-filters select[name="customer"]', 'acme');
    await s.page.click('#report-filters button[type="submit"]');
    await expect.poll(() => s.page.getAttribute('#report-list', 'data-loaded')).toBe(String(all));
  });
});
