import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Browser } from 'playwright-core';

// The pages read PATROL_TIMEZONE once, when format.ts loads: set before any import below runs.
const zoneBefore = vi.hoisted(() => {
  const before = process.env.PATROL_TIMEZONE;
  process.env.PATROL_TIMEZONE = 'UTC';
  return before;
});

import { launchBrowser, logIn, openSession, screenshot, type BrowserSession } from '../helpers/browser.js';
import { listMaintenance, type MaintenanceWindow } from '../../collector/maintenance/window-store.js';
import { TicketStateEngine } from '../../collector/tickets/state-engine.js';
import { listTickets } from '../../collector/tickets/ticket-store.js';
import { touchHost, type Host } from '../../collector/db/hosts.js';
import { httpLogin, type DashboardWorld } from './world.js';
import * as worldModule from './world.js';

let world: DashboardWorld;
let browser: Browser;
const sessions: BrowserSession[] = [];
const worlds: DashboardWorld[] = [];

async function adminSession(w: DashboardWorld, locale = 'en-GB'): Promise<BrowserSession> {
  const s = await openSession(browser, { locale });
  sessions.push(s);
  await logIn(s, w.url, 'admin', w.adminPassword);
  await s.page.goto(`${w.url}/settings#maintenance`);
  return s;
}

const submit = (s: BrowserSession, form: string) => Promise.all([s.page.waitForURL(/[?&](done|error)=/), s.page.click(`${form} button[type="submit"]`)]);

/** Type a one-off window into the settings form as an admin would, and return the window it stored. */
async function typeOneOffWindow(w: DashboardWorld, s: BrowserSession, reason: string, from: string, to: string): Promise<MaintenanceWindow> {
  const f = '#maintenance-form';
  await s.page.selectOption(`${f} select[name="customerId"]`, 'beta');
  await s.page.selectOption(`${f} select[name="scope"]`, 'customer');
  await s.page.fill(`${f} input[name="startsAt"]`, from);
  await s.page.fill(`${f} input[name="endsAt"]`, to);
  await s.page.fill(`${f} input[name="reason"]`, reason);
  await submit(s, f);
  expect(s.page.url()).toContain('done=1');
  const stored = listMaintenance(w.collector.db).filter((m) => m.reason === reason);
  expect(stored).toHaveLength(1);
  return stored[0]!;
}

beforeAll(async () => {
  [world, browser] = await Promise.all([worldModule.startDashboardWorld(), launchBrowser()]);
  worlds.push(world);
});

afterAll(async () => {
  for (const s of sessions) await s.context.close();
  await browser?.close();
  for (const w of worlds) await w.collector.destroy();
  if (zoneBefore === undefined) delete process.env.PATROL_TIMEZONE;
  else process.env.PATROL_TIMEZONE = zoneBefore;
});

test('with PATROL_TIMEZONE=UTC, a window typed as 09:00-10:00 is stored as 09:00Z-10:00Z and listed as typed', async () => {
  const s = await adminSession(world);
  expect(await s.page.locator('#maintenance').innerText()).toContain('Times are in UTC.');
  const w = await typeOneOffWindow(world, s, 'core switch firmware', '2027-03-01T09:00', '2027-03-01T10:00');
  expect(new Date(w.startsAt!).toISOString()).toBe('2027-03-01T09:00:00.000Z');
  expect(new Date(w.endsAt!).toISOString()).toBe('2027-03-01T10:00:00.000Z');
  expect(w.weekly).toBeNull();
  expect(await s.page.locator(`tr[data-window="${w.id}"]`).innerText()).toContain('2027-03-01 09:00 - 2027-03-01 10:00');
});

test('a window that ends before it starts is refused with the reason, and nothing is stored', async () => {
  const s = await adminSession(world);
  const before = listMaintenance(world.collector.db).length;
  const f = '#maintenance-form';
  await s.page.fill(`${f} input[name="startsAt"]`, '2027-03-01T10:00');
  await s.page.fill(`${f} input[name="endsAt"]`, '2027-03-01T09:00');
  await submit(s, f);
  expect(await s.page.locator('.flash.error').innerText()).toContain('the end must be after the start.');
  expect(listMaintenance(world.collector.db)).toHaveLength(before);
});

