import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, screenshot, SessionPool } from '../helpers/browser.js';
import { addDays, localDate } from '../../collector/reports/holiday-calendar.js';
import { setContract } from '../../collector/contracts/contract-store.js';
import { openTicket } from '../../collector/tickets/lifecycle.js';
import { findTicket, type Ticket } from '../../collector/tickets/ticket-store.js';
import { findUserByName } from '../../collector/db/users.js';
import { httpLogin, PASSWORDS, startDashboardWorld, type DashboardWorld } from './world.js';

let world: DashboardWorld;
let browser: Browser;
const pool = new SessionPool(() => browser, () => world.url);

// Contract dates relative to today (Beijing date, as the calendar counts): a custom inspection 20 days ago
// has its report due 13 days ago and nobody signed one off, so it is overdue; 2 days ago is still due;
// 30 days ahead is upcoming. Beta has its own overdue inspection, which acme's people must not see.
const today = localDate(Date.now());
const acmeOverdue = `custom-${addDays(today, -20)}`;
const acmeDue = `custom-${addDays(today, -2)}`;
const acmeUpcoming = `custom-${addDays(today, 30)}`;
const betaOverdue = `custom-${addDays(today, -21)}`;

/** An acme ticket opened six hours ago: its P2 on-site time (2 h on the 7x24 calendar) has long passed. */
let oldTicket: Ticket;

const session = (user: string, password: string, locale?: string) => pool.logIn(user, password, locale);

/** The wall-clock time in Beijing as a datetime-local value, the way the engineer reads it off the page. */
function beijingInput(ms: number): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .format(ms)
    .replace(' ', 'T');
}

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
  const { db } = world.collector;
  const now = Date.now();
  // Both customers have been under contract for a year, so last month's inspections were owed.
  db.prepare('UPDATE customers SET created_at = ? WHERE id IN (?, ?)').run(now - 365 * 86400_000, 'acme', 'beta');
  setContract(db, 'acme', { inspections: [{ date: addDays(today, -20), name: 'Pre-audit check' }, { date: addDays(today, -2) }, { date: addDays(today, 30), name: 'Summer check' }] }, now);
  setContract(db, 'beta', { inspections: [{ date: addDays(today, -21), name: 'Beta branch check' }] }, now);
  oldTicket = openTicket(db, {
    host: world.acmeHosts[0]!,
    kind: 'check',
    checkName: 'system.memory',
    checkId: 'system.memory',
    status: 'CRITICAL',
    summary: 'memory exhausted',
    severity: 'P2',
    flapping: false,
    now: now - 6 * 3600_000,
  });
});

afterAll(async () => {
  await pool.closeAll();
  await browser?.close();
  await world?.collector.destroy();
});

