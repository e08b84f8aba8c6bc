import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import type { Metric } from '../../shared/metric.js';
import { influx1MetricsStore } from '../../collector/metrics/influx1-store.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import type { MetricsStore, SeriesQuery } from '../../collector/metrics/store.js';
import { HostFigures, SPARK_STEP_MS, SPARK_WINDOW_MS } from '../../collector/dashboard/pages/overview-figures.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The overview cards' figures, read from a real InfluxDB 1.x and the embedded store: the newest reading, the
 * six-hour sparkline (mean per 15-minute bucket, the fullest file system for disk) worked out here from the points
 * themselves, and the number of store queries, which is the same for 40 hosts as it would be for 4: one per metric
 * and window chunk, never one per host.
 */

const NOW = Date.UTC(2026, 11, 4, 12, 7, 30);
const MIN = 60_000;
const HOSTS = Array.from({ length: 40 }, (_, i) => `host-${i}`);

function points(): Metric[] {
  const out: Metric[] = [];
  HOSTS.forEach((host, h) => {
    const tags = { customer: h % 2 ? 'acme' : 'beta', host };
    // host-39 has no points in the last 15 min: no "latest", but its older buckets draw.
    const last = host === 'host-39' ? 20 : 0;
    for (let k = 72; k >= last; k--) {
      const time = NOW - k * 5 * MIN;
      out.push({ measurement: 'cpu', tags, fields: { usage_pct: (h + k * 3) % 100 }, time });
      out.push({ measurement: 'mem', tags, fields: { used_pct: 50 + (k % 7) }, time });
      out.push({ measurement: 'disk', tags: { ...tags, mount: '/' }, fields: { used_pct: 40 + (k % 3) }, time });
      out.push({ measurement: 'disk', tags: { ...tags, mount: '/data' }, fields: { used_pct: 90 - (k % 5) / 10 }, time });
    }
  });
  return out;
}

/** The sparkline the card must show, from the points: mean per bucket, then the max over mounts. */
function expectedSpark(all: Metric[], measurement: string, field: string, host: string, now: number): Array<number | null> {
  const first = Math.floor((now - SPARK_WINDOW_MS) / SPARK_STEP_MS) * SPARK_STEP_MS + SPARK_STEP_MS;
  const sums = new Map<string, { sum: number; n: number }>();
  for (const p of all) {
    if (p.measurement !== measurement || p.tags.host !== host) continue;
    const key = `${p.tags.mount ?? ''}|${Math.floor(p.time / SPARK_STEP_MS) * SPARK_STEP_MS}`;
    const s = sums.get(key) ?? { sum: 0, n: 0 };
    s.sum += p.fields[field] as number;
    s.n++;
    sums.set(key, s);
  }
  return Array.from({ length: SPARK_WINDOW_MS / SPARK_STEP_MS }, (_, i) => {
    const bucket = first + i * SPARK_STEP_MS;
    const means = [...sums.entries()].filter(([k]) => k.endsWith(`|${bucket}`)).map(([, s]) => s.sum / s.n);
    return means.length ? Math.max(...means) : null;
  });
}

/** A store that counts the queries made through it. */
function counting(store: MetricsStore): { store: MetricsStore; queries: SeriesQuery[] } {
  const queries: SeriesQuery[] = [];
  return {
    queries,
    store: new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'series') return (q: SeriesQuery) => (queries.push(q), target.series(q));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    }),
  };
}

const round = (xs: Array<number | null>) => xs.map((v) => (v === null ? null : Math.round(v * 1000) / 1000));

describe('host card figures from the metrics store', () => {
  let influx: RunningInfluxDb;
  const stores = {} as Record<'influx' | 'sqlite', MetricsStore>;
  const dir = tempDir('overview-figures');
  const all = points();

  beforeAll(async () => {
    influx = await startInfluxDb();
    stores.influx = influx1MetricsStore({ url: influx.url, database: 'patrol' });
    stores.sqlite = sqliteMetricsStore({ path: join(dir.path, 'metrics.db'), retentionDays: 100_000, now: () => NOW });
    for (const s of Object.values(stores)) {
      await s.init();
      await s.write(all);
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of Object.values(stores)) await s?.close();
    await influx?.destroy();
    dir.remove();
  });

  test.each(['influx', 'sqlite'] as const)('%s: latest readings, sparklines and the fullest disk of 40 hosts, in a fixed number of queries', async (kind) => {
    const { store, queries } = counting(stores[kind]);
    const figures = new HostFigures(store);
    const got = await figures.forHosts(HOSTS, NOW);
    // Three metrics, one after another, each its six hours read a 15-minute bucket at a time (25 buckets: the first
    // starts before the window, the last is running) and its latest values once: a number that does not grow with hosts.
    expect(queries).toHaveLength(3 * (SPARK_WINDOW_MS / SPARK_STEP_MS + 1 + 1));
    expect(queries.map((q) => q.measurement)).toEqual([...Array(26).fill('cpu'), ...Array(26).fill('mem'), ...Array(26).fill('disk')]);
    expect(queries.every((q) => Object.keys(q.where).length === 0 && q.groupBy?.[0] === 'host')).toBe(true);

    const h5 = got.get('host-5')!;
    expect(h5.cpu!.latest).toBe(5);
    expect(h5.mem!.latest).toBe(50);
    expect(h5.disk).toMatchObject({ latest: 90, label: '/data' });
    for (const [id, measurement, field] of [['cpu', 'cpu', 'usage_pct'], ['mem', 'mem', 'used_pct'], ['disk', 'disk', 'used_pct']] as const) {
      expect(round(h5[id]!.spark), `${kind} ${id}`).toEqual(round(expectedSpark(all, measurement, field, 'host-5', NOW)));
    }
    // Silent for the last 100 minutes: no latest value, older buckets still drawn, the recent ones empty.
    const h39 = got.get('host-39')!;
    expect(h39.cpu!.latest).toBeNull();
    expect(h39.cpu!.spark.slice(-6)).toEqual([null, null, null, null, null, null]);
    expect(h39.cpu!.spark[0]).not.toBeNull();
    // A host the store never heard of gets no figures (the card shows "–").
    expect((await figures.forHosts(['nobody'], NOW)).get('nobody')).toEqual({});

    // Within 15 s the kept figures serve; after, a refresh reads only the recent buckets and takes in a new point.
    queries.length = 0;
    await figures.forHosts(HOSTS, NOW + 10_000);
    expect(queries).toHaveLength(0);
    await stores[kind].write([{ measurement: 'cpu', tags: { customer: 'acme', host: 'host-5' }, fields: { usage_pct: 77 }, time: NOW + 20_000 }]);
    // The page that starts the refresh does not wait for it: it gets the kept figures; the next page has the new point.
    const during = await figures.forHosts(['host-5'], NOW + 30_000);
    expect(during.get('host-5')!.cpu!.latest).toBe(5);
    await figures.settled();
    const later = await figures.forHosts(['host-5'], NOW + 31_000);
    expect(later.get('host-5')!.cpu!.latest).toBe(77);
    // The last finished bucket and the running one, then the latest values: 3 reads per metric, none wider than a bucket.
    expect(queries.length).toBe(3 * 3);
    expect(queries.every((q) => q.to - q.from <= SPARK_STEP_MS + 1)).toBe(true);
  });
});
