import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Metric } from '../../shared/metric.js';
import { createLogger } from '../../shared/logger.js';
import { parseLine } from '../../shared/line-protocol.js';
import { SUMMARY_FIGURES, type Aggregate, type MetricsStore, type PointsQuery, type Series, type SeriesPoints, type SeriesQuery, type SeriesSelector, type SeriesSummary, type SummaryQuery } from './store.js';
import { WAL_SIZE_LIMIT_BYTES } from '../db/wal-size-limit.js';
import { cachePreparedStatements } from '../db/database.js';

const log = createLogger('metrics.sqlite');

/** Old points deleted per statement by the retention job. */
const PRUNE_PIECE = 5_000;

const AGG_SQL: Record<Aggregate, string> = { mean: 'AVG(p.value)', max: 'MAX(p.value)', min: 'MIN(p.value)', sum: 'SUM(p.value)', count: 'COUNT(p.value)', last: 'p.value' };

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
}): MetricsStore {
  const now = opts.now ?? Date.now;
  let db: Database.Database | undefined;
  const seriesIds = new Map<string, number>();
  let retentionTimer: NodeJS.Timeout | undefined;

  const open = (): Database.Database => {
    if (!db) throw new Error('metrics store not initialised');
    return db;
  };

  const seriesKey = (m: Metric) => {
    const tags = Object.keys(m.tags).sort().map((k) => [k, m.tags[k]]);
    return { key: `${m.measurement}\u0000${JSON.stringify(tags)}`, tagsJson: JSON.stringify(Object.fromEntries(tags)) };
  };

  const selectorSql = (q: SeriesSelector) => {
    const conds = ['s.measurement = @measurement'];
    const params: Record<string, string | number> = { measurement: q.measurement, field: q.field, from: q.from, to: q.to };
    Object.entries(q.where).forEach(([k, v], i) => {
      conds.push(`json_extract(s.tags, @tk${i}) = @tv${i}`);
      params[`tk${i}`] = `$."${k}"`;
      params[`tv${i}`] = v;
    });
    const groupCols = (q.groupBy ?? []).map((k, i) => {
      params[`gk${i}`] = `$."${k}"`;
      return `json_extract(s.tags, @gk${i})`;
    });
    const groupExpr = groupCols.length ? `json_array(${groupCols.join(', ')})` : `'[]'`;
    const from = `FROM points p JOIN series s ON s.id = p.series_id
      WHERE ${conds.join(' AND ')} AND p.field = @field AND p.time >= @from AND p.time < @to AND p.value IS NOT NULL`;
    return { from, params, groupExpr };
  };

  const tagsOf = (q: SeriesSelector, groupJson: string): Record<string, string> => {
    const vals = JSON.parse(groupJson) as Array<string | null>;
    return Object.fromEntries((q.groupBy ?? []).map((k, i) => [k, vals[i] ?? '']));
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
    async series(q: SeriesQuery): Promise<Series[]> {
      const { from, params, groupExpr } = selectorSql(q);
      const step = Math.max(1, Math.round(q.stepMs));
      // 'last' takes the value at the latest time in each bucket (SQLite's bare-column rule with MAX()).
      const valueExpr = q.agg === 'last' ? 'p.value, MAX(p.time)' : `${AGG_SQL[q.agg]} AS value`;
      const rows = open()
        .prepare(`SELECT ${groupExpr} AS g, (p.time / ${step}) * ${step} AS t, ${valueExpr} ${from} GROUP BY g, t ORDER BY g, t`)
        .all(params) as Array<{ g: string; t: number; value: number | null }>;
      const out = new Map<string, Series>();
      for (const r of rows) {
        if (r.value === null) continue;
        let s = out.get(r.g);
        if (!s) out.set(r.g, (s = { tags: tagsOf(q, r.g), points: [] }));
        s.points.push({ time: r.t, value: r.value });
      }
      return [...out.values()];
    },
    async summary(q: SummaryQuery): Promise<SeriesSummary[]> {
      const { from, params, groupExpr } = selectorSql(q);
      const want = (f: (typeof SUMMARY_FIGURES)[number]) => !q.figures || q.figures.includes(f);
      // p95 by nearest rank, rounded as InfluxQL's PERCENTILE() does, so both stores give the same figure.
      // The ranking sorts every value of the group, so it runs only when p95 is asked for.
      const ranked = want('p95')
        ? `r AS (SELECT g, value, time, ROW_NUMBER() OVER (PARTITION BY g ORDER BY value) AS rn, COUNT(*) OVER (PARTITION BY g) AS n FROM v)`
        : `r AS (SELECT g, value, time FROM v)`;
      const cols = [
        'g',
        want('count') ? 'COUNT(*) AS count' : 'NULL AS count',
        want('mean') ? 'AVG(value) AS mean' : 'NULL AS mean',
        want('min') ? 'MIN(value) AS min' : 'NULL AS min',
        want('max') ? 'MAX(value) AS max' : 'NULL AS max',
        want('p95') ? 'MAX(CASE WHEN rn = MAX(1, CAST(n * 0.95 + 0.5 AS INTEGER)) THEN value END) AS p95' : 'NULL AS p95',
        want('first') ? '(SELECT value FROM v v2 WHERE v2.g = r.g ORDER BY time ASC LIMIT 1) AS first' : 'NULL AS first',
        want('last') ? '(SELECT value FROM v v2 WHERE v2.g = r.g ORDER BY time DESC LIMIT 1) AS last' : 'NULL AS last',
      ];
      const rows = open()
        .prepare(`WITH v AS (SELECT ${groupExpr} AS g, p.value AS value, p.time AS time ${from}), ${ranked} SELECT ${cols.join(', ')} FROM r GROUP BY g ORDER BY g`)
        .all(params) as Array<{ g: string; count: number | null; mean: number | null; min: number | null; max: number | null; p95: number | null; first: number | null; last: number | null }>;
      return rows.map((r) => ({ tags: tagsOf(q, r.g), count: r.count, mean: r.mean, min: r.min, max: r.max, p95: r.p95, first: r.first, last: r.last }));
    },
    async countPoints(q) {
      const { from, params } = selectorSql(q);
      return (open().prepare(`SELECT COUNT(*) AS n ${from}`).get(params) as { n: number }).n;
    },
    async points(q: PointsQuery): Promise<SeriesPoints[]> {
      if (!q.fields.length) return [];
      const { from, params } = selectorSql({ measurement: q.measurement, field: '', where: q.where, from: q.from, to: q.to });
      const fieldParams = q.fields.map((f, i) => {
        params[`pf${i}`] = f;
        return `@pf${i}`;
      });
      // The selector's `p.field = @field` becomes a list of fields; the time range uses the points_time index.
      const sql = `SELECT s.id AS sid, s.tags AS tags, p.field AS field, p.time AS time, p.value AS value ${from.replace('p.field = @field', `p.field IN (${fieldParams.join(', ')})`)} ORDER BY s.id, p.field, p.time`;
      const out: Array<SeriesPoints & { sid: number }> = [];
      let cur: (SeriesPoints & { sid: number }) | undefined;
      for (const r of open().prepare(sql).iterate(params) as Iterable<{ sid: number; tags: string; field: string; time: number; value: number }>) {
        if (!cur || cur.sid !== r.sid || cur.field !== r.field) {
          cur = { sid: r.sid, tags: JSON.parse(r.tags) as Record<string, string>, field: r.field, times: [], values: [] };
          out.push(cur);
        }
        cur.times.push(r.time);
        cur.values.push(r.value);
      }
      return out.map(({ sid: _sid, ...s }) => s);
    },
    async close() {
      clearInterval(retentionTimer);
      db?.close();
      db = undefined;
    },
  };
}
