import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { influx1MetricsStore } from '../../collector/metrics/influx1-store.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import { buildInspectionReport } from '../../collector/reports/build-report.js';
import { periodBounds } from '../../collector/reports/holiday-calendar.js';
import type { InspectionReport } from '../../collector/reports/model.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { tempDir } from '../helpers/temp-dir.js';
import { DAY, DAYS, DOWN_MINUTES, GIB, MEM_SPIKE_HOUR, NOW, PERIOD, REBOOT_HOURS, SAMPLE_START, TICKETS, seedQuarter } from './seed.js';

/**
 * A quarter of known data in a real InfluxDB 1.x and in the embedded store; the report's figures must
 * match what the seed's formulas give by hand (see seed.ts).
 */

// cpu = 10 + (hour mod 24) for 91 whole days: each value 10..33 appears 91 times.
const CPU_MEAN = (10 + 33) / 2; // 21.5
// p95 by nearest rank: rank floor(2184 * 0.95 + 0.5) = 2075; 2075 / 91 = 22.8 -> the 23rd value, 10 + 22.
const CPU_P95 = 32;
const N = DAYS * 24;
const MEM_MEAN = 60 + (95 - 60) / N;
// Linear fits through exact daily means: slope 0.2 and 0.4 points a day; last daily mean on day 90.
const ROOT_LAST = 50 + 0.2 * 90; // 68
const DATA_LAST = 40 + 0.4 * 90; // 76
const ROOT_DAYS_FULL = (100 - ROOT_LAST) / 0.2; // 160
const DATA_DAYS_FULL = (100 - DATA_LAST) / 0.4; // 60
// Quarter 2026Q3 in Beijing time is 92 days; the host was unreachable 360 minutes of it.
const AVAILABILITY = 100 * (1 - DOWN_MINUTES / (92 * 1440));
/** The window: the whole quarter 2026Q3 (Beijing time), as if its inspections were on the quarter's edges. */
const quarter = { from: periodBounds(PERIOD).from, to: periodBounds(PERIOD).to, period: PERIOD };

function expectQuarterFigures(r: InspectionReport) {
  const h = r.hosts[0]!;
  expect(h.cpu.count).toBe(N);
  expect(h.cpu.mean).toBeCloseTo(CPU_MEAN, 6);
  expect(h.cpu.p95).toBe(CPU_P95);
  expect(h.cpu.max).toBe(33);
  expect(h.memory.mean).toBeCloseTo(MEM_MEAN, 6);
  expect(h.memory.p95).toBe(60);
  expect(h.memory.max).toBe(95);
  expect(h.cpuDaily).toHaveLength(DAYS);
  expect(h.cpuDaily[0]!.value).toBeCloseTo(CPU_MEAN, 6);

  const [root, data] = h.disks;
  expect(root!.mount).toBe('/');
  expect(root!.dailyMeans).toHaveLength(DAYS);
  expect(root!.usedPct).toBeCloseTo(ROOT_LAST, 6);
  expect(root!.growthPctPerDay).toBeCloseTo(0.2, 6);
  expect(root!.daysUntilFull).toBeCloseTo(ROOT_DAYS_FULL, 4);
  expect(data!.mount).toBe('/data');
  expect(data!.growthPctPerDay).toBeCloseTo(0.4, 6);
  expect(data!.growthBytesPerDay! / GIB).toBeCloseTo(0.4, 4);
  expect(data!.daysUntilFull).toBeCloseTo(DATA_DAYS_FULL, 4);
  expect(data!.totalBytes).toBe(100 * GIB);

  expect(h.reboots).toBe(REBOOT_HOURS.length);
  expect(h.network).toEqual([{ iface: 'eth0', errorsPerSecMean: 0, errorsPerSecMax: 0 }]);
  expect(h.downMinutes).toBe(DOWN_MINUTES);
  expect(h.availabilityPct).toBeCloseTo(AVAILABILITY, 6);
  expect(h.databases[0]!.figures['replication_lag_sec.max']).toBe(120);
  expect(h.certificates).toEqual([{ url: 'web', daysLeft: 12 }]);
  expect(h.backups[0]).toMatchObject({ path: 'backup', status: 'CRITICAL', ageHours: 72 });
  expect(h.changes.map((c) => [c.field, c.oldValue, c.newValue])).toEqual([['kernel', '6.1.0-17-amd64', '6.1.0-18-amd64']]);

  // Tickets: A, B, C, D and the 360-minute outage (the Q2 ticket is outside the period).
  // Response met: A, C, D, outage (B 45 > 30) = 4/5; restore met: A, B, D, outage (C 600 > 480) = 4/5;
  // tickets with no miss: A, D, outage = 3/5.
  const t = r.tickets;
  expect(t.total).toBe(5);
  expect(t.items.map((i) => i.responseMin)).toEqual([10, 45, 20, 5, 10]);
  expect(t.responseMetShare).toBeCloseTo(4 / 5, 9);
  expect(t.restoreMetShare).toBeCloseTo(4 / 5, 9);
  expect(t.slaMetShare).toBeCloseTo(3 / 5, 9);

  // Findings: high = backup, SLA (0.6 < 0.8); medium = /data full in 60 days, 3 reboots, cert 12 days,
  // replication lag 120 s, availability below 99.9%. Score 100 - 2*15 - 5*5.
  expect(r.findings.map((f) => `${f.risk}:${f.rule}`).sort()).toEqual(
    ['high:backup', 'high:sla', 'medium:availability', 'medium:certificate', 'medium:disk', 'medium:reboots', 'medium:replication-lag'].sort(),
  );
  expect(r.findings.find((f) => f.rule === 'disk')!.id).toBe(`disk:${h.hostId}:/data`);
  expect(r.summary.findingsByRisk).toEqual({ high: 2, medium: 5, low: 0 });
  expect(r.summary.healthScore).toBe(45);
}

