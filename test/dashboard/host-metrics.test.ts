import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, openSession, screenshot, type BrowserSession } from '../helpers/browser.js';
import { RawAgent } from '../helpers/raw-agent.js';
import { listHostMetricFields } from '../../collector/dashboard/metric-catalog.js';
import { createTemplate, setHostTemplates } from '../../collector/assignment/template-store.js';
import { httpLogin, PASSWORDS, startDashboardWorld, type DashboardWorld } from './world.js';

let world: DashboardWorld;
let browser: Browser;
const sessions: BrowserSession[] = [];
let agent: RawAgent | undefined;
let hostId: string;
let betaHostId: string;

/** What a nagios script with perfdata and the postgres check send, as results of a real batch over the wire. */
function results(now: number) {
  const out = [];
  for (let i = 0; i < 10; i++) {
    const at = now - (9 - i) * 60_000;
    out.push({
      name: 'script.load',
      checkId: 'script.nagios',
      status: 'OK',
      summary: 'OK - load average: 0.5',
      startedAt: at,
      durationMs: 12,
      metrics: [
        { measurement: 'nagios', tags: { label: 'load1' }, fields: { value: 0.5 + i / 10, warn: 4, crit: 8 }, time: at },
        { measurement: 'nagios', tags: { label: 'load5' }, fields: { value: 0.4 }, time: at },
      ],
    });
    out.push({
      name: 'db.postgres',
      checkId: 'db.postgres',
      status: 'OK',
      summary: 'postgres up, 12 connections',
      startedAt: at,
      durationMs: 30,
      metrics: [
        { measurement: 'postgres', tags: {}, fields: { up: 1, connections: 10 + i }, time: at },
        { measurement: 'postgres_database', tags: { database: 'orders' }, fields: { size_bytes: 1e9 + i, name_text: 'x' }, time: at },
      ],
    });
  }
  return out;
}

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
  const enrolled = world.collector.enrollHost('acme', 'pg-1');
  hostId = enrolled.hostId;
  // The collector takes results only of checks the host was told to run: assign the two before its hello.
  const checks = [
    { name: 'script.load', checkId: 'script.nagios', params: { command: '/usr/lib/nagios/plugins/check_load' }, intervalSec: 60, timeoutSec: 30 },
    { name: 'db.postgres', checkId: 'db.postgres', params: {}, intervalSec: 60, timeoutSec: 30 },
  ];
  const template = createTemplate(world.collector.db, { customerId: 'acme', name: 'pg-1 checks', description: '', checks, now: Date.now() });
  setHostTemplates(world.collector.db, hostId, ['linux-base', template.id]);
  agent = await RawAgent.connect(world.collector.wsUrl, enrolled.agentKey);
  await agent.hello(enrolled.agentId);
  agent.sendRaw(JSON.stringify({ type: 'batch', seq: 1, results: results(Date.now()), metrics: [] }));
  await agent.next((f) => f.type === 'ack' && f.seq === 1);
  betaHostId = world.betaHosts[0]!.id;
});

afterAll(async () => {
  agent?.close();
  for (const s of sessions) await s.context.close();
  await browser?.close();
  await world?.collector.destroy();
});

