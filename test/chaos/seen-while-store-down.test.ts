import { afterAll, beforeAll, expect, test } from 'vitest';
import { getHost } from '../../collector/db/hosts.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { freePort } from '../helpers/ports.js';
import { RawAgent } from '../helpers/raw-agent.js';

/**
 * Found by bench:chaos: while InfluxDB was down for five minutes, batches were refused before the host was marked
 * seen, so every connected agent looked silent and each of the 1,000 hosts got a host-unreachable ticket. A batch
 * that arrives marks its host seen whether or not the store takes it.
 */
let c: TestCollector;

beforeAll(async () => {
  // An InfluxDB that is not there: every write is "store unavailable".
  c = await startTestCollector({ influxUrl: `http://127.0.0.1:${await freePort()}`, influxDatabase: 'down' });
});

afterAll(async () => {
  await c?.destroy();
});

test('a batch refused because the store is down still marks its host seen (not silent)', async () => {
  const e = c.enrollHost('acme', 'store-down');
  const agent = await RawAgent.connect(c.wsUrl, e.agentKey);
  await agent.hello(e.agentId);
  const before = getHost(c.db, e.hostId)!.lastSeenAt ?? 0;
  await new Promise((r) => setTimeout(r, 1100)); // last-seen is kept to the second
  const result = { name: 'system.cpu', checkId: 'system.cpu', status: 'OK', summary: 'ok', startedAt: Date.now(), durationMs: 1, metrics: [] };
  agent.sendRaw(JSON.stringify({ type: 'batch', seq: 1, results: [result], metrics: [] }));
  const answer = await agent.next((f) => f.type === 'error' || f.type === 'ack', 30_000);
  expect(answer).toMatchObject({ type: 'error', code: 'store-unavailable', seq: 1 });
  expect(getHost(c.db, e.hostId)!.lastSeenAt).toBeGreaterThan(before);
  agent.close();
});
