import { afterAll, beforeAll, expect, test } from 'vitest';
import { join } from 'node:path';
import { influx1MetricsStore } from '../../collector/metrics/influx1-store.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY = 86400_000;
let influx: RunningInfluxDb;
const dir = tempDir('retention');
beforeAll(async () => {
  influx = await startInfluxDb();
});
afterAll(async () => {
  await influx?.destroy();
  dir.remove();
});

test('InfluxDB 1.x: the database and the configured retention policy are created, as the default, once', async () => {
  const store = influx1MetricsStore({ url: influx.url, database: 'patrol_rp', retention: { name: 'patrol_30d', duration: '30d' } });
  await store.init();
  await store.init(); // a restart must not fail on "already exists"
  await store.write([{ measurement: 'm', tags: { host: 'h' }, fields: { v: 1 }, time: Date.now() }]);
  const r = await influx.query('SHOW RETENTION POLICIES ON "patrol_rp"', 'patrol_rp');
  const rows = r.results[0]!.series![0]!.values;
  const rp = rows.find((row) => row[0] === 'patrol_30d');
  expect(rp).toBeDefined();
  expect(rp![1]).toBe('720h0m0s');
  expect(rp![rp!.length - 1]).toBe(true); // default
  const points = await influx.query('SELECT COUNT("v") FROM "patrol_30d"."m"', 'patrol_rp');
  expect(points.results[0]!.series![0]!.values[0]![1]).toBe(1);
});

test('embedded store: points older than the retention are deleted, newer ones kept', async () => {
  const now = Date.parse('2026-11-25T00:00:00Z');
  const path = join(dir.path, 'metrics.db');
  const first = sqliteMetricsStore({ path, retentionDays: 30, now: () => now });
  await first.init();
  await first.write([40, 31, 29, 1].map((daysAgo) => ({ measurement: 'm', tags: { host: 'h' }, fields: { v: daysAgo }, time: now - daysAgo * DAY })));
  await first.close();
  // Retention runs at start and hourly; a restart is the start.
  const again = sqliteMetricsStore({ path, retentionDays: 30, now: () => now });
  await again.init();
  const [s] = await again.summary({ measurement: 'm', field: 'v', where: { host: 'h' }, from: 0, to: now + DAY });
  expect(s).toMatchObject({ count: 2, min: 1, max: 29 });
  await again.close();
});