test('a weekly window made in the form shows in GET /api/maintenance and holds back tickets in its slot only', async () => {
  const s = await adminSession(world);
  const f = '#maintenance-weekly-form';
  await s.page.selectOption(`${f} select[name="customerId"]`, 'acme');
  await s.page.selectOption(`${f} select[name="scope"]`, 'tag');
  await s.page.fill(`${f} input[name="tag"]`, 'db');
  await s.page.check(`${f} input[name="days"][value="1"]`); // Monday
  await s.page.check(`${f} input[name="days"][value="3"]`); // Wednesday
  await s.page.fill(`${f} input[name="start"]`, '02:00');
  await s.page.fill(`${f} input[name="durationHours"]`, '1');
  await s.page.fill(`${f} input[name="durationMinutes"]`, '30');
  await s.page.fill(`${f} input[name="reason"]`, 'nightly database patching');
  await submit(s, f);
  expect(s.page.url()).toContain('done=1');
  await screenshot(s.page, 'settings-maintenance');

  const admin = await httpLogin(world.url, 'admin', world.adminPassword);
  const api = (await (await fetch(`${world.url}/api/maintenance`, { headers: { cookie: admin.cookie } })).json()) as { windows: MaintenanceWindow[] };
  const weekly = api.windows.filter((w) => w.reason === 'nightly database patching');
  expect(weekly).toHaveLength(1);
  expect(weekly[0]).toMatchObject({ customerId: 'acme', scope: 'tag', tag: 'db', startsAt: null, endsAt: null, weekly: { days: [1, 3], start: '02:00', end: '03:30', timezone: 'UTC' } });
  expect(await s.page.locator(`tr[data-window="${weekly[0]!.id}"]`).innerText()).toContain('every Mon, Wed 02:00–03:30 (UTC)');

  // The ticket engine on the same database, its clock on Monday 1 March 2027 02:30 UTC: inside the slot.
  const monday = Date.UTC(2027, 2, 1, 2, 30);
  expect(new Date(monday).getUTCDay()).toBe(1);
  let now = monday;
  const engine = new TicketStateEngine({ db: world.collector.db, now: () => now, reconnectGraceMs: 0 });
  const fail = (host: Host, at: number) => {
    for (let i = 0; i < 3; i++) {
      now = at + i * 60_000;
      touchHost(world.collector.db, host.id, now);
      const result = { name: 'system.memory', checkId: 'system.memory', status: 'CRITICAL' as const, summary: 'memory 97% used', startedAt: now, durationMs: 5 };
      engine.onResults({ hostId: host.id, customerId: host.customerId }, [result], now);
    }
  };
  const memoryTickets = (host: Host) => listTickets(world.collector.db, { now }).filter((t) => t.hostId === host.id && t.checkName === 'system.memory');
  const [web1, , db1] = world.acmeHosts as [Host, Host, Host];
  expect(db1.tags).toContain('db');
  fail(db1, monday);
  fail(web1, monday); // tagged web: the window does not cover it
  expect(memoryTickets(db1)).toHaveLength(0);
  expect(memoryTickets(web1)).toHaveLength(1);
  fail(db1, monday + 86400_000); // Tuesday, same hour: no window
  expect(memoryTickets(db1)).toHaveLength(1);
});

test('the weekly form refuses a window with no weekday or a zero duration, in the page language, and stores nothing', async () => {
  const s = await adminSession(world, 'zh-CN');
  const before = listMaintenance(world.collector.db).length;
  const f = '#maintenance-weekly-form';
  await s.page.fill(`${f} input[name="start"]`, '02:00');
  await submit(s, f);
  expect(await s.page.locator('.flash.error').innerText()).toContain('请至少勾选一天。');
  await s.page.goto(`${world.url}/settings#maintenance`);
  await s.page.check(`${f} input[name="days"][value="0"]`);
  await s.page.fill(`${f} input[name="start"]`, '02:00');
  await s.page.fill(`${f} input[name="durationHours"]`, '0');
  await s.page.fill(`${f} input[name="durationMinutes"]`, '0');
  await submit(s, f);
  expect(await s.page.locator('.flash.error').innerText()).toContain('持续时间：1 分钟到 24 小时之间。');
  expect(listMaintenance(world.collector.db)).toHaveLength(before);
  // The form and the list speak Chinese too.
  expect(await s.page.locator(`${f}`).innerText()).toContain('周一');
  expect(await s.page.locator('#maintenance-list').innerText()).toContain('每周 周一、周三 02:00–03:30 (UTC)');
});

test('with PATROL_TIMEZONE=Asia/Shanghai the same 09:00-10:00 is stored as 01:00Z-02:00Z', async () => {
  // A second collector whose pages load their modules afresh under the other zone.
  process.env.PATROL_TIMEZONE = 'Asia/Shanghai';
  vi.resetModules();
  const fresh = (await import('./world.js')) as typeof worldModule;
  const shanghai = await fresh.startDashboardWorld();
  worlds.push(shanghai);
  const s = await adminSession(shanghai);
  expect(await s.page.locator('#maintenance').innerText()).toContain('Times are in Asia/Shanghai.');
  const w = await typeOneOffWindow(shanghai, s, 'core switch firmware', '2027-03-01T09:00', '2027-03-01T10:00');
  expect(new Date(w.startsAt!).toISOString()).toBe('2027-03-01T01:00:00.000Z');
  expect(new Date(w.endsAt!).toISOString()).toBe('2027-03-01T02:00:00.000Z');
}, 120_000);
