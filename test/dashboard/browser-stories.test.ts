import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, screenshot, SessionPool } from '../helpers/browser.js';
import { findTicket } from '../../collector/tickets/ticket-store.js';
import { generateReport, httpLogin, PASSWORDS, startDashboardWorld, XSS_NAME, type DashboardWorld } from './world.js';

let world: DashboardWorld;
let browser: Browser;
const pool = new SessionPool(() => browser, () => world.url);

const session = (user: string, password: string, locale?: string) => pool.logIn(user, password, locale);

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
});

afterAll(async () => {
  await pool.closeAll();
  await browser?.close();
  await world?.collector.destroy();
});

describe('an engineer', () => {
  test('opens a host and sees its CPU chart drawn from the hour of stored points', async () => {
    const s = await session('eng', PASSWORDS.eng);
    await screenshot(s.page, 'overview-engineer');
    await s.page.click(`a.cell[data-host-id="${world.chartHost.id}"]`);
    await s.page.waitForSelector('.charts[data-drawn="1h"]');
    const cpu = s.page.locator('#chart-cpu');
    // 60 one-minute points in the last hour, each in its own bucket of the 1 h range.
    expect(await cpu.getAttribute('data-points')).toBe('60');
    const canvas = cpu.locator('canvas');
    expect(await canvas.count()).toBe(1);
    const box = await canvas.boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    // The network chart is split by interface: its legend names eth0.
    await expect.poll(() => s.page.locator('#chart-net-rx .u-legend').innerText()).toContain('eth0');
    await screenshot(s.page, 'host');
    // The 24 h range asks again and still finds the same points (aggregated into wider buckets).
    await s.page.click('#ranges button[data-range="24h"]');
    await s.page.waitForSelector('.charts[data-drawn="24h"]');
    expect(Number(await cpu.getAttribute('data-points'))).toBeGreaterThan(0);
    expect(s.errors).toEqual([]);
  });

  test('acknowledges an open ticket by clicking, and the timeline records who did it', async () => {
    const s = await session('eng', PASSWORDS.eng);
    await s.page.goto(`${world.url}/tickets`);
    await screenshot(s.page, 'tickets');
    await s.page.click(`tr[data-ticket="${world.openAcme.number}"] a`);
    expect(await s.page.getAttribute('#ticket-state', 'data-state')).toBe('open');
    await screenshot(s.page, 'ticket-detail');
    await Promise.all([s.page.waitForURL(/done=1/), s.page.click('#ticket-actions button:has-text("Acknowledge")')]);
    expect(await s.page.getAttribute('#ticket-state', 'data-state')).toBe('acknowledged');
    expect(await s.page.locator('#timeline li[data-kind="acknowledged"]').innerText()).toContain('Engineer Li');
    const stored = findTicket(world.collector.db, world.openAcme.id, { now: Date.now() });
    expect(stored?.state).toBe('acknowledged');
    expect(stored?.acknowledgedAt).not.toBeNull();
  });

  test('sees the agents page and the XSS host name as plain text, with no dialog', async () => {
    const s = await session('eng', PASSWORDS.eng);
    await s.page.goto(`${world.url}/`);
    const cell = s.page.locator(`a.cell[data-host-id="${world.xssHost.id}"]`);
    expect(await cell.textContent()).toBe(XSS_NAME);
    expect(await s.page.locator('#host-grid img').count()).toBe(0);
    await s.page.goto(`${world.url}/hosts/${world.xssHost.id}`);
    expect(await s.page.locator('h1').textContent()).toBe(XSS_NAME);
    expect(await s.page.locator('main img').count()).toBe(0);
    await s.page.goto(`${world.url}/agents`);
    await screenshot(s.page, 'agents');
    expect(s.dialogs).toEqual([]);
  });
});

