import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Metric } from '../../shared/metric.js';
import { createLogger } from '../../shared/logger.js';
import { parseLine } from '../../shared/line-protocol.js';
import type { MetricsStore } from './store.js';
import { sqliteReads } from './sqlite-reads.js';
import { SqliteReadWorker } from './sqlite-read-worker.js';
import { WAL_SIZE_LIMIT_BYTES } from '../db/wal-size-limit.js';
import { cachePreparedStatements } from '../db/database.js';

const log = createLogger('metrics.sqlite');

/** Old points deleted per statement by the retention job. */
const PRUNE_PIECE = 5_000;

/**
 * The embedded metrics store: one SQLite file beside the relational one (kept apart so heavy metric writes
 * never hold the lock that tickets and users need). A point is keyed by (series, field, time), so a re-sent
 * batch overwrites itself instead of doubling.
 */
export function sqliteMetricsStore(opts: {
  path: string;
  retentionDays: number;
  now?: () => number;
  /** false: a reader beside the collector (a report worker, the report command) that leaves retention to it. */
  prune?: boolean;
  /**
   * Reads on a thread of their own (sqlite-read-worker.ts) instead of the caller's: the collector's store, whose
   * thread also acks every agent's batch. Readers that already run apart from it (a report worker) read in place.
   */
  readThread?: boolean;
}): MetricsStore {
  const now = opts.now ?? Date.now;
  let db: Database.Database | undefined;
  const seriesIds = new Map<string, number>();
  let retentionTimer: NodeJS.Timeout | undefined;
  let readThread: SqliteReadWorker | undefined;

  const open = (): Database.Database => {
    if (!db) throw new Error('metrics store not initialised');
    return db;
  };
  const inThread = sqliteReads(open);

  const seriesKey = (m: Metric) => {
    const tags = Object.keys(m.tags).sort().map((k) => [k, m.tags[k]]);
    return { key: `${m.measurement}\u0000${JSON.stringify(tags)}`, tagsJson: JSON.stringify(Object.fromEntries(tags)) };
  };

  return {
    kind: 'sqlite',
    async init() {
      mkdirSync(dirname(opts.path), { recursive: true });
      db = new Database(opts.path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      // Each write and read prepared its statements again (compiled on every call).
      cachePreparedStatements(db);
      if (opts.readThread) readThread = new SqliteReadWorker(opts.path);
      db.exec(`
        CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, measurement TEXT NOT NULL, tags TEXT NOT NULL, UNIQUE (measurement, tags));
        CREATE TABLE IF NOT EXISTS points (
          series_id INTEGER NOT NULL, field TEXT NOT NULL, time INTEGER NOT NULL, value REAL, text TEXT,
          PRIMARY KEY (series_id, field, time)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS points_time ON points (time);`);
      // Old points go PRUNE_PIECE at a time with a turn of the event loop between: at 1,000 hosts an hour holds about
      // 2.4 million points, and one DELETE of them would hold the loop (and every agent's ack) for seconds.
      let pruning = false;
      const prune = async () => {
        if (pruning || !db) return;
        pruning = true;
        try {
          const cutoff = now() - opts.retentionDays * 86400_000;
          const del = open().prepare('DELETE FROM points WHERE (series_id, field, time) IN (SELECT series_id, field, time FROM points WHERE time < ? LIMIT ?)');
          let deleted = 0;
          for (let n = PRUNE_PIECE; n === PRUNE_PIECE && db; ) {
            n = del.run(cutoff, PRUNE_PIECE).changes;
            deleted += n;
            if (n === PRUNE_PIECE) await nextTurn();
          }
          if (deleted) log.info({ deleted, retentionDays: opts.retentionDays }, 'retention: old points deleted');
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'retention: deleting old points failed; it runs again in an hour');
        } finally {
          pruning = false;
        }
      };
      if (opts.prune === false) return;
      await prune();
      retentionTimer = setInterval(() => void prune(), 3600_000);
      retentionTimer.unref();
    },
    async write(points) {
      const d = open();
      const insertSeries = d.prepare('INSERT INTO series (measurement, tags) VALUES (?, ?) ON CONFLICT DO UPDATE SET tags = tags RETURNING id');
      const upsert = d.prepare('INSERT OR REPLACE INTO points (series_id, field, time, value, text) VALUES (?, ?, ?, ?, ?)');
      d.transaction(() => {
        for (const m of points) {
          const { key, tagsJson } = seriesKey(m);
          let id = seriesIds.get(key);
          if (id === undefined) {
            id = (insertSeries.get(m.measurement, tagsJson) as { id: number }).id;
            seriesIds.set(key, id);
          }
          for (const [field, v] of Object.entries(m.fields)) {
            if (typeof v === 'number') upsert.run(id, field, m.time, v, null);
            else if (typeof v === 'boolean') upsert.run(id, field, m.time, v ? 1 : 0, null);
            else upsert.run(id, field, m.time, null, v);
          }
        }
      })();
    },
    writeLines(lines) {
      // The embedded store keeps fields in columns, so lines become metrics again here (not the InfluxDB path).
      return this.write(lines.map(parseLine));
    },
    // On the collector's thread, or (readThread) on the store's read thread.
    series: async (q) => (readThread ? readThread.read('series', q) : inThread.series(q)),
    summary: async (q) => (readThread ? readThread.read('summary', q) : inThread.summary(q)),
    countPoints: async (q) => (readThread ? readThread.read('countPoints', q) : inThread.countPoints(q)),
    points: async (q) => (readThread ? readThread.read('points', q) : inThread.points(q)),
    async close() {
      clearInterval(retentionTimer);
      await readThread?.close();
      readThread = undefined;
      db?.close();
      db = undefined;
    },
  };
}
