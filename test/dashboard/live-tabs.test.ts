import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { createServer, request, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, logIn, openSession, SessionPool, type BrowserSession } from '../helpers/browser.js';
import { RawAgent, statusAgent } from '../helpers/raw-agent.js';
import { PASSWORDS, startDashboardWorld, type DashboardWorld } from './world.js';
import type { Status } from '../../shared/status.js';

/**
 * Engineers keep many dashboard tabs open. Chromium allows 6 HTTP/1.1 connections per host, so a live stream
 * per tab left the 7th tab unable to load; all tabs of a browser now share one stream (live-worker.js).
 * One browser context is one user's browser. The tabs talk to the collector through a plain reverse proxy
 * (as in many deployments) that counts the open streams and can refuse them.
 */

let world: DashboardWorld;
let browser: Browser;
let proxy: StreamProxy;
const pool = new SessionPool(() => browser, () => proxy.url);
const agents: RawAgent[] = [];

interface StreamProxy {
  url: string;
  /** /live/events responses open through the proxy right now. */
  openStreams: number;
  /** Paths answered with 502 (as a proxy that does not allow event streams). */
  refused: string[];
  /** Answers held back this many ms (a slow proxy or network), by path. */
  slow: Map<string, number>;
  server: Server;
}

async function startProxy(target: string): Promise<StreamProxy> {
  const to = new URL(target);
  const proxy = { openStreams: 0, refused: [], slow: new Map() } as unknown as StreamProxy;
  proxy.server = createServer((req, res) => {
    const stream = (req.url ?? '').startsWith('/live/events');
    if (proxy.refused.some((path) => (req.url ?? '').startsWith(path))) {
      res.writeHead(502).end('not through this proxy');
      return;
    }
    if (stream) {
      proxy.openStreams++;
      res.on('close', () => proxy.openStreams--);
    }
    const holdMs = proxy.slow.get(req.url ?? '') ?? 0;
    const upstream = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      setTimeout(() => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      }, holdMs);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  const addr = proxy.server.address();
  proxy.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return proxy;
}

beforeAll(async () => {
  // Heartbeats every 250 ms, so a logout reaches the other tabs without a 15 s wait.
  [world, browser] = await Promise.all([startDashboardWorld({ liveHeartbeatMs: 250 }), launchBrowser()]);
  proxy = await startProxy(world.url);
});

// Each story starts with no browser holding a stream, so the proxy's count is that story's alone.
afterEach(async () => {
  await pool.closeAll();
  await expect.poll(() => proxy.openStreams).toBe(0);
});

afterAll(async () => {
  for (const a of agents) a.close();
  await browser?.close();
  proxy?.server.closeAllConnections();
  proxy?.server.close();
  await world?.collector.destroy();
});

const session = (user: string, password: string) => pool.logIn(user, password);

/** One more tab of the same browser, loaded like a user opening a bookmark; fails if it does not finish loading. */
async function tab(s: BrowserSession, path: string): Promise<Page> {
  const page = await s.context.newPage();
  page.on('pageerror', (e) => s.errors.push(e.message));
  await page.goto(`${proxy.url}${path}`, { timeout: 10_000 });
  return page;
}

/** An enrolled host speaking the real wire protocol (closed after the tests). */
async function agentFor(customerId: string, hostname: string) {
  const a = await statusAgent(world.collector, customerId, hostname);
  agents.push(a.agent);
  return a;
}

const tileIs = (page: Page, hostId: string, status: Status) =>
  page.waitForFunction(([id, st]) => document.querySelector(`a.cell[data-host-id="${id}"]`)?.classList.contains(`st-${st}`), [hostId, status] as const);

/** A listener of its own on the page's shared worker (as app.js joins it), keeping every message the tab would get. */
async function recordWorkerMessages(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const seen: Array<{ type: string; data?: string }> = [];
        (window as unknown as { workerSeen: typeof seen }).workerSeen = seen;
        const worker = new SharedWorker('/static/live-worker.js');
        worker.port.onmessage = (m: MessageEvent<{ type: string; data?: string }>) => {
          seen.push(m.data);
          if (m.data.type === 'ready') resolve();
        };
        const session = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;
        worker.port.postMessage({ type: 'hello', url: '/live/events', session });
      }),
  );
}
const workerSeen = (page: Page) => page.evaluate(() => (window as unknown as { workerSeen: Array<{ type: string; data?: string }> }).workerSeen);

test('eight tabs of one engineer all load, share one stream, and a host change reaches the first and the eighth without reload', async () => {
  const web = await agentFor('acme', 'tabs-web');
  const s = await session('eng', PASSWORDS.eng);
  // The first tab is the overview the login led to; seven more: tickets, a ticket, every acme host.
  const paths = ['/tickets', `/tickets/${world.openAcme.number}`, ...world.acmeHosts.map((h) => `/hosts/${h.id}`), `/hosts/${web.hostId}`];
  // 6 streams used to hold every connection: the 7th page waited for one that never came free, and tab() fails
  // when a page does not finish loading in 10 s (a bound on each page, not on all eight: a loaded machine is slow).
  const tabs: Page[] = [s.page];
  for (const path of paths) tabs.push(await tab(s, path));
  expect(tabs).toHaveLength(8);
  for (const page of tabs) await page.waitForSelector('body[data-live-mode="sse"]');
  expect(proxy.openStreams).toBe(1);

  const first = tabs[0]!;
  const eighth = tabs[7]!;
  for (const page of [first, eighth]) await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  await web.send('CRITICAL', 'cpu 99%');
  await tileIs(first, web.hostId, 'CRITICAL');
  await eighth.waitForFunction(() => document.getElementById('host-status')?.getAttribute('data-status') === 'CRITICAL');
  for (const page of [first, eighth]) expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

  // Closing tabs leaves the others listening; closing all gives the connection back.
  for (const page of tabs.slice(1)) await page.close();
  await web.send('OK', 'cpu 10%');
  await tileIs(first, web.hostId, 'OK');
  expect(proxy.openStreams).toBe(1);
  await first.close();
  await expect.poll(() => proxy.openStreams).toBe(0);
  expect(s.errors).toEqual([]);
});

