import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, SessionPool, type BrowserSession } from '../helpers/browser.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { createDashboardPlugin } from '../../collector/dashboard/plugin.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { reportsPlugin } from '../../collector/reports/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createHost, type Host } from '../../collector/db/hosts.js';
import { createUser } from '../../collector/db/users.js';
import { recordCheckResults } from '../../collector/db/check-states.js';
import { markRecovered, openTicket } from '../../collector/tickets/lifecycle.js';
import type { Ticket } from '../../collector/tickets/ticket-store.js';
import type { Metric } from '../../shared/metric.js';
import type { CheckMessage } from '../../shared/check-result.js';
import type { Status } from '../../shared/status.js';
import { generateReport, httpLogin } from './world.js';
import { recordDelivered } from '../../collector/reports/delivery-store.js';
import { decideReport } from '../../collector/reports/acceptance.js';
import { getReportRecord } from '../../collector/reports/report-store.js';

/**
 * The overview as engineers and customers read it: host cards with CPU / memory / disk figures and sparklines
 * from the metrics store, grouped by customer, search and filters (with and without the script), the problems
 * panel by severity and age with SLA countdowns, and what waits for a customer user. Also writes the README's
 * screenshots when PATROL_DOC_SCREENSHOTS=1 (docs/screenshots/overview-{zh,en}.png).
 */

const LONG_NAME = 'db-primary-01.production.east-china-manufacturing.internal';
const PASS = { admin: 'admin-pass-for-tests', eng: 'engineer-pass-1', cust: 'customer-acme-pass' };
const MIN = 60_000;

let collector: TestCollector;
let browser: Browser;
let url: string;
const pool = new SessionPool(() => browser, () => url);
const hosts: Record<string, Host> = {};
const tickets: Record<string, Ticket> = {};
let reportId: string;

function result(checkId: string, status: Status, summary: string, at: number) {
  return { name: checkId, checkId, status, summary, startedAt: at, durationMs: 5, metrics: [] };
}

/** Six hours of points every 5 minutes, shaped per host, written through the store as ingest would. */
function sixHours(h: Host, shape: { cpu: number; mem: number; disk: number; mounts?: Record<string, number> }, now: number): Metric[] {
  const tags = { customer: h.customerId, host: h.id };
  const out: Metric[] = [];
  for (let i = 0; i <= 72; i++) {
    const time = now - (72 - i) * 5 * MIN;
    const wave = Math.sin((i + h.name.length) / 7);
    out.push({ measurement: 'cpu', tags, fields: { usage_pct: Math.max(1, shape.cpu + 12 * wave + (i % 5)) }, time });
    out.push({ measurement: 'mem', tags, fields: { used_pct: shape.mem + i / 30 }, time });
    for (const [mount, pct] of Object.entries(shape.mounts ?? { '/': shape.disk })) out.push({ measurement: 'disk', tags: { ...tags, mount }, fields: { used_pct: pct + i / 72 }, time });
  }
  return out;
}

