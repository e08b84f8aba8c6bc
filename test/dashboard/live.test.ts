import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, screenshot, type BrowserSession, SessionPool } from '../helpers/browser.js';
import { RawAgent, statusAgent } from '../helpers/raw-agent.js';
import { httpLogin, PASSWORDS, startDashboardWorld, type DashboardWorld } from './world.js';
import { findUserByName, setUserDisabled } from '../../collector/db/users.js';

let world: DashboardWorld;
let browser: Browser;
const pool = new SessionPool(() => browser, () => world.url);
const agents: RawAgent[] = [];

beforeAll(async () => {
  // Heartbeats every 250 ms, so the "session ended" story needs no 15 s wait.
  [world, browser] = await Promise.all([startDashboardWorld({ liveHeartbeatMs: 250 }), launchBrowser()]);
});

afterAll(async () => {
  for (const a of agents) a.close();
  await pool.closeAll();
  await browser?.close();
  await world?.collector.destroy();
});

const session = (user: string, password: string) => pool.logIn(user, password);

/** An enrolled host speaking the real wire protocol (closed after the tests). */
async function agentFor(customerId: string, hostname: string) {
  const a = await statusAgent(world.collector, customerId, hostname);
  agents.push(a.agent);
  return a;
}

/** A second EventSource in the page (same cookie, same route the client script uses) that keeps every event it hears. */
async function recordLiveEvents(s: BrowserSession): Promise<void> {
  await s.page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const seen: Array<{ type: string; data: unknown }> = [];
        (window as unknown as { liveSeen: typeof seen }).liveSeen = seen;
        const es = new EventSource('/live/events');
        for (const type of ['host', 'ticket']) es.addEventListener(type, (m) => seen.push({ type, data: JSON.parse((m as MessageEvent).data) }));
        es.addEventListener('ready', () => resolve());
      }),
  );
}
const liveSeen = (s: BrowserSession) => s.page.evaluate(() => (window as unknown as { liveSeen: Array<{ type: string; data: Record<string, string> }> }).liveSeen);

