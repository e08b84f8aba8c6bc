import type Database from 'better-sqlite3';
import { SUMMARY_FIGURES, type Aggregate, type PointsQuery, type Series, type SeriesPoints, type SeriesQuery, type SeriesSelector, type SeriesSummary, type SummaryQuery } from './store.js';

const AGG_SQL: Record<Aggregate, string> = { mean: 'AVG(p.value)', max: 'MAX(p.value)', min: 'MIN(p.value)', sum: 'SUM(p.value)', count: 'COUNT(p.value)', last: 'p.value' };

/** The embedded store's reads, as plain synchronous functions of one connection (the collector's thread, or its read thread). */
export interface SqliteReads {
  series(q: SeriesQuery): Series[];
  summary(q: SummaryQuery): SeriesSummary[];
  countPoints(q: SeriesSelector): number;
  points(q: PointsQuery): SeriesPoints[];
}

export type SqliteReadMethod = keyof SqliteReads;

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

/** The reads of the embedded store's tables (sqlite-store.ts makes them) through the connection `db()` gives. */
export function sqliteReads(db: () => Database.Database): SqliteReads {
  return {
    series(q) {
      const { from, params, groupExpr } = selectorSql(q);
      const step = Math.max(1, Math.round(q.stepMs));
      // 'last' takes the value at the latest time in each bucket (SQLite's bare-column rule with MAX()).
      const valueExpr = q.agg === 'last' ? 'p.value, MAX(p.time)' : `${AGG_SQL[q.agg]} AS value`;
      const rows = db()
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
    summary(q) {
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
      const rows = db()
        .prepare(`WITH v AS (SELECT ${groupExpr} AS g, p.value AS value, p.time AS time ${from}), ${ranked} SELECT ${cols.join(', ')} FROM r GROUP BY g ORDER BY g`)
        .all(params) as Array<{ g: string; count: number | null; mean: number | null; min: number | null; max: number | null; p95: number | null; first: number | null; last: number | null }>;
      return rows.map((r) => ({ tags: tagsOf(q, r.g), count: r.count, mean: r.mean, min: r.min, max: r.max, p95: r.p95, first: r.first, last: r.last }));
    },
    countPoints(q) {
      const { from, params } = selectorSql(q);
      return (db().prepare(`SELECT COUNT(*) AS n ${from}`).get(params) as { n: number }).n;
    },
    points(q) {
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
      for (const r of db().prepare(sql).iterate(params) as Iterable<{ sid: number; tags: string; field: string; time: number; value: number }>) {
        if (!cur || cur.sid !== r.sid || cur.field !== r.field) {
          cur = { sid: r.sid, tags: JSON.parse(r.tags) as Record<string, string>, field: r.field, times: [], values: [] };
          out.push(cur);
        }
        cur.times.push(r.time);
        cur.values.push(r.value);
      }
      return out.map(({ sid: _sid, ...s }) => s);
    },
  };
}
