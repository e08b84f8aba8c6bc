import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { addEncodedHist, encodeHist, HIST_BUCKETS, type Cell } from './rollup-cell.js';
import { WAL_SIZE_LIMIT_BYTES } from '../db/wal-size-limit.js';
import { cachePreparedStatements } from '../db/database.js';

export const HOUR_MS = 3_600_000;

/** Whether an hour's rollups can be read: done = complete; open = being kept by a writer; dirty = to be made again from raw. */
export type HourState = 'open' | 'done' | 'dirty';

/** One series-field's cell of one hour, ready to store. */
export interface HourCell {
  measurement: string;
  field: string;
  tags: Record<string, string>;
  cell: Cell;
}

/** A row of an aggregate over rollup rows: one series, or one series and step bucket. */
export interface RollupRow {
  sid: number;
  t?: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  hist?: Float64Array | null;
}

const normTags = (tags: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.keys(tags).sort().map((k) => [k, tags[k]])));

/**
 * The rollup tables, in their own SQLite file beside the collector's (metrics-rollups.db), whatever the raw store
 * is: one hourly row per series and field (count, sum, min, max, and a histogram for p95 fields), the state of
 * each hour, and the series-hours to be made again from raw points (late or repeated points).
 */
export class RollupDb {
  private readonly db: Database.Database;
  private readonly seriesIds = new Map<string, number>();
  private readonly seriesTags = new Map<number, Record<string, string>>();

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    // The report command reads while the collector writes.
    this.db.pragma('busy_timeout = 10000');
    // Compiled once: writing an hour of a new fleet prepared the series insert for each of its thousands of cells.
    cachePreparedStatements(this.db);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS rollup_series (id INTEGER PRIMARY KEY, measurement TEXT NOT NULL, field TEXT NOT NULL,
        customer TEXT NOT NULL, tags TEXT NOT NULL, UNIQUE (measurement, field, tags));
      CREATE INDEX IF NOT EXISTS rollup_series_sel ON rollup_series (measurement, field, customer);
      CREATE TABLE IF NOT EXISTS rollup_hour (series_id INTEGER NOT NULL, hour INTEGER NOT NULL, count INTEGER NOT NULL,
        sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, hist BLOB, PRIMARY KEY (series_id, hour)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS rollup_hour_hour ON rollup_hour (hour);
      CREATE TABLE IF NOT EXISTS rollup_state (hour INTEGER PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS rollup_dirty (hour INTEGER NOT NULL, measurement TEXT NOT NULL, tags TEXT NOT NULL,
        PRIMARY KEY (hour, measurement, tags)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS rollup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    // Sums the stored histograms of a group; null as soon as one row that has values kept none (a value outside [0, 100]).
    type Acc = { h: Float64Array | null };
    const histMerge = {
      start: (): Acc => ({ h: new Float64Array(HIST_BUCKETS) }),
      step: (acc: Acc, blob: unknown, count: unknown): Acc => {
        if (!acc.h) return acc;
        if (blob instanceof Uint8Array) addEncodedHist(acc.h, blob);
        else if (Number(count) > 0) acc.h = null;
        return acc;
      },
      result: (acc: Acc) => (acc.h ? Buffer.from(acc.h.buffer) : null),
    };
    // better-sqlite3 takes the argument count from step's parameters (two after the accumulator).
    this.db.aggregate('hist_merge', histMerge as unknown as Parameters<Database.Database['aggregate']>[1]);
  }

  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM rollup_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO rollup_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  states(fromHour: number, toHour: number): Map<number, HourState> {
    const rows = this.db.prepare('SELECT hour, state FROM rollup_state WHERE hour >= ? AND hour < ?').all(fromHour, toHour) as Array<{ hour: number; state: HourState }>;
    return new Map(rows.map((r) => [r.hour, r.state]));
  }

  /** Hours in [fromHour, toHour) with series waiting to be made again from raw points. */
  hoursWithDirtySeries(fromHour: number, toHour: number): number[] {
    return (this.db.prepare('SELECT DISTINCT hour FROM rollup_dirty WHERE hour >= ? AND hour < ?').all(fromHour, toHour) as Array<{ hour: number }>).map((r) => r.hour);
  }

  setState(hour: number, state: HourState, now: number): void {
    this.db.prepare('INSERT INTO rollup_state (hour, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (hour) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at').run(hour, state, now);
  }

  /** At a writer's start: hours another process was keeping may be incomplete. */
  openToDirty(now: number): number {
    return this.db.prepare("UPDATE rollup_state SET state = 'dirty', updated_at = ? WHERE state = 'open'").run(now).changes;
  }

  addDirtySeries(rows: Iterable<{ hour: number; measurement: string; tags: Record<string, string> }>): void {
    const ins = this.db.prepare('INSERT OR IGNORE INTO rollup_dirty (hour, measurement, tags) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const r of rows) ins.run(r.hour, r.measurement, normTags(r.tags));
    })();
  }

  /** The oldest closed hour to make again from raw points, if any. */
  nextDirtyHour(beforeHour: number): number | undefined {
    return (this.db.prepare("SELECT hour FROM rollup_state WHERE state = 'dirty' AND hour < ? ORDER BY hour LIMIT 1").get(beforeHour) as { hour: number } | undefined)?.hour;
  }

  nextDirtySeries(beforeHour: number, limit: number): Array<{ hour: number; measurement: string; tags: Record<string, string> }> {
    const rows = this.db.prepare('SELECT hour, measurement, tags FROM rollup_dirty WHERE hour < ? ORDER BY hour LIMIT ?').all(beforeHour, limit) as Array<{ hour: number; measurement: string; tags: string }>;
    return rows.map((r) => ({ hour: r.hour, measurement: r.measurement, tags: JSON.parse(r.tags) as Record<string, string> }));
  }

  private seriesId(measurement: string, field: string, tags: Record<string, string>): number {
    const tagsJson = normTags(tags);
    const key = `${measurement}\u0000${field}\u0000${tagsJson}`;
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      id = (
        this.db
          .prepare('INSERT INTO rollup_series (measurement, field, customer, tags) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET tags = tags RETURNING id')
          .get(measurement, field, tags.customer ?? '', tagsJson) as { id: number }
      ).id;
      this.seriesIds.set(key, id);
    }
    return id;
  }

