import { afterAll, beforeAll, expect, test } from 'vitest';
import { join } from 'node:path';
import { loadCollectorConfig } from '../../collector/config.js';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { metricsStoreFromConfig } from '../../collector/metrics/open-store.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import type { RollupControl } from '../../collector/metrics/rollups.js';
import { buildInspectionReport } from '../../collector/reports/build-report.js';
import { periodBounds } from '../../collector/reports/holiday-calendar.js';
import { ReportBuildWorker, type ReportBuildInput } from '../../collector/reports/report-build-worker.js';
import { tempDir } from '../helpers/temp-dir.js';
import { NOW, PERIOD, seedQuarter } from './seed.js';

/**
 * The collector builds a report's figures in a worker thread that opens the data folder's files itself (its reads
 * held the collector's only thread for seconds at 1,000 hosts). The worker's report must be the one built in the
 * collector's thread from the same files, its failures must reach the caller, and the collector's thread must not
 * read the metrics store for it.
 */
const dir = tempDir('report-worker');
const config = loadCollectorConfig(undefined, { dataDir: dir.path, port: 0, tls: 'off', sqliteRetentionDays: 100_000 });
let db: Db;
let store: MetricsStore & { rollups: RollupControl };
let worker: ReportBuildWorker;
const input = (lang: 'zh' | 'en'): ReportBuildInput => ({
  customerId: 'acme',
  scope: { from: periodBounds(PERIOD).from, to: periodBounds(PERIOD).to, period: PERIOD },
  lang,
  now: NOW,
  engineer: '张工',
});

beforeAll(async () => {
  db = openDatabase(join(config.dataDir, 'patrol.db'));
  // The collector's own store over the same files (the writer of the rollups).
  store = metricsStoreFromConfig(config, () => NOW) as MetricsStore & { rollups: RollupControl };
  await store.init();
  await seedQuarter(db, store);
  store.rollups.flush({ force: true });
  // The rollup job's own work (backfill, hours made again) done now: had its 10-s tick run between the two builds of a
  // comparison (a loaded machine), one report would read an hour from rollups and the other from raw points.
  while ((await store.rollups.repair(10_000)) > 0);
  worker = new ReportBuildWorker(config);
});

afterAll(async () => {
  await worker?.close();
  await store?.close();
  db?.close();
  dir.remove();
});

test('the worker builds the report the collector thread would build, from the same files, in zh and en', async () => {
  let mainThreadReads = 0;
  const counted: MetricsStore = { ...store, summary: (q) => (mainThreadReads++, store.summary(q)), series: (q) => (mainThreadReads++, store.series(q)) };
  for (const lang of ['zh', 'en'] as const) {
    const here = await buildInspectionReport({ ...input(lang), db, store: counted });
    const readsHere = mainThreadReads;
    expect(readsHere).toBeGreaterThan(0);
    const there = await worker.build(input(lang));
    expect(mainThreadReads).toBe(readsHere);
    expect(there).toEqual(here);
    expect(there.hosts[0]!.cpu.count).toBeGreaterThan(0);
    mainThreadReads = 0;
  }
});

test('a failure in the worker reaches the caller with its reason, and the worker goes on serving', async () => {
  await expect(worker.build({ ...input('zh'), customerId: 'nobody' })).rejects.toThrow("no customer 'nobody'");
  const again = await worker.build(input('en'));
  expect(again.cover.customerName).toBe('ACME 有限公司');
});

test('a worker that ends mid-build fails what it was building, and the next build starts a new one', async () => {
  const failed = expect(worker.build(input('zh'))).rejects.toThrow(/stopping/);
  await worker.close();
  await failed;
  const after = await worker.build(input('zh'));
  expect(after.hosts).toHaveLength(1);
});
