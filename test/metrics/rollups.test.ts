import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import type { Metric } from '../../shared/metric.js';
import { influx1MetricsStore } from '../../collector/metrics/influx1-store.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import { withRollups } from '../../collector/metrics/rollups.js';
import { P95_BUCKET } from '../../collector/metrics/rollup-fields.js';
import type { MetricsStore, SeriesSummary } from '../../collector/metrics/store.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Hourly rollups against the same data read raw, in a real InfluxDB 1.x and in the embedded store: every figure a
 * report reads from them must equal the raw one (p95 at most one bucket below), whatever way the rollups were made:
 * as points were written, again from raw after a re-sent batch, or by the backfill of data written before them.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 6, 1);
const DAYS = 2;
const STEP = 5 * 60_000;
const NOW = T0 + 10 * DAY;
// A window with partial hours at both edges (17 minutes in, 23 minutes before the end).
const FROM = T0 + 17 * 60_000;
const TO = T0 + DAYS * DAY - 23 * 60_000;

/** Deterministic values with two decimals, so the histogram cannot be exact by luck. */
function points(customer: string, hosts: number, from = T0, to = T0 + DAYS * DAY): Metric[] {
  let seed = 7;
  const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  const out: Metric[] = [];
  for (let t = from; t < to; t += STEP) {
    for (let h = 0; h < hosts; h++) {
      const owner = { customer, host: `h${h}` };
      out.push({ measurement: 'cpu', tags: { ...owner, check: 'system.cpu' }, fields: { usage_pct: Math.round((20 + 70 * rnd() ** 3) * 100) / 100 }, time: t });
      out.push({ measurement: 'mem', tags: { ...owner, check: 'system.memory' }, fields: { used_pct: Math.round((50 + 10 * rnd()) * 10) / 10, swap_used_pct: 1 }, time: t });
      for (const mount of ['/', '/data']) out.push({ measurement: 'disk', tags: { ...owner, check: 'system.disk', mount }, fields: { used_pct: 40 + (t - T0) / DAY + h }, time: t });
      out.push({ measurement: 'net', tags: { ...owner, check: 'system.network', iface: 'eth0' }, fields: { errors_per_sec: rnd() < 0.01 ? 3 + h : 0 }, time: t });
    }
  }
  return out;
}

const sel = (customer: string, measurement: string, field: string, groupBy: string[] = []) => ({ measurement, field, where: { customer }, from: FROM, to: TO, groupBy: ['host', ...groupBy] });
const strip = ({ source: _s, ...r }: SeriesSummary) => r;

/** Rollup-based figures against raw ones for the customer's data; returns the rollup rows' provenance. */
async function expectSameAsRaw(store: MetricsStore, customer: string) {
  const cpuRaw = await store.summary(sel(customer, 'cpu', 'usage_pct'));
  const cpuRoll = await store.summary({ ...sel(customer, 'cpu', 'usage_pct'), rollups: true });
  expect(cpuRoll.map((r) => r.tags)).toEqual(cpuRaw.map((r) => r.tags));
  cpuRoll.forEach((r, i) => {
    const raw = cpuRaw[i]!;
    expect(r.count).toBe(raw.count);
    expect(r.mean).toBeCloseTo(raw.mean!, 9);
    expect(r.min).toBe(raw.min);
    expect(r.max).toBe(raw.max);
    expect(r.last).toBe(raw.last);
    expect(r.first).toBe(raw.first);
    // The lower edge of the bucket holding the exact p95: at most one bucket below it.
    expect(r.p95!).toBeLessThanOrEqual(raw.p95!);
    expect(r.p95!).toBeGreaterThan(raw.p95! - P95_BUCKET - 1e-9);
  });
  // One decimal: the histogram's p95 is the exact one.
  const memRaw = await store.summary({ ...sel(customer, 'mem', 'used_pct'), figures: ['count', 'mean', 'max', 'p95'] });
  const memRoll = await store.summary({ ...sel(customer, 'mem', 'used_pct'), figures: ['count', 'mean', 'max', 'p95'], rollups: true });
  expect(memRoll.map((r) => [r.count, r.max, r.p95])).toEqual(memRaw.map((r) => [r.count, r.max, r.p95]));
  // Split by a second tag, and figures without p95.
  const netRaw = await store.summary({ ...sel(customer, 'net', 'errors_per_sec', ['iface']), figures: ['mean', 'max'] });
  const netRoll = await store.summary({ ...sel(customer, 'net', 'errors_per_sec', ['iface']), figures: ['mean', 'max'], rollups: true });
  expect(netRoll.map((r) => [r.tags, r.max])).toEqual(netRaw.map((r) => [r.tags, r.max]));
  netRoll.forEach((r, i) => expect(r.mean).toBeCloseTo(netRaw[i]!.mean!, 9));
  // Daily means per host and mount (the disk forecast's input).
  const dq = { ...sel(customer, 'disk', 'used_pct', ['mount']), stepMs: DAY, agg: 'mean' as const };
  const dailyRaw = await store.series(dq);
  const dailyRoll = await store.series({ ...dq, rollups: true });
  expect(dailyRoll.map((s) => [s.tags, s.points.map((p) => p.time)])).toEqual(dailyRaw.map((s) => [s.tags, s.points.map((p) => p.time)]));
  dailyRoll.forEach((s, i) => s.points.forEach((p, j) => expect(p.value).toBeCloseTo(dailyRaw[i]!.points[j]!.value, 9)));
  expect(cpuRoll.map(strip).length).toBe(cpuRaw.length);
  return { cpu: cpuRoll[0]!.source!, daily: dailyRoll[0]!.source! };
}