describe('inspection calendar', () => {
  test('an engineer sees the overdue acme inspection highlighted on the reports page and listed on the overview, and no beta one', async () => {
    const s = await session('eng', PASSWORDS.eng);
    const due = s.page.locator('#inspections-due');
    expect(await due.locator(`li[data-inspection="${acmeOverdue}"]`).getAttribute('data-status')).toBe('overdue');
    expect(await due.locator(`li[data-inspection="${acmeDue}"]`).getAttribute('data-status')).toBe('due');
    // Overdue first; the upcoming one is not in the short list; beta's is not there at all.
    expect(await due.locator('li').first().getAttribute('data-inspection')).toBe(acmeOverdue);
    expect(await due.locator(`li[data-inspection="${acmeUpcoming}"]`).count()).toBe(0);
    expect(await due.locator('li[data-customer="beta"]').count()).toBe(0);
    expect(await due.innerText()).toContain('Pre-audit check');
    await screenshot(s.page, 'overview-inspections-due');

    await s.page.goto(`${world.url}/reports`);
    const acme = s.page.locator('#calendar-acme');
    const row = acme.locator(`tr[data-inspection="${acmeOverdue}"]`);
    expect(await row.getAttribute('data-status')).toBe('overdue');
    const cells = await row.locator('td').allInnerTexts();
    // Inspection date, holiday (the contract's name), holiday date, report due one week after, status.
    expect(cells.slice(0, 4)).toEqual([addDays(today, -20), 'Pre-audit check', addDays(today, -20), addDays(today, -13)]);
    expect(cells[4]).toContain('overdue');
    // Highlighted: the overdue row is painted red, the upcoming one is not.
    const bg = (sel: string) => acme.locator(`${sel} td`).first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await bg(`tr[data-inspection="${acmeOverdue}"]`)).toBe('rgb(254, 226, 226)');
    expect(await bg(`tr[data-inspection="${acmeUpcoming}"]`)).not.toBe('rgb(254, 226, 226)');
    expect(await acme.locator(`tr[data-inspection="${acmeUpcoming}"]`).getAttribute('data-status')).toBe('upcoming');
    expect(await s.page.locator('#calendar-beta').count()).toBe(0);
    // The page and the API say the same thing.
    const api = (await (await s.page.request.get(`${world.url}/api/reports/calendar?customer=acme`)).json()) as { overdue: Array<{ key: string }> };
    expect(api.overdue.map((e) => e.key)).toContain(acmeOverdue);
    await screenshot(s.page, 'reports-inspection-calendar');
    expect(s.errors).toEqual([]);
  });

  test('a customer user of beta sees only beta\'s calendar, in Chinese, and is refused acme\'s', async () => {
    const s = await session('cust-b', PASSWORDS.custB, 'zh-CN');
    expect(await s.page.locator('#inspections-due li[data-customer="acme"]').count()).toBe(0);
    expect(await s.page.locator(`#inspections-due li[data-inspection="${betaOverdue}"]`).getAttribute('data-status')).toBe('overdue');
    expect(await s.page.locator('#inspections-due').innerText()).toContain('已逾期');
    await s.page.goto(`${world.url}/reports`);
    expect(await s.page.locator('#calendar-acme').count()).toBe(0);
    expect(await s.page.locator('main').innerText()).not.toContain('Pre-audit check');
    expect(await s.page.locator(`#calendar-beta tr[data-inspection="${betaOverdue}"]`).getAttribute('data-status')).toBe('overdue');
    expect(await s.page.locator('h2:has-text("巡检日历")').count()).toBe(1);
    expect((await s.page.request.get(`${world.url}/api/reports/calendar?customer=acme`)).status()).toBe(404);
    await screenshot(s.page, 'reports-inspection-calendar-zh');
  });

  test('once the report of the overdue inspection is signed off, it is done and leaves the overview list (a quarter report is an account of the quarter, not an inspection)', async () => {
    const s = await session('eng', PASSWORDS.eng);
    const headers = { 'content-type': 'application/json', 'x-csrf-token': (await s.page.getAttribute('meta[name="csrf-token"]', 'content'))! };
    const made = await s.page.request.post(`${world.url}/api/reports`, { headers, data: { customerId: 'acme', inspection: acmeOverdue, lang: 'en' } });
    expect(made.status()).toBe(201);
    const reportId = ((await made.json()) as { id: string }).id;
    expect((await s.page.request.post(`${world.url}/api/reports/${reportId}/sign-off`, { headers, data: { note: 'checked' } })).status()).toBe(200);
    await s.page.reload();
    expect(await s.page.locator(`#inspections-due li[data-inspection="${acmeOverdue}"]`).count()).toBe(0);
    await s.page.goto(`${world.url}/reports`);
    const row = s.page.locator(`#calendar-acme tr[data-inspection="${acmeOverdue}"]`);
    expect(await row.getAttribute('data-status')).toBe('done');
    // The status cell links the signed report; the next cell (where it stands with the customer) links its page.
    expect(await row.locator('a[href^="/api/reports/"]').getAttribute('href')).toBe(`/api/reports/${reportId}/html`);
    expect(await row.locator('.report-progress a').getAttribute('href')).toBe(`/reports/${reportId}`);
  });
});

