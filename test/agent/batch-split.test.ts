import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Agent } from '../../agent/agent.js';
import { splitBatch } from '../../agent/batch-split.js';
import { MAX_FRAME_BYTES, toWireResult } from '../../shared/protocol.js';
import type { CheckResult } from '../../shared/check-result.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/ports.js';

/** A check that reports one point per item of something large (a router's interface table, a busy process list). */
function hugeResult(points: number, t0: number): CheckResult {
  return {
    // An assigned check (linux-base): the collector takes results only of checks the host was told to run.
    name: 'system.network',
    checkId: 'system.network',
    status: 'OK',
    summary: `${points} interfaces`,
    startedAt: t0,
    durationMs: 5,
    metrics: Array.from({ length: points }, (_, i) => ({
      measurement: 'snmp_interface',
      tags: { ifname: `GigabitEthernet0/${i}`, alias: `uplink to rack ${i} with a long description` },
      fields: { in_octets: i * 1000.5, out_octets: i * 2000.25, oper_up: true },
      time: t0,
    })),
  };
}

describe('batches stay under the frame limit', () => {
  test('a flush too big for one frame becomes several, each under the limit, with every line kept once', () => {
    const { batches, droppedPoints } = splitBatch({ results: [toWireResult(hugeResult(20_000, 1)), toWireResult(hugeResult(3, 2))], lines: 'patrol_agent rss_bytes=1 1' });
    expect(droppedPoints).toBe(0);
    expect(batches.length).toBeGreaterThan(2);
    for (const b of batches) expect(Buffer.byteLength(JSON.stringify({ type: 'batch', seq: 123456789, ...b }))).toBeLessThan(MAX_FRAME_BYTES);
    const lines = batches.flatMap((b) => b.results!.flatMap((r) => (r.lines ? r.lines.split('\n') : [])));
    expect(lines).toHaveLength(20_003);
    expect(new Set(lines).size).toBe(20_003);
    expect(batches.filter((b) => b.lines)).toHaveLength(1);
  });

  test('a small flush is one batch, as before', () => {
    const { batches } = splitBatch({ results: [toWireResult(hugeResult(10, 1))], lines: 'patrol_agent rss_bytes=1 1', requestId: 'r1' });
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ requestId: 'r1', lines: 'patrol_agent rss_bytes=1 1' });
  });
});

describe('an agent with a result of 20,000 points', () => {
  let collector: TestCollector;
  let agent: Agent;
  const state = tempDir('agent-big');

  beforeAll(async () => {
    collector = await startTestCollector({ batchIntervalSec: 0.3 });
    agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: state.path, enrollToken: collector.token('acme'), name: 'big-router' });
    await agent.start();
  });
  afterAll(async () => {
    await agent?.stop();
    await collector?.destroy();
    state.remove();
  });

  test('streams all of it without tripping the collector\'s frame limit (no reconnect loop)', async () => {
    const t0 = Date.now() - 60_000;
    agent.submit(hugeResult(20_000, t0));
    agent.flush();
    const hostId = agent.credentials!.hostId;
    const stored = () => collector.store.countPoints({ measurement: 'snmp_interface', field: 'in_octets', where: { host: hostId }, from: t0, to: t0 + 1 });
    await waitFor(async () => (await stored()) === 20_000, 'all 20,000 points stored', 30_000);
    await waitFor(() => agent.spool.stats().batches === 0, 'every batch acked');
    expect(agent.connected).toBe(true);
    expect(agent.spool.stats().droppedPoints).toBe(0);
  });
});