describe.each(['sqlite', 'influx'] as const)('hourly rollups in the %s store', (kind) => {
  const dir = tempDir(`rollups-${kind}`);
  let influx: RunningInfluxDb | undefined;
  const opened: MetricsStore[] = [];
  const rawStore = (name: string): MetricsStore =>
    kind === 'influx'
      ? influx1MetricsStore({ url: influx!.url, database: name })
      : sqliteMetricsStore({ path: join(dir.path, `${name}.db`), retentionDays: 100_000, now: () => NOW });
  const open = async (name: string, now = () => NOW) => {
    const s = withRollups(rawStore(name), { path: join(dir.path, `${name}-rollups.db`), role: 'writer', now, backfillDays: 30, tickMs: 3_600_000, idleMs: 0 });
    await s.init();
    opened.push(s);
    return s;
  };

  beforeAll(async () => {
    if (kind === 'influx') influx = await startInfluxDb();
  });
  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => {});
    await influx?.destroy();
    dir.remove();
  });

  test('kept as points are written: the whole hours come from rollups, and every figure equals the raw one', async () => {
    const store = await open('live');
    const pts = points('acme', 3);
    for (let i = 0; i < pts.length; i += 2000) await store.write(pts.slice(i, i + 2000));
    // Before the hours are written the rollups answer nothing and the raw store everything.
    const before = await store.summary({ ...sel('acme', 'cpu', 'usage_pct'), rollups: true });
    expect(before[0]!.source).toMatchObject({ rollupHours: 0, p95: 'exact' });
    expect(store.rollups.flush()).toBe(DAYS * 24);
    const src = await expectSameAsRaw(store, 'acme');
    // 72 hours, of which the first and last are partial: 70 whole hours from rollups, 80 minutes raw (43 + 37).
    expect(src.cpu).toEqual({ rollupHours: DAYS * 24 - 2, rawMs: 80 * 60_000, p95: 'histogram' });
    expect(src.daily.rollupHours).toBe(DAYS * 24 - 2);
  });

  test('a batch sent again after its hour was written is not counted twice: the series-hour is made again from raw', async () => {
    const store = await open('resent');
    await store.write(points('acme', 2));
    store.rollups.flush();
    // The same points of day 2 again (an agent that never got its ack), and a late point that is new.
    const again = points('acme', 2, T0 + DAY, T0 + DAY + 3 * HOUR);
    await store.write(again);
    await store.write([{ measurement: 'cpu', tags: { customer: 'acme', host: 'h0', check: 'system.cpu' }, fields: { usage_pct: 99.99 }, time: T0 + DAY + 61_000 }]);
    store.rollups.flush();
    // Until the repair runs, those hours are read raw.
    const src = await expectSameAsRaw(store, 'acme');
    expect(src.cpu.rawMs).toBe(80 * 60_000 + 3 * HOUR);
    expect(await store.rollups.repair(60_000)).toBeGreaterThan(0);
    const after = await expectSameAsRaw(store, 'acme');
    expect(after.cpu).toEqual({ rollupHours: DAYS * 24 - 2, rawMs: 80 * 60_000, p95: 'histogram' });
  });

  test('data written before the rollups existed is rolled up by the backfill', async () => {
    const raw = rawStore('backfill');
    await raw.init();
    await raw.write(points('acme', 2));
    await raw.close();
    const store = await open('backfill');
    let made = 0;
    for (let n = -1; n !== 0; ) made += n = await store.rollups.repair(60_000);
    // Every hour of the days that hold data (the empty days around them are skipped by a count).
    expect(made).toBeGreaterThanOrEqual(DAYS * 24);
    expect(made).toBeLessThanOrEqual((DAYS + 1) * 24);
    const src = await expectSameAsRaw(store, 'acme');
    expect(src.cpu).toEqual({ rollupHours: DAYS * 24 - 2, rawMs: 80 * 60_000, p95: 'histogram' });
  });

  test('an hour still open when the collector stopped is made again from raw after the restart', async () => {
    let now = T0 + 2 * HOUR + 30 * 60_000;
    const first = await open('restart', () => now);
    await first.write(points('acme', 1, T0, T0 + 2 * HOUR + 30 * 60_000));
    first.rollups.flush({ force: true });
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    now = T0 + 5 * HOUR;
    const second = await open('restart', () => now);
    await second.write(points('acme', 1, T0 + 2 * HOUR + 30 * 60_000, T0 + 4 * HOUR));
    second.rollups.flush({ force: true });
    const q = { measurement: 'cpu', field: 'usage_pct', where: { customer: 'acme' }, from: T0, to: T0 + 4 * HOUR, groupBy: ['host'], rollups: true };
    // Hours 0, 1 and 3 from rollups; hour 2 (open at the stop, half of it written before) from raw until repaired.
    expect((await second.summary(q))[0]!.source).toEqual({ rollupHours: 3, rawMs: HOUR, p95: 'histogram' });
    await second.rollups.repair(60_000);
    const [r] = await second.summary(q);
    expect(r!.source).toEqual({ rollupHours: 4, rawMs: 0, p95: 'histogram' });
    expect(r!.count).toBe((4 * HOUR) / STEP);
  });

  test('an hour written in pieces by the job: a point that comes for it meanwhile is not lost, and the hour is whole', async () => {
    const store = await open('pieces');
    // 100 hosts: 600 cells in the hour, more than one piece.
    await store.write(points('acme', 100, T0, T0 + HOUR));
    const writing = store.rollups.flushInPieces();
    // While the pieces are written (a turn of the event loop between them), a late point of that hour arrives.
    await new Promise((r) => setImmediate(r));
    await store.write([{ measurement: 'cpu', tags: { customer: 'acme', host: 'h0', check: 'system.cpu' }, fields: { usage_pct: 99.99 }, time: T0 + 61_000 }]);
    expect(await writing).toBe(1);
    await store.rollups.repair(60_000);
    const q = { measurement: 'cpu', field: 'usage_pct', where: { customer: 'acme' }, from: T0, to: T0 + HOUR, groupBy: ['host'] };
    const raw = await store.summary({ ...q, figures: ['count', 'max'] });
    const rolled = await store.summary({ ...q, figures: ['count', 'max'], rollups: true });
    expect(rolled.map((r) => r.source)).toEqual(raw.map(() => ({ rollupHours: 1, rawMs: 0, p95: null })));
    expect(rolled.map((r) => [r.tags.host, r.count, r.max])).toEqual(raw.map((r) => [r.tags.host, r.count, r.max]));
    expect(rolled.find((r) => r.tags.host === 'h0')!.max).toBe(99.99);
  });
});