test('logging out in one tab sends the other tabs to the login page, and the next login opens a fresh stream', async () => {
  const web = await agentFor('acme', 'tabs-logout');
  const s = await session('eng', PASSWORDS.eng);
  const others = [await tab(s, '/'), await tab(s, `/hosts/${web.hostId}`)];
  for (const page of [s.page, ...others]) await page.waitForSelector('body[data-live-mode="sse"]');

  // The logout's answer comes late, so the stream's "logout" reaches every tab first, the one logging out too.
  // That tab must wait for its own answer: going to the login page on the stream's word would cut its request short.
  proxy.slow.set('/logout', 1_500);
  try {
    await Promise.all([s.page.waitForURL(/\/login/), s.page.click('#logout')]);
    for (const page of others) await page.waitForURL(/\/login\?next=/);
  } finally {
    proxy.slow.clear();
  }
  expect(new URL(s.page.url()).pathname + new URL(s.page.url()).search).toBe('/login');
  await expect.poll(() => proxy.openStreams).toBe(0);

  await logIn(s, proxy.url, 'eng', PASSWORDS.eng);
  await s.page.waitForSelector('body[data-live-mode="sse"]');
  expect(proxy.openStreams).toBe(1);
  await web.send('WARNING', 'cpu 85%');
  await tileIs(s.page, web.hostId, 'WARNING');
  expect(s.errors).toEqual([]);
});

test("a customer logging in on the engineer's browser ends the engineer's stream: their tab hears only their own hosts", async () => {
  const acme = await agentFor('acme', 'tabs-shared-a');
  const beta = await agentFor('beta', 'tabs-shared-b');
  const s = await session('eng', PASSWORDS.eng);
  const engHostTab = await tab(s, `/hosts/${acme.hostId}`);
  for (const page of [s.page, engHostTab]) await page.waitForSelector('body[data-live-mode="sse"]');

  // The engineer never logged out (the session lives on); the cookie is gone and Beta's user logs in.
  await s.context.clearCookies();
  const engTabsLeft = Promise.all([s.page, engHostTab].map((page) => page.waitForEvent('framenavigated')));
  engTabsLeft.catch(() => {}); // awaited at the end; a failure before then should not also be reported as unhandled
  const custTab = await s.context.newPage();
  await logIn({ ...s, page: custTab }, proxy.url, 'cust-b', PASSWORDS.custB);
  await custTab.waitForSelector('body[data-live-mode="sse"]');
  await recordWorkerMessages(custTab);

  await acme.send('CRITICAL', 'disk full on acme');
  await beta.send('WARNING', 'teller slow');
  // The feed sends in order: anything of acme would have arrived before Beta's own change.
  const heard = async () => (await workerSeen(custTab)).filter((m) => m.data).map((m) => JSON.parse(m.data!) as { hostId: string });
  await expect.poll(async () => (await heard()).some((e) => e.hostId === beta.hostId || e.hostId === acme.hostId)).toBe(true);
  const acmeIds = new Set([acme.hostId, ...world.acmeHosts.map((h) => h.id)]);
  expect((await heard()).filter((e) => acmeIds.has(e.hostId))).toEqual([]);
  await tileIs(custTab, beta.hostId, 'WARNING');
  expect(proxy.openStreams).toBe(1);
  // The engineer's open pages did not stay on acme under Beta's session: they went to the login page (and on as Beta).
  await engTabsLeft;
  expect(await engHostTab.locator('.who').innerText()).toContain('Beta Ops');
});

test('a stream the proxy refuses: every tab falls back to polling, as a page without the worker did', async () => {
  proxy.refused = ['/live/events'];
  try {
    const s = await session('cust-a', PASSWORDS.custA);
    const tabs = [s.page, await tab(s, '/'), await tab(s, '/tickets')];
    for (const page of tabs) await page.waitForSelector('body[data-live-mode="poll"]');
    // The overviews' tiles come from /live/states now.
    for (const page of tabs.slice(0, 2)) await page.waitForSelector('#host-grid[data-updated]');
  } finally {
    proxy.refused = [];
  }
});

test('a browser without SharedWorker: each page keeps its own stream, and a refused one falls back to polling', async () => {
  const s = pool.track(await openSession(browser));
  await s.context.addInitScript(() => delete (window as { SharedWorker?: unknown }).SharedWorker);
  await logIn(s, proxy.url, 'cust-a', PASSWORDS.custA);
  const second = await tab(s, '/');
  for (const page of [s.page, second]) await page.waitForSelector('body[data-live-mode="sse"]');
  expect(proxy.openStreams).toBe(2);

  // The page's own stream is the page's request, so the page can refuse it (as live.test.ts does).
  await s.page.route('**/live/events', (route) => route.fulfill({ status: 502, body: 'no streams here' }));
  const polled = s.page.waitForRequest((r) => r.url().endsWith('/live/states'));
  await s.page.reload();
  await polled;
  await s.page.waitForSelector('body[data-live-mode="poll"]');
  await s.page.waitForSelector('#host-grid[data-updated]');
});
