import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Agent } from '../../agent/agent.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/ports.js';
import type { CheckResult } from '../../shared/check-result.js';

/** A result with figures we know, to compare against what the store gives back. */
function knownResult(i: number, t0: number): CheckResult {
  return {
    // An assigned check's name (the collector takes no other); the agent's own runs of it are dated after t0 + 20 s.
    name: 'system.uptime',
    checkId: 'system.uptime',
    status: i % 2 ? 'WARNING' : 'OK',
    summary: `probe ${i}`,
    startedAt: t0 + i * 1000,
    durationMs: 1.5,
    metrics: [{ measurement: 'probe', tags: { check: 'probe', label: 'x y,z=1' }, fields: { value: i * 1.25, ok: i % 2 === 0 }, time: t0 + i * 1000 }],
  };
}

describe.each(['embedded', 'influxdb1'] as const)('an agent streaming to a collector on the %s store', (storeKind) => {
  let influx: RunningInfluxDb | undefined;
  let collector: TestCollector;
  let agent: Agent;
  const state = tempDir('agent');
  const t0 = Math.floor((Date.now() - 60_000) / 1000) * 1000; // whole seconds: series buckets start on the step

  beforeAll(async () => {
    if (storeKind === 'influxdb1') influx = await startInfluxDb();
    collector = await startTestCollector({ batchIntervalSec: 0.3, ...(influx ? { influxUrl: influx.url, influxDatabase: 'patrol_e2e' } : {}) });
    agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: state.path, enrollToken: collector.token('acme'), name: 'e2e-host' });
    await agent.start();
  });

  afterAll(async () => {
    await agent?.stop();
    await collector?.destroy();
    await influx?.destroy();
    state.remove();
  });

  test('the host appears with its CPU, memory, disk and network figures', async () => {
    const hostId = agent.credentials!.hostId;
    // The system figures, and the agent's report on itself: its spool and what it had to drop (Telegraf's buffer_size / metrics_dropped).
    for (const [measurement, field] of [['cpu', 'load1'], ['mem', 'used_pct'], ['disk', 'used_pct'], ['net', 'rx_bytes'], ['patrol_agent', 'spool_bytes'], ['patrol_agent', 'dropped_points_total'], ['patrol_agent', 'rss_bytes']] as const) {
      const count = await waitFor(
        async () => (await collector.store.countPoints({ measurement, field, where: { host: hostId, customer: 'acme' }, from: 0, to: Date.now() + 60_000 })) || undefined,
        `${measurement}.${field} points`,
        20_000,
      );
      expect(count).toBeGreaterThan(0);
    }
    const res = await collector.app.request(`/api/hosts/${hostId}/series?measurement=mem&field=used_pct&from=-1h`, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${collector.adminPassword}`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { series: Array<{ points: Array<{ value: number }> }> };
    const v = body.series[0]!.points[0]!.value;
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThan(100);
  });

  test('what the agent sent is what the store gives back', async () => {
    const hostId = agent.credentials!.hostId;
    for (let i = 0; i < 20; i++) agent.submit(knownResult(i, t0));
    agent.flush();
    const where = { host: hostId, customer: 'acme', label: 'x y,z=1' };
    await waitFor(async () => (await collector.store.countPoints({ measurement: 'probe', field: 'value', where, from: t0, to: t0 + 60_000 })) === 20, '20 probe points');
    if (influx) {
      // Read back with plain InfluxQL, as Grafana or the influx CLI would.
      const r = await influx.query(`SELECT "value", "ok", "label" FROM "probe" WHERE "host" = '${hostId}' ORDER BY time`, 'patrol_e2e');
      const rows = r.results[0]!.series![0]!.values;
      expect(rows).toHaveLength(20);
      rows.forEach((row, i) => expect(row).toEqual([t0 + i * 1000, i * 1.25, i % 2 === 0, 'x y,z=1']));
      const status = await influx.query(`SELECT "status_code" FROM "check" WHERE "host" = '${hostId}' AND "check" = 'system.uptime' AND time < ${t0 + 20_000}ms`, 'patrol_e2e');
      expect(status.results[0]!.series![0]!.values.map((v) => v[1])).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? 1 : 0)));
    }
    const series = await collector.store.series({ measurement: 'probe', field: 'value', where, from: t0, to: t0 + 20_000, stepMs: 1000, agg: 'mean' });
    expect(series[0]!.points).toEqual(Array.from({ length: 20 }, (_, i) => ({ time: t0 + i * 1000, value: i * 1.25 })));
    const [summary] = await collector.store.summary({ measurement: 'probe', field: 'value', where, from: t0, to: t0 + 20_000 });
    expect(summary).toMatchObject({ count: 20, min: 0, max: 19 * 1.25, first: 0, last: 19 * 1.25, p95: 18 * 1.25 }); // nearest rank: the 19th of 20
    expect(summary!.mean).toBeCloseTo(9.5 * 1.25, 9);
  });
});
