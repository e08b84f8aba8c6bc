import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import type { Metric } from '../../shared/metric.js';
import { influx1MetricsStore } from '../../collector/metrics/influx1-store.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import type { MetricsStore, SeriesSummary, SummaryQuery } from '../../collector/metrics/store.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * summary() with a chosen list of figures, grouped by host, in a real InfluxDB 1.x and in the embedded store:
 * the figures asked for match the ones worked out from the seed below, the others (count too) are null, and both stores
 * answer identically. Hosts have different numbers of values (1, 2, 20, 101, 397) so the nearest rank of the
 * p95 falls on different positions, with repeated values around it.
 */

const T0 = Date.UTC(2026, 6, 1);
const MIN = 60_000;
const HOSTS: Record<string, number> = { h1: 1, h2: 2, h20: 20, h101: 101, h397: 397 };
/** Value i of a host: a scrambled but repeatable sequence of halves with many repeats (0 .. 49.5). */
const valueAt = (i: number, salt: number) => ((i * 37 + salt * 11) % 100) / 2;

function seed(): Metric[] {
  const out: Metric[] = [];
  Object.entries(HOSTS).forEach(([host, n], salt) => {
    for (let i = 0; i < n; i++) {
      out.push({ measurement: 'cpu', tags: { customer: 'acme', host, check: 'system.cpu' }, fields: { usage_pct: valueAt(i, salt) }, time: T0 + i * MIN });
    }
  });
  // Another customer's host with higher values: never in acme's figures.
  out.push({ measurement: 'cpu', tags: { customer: 'other', host: 'x1', check: 'system.cpu' }, fields: { usage_pct: 99 }, time: T0 });
  return out;
}

/** What each figure must be, from the values themselves: p95 by nearest rank, rank = floor(0.95 n + 0.5). */
function expected(host: string): Omit<SeriesSummary, 'tags'> {
  const salt = Object.keys(HOSTS).indexOf(host);
  const vals = Array.from({ length: HOSTS[host]! }, (_, i) => valueAt(i, salt));
  const sorted = [...vals].sort((a, b) => a - b);
  const rank = Math.max(1, Math.floor(vals.length * 0.95 + 0.5));
  return {
    count: vals.length,
    mean: vals.reduce((a, b) => a + b, 0) / vals.length,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    p95: sorted[rank - 1]!,
    first: vals[0]!,
    last: vals[vals.length - 1]!,
  };
}

const query = (figures?: SummaryQuery['figures']): SummaryQuery => ({
  measurement: 'cpu',
  field: 'usage_pct',
  where: { customer: 'acme' },
  from: T0,
  to: T0 + 1000 * MIN,
  groupBy: ['host'],
  figures,
});

const byHost = (rows: SeriesSummary[]) => Object.fromEntries(rows.map((r) => [r.tags.host!, { ...r, tags: undefined }]));

describe('summary() with a list of figures, grouped by host, in InfluxDB 1.x and the embedded store', () => {
  let influx: RunningInfluxDb;
  const stores: Record<'influx' | 'sqlite', MetricsStore> = {} as Record<'influx' | 'sqlite', MetricsStore>;
  const dir = tempDir('store-summary');

  beforeAll(async () => {
    influx = await startInfluxDb();
    stores.influx = influx1MetricsStore({ url: influx.url, database: 'patrol' });
    stores.sqlite = sqliteMetricsStore({ path: join(dir.path, 'metrics.db'), retentionDays: 100_000, now: () => T0 + 1000 * MIN });
    for (const s of Object.values(stores)) {
      await s.init();
      await s.write(seed());
    }
  });

  afterAll(async () => {
    for (const s of Object.values(stores)) await s?.close();
    await influx?.destroy();
    dir.remove();
  });

  test.each(['influx', 'sqlite'] as const)('%s: every figure by default, each host its own nearest-rank p95', async (kind) => {
    const got = byHost(await stores[kind].summary(query()));
    expect(Object.keys(got).sort()).toEqual(Object.keys(HOSTS).sort());
    for (const host of Object.keys(HOSTS)) expect(got[host], host).toEqual({ ...expected(host), tags: undefined });
  });

  test.each(['influx', 'sqlite'] as const)('%s: only the figures asked for, every host with values still listed', async (kind) => {
    const withP95 = byHost(await stores[kind].summary(query(['p95', 'max', 'last'])));
    const without = byHost(await stores[kind].summary(query(['count', 'mean', 'min'])));
    const lastOnly = byHost(await stores[kind].summary(query(['last'])));
    for (const host of Object.keys(HOSTS)) {
      const e = expected(host);
      expect(withP95[host], host).toEqual({ count: null, p95: e.p95, max: e.max, last: e.last, mean: null, min: null, first: null, tags: undefined });
      expect(without[host], host).toEqual({ count: e.count, mean: e.mean, min: e.min, max: null, p95: null, first: null, last: null, tags: undefined });
      expect(lastOnly[host], host).toEqual({ count: null, mean: null, min: null, max: null, p95: null, first: null, last: e.last, tags: undefined });
    }
  });

  test('both stores give the same figures for the same data, and an empty window gives no rows', async () => {
    for (const figures of [undefined, ['p95'] as const, ['max', 'first'] as const, ['count', 'p95', 'max'] as const]) {
      expect(await stores.influx.summary(query(figures))).toEqual(await stores.sqlite.summary(query(figures)));
    }
    const empty = { ...query(['p95']), from: T0 - 10 * MIN, to: T0 };
    expect(await stores.influx.summary(empty)).toEqual([]);
    expect(await stores.sqlite.summary(empty)).toEqual([]);
  });
});
