import { afterAll, beforeAll, expect, test } from 'vitest';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { inventoryPlugin } from '../../collector/inventory/plugin.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { RawAgent } from '../helpers/raw-agent.js';

/** The wiring end to end: results over the wire reach the ticket engine through the plugin. */
let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector({}, { plugins: [ticketsPlugin, inventoryPlugin] });
});
afterAll(async () => collector?.destroy());

test('a disk that stays CRITICAL over the wire opens one ticket, visible in the API', async () => {
  const h = collector.enrollHost('acme', 'db1');
  const agent = await RawAgent.connect(collector.wsUrl, h.agentKey);
  await agent.hello(h.agentId);
  const t0 = Date.now() - 600_000;
  for (let i = 0; i < 5; i++) {
    agent.sendRaw(
      JSON.stringify({
        type: 'batch',
        seq: i,
        results: [{ name: 'system.disk', checkId: 'system.disk', status: 'CRITICAL', summary: '/ 96.0% above threshold', startedAt: t0 + i * 60_000, durationMs: 3, metrics: [] }],
      }),
    );
    await agent.next((f) => f.type === 'ack' && f.seq === i);
  }
  const res = await collector.app.request('/api/tickets', { headers: { authorization: `Basic ${Buffer.from(`admin:${collector.adminPassword}`).toString('base64')}` } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { tickets: Array<{ number: string; hostId: string; state: string }> };
  const mine = body.tickets.filter((t) => t.hostId === h.hostId);
  expect(mine).toHaveLength(1);
  expect(mine[0]!.number).toMatch(/^INC-\d{4}-\d{6}$/);
  agent.close();
});
