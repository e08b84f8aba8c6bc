import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, SessionPool, type BrowserSession } from '../helpers/browser.js';
import { httpLogin, PASSWORDS, startDashboardWorld, type DashboardWorld } from './world.js';
import { hostTicketScene, type HostTicketScene } from './host-ticket-scene.js';

/**
 * The host page and the ticket page as an engineer reads them (issue 14, items 2 and the ticket page): sizes in
 * GiB, durations in days, warn/crit lines and ticket marks on the charts, one 24-hour date format per language,
 * and a ticket title that says what crossed which threshold. PATROL_DOC_SCREENSHOTS=1 also writes the README's
 * pictures (docs/screenshots/host-*.png, ticket-*.png).
 */

let world: DashboardWorld;
let scene: HostTicketScene;
let browser: Browser;
const pool = new SessionPool(() => browser, () => world.url);
/** One engineer session per language, reused by every test (a login costs seconds on a busy machine). */
const engineer: Partial<Record<'zh' | 'en', BrowserSession>> = {};
async function engineerIn(lang: 'zh' | 'en'): Promise<BrowserSession> {
  const s = (engineer[lang] ??= await pool.logIn('eng', PASSWORDS.eng, lang === 'zh' ? 'zh-CN' : 'en-US'));
  await s.page.setViewportSize({ width: 1366, height: 900 });
  return s;
}

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
  scene = await hostTicketScene(world);
});

afterAll(async () => {
  await pool.closeAll();
  await browser?.close();
  await world?.collector.destroy();
});

const US_TIME = /\b\d{1,2}:\d{2}\s?(am|pm)\b/i;
const US_DATE = /\b\d{1,2}\/\d{1,2}\/\d{2}\b(?!\d)/;

async function docPicture(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  if (!process.env.PATROL_DOC_SCREENSHOTS) return;
  // The README's picture: the top of the page (head, checks, tickets and the first row of charts).
  await page.evaluate(() => window.scrollTo(0, 0));
  mkdirSync('docs/screenshots', { recursive: true });
  await page.screenshot({ path: `docs/screenshots/${name}.png` });
}

async function openHost(lang: 'zh' | 'en'): Promise<Page> {
  const s = await engineerIn(lang);
  await s.page.goto(`${world.url}/hosts/${scene.host.id}`);
  await s.page.waitForSelector('.charts[data-drawn="1h"]');
  await s.page.waitForSelector('#chart-mem svg.marks');
  expect(s.errors).toEqual([]);
  return s.page;
}

describe('the host page', () => {
  test('zh: sizes, durations, thresholds and ticket marks read as a person expects, in one 24-hour date format', async () => {
    const page = await openHost('zh');
    const main = await page.locator('main').innerText();
    // The agent's 25276203008 bytes of memory, in GiB; the uptime check in days and hours.
    expect(await page.locator('#facts tr[data-fact="memoryBytes"]').innerText()).toContain('23.5 GiB');
    expect(main).not.toContain('25276203008');
    expect(await page.locator('#checks tr[data-check="system.uptime"] td.output').innerText()).toMatch(/38 ?天 ?0 ?小时/);
    // Each check named once: the memory row says 内存 and not "system.memory" twice.
    const memRow = await page.locator('#checks tr[data-check="system.memory"]').innerText();
    expect(memRow.split('system.memory').length - 1).toBeLessThanOrEqual(1);

    // The memory chart draws the thresholds the host's check runs with (defaults 90/95) as SVG lines.
    const crit = page.locator('#chart-mem svg.marks line.threshold[data-level="crit"]');
    const warn = page.locator('#chart-mem svg.marks line.threshold[data-level="warn"]');
    expect(await crit.getAttribute('data-value')).toBe('95');
    expect(await warn.getAttribute('data-value')).toBe('90');
    // Higher value, higher on the chart: crit above warn.
    expect(Number(await crit.getAttribute('y1'))).toBeLessThan(Number(await warn.getAttribute('y1')));
    // The memory ticket opened inside the hour is marked on the memory chart, not on the disk chart.
    expect(await page.locator(`#chart-mem svg.marks a.ticket-mark.opened[data-ticket="${scene.memoryTicket.number}"]`).count()).toBe(1);
    expect(await page.locator(`#chart-disk svg.marks a.ticket-mark[data-ticket="${scene.memoryTicket.number}"]`).count()).toBe(0);
    // The resolved CPU ticket: opened and resolved marks on the CPU chart.
    expect(await page.locator(`#chart-cpu svg.marks a.ticket-mark[data-ticket="${scene.resolvedTicket.number}"]`).count()).toBe(2);

    // Legends name the figure in the page language, never the field, and carry no "Time: --".
    const legend = await page.locator('#chart-mem .u-legend').innerText();
    expect(legend).toContain('内存使用率');
    expect(legend).not.toContain('used_pct');
    expect(legend).not.toContain('--');
    expect(await page.locator('#chart-net-rx .u-legend').innerText()).toContain('eth0');

    // Dates: YYYY-MM-DD HH:mm on the page and in the chart readout; nothing US-style anywhere.
    expect(main).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(main).not.toMatch(US_TIME);
    expect(main).not.toMatch(US_DATE);
    const plot = page.locator('#chart-mem .u-over');
    await plot.scrollIntoViewIfNeeded();
    const box = (await plot.boundingBox())!;
    await page.mouse.move(box.x + box.width - 20, box.y + box.height / 2);
    await expect.poll(() => page.locator('#chart-mem .readout').innerText()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} · 内存使用率 \d+(\.\d+)?%/);
    await page.mouse.move(0, 0);
    await docPicture(page, 'host-zh');
  });

  test('en: the same figures in English, the network chart in bit/s', async () => {
    const page = await openHost('en');
    expect(await page.locator('#facts tr[data-fact="memoryBytes"]').innerText()).toContain('23.5 GiB');
    expect(await page.locator('#chart-mem .u-legend').innerText()).toContain('Memory used');
    const net = page.locator('#chart-net-rx .u-over');
    await net.scrollIntoViewIfNeeded();
    const box = (await net.boundingBox())!;
    await page.mouse.move(box.x + box.width - 10, box.y + box.height / 2);
    // The scene streams 0.85-1.65 MB/s on eth0: 6.8-13.2 Mbit/s.
    await expect.poll(() => page.locator('#chart-net-rx .readout').innerText()).toMatch(/eth0 \d+(\.\d+)? Mbit\/s/);
    await page.mouse.move(0, 0);
    expect(await page.locator('main').innerText()).not.toMatch(US_TIME);
    await docPicture(page, 'host-en');
  });
});