test("the host page charts the checks' own metrics: nagios perfdata by label, postgres fields, picked from what the host sent", async () => {
  // The catalog holds the numeric fields only, with the tags to split by.
  expect(listHostMetricFields(world.collector.db, hostId, ['acme']).map((m) => `${m.measurement}.${m.field}[${m.groupBy.join(',')}]`)).toEqual([
    'nagios.crit[label]',
    'nagios.value[label]',
    'nagios.warn[label]',
    'postgres.connections[]',
    'postgres.up[]',
    'postgres_database.size_bytes[database]',
  ]);
  expect(listHostMetricFields(world.collector.db, hostId, ['beta'])).toEqual([]);

  const s = await openSession(browser);
  sessions.push(s);
  await logIn(s, world.url, 'eng', PASSWORDS.eng);
  await s.page.goto(`${world.url}/hosts/${hostId}`);
  await s.page.waitForSelector('#check-metrics[data-drawn="1h"]');
  // Each figure by its title and unit, grouped by check; the stored name only on hover.
  const options = await s.page.locator('#metric-picker option').allTextContents();
  expect(options).toContain('script.load · value');
  expect(options).toContain('Connections');
  expect(options).toContain('Database size (bytes)');
  // Only the plugin's figures keep a Latin name: the one its assignment was given.
  expect(options.filter((o) => /[a-z]+[._][a-z]+/.test(o) && !o.startsWith('script.load · '))).toEqual([]);
  expect(await s.page.locator('#metric-picker option[value="postgres|connections|"]').getAttribute('title')).toBe('postgres.connections');
  expect(await s.page.locator('#metric-picker optgroup').evaluateAll((gs) => gs.map((g) => g.getAttribute('label')))).toEqual(['PostgreSQL', 'script.load']);

  await s.page.selectOption('#metric-picker', 'nagios|value|label');
  await s.page.waitForSelector('#chart-check-metric[data-drawn-for="nagios|value|label"]');
  const fig = s.page.locator('#chart-check-metric');
  // 10 one-minute results x 2 labels, each in its own bucket of the 1 h range.
  expect(await fig.getAttribute('data-points')).toBe('20');
  expect(await fig.locator('canvas').count()).toBe(1);
  const legend = await fig.locator('.u-legend').innerText();
  expect(legend).toContain('load1');
  expect(legend).toContain('load5');

  await s.page.selectOption('#metric-picker', 'postgres|connections|');
  await s.page.waitForSelector('#chart-check-metric[data-drawn-for="postgres|connections|"]');
  expect(await fig.getAttribute('data-points')).toBe('10');
  await screenshot(s.page, 'host-check-metrics');
  // A size is drawn as a size: the figure takes the field's unit, and the axis reads in GiB, not 1000000009.
  await s.page.selectOption('#metric-picker', 'postgres_database|size_bytes|database');
  await s.page.waitForSelector('#chart-check-metric[data-drawn-for="postgres_database|size_bytes|database"]');
  expect(await fig.getAttribute('data-unit')).toBe('bytes');
  const plot = fig.locator('.u-over');
  await plot.scrollIntoViewIfNeeded();
  const box = (await plot.boundingBox())!;
  await s.page.mouse.move(box.x + box.width - 10, box.y + box.height / 2);
  // 1e9 bytes: 954 MiB, in the readout under the chart.
  await expect.poll(() => fig.locator('.readout').innerText()).toMatch(/orders 954 MiB/);
  await s.page.mouse.move(0, 0);
  expect(s.errors).toEqual([]);

  // In Chinese the same figures read in Chinese.
  const zh = await openSession(browser, { locale: 'zh-CN' });
  sessions.push(zh);
  await logIn(zh, world.url, 'eng', PASSWORDS.eng);
  await zh.page.goto(`${world.url}/hosts/${hostId}`);
  const zhOptions = await zh.page.locator('#metric-picker option').allTextContents();
  expect(zhOptions).toContain('连接数');
  expect(zhOptions).toContain('数据库大小 (字节)');
  expect(zhOptions).toContain('script.load · 值');
  expect(zh.errors).toEqual([]);
});

test("a host without check metrics has no picker, and another customer's host page stays 404", async () => {
  const custB = await httpLogin(world.url, 'cust-b', PASSWORDS.custB);
  const page = await fetch(`${world.url}/hosts/${betaHostId}`, { headers: { cookie: custB.cookie } });
  expect(page.status).toBe(200);
  expect(await page.text()).not.toContain('metric-picker');
  expect((await fetch(`${world.url}/hosts/${hostId}`, { headers: { cookie: custB.cookie } })).status).toBe(404);
});

test('the login page, for the screenshots', async () => {
  const s = await openSession(browser);
  sessions.push(s);
  await s.page.goto(`${world.url}/login`);
  expect(await s.page.locator('#login-submit').count()).toBe(1);
  await screenshot(s.page, 'login');
});