beforeAll(async () => {
  const before = process.env.PATROL_ADMIN_PASSWORD;
  process.env.PATROL_ADMIN_PASSWORD = PASS.admin;
  [collector, browser] = await Promise.all([
    startTestCollector({}, { plugins: [ticketsPlugin, createDashboardPlugin(), reportsPlugin] }).finally(() => {
      if (before === undefined) delete process.env.PATROL_ADMIN_PASSWORD;
      else process.env.PATROL_ADMIN_PASSWORD = before;
    }),
    launchBrowser(),
  ]);
  url = collector.url;
  const { db } = collector;
  const now = Date.now();
  ensureCustomer(db, 'acme', '华东制造 ACME', now);
  ensureCustomer(db, 'beta', 'Beta Bank', now);
  ensureCustomer(db, 'gamma', 'Gamma Logistics', now);
  createUser(db, { username: 'eng', password: PASS.eng, role: 'engineer', displayName: 'Engineer Li', serves: ['acme', 'beta', 'gamma'], now });
  createUser(db, { username: 'cust-a', password: PASS.cust, role: 'customer', customerId: 'acme', displayName: 'ACME Ops', now });

  const fleet: Array<[string, string, string[], Status, { cpu: number; mem: number; disk: number; mounts?: Record<string, number> } | null]> = [
    ['acme', 'web-01', ['web', 'linux'], 'OK', { cpu: 34, mem: 61, disk: 48 }],
    ['acme', 'web-02', ['web', 'linux'], 'WARNING', { cpu: 71, mem: 91.5, disk: 52 }],
    ['acme', LONG_NAME, ['db', 'linux'], 'CRITICAL', { cpu: 46, mem: 78, disk: 0, mounts: { '/': 41, '/data': 96.2 } }],
    ['acme', 'erp-app-01', ['erp', 'windows'], 'OK', { cpu: 12, mem: 55, disk: 63 }],
    ['acme', 'backup-nas', ['storage'], 'UNKNOWN', null],
    ['beta', 'core-sw', ['network'], 'OK', { cpu: 8, mem: 40, disk: 20 }],
    ['beta', 'teller-01', ['branch', 'linux'], 'OK', { cpu: 22, mem: 47, disk: 35 }],
    ['beta', 'teller-02', ['branch', 'linux'], 'CRITICAL', { cpu: 97, mem: 66, disk: 39 }],
    ['gamma', 'wms-01', ['app', 'linux'], 'OK', { cpu: 28, mem: 52, disk: 71 }],
    ['gamma', 'wms-db', ['db', 'linux'], 'OK', { cpu: 19, mem: 73, disk: 58 }],
  ];
  const points: Metric[] = [];
  for (const [customerId, name, tags, status, shape] of fleet) {
    const h = createHost(db, { customerId, name, kind: 'agent', tags, now });
    db.prepare('UPDATE hosts SET connected = ?, last_seen_at = ? WHERE id = ?').run(name === 'backup-nas' ? 0 : 1, now - (name === 'backup-nas' ? 3 * 3600_000 : 0), h.id);
    hosts[name] = h;
    recordCheckResults(db, h.id, customerId, [result('system.disk', status, `disk on ${name}`, now - MIN)]);
    if (shape) points.push(...sixHours(h, shape, now));
  }
  await collector.store.write(points);

  const open = (host: Host, checkId: string, severity: 'P1' | 'P2' | 'P3' | 'P4', ageMin: number, summary: string, message?: CheckMessage) =>
    openTicket(db, { host, kind: 'check', checkName: checkId, checkId, status: 'CRITICAL', summary, summaryMessage: message, severity, flapping: false, now: now - ageMin * MIN });
  // P1 opened 5 h ago: its response deadline is long past (red); the other P1 is younger; then P2 and P3.
  tickets.p1old = open(hosts[LONG_NAME]!, 'system.disk', 'P1', 300, '/data 96.2% above threshold', { key: 'system.disk.above', values: {}, parts: [{ key: 'system.disk.mount', values: { mount: '/data', pct: 96.2 } }] });
  tickets.p1new = open(hosts['teller-02']!, 'system.cpu', 'P1', 10, 'CPU 97% used', { key: 'system.cpu.usage', values: { usagePct: 97, load1: 7.9, load5: 7.1, load15: 6.2, cores: 8 } });
  tickets.p2 = open(hosts['web-02']!, 'system.memory', 'P2', 45, 'memory 91.5% used', { key: 'system.memory.used', values: { usedPct: 91.5, usedBytes: 14.6 * 1024 ** 3, totalBytes: 16 * 1024 ** 3, swapPct: 3.1 } });
  tickets.p3 = openTicket(db, { host: hosts['backup-nas']!, kind: 'host-unreachable', checkName: null, checkId: null, status: 'CRITICAL', summary: 'no answer', severity: 'P3', flapping: false, now: now - 600 * MIN });
  // Solved and waiting for acme's confirmation.
  tickets.solved = markRecovered(db, open(hosts['erp-app-01']!, 'system.disk', 'P3', 120, 'disk 91% used'), now - 30 * MIN, 'disk back below 80%');
  const eng = await httpLogin(url, 'eng', PASS.eng);
  reportId = await generateReport(url, eng, 'acme');
  // Sent to the customer: only a delivered report can be accepted or returned.
  recordDelivered(db, reportId, ['ops@acme.example'], now);
}, 120_000);

afterAll(async () => {
  await pool.closeAll();
  await browser?.close();
  await collector?.destroy();
});

/** One browser session per user for the whole file (a login costs seconds on a busy machine); `lang` switches the page language. */
const sessions = new Map<string, BrowserSession>();
async function as(user: 'eng' | 'cust-a', lang: 'en' | 'zh' = 'en'): Promise<BrowserSession> {
  let s = sessions.get(user);
  if (!s) sessions.set(user, (s = await pool.logIn(user, user === 'eng' ? PASS.eng : PASS.cust)));
  await s.page.goto(`${url}/lang/${lang}?back=/`);
  await s.page.waitForSelector('#host-grid');
  return s;
}