describe('on-site arrival', () => {
  test('an engineer records an arrival by clicking: the page shows it met, and the downloaded fault report contains it', async () => {
    const s = await session('eng', PASSWORDS.eng);
    await s.page.goto(`${world.url}/tickets/${world.openAcme.number}`);
    expect(await s.page.getAttribute('#onsite', 'data-onsite')).toBe('none');
    await Promise.all([s.page.waitForURL(/done=1/), s.page.click('#onsite-form button')]);
    const stored = findTicket(world.collector.db, world.openAcme.id, { now: Date.now() })!;
    expect(stored.onsiteAt).not.toBeNull();
    expect(stored.onsiteBy).toBe(findUserByName(world.collector.db, 'eng')!.id);
    expect(stored.sla.onsiteMet).toBe(true);
    const cell = s.page.locator('#onsite');
    expect(await cell.getAttribute('data-onsite')).toBe('met');
    expect(await cell.getAttribute('data-at')).toBe(String(stored.onsiteAt));
    expect(await cell.innerText()).toContain('Engineer Li');
    expect(await cell.innerText()).toContain('met');
    expect(await s.page.locator('#timeline li[data-kind="onsite"]').count()).toBe(1);
    // Recorded once: the action is gone.
    expect(await s.page.locator('#onsite-form').count()).toBe(0);
    await screenshot(s.page, 'ticket-onsite-met');

    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.click('#report-html')]);
    const report = readFileSync((await download.path())!, 'utf8');
    const shown = beijingInput(stored.onsiteAt!).replace('T', ' ');
    expect(report).toMatch(new RegExp(`Engineer on site</t[hd]>\\s*<td>${shown}</td>`));
    expect(report).toMatch(/On site<\/td>\s*<td>120 min[^<]*<\/td>\s*<td>\d+ min<\/td>\s*<td[^>]*>met<\/td>/);
    expect(s.errors).toEqual([]);
  });

  test('an arrival typed in after the on-site due time shows as missed', async () => {
    const s = await session('eng', PASSWORDS.eng);
    await s.page.goto(`${world.url}/tickets/${oldTicket.number}`);
    // Three hours after opening: an hour past the two-hour on-site target.
    await s.page.fill('#onsite-form input[name="at"]', beijingInput(oldTicket.openedAt + 3 * 3600_000));
    await Promise.all([s.page.waitForURL(/done=1/), s.page.click('#onsite-form button')]);
    const stored = findTicket(world.collector.db, oldTicket.id, { now: Date.now() })!;
    expect(beijingInput(stored.onsiteAt!)).toBe(beijingInput(oldTicket.openedAt + 3 * 3600_000));
    expect(stored.sla.onsiteMet).toBe(false);
    expect(await s.page.getAttribute('#onsite', 'data-onsite')).toBe('missed');
    expect(await s.page.locator('#onsite .badge').innerText()).toBe('missed');
    const md = await (await s.page.request.get(`${world.url}/tickets/${oldTicket.number}/report?format=md&lang=en`)).text();
    expect(md).toMatch(/\| On site \| 120 min [^|]*\| 1[78]\d min \| missed \|/);
    await screenshot(s.page, 'ticket-onsite-missed');
  });

  test('a customer user has no on-site action and a forged POST changes nothing; a POST without the CSRF token is refused', async () => {
    const target = findTicket(world.collector.db, world.recoveredAcme.id, { now: Date.now() })!;
    const s = await session('cust-a', PASSWORDS.custA);
    await s.page.goto(`${world.url}/tickets/${target.number}`);
    expect(await s.page.locator('#onsite-form').count()).toBe(0);

    const cust = await httpLogin(world.url, 'cust-a', PASSWORDS.custA);
    const forged = await fetch(`${world.url}/tickets/${target.number}/onsite`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cust.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: cust.csrf }),
    });
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toContain('error=');
    const eng = await httpLogin(world.url, 'eng', PASSWORDS.eng);
    const noToken = await fetch(`${world.url}/tickets/${target.number}/onsite`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: eng.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(noToken.status).toBe(403);
    expect(findTicket(world.collector.db, target.id, { now: Date.now() })!.onsiteAt).toBeNull();
  });
});
