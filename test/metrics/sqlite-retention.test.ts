import { describe, expect, test } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import type { Metric } from '../../shared/metric.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);

describe('the embedded store keeps points for its retention days', () => {
  test('older points go at start, several pieces of them, and the newer ones stay', async () => {
    const dir = tempDir('sqlite-retention');
    const path = join(dir.path, 'metrics.db');
    const pts = (from: number, n: number): Metric[] =>
      Array.from({ length: n }, (_, i) => ({ measurement: 'cpu', tags: { customer: 'acme', host: `h${i % 50}` }, fields: { usage_pct: i % 100, load1: 0.5 }, time: from + i * 1000 }));
    const first = sqliteMetricsStore({ path, retentionDays: 1_000, now: () => NOW });
    await first.init();
    // 8,000 points of two fields (16,000 rows: more than three pieces) 40 days old, 500 from today.
    await first.write(pts(NOW - 40 * DAY, 8_000));
    await first.write(pts(NOW - 3_600_000, 500));
    await first.close();

    const store = sqliteMetricsStore({ path, retentionDays: 30, now: () => NOW });
    await store.init();
    const count = (from: number, to: number) => store.countPoints({ measurement: 'cpu', field: 'usage_pct', where: {}, from, to });
    expect(await count(0, NOW - 30 * DAY)).toBe(0);
    expect(await count(NOW - 30 * DAY, NOW)).toBe(500);
    await store.close();

    const db = new Database(path, { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM points').get() as { n: number }).n).toBe(1_000);
    db.close();
    dir.remove();
  });
});
