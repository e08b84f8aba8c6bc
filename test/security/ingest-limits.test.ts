import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Agent } from '../../agent/agent.js';
import { PROTOCOL_VERSION, type CollectorFrame } from '../../shared/protocol.js';
import type { IngestListener } from '../../collector/ingest/listener.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { inventoryPlugin } from '../../collector/inventory/plugin.js';
import { dashboardPlugin } from '../../collector/dashboard/plugin.js';
import { listCheckStates } from '../../collector/db/check-states.js';
import { listAgentRefusals } from '../../collector/ingest/refusals.js';
import { createTemplate, setHostTemplates } from '../../collector/assignment/template-store.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { RawAgent } from '../helpers/raw-agent.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/ports.js';
import { httpLogin } from '../dashboard/world.js';

/**
 * Issue 11, item 5: an agent (root on one customer host) is held to its own host and rate. It may report only on
 * the checks it was told to run, only with times a real agent could have, and only as fast as its lane allows;
 * what it is refused is counted and shown. A real agent loses nothing to any of it.
 */
describe('agents are held to their own host and rate', () => {
  let collector: TestCollector;
  const requests: Array<{ hostId: string; requestId: string; results: number }> = [];
  const recorder: IngestListener = {
    onResults: (host, results, _now, batch) => {
      if (batch?.requestId) requests.push({ hostId: host.hostId, requestId: batch.requestId, results: results.length });
    },
  };
  const refusalsOf = (agentId: string) => {
    collector.hub.refusals.flush();
    return listAgentRefusals(collector.db).get(agentId);
  };
  const auth = () => ({ authorization: `Basic ${Buffer.from(`admin:${collector.adminPassword}`).toString('base64')}` });
  const connect = async (hostname: string) => {
    const h = collector.enrollHost('acme', hostname);
    const agent = await RawAgent.connect(collector.wsUrl, h.agentKey);
    await agent.hello(h.agentId);
    return { ...h, agent };
  };
  let seq = 0;
  const send = async (a: RawAgent, batch: Record<string, unknown>): Promise<CollectorFrame> => {
    const s = ++seq;
    a.sendRaw(JSON.stringify({ type: 'batch', seq: s, results: [], ...batch }));
    return a.next((f) => (f.type === 'ack' || f.type === 'error') && f.seq === s);
  };
  const result = (name: string, checkId: string, status: string, summary: string, startedAt: number, lines?: string) => ({ name, checkId, status, summary, startedAt, durationMs: 2, ...(lines ? { lines } : {}) });

  beforeAll(async () => {
    // 2 frames a second (burst 12) per agent, so the flood below meets the rate; a 2 s clock skew allowance, so a
    // check taken away can be shown refused for results dated after it.
    collector = await startTestCollector(
      { batchIntervalSec: 0.3, agentFramesPerMin: 120, agentClockSkewSec: 2 },
      { plugins: [ticketsPlugin, inventoryPlugin, dashboardPlugin], listeners: [recorder] },
    );
  });
  afterAll(async () => collector?.destroy());

  test('results of checks the host was never assigned are dropped and counted, never stored or ticketed; the rest of the batch is', async () => {
    const h = await connect('db1');
    const t0 = Date.now() - 600_000;
    for (let i = 0; i < 5; i++) {
      const at = t0 + i * 60_000;
      const answer = await send(h.agent, {
        results: [
          result('system.disk', 'system.disk', 'CRITICAL', '/ 96.0% above threshold', at, `disk,mount=/ used_pct=96 ${at}`),
          // A fake CRITICAL of a check nobody assigned, to page the on-call engineer with its text.
          result('payroll', 'script.nagios', 'CRITICAL', '<!channel> call +1-555-0100 now', at, `payroll value=1 ${at}`),
          // An assigned name with another check type is not the assigned check.
          result('system.cpu', 'script.nagios', 'CRITICAL', 'cpu on fire', at),
        ],
      });
      expect(answer).toMatchObject({ type: 'ack' });
    }
    const states = listCheckStates(collector.db, { hostId: h.hostId });
    expect(states.map((s) => `${s.name}:${s.checkId}`)).toEqual(['system.disk:system.disk']);
    expect(await collector.store.countPoints({ measurement: 'disk', field: 'used_pct', where: { host: h.hostId }, from: 0, to: Date.now() })).toBe(5);
    expect(await collector.store.countPoints({ measurement: 'payroll', field: 'value', where: { host: h.hostId }, from: 0, to: Date.now() })).toBe(0);
    expect(await collector.store.countPoints({ measurement: 'check', field: 'status_code', where: { host: h.hostId }, from: 0, to: Date.now() })).toBe(5);
    const tickets = (await (await collector.app.request('/api/tickets', { headers: auth() })).json()) as { tickets: Array<{ hostId: string; title: string }> };
    const mine = tickets.tickets.filter((t) => t.hostId === h.hostId);
    expect(mine).toHaveLength(1); // the disk's, not the payroll's nor the fake cpu's
    // (tickets now carry a `channel` field of their own: look for the fake texts, not the word)
    expect(JSON.stringify(mine)).not.toMatch(/payroll|<!channel>|555-0100|on fire/);
    expect(refusalsOf(h.agentId)).toMatchObject({ unassignedResults: 10, rateLimited: 0, badFrames: 0 });

    // Staff see it on the agents page, in both languages.
    const session = await httpLogin(collector.url, 'admin', collector.adminPassword!);
    for (const [lang, label] of [['en', 'unassigned results'], ['zh', '未分配的结果']] as const) {
      const page = await (await fetch(`${collector.url}/agents`, { headers: { cookie: session.cookie, 'accept-language': lang } })).text();
      const row = new RegExp(`<tr data-agent="${h.agentId}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
      expect(row).toContain(`<span data-refused="unassignedResults">${label} 10</span>`);
      expect(row).toMatch(/title="batch \d+: results of checks not assigned to this host dropped: payroll \(script.nagios\), system.cpu \(script.nagios\)"/);
    }
    h.agent.close();
  });

  test('what a real agent sends by itself is all taken: its checks, inventory, own figures and a run-now answer (paced, never refused)', async () => {
    const state = tempDir('agent-own');
    const agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: state.path, enrollToken: collector.token('acme'), name: 'real-host' });
    try {
      await agent.start();
      const hostId = agent.credentials!.hostId;
      const names = ['system.cpu', 'system.disk', 'system.inventory', 'system.memory', 'system.network', 'system.uptime'];
      await waitFor(() => names.every((n) => listCheckStates(collector.db, { hostId }).some((s) => s.name === n)), 'every linux-base check stored', 30_000);
      await waitFor(async () => (await collector.store.countPoints({ measurement: 'patrol_agent', field: 'rss_bytes', where: { host: hostId }, from: 0, to: Date.now() + 60_000 })) > 0, "the agent's own figures");
      expect(collector.runNow(hostId, 'inspection-1')).toBe(true);
      await waitFor(() => requests.find((r) => r.requestId === 'inspection-1' && r.hostId === hostId), 'the run-now answer', 30_000);
      expect(requests.find((r) => r.requestId === 'inspection-1')!.results).toBe(names.length);
      await waitFor(() => agent.spool.stats().batches === 0, 'every batch acked', 30_000);
      expect(refusalsOf(agent.credentials!.agentId)).toBeUndefined();
      expect(agent.spool.stats()).toMatchObject({ droppedPoints: 0, droppedBatches: 0 });
    } finally {
      await agent.stop();
      state.remove();
    }
  });

  test('a check taken away: results that started before the agent was told are taken, later ones are refused', async () => {
    const h = collector.enrollHost('acme', 'web1');
    const checks = [{ name: 'nginx-port', checkId: 'network.tcp', params: { host: '127.0.0.1', port: 80 }, intervalSec: 60, timeoutSec: 5 }];
    const extra = createTemplate(collector.db, { customerId: 'acme', name: 'web', description: '', checks, now: Date.now() });
    setHostTemplates(collector.db, h.hostId, ['linux-base', extra.id]);
    const agent = await RawAgent.connect(collector.wsUrl, h.agentKey);
    const welcome = await agent.hello(h.agentId);
    expect(welcome.type === 'welcome' && welcome.checks.map((c) => c.name)).toContain('nginx-port');
    const before = Date.now() - 1000;
    expect(await send(agent, { results: [result('nginx-port', 'network.tcp', 'OK', 'open', before - 1000)] })).toMatchObject({ type: 'ack' });

    setHostTemplates(collector.db, h.hostId, ['linux-base']);
    expect(collector.hub.pushConfig(h.hostId)).toBe(true);
    await agent.next((f) => f.type === 'config' && !f.checks.some((c) => c.name === 'nginx-port'));
    // In the agent's spool or in flight when the change came: still its own.
    expect(await send(agent, { results: [result('nginx-port', 'network.tcp', 'CRITICAL', 'closed', before)] })).toMatchObject({ type: 'ack' });
    await new Promise((r) => setTimeout(r, 2100)); // past the 2 s skew allowance of this collector
    expect(await send(agent, { results: [result('nginx-port', 'network.tcp', 'CRITICAL', 'closed later', Date.now())] })).toMatchObject({ type: 'ack' });
    expect(listCheckStates(collector.db, { hostId: h.hostId }).find((s) => s.name === 'nginx-port')).toMatchObject({ summary: 'closed' });
    expect(refusalsOf(h.agentId)).toMatchObject({ unassignedResults: 1 });
    agent.close();
  });

  test('back-dated and future-dated results are refused with the result or line named, and counted', async () => {
    const h = await connect('db2');
    const now = Date.now();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      // Rewriting last month's availability (SLA and inspection reports are computed from the check points).
      [{ results: [result('system.cpu', 'system.cpu', 'OK', 'fine', now - 8 * 86_400_000)] }, /^results\.0\.startedAt: time .* is older than 7 days/],
      [{ results: [result('system.cpu', 'system.cpu', 'CRITICAL', 'ahead', now + 60_000)] }, /^results\.0\.startedAt: time .* ahead of the collector's clock/],
      [{ results: [result('system.cpu', 'system.cpu', 'OK', 'fine', now - 1000, `cpu load1=1 ${now - 1000}\ncpu load1=9 ${now + 600_000}`)] }, /^results\.0\.lines: line 2: time .* ahead/],
      [{ lines: `patrol_agent rss_bytes=1 ${now - 30 * 86_400_000}` }, /^lines: line 1: time .* older than 7 days/],
    ];
    for (const [batch, message] of cases) expect(await send(h.agent, batch)).toMatchObject({ type: 'error', code: 'bad-frame', message: expect.stringMatching(message) });
    expect(listCheckStates(collector.db, { hostId: h.hostId })).toEqual([]);
    expect(await collector.store.countPoints({ measurement: 'check', field: 'status_code', where: { host: h.hostId }, from: 0, to: now + 86_400_000 })).toBe(0);
    expect(refusalsOf(h.agentId)).toMatchObject({ pastBatches: 2, futureBatches: 2, unassignedResults: 0 });
    // Within the window is fine, an hour back included (a spool replay).
    expect(await send(h.agent, { results: [result('system.cpu', 'system.cpu', 'OK', 'replayed', now - 3600_000)] })).toMatchObject({ type: 'ack' });
    h.agent.close();
  });

  test('a flood of frames is rate-limited and counted; the agent sends them again later and every batch is stored once', async () => {
    const h = await connect('flooder');
    const t0 = Date.now() - 60_000;
    const frame = (s: number) => JSON.stringify({ type: 'batch', seq: s, results: [], lines: `flood n=${s} ${t0 + s}` });
    const acked = new Set<number>();
    const limited: Array<Extract<CollectorFrame, { type: 'error' }>> = [];
    h.agent.ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as CollectorFrame;
      if (f.type === 'ack') acked.add(f.seq);
      if (f.type === 'error' && f.code === 'rate-limited' && f.seq !== undefined) {
        limited.push(f);
        // What the agent does with it: keep the batch, send it again after the time it was given.
        setTimeout(() => h.agent.sendRaw(frame(f.seq!)), f.retryAfterMs);
      }
    });
    for (let s = 1; s <= 20; s++) h.agent.sendRaw(frame(s)); // no waiting for acks: not how a real agent behaves
    await waitFor(() => acked.size === 20, 'every flooded batch acked in the end', 30_000);
    // One in processing and 8 waiting: the rest of the first wave is refused at once. How many exactly depends on
    // how many batches the lane finished while the wave was still arriving (10 or 11 seen under load), so the
    // test asks for refusals, not for a count that races the lane. A batch sent again can be refused again while the
    // lane is still behind (13 refusals seen once on a loaded machine, more than the first wave can have), so the bound is on the
    // batches refused, and every refusal, repeated ones included, is counted.
    const refusedBatches = new Set(limited.map((f) => f.seq));
    expect(refusedBatches.size).toBeGreaterThanOrEqual(1);
    expect(refusedBatches.size).toBeLessThanOrEqual(11);
    expect(limited.every((f) => f.type === 'error' && f.retryAfterMs! > 0 && /rate limited \(batch \d+\)/.test(f.message))).toBe(true);
    expect(await collector.store.countPoints({ measurement: 'flood', field: 'n', where: { host: h.hostId }, from: 0, to: Date.now() })).toBe(20);
    expect(refusalsOf(h.agentId)).toMatchObject({ rateLimited: limited.length });
    h.agent.close();
  });

  test('an agent of protocol 2 (before rate-limited existed) is told store-unavailable instead, which it already retries', async () => {
    const h = collector.enrollHost('acme', 'old-agent');
    const agent = await RawAgent.connect(collector.wsUrl, h.agentKey);
    expect(PROTOCOL_VERSION).toBe(3);
    agent.sendRaw(JSON.stringify({ type: 'hello', protocol: 2, agentId: h.agentId, version: '0.9', facts: { hostname: 'old-agent' } }));
    await agent.next((f) => f.type === 'welcome');
    for (let s = 1; s <= 12; s++) agent.sendRaw(JSON.stringify({ type: 'batch', seq: s, results: [], lines: `old n=${s} ${Date.now() - 1000}` }));
    const refused = await agent.next((f) => f.type === 'error');
    expect(refused).toMatchObject({ code: 'store-unavailable', message: expect.stringMatching(/^rate limited/), seq: expect.any(Number) });
    expect(agent.frames.some((f) => f.type === 'error' && f.code === 'rate-limited')).toBe(false);
    agent.close();
  });
});