const card = (p: Page, name: string) => p.locator(`.card[data-card="${hosts[name]!.id}"]`);
const figure = (p: Page, name: string, metric: string) => card(p, name).locator(`[data-metric="${metric}"] dd b`);

async function docShot(p: Page, lang: 'zh' | 'en'): Promise<void> {
  await p.setViewportSize({ width: 1366, height: 900 });
  await screenshot(p, `overview-cards-${lang}`);
  if (process.env.PATROL_DOC_SCREENSHOTS !== '1') return;
  const dir = join(process.cwd(), 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await p.screenshot({ path: join(dir, `overview-${lang}.png`) });
}

describe('an engineer', () => {
  test('reads each host card: status, name, CPU / memory / disk with units and a sparkline, grouped by customer', async () => {
    const s = await as('eng');
    const p = s.page;
    expect(await p.locator('section.customer').evaluateAll((els) => els.map((e) => e.getAttribute('data-customer')))).toEqual(['acme', 'beta', 'gamma']);
    expect(await p.locator('#host-count').innerText()).toBe('10 hosts');
    expect(await p.locator('section.customer[data-customer="gamma"] h2 small').innerText()).toBe('2 hosts');
    // Latest values (the last point written), formatted with their unit.
    expect(await figure(p, 'web-01', 'cpu').innerText()).toMatch(/^\d{1,3}%$/);
    expect(await figure(p, 'web-02', 'mem').innerText()).toBe('94%');
    // The fullest file system, named.
    expect(await figure(p, LONG_NAME, 'disk').innerText()).toBe('97%');
    expect(await card(p, LONG_NAME).locator('[data-metric="disk"] dt small').innerText()).toBe('/data');
    expect(await card(p, LONG_NAME).locator('[data-metric="disk"]').getAttribute('class')).toContain('lvl-crit');
    // Six hours in 15-minute buckets: a line of many points.
    const line = await card(p, 'web-01').locator('[data-metric="cpu"] svg.spark polyline').getAttribute('points');
    expect(line!.split(' ').length).toBeGreaterThanOrEqual(20);
    // No data: a dash and an empty line, never 0%.
    expect(await figure(p, 'backup-nas', 'cpu').innerText()).toBe('–');
    expect(await card(p, 'backup-nas').locator('svg.spark.empty').count()).toBe(3);
    expect(await card(p, 'backup-nas').locator('.offline').count()).toBe(1);
    // A long name wraps inside its card and keeps the full name on hover.
    const name = card(p, LONG_NAME).locator('a.cell');
    expect(await name.getAttribute('title')).toContain(LONG_NAME);
    const [nameBox, cardBox] = [await name.boundingBox(), await card(p, LONG_NAME).boundingBox()];
    expect(nameBox!.x + nameBox!.width).toBeLessThanOrEqual(cardBox!.x + cardBox!.width);
    // Status colour: the critical card's left edge is red.
    expect(await card(p, LONG_NAME).evaluate((el) => getComputedStyle(el).borderLeftColor)).toBe('rgb(220, 38, 38)');
    expect(await card(p, LONG_NAME).locator('.status-text').innerText()).toBe('Critical');
    expect(s.errors).toEqual([]);
  });

  test('sees problems by severity, then oldest first, each with host, what crossed, age and a red countdown when breached', async () => {
    const s = await as('eng');
    const rows = s.page.locator('#open-tickets tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-ticket')))).toEqual([tickets.p1old!.number, tickets.p1new!.number, tickets.p2!.number, tickets.p3!.number]);
    const first = rows.first();
    expect(await first.locator('.sev-pill').innerText()).toBe('P1');
    expect(await first.locator('.what').innerText()).toContain('/data 96.2% above threshold');
    expect(await first.locator('.meta .host').innerText()).toBe(LONG_NAME);
    // Opened 300 minutes before the setup; a busy machine may render a minute or two later.
    expect(await first.locator('.age').innerText()).toMatch(/^5h 0\dm$/);
    const countdown = first.locator('.countdown');
    expect(await countdown.getAttribute('class')).toContain('overdue');
    expect(await countdown.locator('b').innerText()).toMatch(/^-/);
    expect(await countdown.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(220, 38, 38)');
    // The young P1 still has time left.
    expect(await rows.nth(1).locator('.countdown b').innerText()).not.toMatch(/^-/);
    expect(await rows.nth(2).locator('.what').innerText()).toContain('memory 91.5% used');
    await Promise.all([s.page.waitForURL(`**/tickets/${tickets.p2!.number}`), rows.nth(2).locator('a.problem-link').click()]);
  });

  test('narrows the cards with the search box as one types, and with query parameters without the script', async () => {
    const s = await as('eng');
    const p = s.page;
    await p.fill('#filter-q', 'teller');
    await expect.poll(() => p.locator('.card:not([hidden])').count()).toBe(2);
    expect(await p.locator('#host-count').innerText()).toBe('2 hosts');
    expect(await p.locator('section.customer[data-customer="acme"]').isHidden()).toBe(true);
    expect(p.url()).toContain('q=teller');
    await p.fill('#filter-q', 'teller-02');
    await expect.poll(() => p.locator('#host-count').innerText()).toBe('1 host');

    // The same filters as plain GET parameters, the way a browser without the script sends the form.
    const noJs = await browser.newContext({ javaScriptEnabled: false, locale: 'en-US' });
    try {
      const cookies = await s.context.cookies();
      await noJs.addCookies(cookies);
      const q = await noJs.newPage();
      const shown = async (query: string) => {
        await q.goto(`${url}/${query}`);
        return (await q.locator('.card a.cell').allInnerTexts()).sort();
      };
      expect(await shown('?q=wms')).toEqual(['wms-01', 'wms-db']);
      expect(await shown('?status=CRITICAL')).toEqual([LONG_NAME, 'teller-02'].sort());
      expect(await shown('?status=problem&customer=acme')).toEqual(['backup-nas', LONG_NAME, 'web-02'].sort());
      expect(await shown('?tag=db')).toEqual([LONG_NAME, 'wms-db'].sort());
      expect(await q.locator('#host-count').innerText()).toBe('2 hosts');
      expect(await shown('?q=nothing-like-this')).toEqual([]);
      expect(await q.locator('#no-match').innerText()).toContain('No host matches');
      // The form itself: type, submit, land on ?q=.
      await q.goto(`${url}/`);
      await q.fill('#filter-q', 'erp');
      await Promise.all([q.waitForURL(/q=erp/), q.click('#filter-submit')]);
      expect(await q.locator('.card a.cell').allInnerTexts()).toEqual(['erp-app-01']);
    } finally {
      await noJs.close();
    }
  });

  test('reads the overview in Chinese: words, one plural form, dates', async () => {
    const s = await as('eng', 'zh');
    const p = s.page;
    expect(await p.locator('h1').innerText()).toBe('总览');
    expect(await p.locator('#host-count').innerText()).toBe('10 台主机');
    expect(await p.locator('section.customer[data-customer="gamma"] h2 small').innerText()).toBe('2 台主机');
    expect(await card(p, LONG_NAME).locator('.status-text').innerText()).toBe('严重');
    expect(await card(p, 'web-01').locator('[data-metric="mem"] dt').innerText()).toBe('内存');
    expect(await p.locator('#problems h2').innerText()).toContain('问题');
    expect(await p.locator('#open-tickets tbody tr').nth(2).locator('.what').innerText()).toContain('内存使用率 91.5%');
    expect(await p.locator('#open-tickets thead').innerText()).toContain('SLA 剩余时间');
    await docShot(p, 'zh');
  });
});