describe('the ticket page', () => {
  test('the title says what crossed which threshold and how bad, in zh and en; the steps sit in a toolbar', async () => {
    for (const lang of ['zh', 'en'] as const) {
      const s = await engineerIn(lang);
      await s.page.goto(`${world.url}/tickets/${scene.memoryTicket.number}`);
      const title = await s.page.locator('h1').innerText();
      expect(title).toContain(lang === 'zh' ? '内存使用率 96.2% ≥ 95%（严重）' : 'Memory 96.2% used ≥ 95% (critical)');
      expect(title).not.toContain('system.memory');
      expect(await s.page.locator('#ticket-actions .toolbar button').count()).toBeGreaterThanOrEqual(2);
      expect(await s.page.locator('#ticket-actions form.action-form label').count()).toBeGreaterThanOrEqual(2);
      expect(s.errors).toEqual([]);
      await docPicture(s.page, `ticket-${lang}`);
    }
  });

  test('a resolved ticket says it waits for the customer, who solved it and since when', async () => {
    const staff = await engineerIn('zh');
    await staff.page.goto(`${world.url}/tickets/${scene.resolvedTicket.number}`);
    const notice = await staff.page.locator('#waiting-customer').innerText();
    expect(notice).toContain('Engineer Li');
    expect(notice).toContain('ACME 制造');
    expect(notice).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    const customer = await pool.logIn('cust-a', PASSWORDS.custA, 'en-US');
    await customer.page.goto(`${world.url}/tickets/${scene.resolvedTicket.number}`);
    expect(await customer.page.locator('#waiting-customer').innerText()).toContain('Please check and confirm');
    expect(await customer.page.locator('#ticket-actions .toolbar button.primary').innerText()).toBeTruthy();
  });
});

describe('an unknown page', () => {
  test('is a page in the user language with the layout and a way home; /api answers JSON', async () => {
    const s = await engineerIn('zh');
    const res = await s.page.goto(`${world.url}/no-such-page`);
    expect(res?.status()).toBe(404);
    expect(await s.page.locator('h1').innerText()).toBe('页面不存在');
    expect(await s.page.locator('nav.top').count()).toBe(1);
    expect(await s.page.locator('#not-found a[href="/"]').count()).toBe(1);
    const session = await httpLogin(world.url, 'eng', PASSWORDS.eng);
    const api = await fetch(`${world.url}/api/no-such-thing`, { headers: { cookie: session.cookie } });
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'not found' });
    const en = await fetch(`${world.url}/hosts/no-such-host`, { headers: { cookie: `${session.cookie}; patrol_lang=en` } });
    expect(en.status).toBe(404);
    expect(await en.text()).toContain('Page not found');
  });
});

test('the ticket list names each ticket by host and what crossed', async () => {
  const s = await engineerIn('en');
  await s.page.goto(`${world.url}/tickets`);
  expect(await s.page.locator(`#ticket-list tr[data-ticket="${scene.memoryTicket.number}"]`).innerText()).toContain('web-2 · Memory 96.2% used ≥ 95% (critical)');
  await screenshot(s.page, 'tickets-en');
  const zh = await engineerIn('zh');
  await zh.page.goto(`${world.url}/tickets`);
  expect(await zh.page.locator(`#ticket-list tr[data-ticket="${scene.memoryTicket.number}"]`).innerText()).toContain('web-2 · 内存使用率 96.2% ≥ 95%（严重）');
  await screenshot(zh.page, 'tickets-zh');
});

test("the overview's solved cases waiting for the customer are named as the ticket list names them, not 'host: check'", async () => {
  for (const [lang, said] of [['en', 'web-2 · CPU 88% used ≥ 85% (warning)'], ['zh', 'web-2 · CPU 使用率 88% ≥ 85%（警告）']] as const) {
    const s = await engineerIn(lang);
    await s.page.goto(`${world.url}/`);
    const row = await s.page.locator(`#awaiting-customer li[data-ticket="${scene.resolvedTicket.number}"]`).innerText();
    expect(row).toContain(said);
    expect(row).not.toContain('system.cpu');
  }
});