test("what the agent dropped and the collector refused is counted on the host's page, in zh and en", async () => {
  const staff = await httpLogin(world.url, 'eng', PASSWORDS.eng);
  const hostPage = async (lang: 'zh' | 'en', cookie = staff.cookie) => (await fetch(`${world.url}/hosts/${hostId}`, { headers: { cookie: `${cookie}; patrol_lang=${lang}` } })).text();
  // Nothing lost yet: no section.
  expect(await hostPage('en')).not.toContain('id="host-drops"');

  // The agent's own counter, as its self-metrics line carries it in every batch (agent/agent.ts), over the wire.
  const now = Date.now();
  const lines = [[3 * 3600_000, 0], [2 * 3600_000, 120], [1800_000, 345]].map(([ago, n]) => `patrol_agent dropped_points_total=${n} ${now - ago!}`).join('\n');
  agent!.sendRaw(JSON.stringify({ type: 'batch', seq: 2, results: [], lines }));
  await agent!.next((f) => f.type === 'ack' && f.seq === 2);
  // A result of a check the host was never given: refused by ingest and counted for this agent (flushed every 5 s).
  const rogue = { name: 'rogue', checkId: 'script.nagios', status: 'OK', summary: 'hi', startedAt: now, durationMs: 1, metrics: [] };
  agent!.sendRaw(JSON.stringify({ type: 'batch', seq: 3, results: [rogue], metrics: [] }));
  await agent!.next((f) => f.type === 'ack' && f.seq === 3);
  await expect.poll(async () => hostPage('en'), { timeout: 30_000, interval: 500 }).toContain('data-refused="unassignedResults"');

  const en = await hostPage('en');
  const text = (html: string, id: string) => (new RegExp(`<p id="${id}"[^>]*>([\\s\\S]*?)</p>`).exec(html)?.[1] ?? '').replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
  expect(en).toContain('data-dropped="345"');
  expect(text(en, 'agent-dropped')).toMatch(/^345 results and figures dropped by the agent \(spool full or too large\), first seen \d{4}-\d{2}-\d{2} \d{2}:\d{2}, latest increase \d{4}-\d{2}-\d{2} \d{2}:\d{2}\.$/);
  expect(text(en, 'collector-refused')).toMatch(/^Refused by the collector: unassigned results 1 \(latest \d{4}-\d{2}-\d{2} \d{2}:\d{2}\)$/);
  expect(en).toMatch(/id="collector-refused" title="batch 3: results of checks not assigned/);
  const zh = await hostPage('zh');
  expect(text(zh, 'agent-dropped')).toMatch(/^代理因缓存已满或数据过大丢弃了 345 条数据（检查结果及其指标），首次发现于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}，最近一次增加于/);
  expect(text(zh, 'collector-refused')).toMatch(/^被采集器拒收： 未分配的结果 1/);
  // The customer reads the counts too, without the collector's internal reason.
  const cust = await httpLogin(world.url, 'cust-a', PASSWORDS.custA);
  const custPage = await hostPage('en', cust.cookie);
  expect(custPage).toContain('data-dropped="345"');
  expect(custPage).toContain('id="collector-refused" title=""');
});

test('a live result turns the status badges to 严重 in zh, never to the English enum', async () => {
  const zh = await openSession(browser, { locale: 'zh-CN' });
  sessions.push(zh);
  await logIn(zh, world.url, 'eng', PASSWORDS.eng);
  await zh.page.goto(`${world.url}/hosts/${hostId}`);
  await zh.page.waitForSelector('body[data-live-mode="sse"]');
  expect(await zh.page.locator('#host-status').innerText()).toBe('正常');
  const down = { name: 'db.postgres', checkId: 'db.postgres', status: 'CRITICAL', summary: 'postgres down', startedAt: Date.now(), durationMs: 3, metrics: [] };
  agent!.sendRaw(JSON.stringify({ type: 'batch', seq: 10, results: [down], metrics: [] }));
  await agent!.next((f) => f.type === 'ack' && f.seq === 10);
  await zh.page.waitForFunction(() => document.getElementById('host-status')?.getAttribute('data-status') === 'CRITICAL');
  expect(await zh.page.locator('#host-status').innerText()).toBe('严重');
  expect(await zh.page.locator('#checks tr[data-check="db.postgres"] .badge').innerText()).toBe('严重');
  // The story before this one left drops and a refusal: the head of the page with its note on lost data.
  expect(await zh.page.locator('#host-drops').count()).toBe(1);
  await screenshot(zh.page, 'host-drops-zh');
  expect(zh.errors).toEqual([]);
});