  /**
   * Stores the cells of one hour in one transaction. `replace`: 'hour' deletes every row of the hour first (made
   * again from raw), 'series' the rows of the given (measurement, tags) series only; undefined adds (a new hour).
   */
  writeHour(hour: number, cells: readonly HourCell[], o: { state?: HourState; now: number; replace?: 'hour' | { measurement: string; tags: Record<string, string>; fields: readonly string[] } }): void {
    const ins = this.db.prepare('INSERT OR REPLACE INTO rollup_hour (series_id, hour, count, sum, min, max, hist) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      if (o.replace === 'hour') {
        this.db.prepare('DELETE FROM rollup_hour WHERE hour = ?').run(hour);
        this.db.prepare('DELETE FROM rollup_dirty WHERE hour = ?').run(hour);
      } else if (o.replace) {
        for (const f of o.replace.fields) this.db.prepare('DELETE FROM rollup_hour WHERE series_id = ? AND hour = ?').run(this.seriesId(o.replace.measurement, f, o.replace.tags), hour);
        this.db.prepare('DELETE FROM rollup_dirty WHERE hour = ? AND measurement = ? AND tags = ?').run(hour, o.replace.measurement, normTags(o.replace.tags));
      }
      for (const c of cells) {
        if (!c.cell.count) continue;
        const hist = c.cell.hist === undefined ? null : c.cell.hist === null ? null : encodeHist(c.cell.hist);
        ins.run(this.seriesId(c.measurement, c.field, c.tags), hour, c.cell.count, c.cell.sum, c.cell.min, c.cell.max, hist);
      }
      if (o.state) this.setState(hour, o.state, o.now);
    })();
  }

  /** Series of one measurement-field whose tags match `where` (exact values), with their tags. */
  matchingSeries(measurement: string, field: string, where: Record<string, string>): Map<number, Record<string, string>> {
    const conds = ['measurement = @measurement', 'field = @field'];
    const params: Record<string, string> = { measurement, field };
    Object.entries(where).forEach(([k, v], i) => {
      if (k === 'customer') conds.push('customer = @customer');
      else conds.push(`json_extract(tags, @tk${i}) = @tv${i}`);
      params[k === 'customer' ? 'customer' : `tk${i}`] = k === 'customer' ? v : `$."${k}"`;
      if (k !== 'customer') params[`tv${i}`] = v;
    });
    const rows = this.db.prepare(`SELECT id, tags FROM rollup_series WHERE ${conds.join(' AND ')}`).all(params) as Array<{ id: number; tags: string }>;
    const out = new Map<number, Record<string, string>>();
    for (const r of rows) {
      let tags = this.seriesTags.get(r.id);
      if (!tags) this.seriesTags.set(r.id, (tags = JSON.parse(r.tags) as Record<string, string>));
      out.set(r.id, tags);
    }
    return out;
  }

  /**
   * count, sum, min, max (and the merged histogram) per series over the given hour ranges, or per series and
   * step bucket when `stepMs` is given (a multiple of an hour, epoch-aligned like the stores' buckets).
   */
  aggregate(seriesIds: readonly number[], hourRanges: ReadonlyArray<[number, number]>, o: { hist: boolean; stepMs?: number }): RollupRow[] {
    if (!seriesIds.length || !hourRanges.length) return [];
    const ranges = hourRanges.map(([a, b]) => `(hour >= ${Math.floor(a)} AND hour < ${Math.floor(b)})`).join(' OR ');
    const bucket = o.stepMs ? `, (hour * ${HOUR_MS} / ${Math.round(o.stepMs)}) * ${Math.round(o.stepMs)} AS t` : '';
    const out: RollupRow[] = [];
    // In chunks: SQLite allows a limited number of bound values, and a customer has at most a few thousand series per field.
    for (let i = 0; i < seriesIds.length; i += 500) {
      const ids = seriesIds.slice(i, i + 500);
      const rows = this.db
        .prepare(
          `SELECT series_id AS sid${bucket}, SUM(count) AS count, SUM(sum) AS sum, MIN(min) AS min, MAX(max) AS max${o.hist ? ', hist_merge(hist, count) AS hist' : ''}
           FROM rollup_hour WHERE series_id IN (${ids.map(() => '?').join(', ')}) AND (${ranges}) GROUP BY series_id${o.stepMs ? ', t' : ''}`,
        )
        .all(...ids) as Array<Omit<RollupRow, 'hist'> & { hist?: Buffer | null }>;
      for (const r of rows) {
        const h = r.hist;
        out.push({ ...r, hist: o.hist ? (h ? new Float64Array(h.buffer.slice(h.byteOffset, h.byteOffset + h.byteLength)) : null) : undefined });
      }
    }
    return out;
  }

  /** Drops rollups older than the retention (hours before `beforeHour`). */
  prune(beforeHour: number): number {
    const n = this.db.prepare('DELETE FROM rollup_hour WHERE hour < ?').run(beforeHour).changes;
    this.db.prepare('DELETE FROM rollup_state WHERE hour < ?').run(beforeHour);
    this.db.prepare('DELETE FROM rollup_dirty WHERE hour < ?').run(beforeHour);
    return n;
  }

  close(): void {
    this.db.close();
  }
}