describe('a customer user', () => {
  test('sees only their own hosts and problems, and a panel of what waits for them, each a button', async () => {
    const s = await as('cust-a');
    const p = s.page;
    expect(await p.locator('section.customer').evaluateAll((els) => els.map((e) => e.getAttribute('data-customer')))).toEqual(['acme']);
    expect(await p.locator('#host-count').innerText()).toBe('5 hosts');
    expect(await p.locator('#host-grid').innerText()).not.toContain('teller');
    expect(await p.locator('#open-tickets tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-ticket')))).toEqual([tickets.p1old!.number, tickets.p2!.number, tickets.p3!.number]);
    // One customer: no customer select.
    expect(await p.locator('#filter-customer').count()).toBe(0);

    const panel = p.locator('#customer-actions');
    expect(await panel.getAttribute('data-waiting')).toBe('2');
    const confirm = panel.locator(`a.action-button.confirm[data-ticket="${tickets.solved!.number}"]`);
    expect(await confirm.innerText()).toContain('Confirm it is solved');
    expect(await confirm.getAttribute('href')).toBe(`/tickets/${tickets.solved!.number}`);
    const accept = panel.locator(`a.action-button.accept[data-report="${reportId}"]`);
    expect(await accept.innerText()).toContain('Accept the inspection report');
    expect(await panel.locator('a.action-button.inspection').count()).toBeGreaterThanOrEqual(0);
    expect(await accept.getAttribute('href')).toBe(`/reports/${reportId}`);
    await docShot(p, 'en');
    await Promise.all([p.waitForURL(`**/tickets/${tickets.solved!.number}`), confirm.click()]);
    expect(s.errors).toEqual([]);
  });

  test('reads the same panel in Chinese', async () => {
    const s = await as('cust-a', 'zh');
    const panel = s.page.locator('#customer-actions');
    expect(await panel.locator('h2').innerText()).toContain('待您处理');
    expect(await panel.innerText()).toContain('确认问题已解决');
    expect(await panel.innerText()).toContain('签收巡检报告');
    expect(await s.page.locator('#host-count').innerText()).toBe('5 台主机');
  });

  test('an accepted report leaves the panel', async () => {
    const { db } = collector;
    const decided = decideReport(db, getReportRecord(db, reportId)!, 'accepted', { id: null, name: 'ACME Ops' }, '', Date.now());
    expect(decided.ok).toBe(true);
    const s = await as('cust-a');
    expect(await s.page.locator(`#customer-actions a[data-report="${reportId}"]`).count()).toBe(0);
    expect(await s.page.locator('#customer-actions').getAttribute('data-waiting')).toBe('1');
  });
});

