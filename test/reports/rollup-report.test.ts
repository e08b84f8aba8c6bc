import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { influx1MetricsStore } from '../../collector/metrics/influx1-store.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import { withRollups, type RollupControl } from '../../collector/metrics/rollups.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import { buildInspectionReport } from '../../collector/reports/build-report.js';
import { periodBounds } from '../../collector/reports/holiday-calendar.js';
import type { InspectionReport } from '../../collector/reports/model.js';
import { renderReportHtml } from '../../collector/reports/render-html.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { tempDir } from '../helpers/temp-dir.js';
import { DAYS, NOW, PERIOD, seedQuarter } from './seed.js';

/**
 * The quarter of known data (seed.ts) written through a store that keeps hourly rollups: the report read from the
 * rollups must be the report read from raw points, figure for figure, and it must say which figures came from
 * the rollups and how exact its p95 is, in zh and in en.
 */

/** The window has partial hours at both edges (the quarter in Beijing time, moved by 20 minutes). */
const scope = { from: periodBounds(PERIOD).from + 20 * 60_000, to: periodBounds(PERIOD).to - 20 * 60_000, period: PERIOD };

/** The same store, every query read from raw points (what a report was before rollups). */
const rawOnly = (s: MetricsStore): MetricsStore => ({ ...s, summary: (q) => s.summary({ ...q, rollups: false }), series: (q) => s.series({ ...q, rollups: false }) });

// The embedded store here; test/metrics/rollups.test.ts holds every figure of InfluxDB 1.x's rollups to its raw ones.
describe.each(['sqlite'] as Array<'sqlite' | 'influx'>)('a report read from the rollups of the %s store', (kind) => {
  const dir = tempDir(`rollup-report-${kind}`);
  let influx: RunningInfluxDb | undefined;
  let store: MetricsStore & { rollups: RollupControl };
  let db: Db;
  const reports = {} as Record<'rollupZh' | 'rollupEn' | 'raw', InspectionReport>;

  beforeAll(async () => {
    if (kind === 'influx') influx = await startInfluxDb();
    const raw = kind === 'influx' ? influx1MetricsStore({ url: influx!.url, database: 'patrol' }) : sqliteMetricsStore({ path: join(dir.path, 'metrics.db'), retentionDays: 100_000, now: () => NOW });
    store = withRollups(raw, { path: join(dir.path, 'metrics-rollups.db'), role: 'writer', now: () => NOW, idleMs: 0, backfillDays: 0, tickMs: 3_600_000 });
    await store.init();
    db = openDatabase(join(dir.path, 'patrol.db'));
    await seedQuarter(db, store);
    store.rollups.flush({ force: true });
    const build = (s: MetricsStore, lang: 'zh' | 'en') => buildInspectionReport({ db, store: s, customerId: 'acme', scope, lang, now: NOW, engineer: '张工' });
    reports.rollupZh = await build(store, 'zh');
    reports.rollupEn = await build(store, 'en');
    reports.raw = await build(rawOnly(store), 'zh');
  });

  afterAll(async () => {
    await store?.close();
    db?.close();
    await influx?.destroy();
    dir.remove();
  });

  test('every host figure and finding is the one read from raw points', () => {
    const [a, b] = [reports.rollupZh, reports.raw];
    const h = a.hosts[0]!;
    const r = b.hosts[0]!;
    // Whole-number samples: even p95 from the 0.1-point histogram is the exact one.
    for (const k of ['cpu', 'memory', 'swap'] as const) {
      expect(h[k].count, k).toBe(r[k].count);
      expect(h[k].max, k).toBe(r[k].max);
      expect(h[k].p95, k).toBe(r[k].p95);
      expect(h[k].mean!, k).toBeCloseTo(r[k].mean!, 9);
    }
    expect(h.cpuDaily.map((p) => p.time)).toEqual(r.cpuDaily.map((p) => p.time));
    h.cpuDaily.forEach((p, i) => expect(p.value).toBeCloseTo(r.cpuDaily[i]!.value, 9));
    h.disks.forEach((d, i) => {
      expect(d.usedPct).toBe(r.disks[i]!.usedPct);
      expect(d.growthPctPerDay!).toBeCloseTo(r.disks[i]!.growthPctPerDay!, 9);
      expect(d.daysUntilFull!).toBeCloseTo(r.disks[i]!.daysUntilFull!, 6);
    });
    expect(h.reboots).toBe(r.reboots);
    expect(h.network).toEqual(r.network);
    expect(h.databases).toEqual(r.databases);
    expect(a.findings.map((f) => f.id)).toEqual(b.findings.map((f) => f.id));
  });

  test('the report names the figures that came from rollups and how exact p95 is, in zh and en', () => {
    const fs = reports.rollupZh.figureSources!;
    expect(fs.rollupFigures).toEqual(expect.arrayContaining(['cpu', 'memory', 'swap', 'cpuDaily', 'memoryDaily', 'diskDaily', 'network', 'reboots', 'services']));
    // Current disk use, certificate days and backup age are the latest samples: read raw.
    expect(fs.rawFigures).toEqual(expect.arrayContaining(['diskNow']));
    expect(fs.p95).toBe('histogram');
    // Every hour of the seed's 91 days lies whole inside the window and comes from rollups (the hours of the window
    // before the samples start, no rollup state, are read raw and are empty).
    expect(fs.rollupHours).toBe(DAYS * 24);
    expect(reports.raw.figureSources).toMatchObject({ rollupFigures: [], p95: 'exact' });

    const zh = renderReportHtml(reports.rollupZh);
    expect(zh).toContain('取自按小时预聚合的统计');
    expect(zh).toContain('比按全部原始采样值求得的 P95 至多低 0.1 个百分点');
    expect(zh).toMatch(/磁盘当前使用量[^。]*直接取自原始采样值/);
    const en = renderReportHtml(reports.rollupEn);
    expect(en).toContain('come from hourly rollups');
    expect(en).toContain('at most 0.1 points below the p95 of all raw samples');
    // A report from raw points keeps the sentence it always had.
    expect(renderReportHtml(reports.raw)).toContain('均按统计期内每一个原始采样值计算');
  });
});