describe.each([
  ['InfluxDB 1.x', 'influx'],
  ['embedded SQLite store', 'sqlite'],
] as const)('a quarter of known data in the %s', (_name, kind) => {
  let influx: RunningInfluxDb | undefined;
  let store: MetricsStore;
  let db: Db;
  const dir = tempDir('report-figures');
  let report: InspectionReport;

  beforeAll(async () => {
    if (kind === 'influx') {
      influx = await startInfluxDb();
      store = influx1MetricsStore({ url: influx.url, database: 'patrol' });
    } else {
      store = sqliteMetricsStore({ path: join(dir.path, 'metrics.db'), retentionDays: 100_000, now: () => NOW });
    }
    await store.init();
    db = openDatabase(join(dir.path, 'patrol.db'));
    await seedQuarter(db, store);
    report = await buildInspectionReport({ db, store, customerId: 'acme', scope: quarter, lang: 'zh', now: NOW, engineer: '张工' });
  });

  afterAll(async () => {
    await store?.close();
    db?.close();
    await influx?.destroy();
    dir.remove();
  });

  test('averages, p95, disk growth and days until full, reboots, availability and SLA shares match the hand-worked values', () => {
    expectQuarterFigures(report);
  });

  test('a window that ends mid-quarter counts only its own samples and tickets; the cover names customer, window and engineer', async () => {
    const mid = await buildInspectionReport({ db, store, customerId: 'acme', scope: { ...quarter, to: SAMPLE_START + 30 * DAY }, lang: 'en', now: NOW, engineer: 'Zhang' });
    expect(mid.hosts[0]!.cpu.count).toBe(30 * 24);
    expect(mid.hosts[0]!.memory.max).toBe(MEM_SPIKE_HOUR < 30 * 24 ? 95 : 60);
    expect(mid.tickets.total).toBe(TICKETS.filter((t) => t.openedDay < 30).length);
    expect(report.cover).toMatchObject({ customerName: 'ACME 有限公司', period: PERIOD, periodFrom: quarter.from, periodTo: quarter.to, engineer: '张工' });
  });
});