describe('empty states', () => {
  test('staff on a collector with no hosts yet are told how to add an agent, with the button that starts it', async () => {
    const before = process.env.PATROL_ADMIN_PASSWORD;
    process.env.PATROL_ADMIN_PASSWORD = PASS.admin;
    const empty = await startTestCollector({}, { plugins: [createDashboardPlugin()] }).finally(() => {
      if (before === undefined) delete process.env.PATROL_ADMIN_PASSWORD;
      else process.env.PATROL_ADMIN_PASSWORD = before;
    });
    try {
      const admin = await httpLogin(empty.url, 'admin', PASS.admin);
      const page = await (await fetch(`${empty.url}/`, { headers: { cookie: admin.cookie, 'accept-language': 'en' } })).text();
      expect(page).toContain('<h2>No hosts yet</h2>');
      expect(page).toContain('patrol-agent --collector wss://COLLECTOR:8080/agent --enroll &lt;token&gt;');
      expect(page).toMatch(/<a class="button primary" href="\/agents" id="add-agent">Add an agent<\/a>/);
      // No filter bar over nothing.
      expect(page).not.toContain('id="overview-filters"');
      const zh = await (await fetch(`${empty.url}/`, { headers: { cookie: `${admin.cookie}; patrol_lang=zh` } })).text();
      expect(zh).toContain('还没有主机');
      expect(zh).toContain('添加代理');
    } finally {
      await empty.destroy();
    }
  });

  test('a customer with no hosts yet is told so, with the button to report a problem', async () => {
    const { db } = collector;
    ensureCustomer(db, 'nobody', 'Nobody Ltd', Date.now());
    createUser(db, { username: 'lonely', password: 'lonely-pass-1', role: 'customer', customerId: 'nobody', displayName: 'Nobody', now: Date.now() });
    // Plain HTTP, as the page is server-rendered: no browser needed to read it.
    const lonely = await httpLogin(url, 'lonely', 'lonely-pass-1');
    const page = await (await fetch(`${url}/`, { headers: { cookie: lonely.cookie, 'accept-language': 'en' } })).text();
    expect(page).toContain('<div class="empty-state" id="no-hosts"><h2>No hosts are monitored for you yet</h2>');
    expect(page).toMatch(/<a class="button primary" href="\/tickets\/new">Report a problem<\/a>/);
    expect(page).toContain('id="problems-none"><p>No open problems.</p>');
    expect(page).toContain('id="actions-none"');
    const zh = await (await fetch(`${url}/`, { headers: { cookie: `${lonely.cookie}; patrol_lang=zh` } })).text();
    expect(zh).toContain('还没有为您监控的主机');
  });
});