test('a result over ingest re-colours the tile in an open page, and a ticket change relabels its row, without reload', async () => {
  const web = await agentFor('acme', 'live-web');
  const s = await session('eng', PASSWORDS.eng);
  await s.page.waitForSelector('body[data-live-mode="sse"]');
  const cell = s.page.locator(`a.cell[data-host-id="${web.hostId}"]`);
  expect(await cell.getAttribute('class')).toContain('st-UNKNOWN');
  // A marker on window survives only if the page is never reloaded.
  await s.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  await web.send('CRITICAL', 'cpu 99%');
  await s.page.waitForFunction((id) => document.querySelector(`a.cell[data-host-id="${id}"]`)?.classList.contains('st-CRITICAL'), web.hostId);
  await web.send('OK', 'cpu 10%');
  await s.page.waitForFunction((id) => document.querySelector(`a.cell[data-host-id="${id}"]`)?.classList.contains('st-OK'), web.hostId);
  expect(await s.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  await screenshot(s.page, 'overview-live');

  // Tickets: acknowledging through the API relabels the row in the open overview.
  const row = s.page.locator(`#open-tickets tr[data-ticket="${world.openAcme.number}"] .badge`);
  expect(await row.textContent()).toBe('open');
  const eng = await httpLogin(world.url, 'eng', PASSWORDS.eng);
  const ack = await fetch(`${world.url}/api/tickets/${world.openAcme.number}/acknowledge`, {
    method: 'POST',
    headers: { cookie: eng.cookie, 'x-csrf-token': eng.csrf, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(ack.status).toBe(200);
  await s.page.waitForFunction((n) => document.querySelector(`#open-tickets tr[data-ticket="${n}"] .badge`)?.textContent === 'acknowledged', world.openAcme.number);

  // The host page follows the same stream: its badge and the check row change in place.
  await s.page.goto(`${world.url}/hosts/${web.hostId}`);
  await s.page.waitForSelector('body[data-live-mode="sse"]');
  await web.send('WARNING', 'cpu <b>85%</b>');
  await s.page.waitForFunction(() => document.getElementById('host-status')?.getAttribute('data-status') === 'WARNING');
  expect(await s.page.locator('#checks tr[data-check="system.cpu"] td.output').innerText()).toContain('cpu <b>85%</b>');
  expect(s.errors).toEqual([]);
  expect(s.dialogs).toEqual([]);
});

test("customer B's open page hears of B's hosts only, never of customer A's hosts or tickets", async () => {
  const a = await agentFor('acme', 'live-a');
  const b = await agentFor('beta', 'live-b');
  const engA = await session('eng', PASSWORDS.eng);
  const custB = await session('cust-b', PASSWORDS.custB);
  await Promise.all([recordLiveEvents(engA), recordLiveEvents(custB)]);

  await a.send('CRITICAL', 'disk full on A');
  await engA.page.waitForFunction((id) => document.querySelector(`a.cell[data-host-id="${id}"]`)?.classList.contains('st-CRITICAL'), a.hostId);
  const engSession = await httpLogin(world.url, 'eng', PASSWORDS.eng);
  await fetch(`${world.url}/api/tickets/${world.recoveredAcme.number}/comment`, {
    method: 'POST',
    headers: { cookie: engSession.cookie, 'x-csrf-token': engSession.csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'looking' }),
  });
  await expect.poll(async () => (await liveSeen(engA)).some((e) => e.type === 'ticket' && e.data.number === world.recoveredAcme.number)).toBe(true);

  // Only now B's own change: the feed sends in order, so anything of A for B would have arrived before it.
  await b.send('WARNING', 'teller slow');
  await custB.page.waitForFunction((id) => document.querySelector(`a.cell[data-host-id="${id}"]`)?.classList.contains('st-WARNING'), b.hostId);
  await expect.poll(async () => (await liveSeen(custB)).some((e) => e.type === 'host' && e.data.hostId === b.hostId)).toBe(true);
  const heardByB = await liveSeen(custB);
  const acmeIds = new Set([a.hostId, ...world.acmeHosts.map((h) => h.id)]);
  expect(heardByB.filter((e) => acmeIds.has(e.data.hostId!))).toEqual([]);
  expect(heardByB.filter((e) => e.type === 'ticket')).toEqual([]);
  expect(await custB.page.locator(`a.cell[data-host-id="${a.hostId}"]`).count()).toBe(0);
  // And A's engineer heard nothing of B.
  expect((await liveSeen(engA)).filter((e) => e.data.hostId === b.hostId)).toEqual([]);
});

test('without a session the stream is refused, and a page whose stream fails falls back to polling', async () => {
  const res = await fetch(`${world.url}/live/events`, { redirect: 'manual' });
  expect(res.status).toBe(303);
  const s = await session('cust-a', PASSWORDS.custA);
  // A proxy that refuses event streams: EventSource gives up on a 502 and the page polls /live/states instead.
  // page.route sees only the page's own requests: a SharedWorker's stream is not one, so this page goes without the
  // worker (a browser lacking SharedWorker); the worker's fallback is tested with a real refusing proxy in live-tabs.
  await s.context.addInitScript(() => delete (window as { SharedWorker?: unknown }).SharedWorker);
  await s.page.route('**/live/events', (route) => route.fulfill({ status: 502, body: 'no streams here' }));
  const polled = s.page.waitForRequest((r) => r.url().endsWith('/live/states'));
  await s.page.reload();
  await polled;
  await s.page.waitForSelector('body[data-live-mode="poll"]');
  await s.page.waitForSelector('#host-grid[data-updated]');
});

test('disabling a user ends their open stream: the page goes to the login form by itself', async () => {
  const s = await session('cust-a', PASSWORDS.custA);
  await s.page.waitForSelector('body[data-live-mode="sse"]');
  const id = findUserByName(world.collector.db, 'cust-a')!.id;
  setUserDisabled(world.collector.db, id, true, Date.now());
  try {
    await s.page.waitForURL(/\/login/);
  } finally {
    setUserDisabled(world.collector.db, id, false, Date.now());
  }
});
