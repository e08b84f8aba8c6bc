import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Metric } from '../../shared/metric.js';
import { sqliteMetricsStore } from '../../collector/metrics/sqlite-store.js';
import { SqliteReadWorker } from '../../collector/metrics/sqlite-read-worker.js';
import type { MetricsStore } from '../../collector/metrics/store.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The embedded store's reads on their own thread (the collector's store, opened from its config): the same answers
 * as reads on the caller's thread, the caller's event loop free while a read runs, and a thread that cannot open or
 * is closed fails its reads with the reason instead of leaving them waiting.
 */

const T0 = Date.UTC(2026, 10, 1);
const MIN = 60_000;

function seed(): Metric[] {
  const out: Metric[] = [];
  for (let h = 0; h < 40; h++) {
    for (let i = 0; i < 120; i++) {
      const time = T0 + i * MIN;
      out.push({ measurement: 'cpu', tags: { customer: h % 2 ? 'acme' : 'other', host: `h${h}`, check: 'system.cpu' }, fields: { usage_pct: (h * 7 + i * 13) % 100 }, time });
      for (const mount of ['/', '/var']) out.push({ measurement: 'disk', tags: { customer: 'acme', host: `h${h}`, mount }, fields: { used_pct: (h + i / 10 + mount.length) % 100 }, time });
    }
  }
  return out;
}

describe('the embedded store reading on a thread of its own', () => {
  const dir = tempDir('sqlite-read-thread');
  let inPlace: MetricsStore;
  let threaded: MetricsStore;

  beforeAll(async () => {
    inPlace = sqliteMetricsStore({ path: join(dir.path, 'a.db'), retentionDays: 100_000, now: () => T0 });
    threaded = sqliteMetricsStore({ path: join(dir.path, 'b.db'), retentionDays: 100_000, now: () => T0, readThread: true });
    for (const s of [inPlace, threaded]) {
      await s.init();
      await s.write(seed());
    }
  });

  afterAll(async () => {
    await inPlace?.close();
    await threaded?.close();
    dir.remove();
  });

  test('every read answers as it does on the caller thread', async () => {
    const selector = { measurement: 'disk', field: 'used_pct', where: { customer: 'acme' }, from: T0 + 10 * MIN, to: T0 + 100 * MIN };
    const reads: Array<(s: MetricsStore) => Promise<unknown>> = [
      (s) => s.series({ ...selector, groupBy: ['host', 'mount'], stepMs: 15 * MIN, agg: 'mean' }),
      (s) => s.series({ ...selector, groupBy: ['host'], stepMs: 86_400_000, agg: 'last' }),
      (s) => s.summary({ measurement: 'cpu', field: 'usage_pct', where: { customer: 'acme' }, from: T0, to: T0 + 120 * MIN, groupBy: ['host'] }),
      (s) => s.summary({ ...selector, groupBy: ['host'], figures: ['p95', 'max'] }),
      (s) => s.countPoints(selector),
      (s) => s.points({ measurement: 'disk', fields: ['used_pct'], where: { host: 'h3' }, from: T0, to: T0 + 30 * MIN }),
    ];
    for (const read of reads) {
      const want = await read(inPlace);
      expect(want).not.toEqual([]);
      expect(await read(threaded)).toEqual(want);
    }
    expect(await threaded.countPoints(selector)).toBe(40 * 2 * 90);
  });

  test("the caller's event loop turns while a read runs there, and not at all while one runs in place", async () => {
    const turnsDuring = async (s: MetricsStore) => {
      let turns = 0;
      let done = false;
      const read = s.summary({ measurement: 'cpu', field: 'usage_pct', where: {}, from: T0, to: T0 + 120 * MIN, groupBy: ['host'] }).finally(() => (done = true));
      while (!done) {
        await nextTurn();
        turns++;
      }
      await read;
      return turns;
    };
    // In place the statement runs inside the call: the answer is there before the loop turns once.
    expect(await turnsDuring(inPlace)).toBe(1);
    expect(await turnsDuring(threaded)).toBeGreaterThan(1);
  });

  test('reads written just before are seen (a read after a write on the collector thread)', async () => {
    const at = T0 + 500 * MIN;
    await threaded.write([{ measurement: 'cpu', tags: { customer: 'acme', host: 'new' }, fields: { usage_pct: 42 }, time: at }]);
    const got = await threaded.series({ measurement: 'cpu', field: 'usage_pct', where: { host: 'new' }, from: at, to: at + 1, stepMs: MIN, agg: 'last' });
    expect(got).toEqual([{ tags: {}, points: [{ time: at, value: 42 }] }]);
  });

  test('a thread that cannot open its file fails the read with the reason; the next read opens it again', async () => {
    const path = join(dir.path, 'later.db');
    const worker = new SqliteReadWorker(path);
    try {
      await expect(worker.read('countPoints', { measurement: 'cpu', field: 'usage_pct', where: {}, from: 0, to: 1 })).rejects.toThrow(/unable to open|does not exist|SQLITE_CANTOPEN/i);
      const db = new Database(path);
      db.exec('CREATE TABLE series (id INTEGER PRIMARY KEY, measurement TEXT, tags TEXT); CREATE TABLE points (series_id INTEGER, field TEXT, time INTEGER, value REAL, text TEXT)');
      db.prepare("INSERT INTO series VALUES (1, 'cpu', '{}')").run();
      db.prepare("INSERT INTO points VALUES (1, 'usage_pct', 0, 1, NULL)").run();
      db.close();
      expect(await worker.read('countPoints', { measurement: 'cpu', field: 'usage_pct', where: {}, from: 0, to: 1 })).toBe(1);
    } finally {
      await worker.close();
    }
  });

  test('a read waiting when the store closes fails with the reason, and later reads fail at once', async () => {
    const path = join(dir.path, 'c.db');
    const s = sqliteMetricsStore({ path, retentionDays: 100_000, readThread: true });
    await s.init();
    const pending = s.countPoints({ measurement: 'cpu', field: 'usage_pct', where: {}, from: 0, to: 1 }).catch((err: Error) => err);
    await s.close();
    expect(String(await pending)).toMatch(/closing/);
    await expect(s.countPoints({ measurement: 'cpu', field: 'usage_pct', where: {}, from: 0, to: 1 })).rejects.toThrow(/not initialised/);
  });
});