describe('a customer', () => {
  test('sees only their own hosts and confirm-closes a recovered ticket by clicking', async () => {
    const s = await session('cust-a', PASSWORDS.custA);
    const shown = await s.page.locator('a.cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-host-id')));
    expect(shown.sort()).toEqual(world.acmeHosts.map((h) => h.id).sort());
    expect(await s.page.locator('#host-grid').innerText()).not.toContain('core-sw');
    await screenshot(s.page, 'overview-customer');
    await s.page.goto(`${world.url}/tickets/${world.recoveredAcme.number}`);
    expect(await s.page.getAttribute('#ticket-state', 'data-state')).toBe('recovered');
    // A customer has no staff actions.
    expect(await s.page.locator('#ticket-actions button:has-text("Acknowledge")').count()).toBe(0);
    await Promise.all([s.page.waitForURL(/done=1/), s.page.click('#ticket-actions button:has-text("Confirm solved and close")')]);
    expect(await s.page.getAttribute('#ticket-state', 'data-state')).toBe('closed');
    expect(findTicket(world.collector.db, world.recoveredAcme.id, { now: Date.now() })?.state).toBe('closed');
    const reportId = await generateReport(world.url, await httpLogin(world.url, 'eng', PASSWORDS.eng), 'acme');
    await s.page.goto(`${world.url}/reports`);
    await s.page.waitForSelector('#report-list[data-loaded]');
    expect(await s.page.getAttribute('#report-list', 'data-loaded')).toBe('1');
    // The inspection opens the report's page (acceptance); the downloads follow.
    expect(await s.page.locator(`tr[data-report="${reportId}"] a`).first().getAttribute('href')).toBe(`/reports/${reportId}`);
    expect(await s.page.locator(`tr[data-report="${reportId}"] a[href$="/html"]`).getAttribute('href')).toBe(`/api/reports/${reportId}/html`);
    await screenshot(s.page, 'reports');
  });

  test('in a Chinese browser gets Chinese pages, and the toggle switches to English', async () => {
    const s = await session('cust-a', PASSWORDS.custA, 'zh-CN');
    expect(await s.page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await s.page.locator('h1').textContent()).toBe('总览');
    await screenshot(s.page, 'overview-zh');
    await Promise.all([s.page.waitForLoadState('load'), s.page.click('#lang-toggle')]);
    await s.page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await s.page.locator('h1').textContent()).toBe('Overview');
    // The choice sticks (cookie) on the next page too.
    await s.page.goto(`${world.url}/tickets`);
    expect(await s.page.locator('h1').textContent()).toBe('Tickets');
  });
});

test('an admin finds customers, users, channels, maintenance and contracts each on a settings page of its own', async () => {
  const s = await session('admin', world.adminPassword);
  await s.page.goto(`${world.url}/settings`);
  for (const id of ['customers', 'users', 'channels', 'maintenance', 'contracts']) {
    expect(await s.page.locator(`#settings-index a[data-page="${id}"]`).getAttribute('href')).toBe(`/settings/${id}`);
  }
  await screenshot(s.page, 'settings');
  for (const id of ['customers', 'users', 'channels', 'maintenance', 'contracts']) {
    await s.page.goto(`${world.url}/settings/${id}`);
    expect(await s.page.locator(`section#${id}`).count()).toBe(1);
    expect(await s.page.locator(`#settings-tabs a[data-tab="${id}"]`).getAttribute('aria-current')).toBe('page');
  }
  await s.page.goto(`${world.url}/settings/customers`);
  expect(await s.page.locator('#customers').innerText()).toContain('Beta Bank');
  // An old link to a part of the one settings page of before lands on that part's own page.
  await s.page.goto(`${world.url}/settings#maintenance`);
  await s.page.waitForURL((u) => u.pathname === '/settings/maintenance');
  expect(new URL(s.page.url()).hash).toBe('#maintenance');
  expect(s.errors).toEqual([]);
  await s.page.goto(`${world.url}/login`);
  await screenshot(s.page, 'login-redirected');
});
