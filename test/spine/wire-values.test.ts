import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BatchFrameSchema, toWireResult } from '../../shared/protocol.js';
import { linesOfBatch } from '../../collector/ingest/ingest.js';
import { influx1MetricsStore } from '../../collector/metrics/influx1-store.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { tempDir } from '../helpers/temp-dir.js';
import { TRICKY_METRICS, asStored } from '../helpers/tricky-metrics.js';

const host = { customerId: 'acme', hostId: 'host-1' };

/** The path an agent's metrics take: wire form (protocol 2) -> zod parse -> owner tags -> store. */
function linesFromAgent(): string[] {
  const wire = { type: 'batch', seq: 1, results: [toWireResult({ name: 'mixed', checkId: 'script.nagios', status: 'OK', summary: '', startedAt: 1_700_000_000_000, durationMs: 1, metrics: TRICKY_METRICS })] };
  return linesOfBatch(host, BatchFrameSchema.parse(JSON.parse(JSON.stringify(wire))));
}

describe('values that need escaping arrive in InfluxDB and the embedded store exactly', () => {
  let influx: RunningInfluxDb;
  let stores: MetricsStore[] = [];
  const dir = tempDir('wire-values');

  beforeAll(async () => {
    influx = await startInfluxDb();
    stores = [influx1MetricsStore({ url: influx.url, database: 'wire' }), sqliteMetricsStore({ path: `${dir.path}/metrics.db`, retentionDays: 99999 })];
    for (const s of stores) await s.init();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await influx?.destroy();
    dir.remove();
  });

  test('InfluxQL reads back every tag and field as the check produced it', async () => {
    await stores[0]!.writeLines(linesFromAgent());
    for (const m of TRICKY_METRICS.map(asStored)) {
      const r = await influx.query(`SELECT * FROM "${m.measurement}" WHERE "host" = 'host-1'`, 'wire');
      const s = r.results[0]!.series![0]!;
      expect(s.values).toHaveLength(1);
      const row = Object.fromEntries(s.columns.map((c, i) => [c, s.values[0]![i]]));
      expect(row).toEqual({ time: m.time, customer: 'acme', host: 'host-1', ...m.tags, ...m.fields });
    }
    const check = await influx.query(`SELECT "status_code", "duration_ms" FROM "check" WHERE "check" = 'mixed'`, 'wire');
    expect(check.results[0]!.series![0]!.values).toEqual([[1_700_000_000_000, 0, 1]]);
  });

  test('the embedded store finds each point by its exact tags and value', async () => {
    const store = stores[1]!;
    await store.writeLines(linesFromAgent());
    // Found by a numeric field: the store's query interface aggregates numbers only.
    const withNumbers = TRICKY_METRICS.map(asStored).filter((m) => Object.values(m.fields).some((v) => typeof v === 'number'));
    expect(withNumbers.length).toBeGreaterThanOrEqual(4);
    for (const m of withNumbers) {
      const numeric = Object.entries(m.fields).find(([, v]) => typeof v === 'number')!;
      const where = { customer: 'acme', host: 'host-1', ...m.tags };
      expect(await store.countPoints({ measurement: m.measurement, field: numeric[0], where, from: m.time, to: m.time + 1 })).toBe(1);
      const [summary] = await store.summary({ measurement: m.measurement, field: numeric[0], where, from: m.time, to: m.time + 1 });
      expect(summary!.last).toBe(numeric[1]);
    }
  });
});
