import type { Metric } from '../../shared/metric.js';
import { parseLine } from '../../shared/line-protocol.js';
import { createLogger } from '../../shared/logger.js';
import { addValue, newCell, type Cell } from './rollup-cell.js';
import { HOUR_MS, type HourCell, type HourState, type RollupDb } from './rollup-db.js';
import type { RolledField } from './rollup-fields.js';
import type { MetricsStore, SeriesPoints } from './store.js';

const log = createLogger('metrics.rollups');

export interface RollupWriterOptions {
  /** The store's clock (hours close by it). */
  now: () => number;
  /** An hour is closed this long after its end (batches arrive up to a batch interval late). Default 2 min. */
  closeGraceMs?: number;
  /** A closed hour is written once no point came for it this long (wall time). Default 5 s. */
  idleMs?: number;
  /** Hours before the first start with rollups that the backfill makes from raw points. Default 100 days. */
  backfillDays?: number;
}

interface OpenHour {
  cells: Map<string, { measurement: string; field: string; tags: Record<string, string>; cell: Cell }>;
  touchedAt: number;
}

/**
 * Keeps the hourly rollups as points are written: each written point of a rolled field is added to its
 * series-field-hour cell in memory; once an hour is closed (by the store's clock, plus a grace) and no point came for
 * it for a few seconds, its cells are written in one transaction and the hour is `done`.
 * What cannot be added safely is made again from raw points by the repair job instead of being counted:
 * - a point of an hour already written, or not newer than the last point of its series (a re-sent batch: the store
 *   keeps one copy, a counter would count two): that series-hour is marked dirty;
 * - the hour a writer starts in, and hours a crashed writer had open: the whole hour is dirty;
 * - hours before the first start with rollups (data that existed before): the backfill, newest first.
 */
export class RollupWriter {
  private readonly rolled = new Map<string, RolledField[]>();
  private readonly open = new Map<number, OpenHour>();
  private readonly states = new Map<number, HourState>();
  private readonly lastTime = new Map<string, number>();
  private dirtySeries: Array<{ hour: number; measurement: string; tags: Record<string, string> }> = [];
  private readonly graceMs: number;
  private readonly idleMs: number;
  /** Hours being made again from raw right now: points arriving for them mark their series dirty again. */
  private readonly repairing = new Set<number>();

  constructor(
    private readonly db: RollupDb,
    private readonly raw: MetricsStore,
    fields: readonly RolledField[],
    private readonly o: RollupWriterOptions,
  ) {
    for (const f of fields) this.rolled.set(f.measurement, [...(this.rolled.get(f.measurement) ?? []), f]);
    this.graceMs = o.closeGraceMs ?? 120_000;
    this.idleMs = o.idleMs ?? 5_000;
  }

  /** At start: what another process left open is dirty, and so is the hour we start in (part of it came before us). */
  start(): void {
    const now = this.o.now();
    const reopened = this.db.openToDirty(now);
    const hour = Math.floor(now / HOUR_MS);
    const st = this.db.states(hour, hour + 1).get(hour);
    if (st !== 'done') this.db.setState(hour, 'dirty', now);
    for (const [h, s] of this.db.states(hour - 24 * 400, hour + 24 * 400)) this.states.set(h, s);
    this.states.set(hour, st === 'done' ? 'done' : 'dirty');
    if (this.db.meta('backfill_next') === undefined) {
      const days = this.o.backfillDays ?? 100;
      this.db.setMeta('backfill_next', String(hour - 1));
      this.db.setMeta('backfill_stop', String(hour - days * 24));
    }
    if (reopened) log.info({ hours: reopened }, 'rollups: hours left open by the previous run will be made again from raw points');
  }

  addLines(lines: readonly string[]): void {
    for (const line of lines) {
      // Only lines of rolled measurements are parsed (names never need escaping: shared/line-protocol.ts).
      let end = 0;
      while (end < line.length && line.charCodeAt(end) !== 44 /* , */ && line.charCodeAt(end) !== 32 /* space */) end++;
      if (!this.rolled.has(line.slice(0, end))) continue;
      const head = line.slice(0, line.search(/(?<!\\) /));
      this.add(parseLine(line), head);
    }
  }

  addMetrics(points: readonly Metric[]): void {
    for (const m of points) if (this.rolled.has(m.measurement)) this.add(m, `${m.measurement}\u0000${JSON.stringify(m.tags)}`);
  }

  private add(m: Metric, seriesKey: string): void {
    const fields = this.rolled.get(m.measurement)!;
    const hour = Math.floor(m.time / HOUR_MS);
    const st = this.states.get(hour);
    if (st === 'done' || (st === 'dirty' && this.repairing.has(hour))) {
      this.dirtySeries.push({ hour, measurement: m.measurement, tags: m.tags });
      return;
    }
    if (st === 'dirty') return;
    let open = this.open.get(hour);
    if (!open) {
      // Recorded at once: should this process die, the next one knows this hour is incomplete.
      this.db.setState(hour, 'open', this.o.now());
      this.states.set(hour, 'open');
      this.open.set(hour, (open = { cells: new Map(), touchedAt: Date.now() }));
    }
    open.touchedAt = Date.now();
    const last = this.lastTime.get(seriesKey);
    if (last !== undefined && m.time <= last) {
      this.dirtySeries.push({ hour, measurement: m.measurement, tags: m.tags });
      return;
    }
    this.lastTime.set(seriesKey, m.time);
    for (const f of fields) {
      const raw = m.fields[f.field];
      const v = typeof raw === 'number' ? raw : typeof raw === 'boolean' ? (raw ? 1 : 0) : undefined;
      if (v === undefined) continue;
      const key = `${f.field}\u0000${seriesKey}`;
      let c = open.cells.get(key);
      if (!c) open.cells.set(key, (c = { measurement: m.measurement, field: f.field, tags: m.tags, cell: newCell(f.histogram) }));
      addValue(c.cell, v);
    }
  }

  /** Writes every closed hour (all of them with `force`, e.g. at the end of a bulk load); returns how many. */
  flush(o: { force?: boolean } = {}): number {
    const now = this.o.now();
    const wall = Date.now();
    let n = 0;
    for (const [hour, open] of [...this.open].sort((a, b) => a[0] - b[0])) {
      const closed = (hour + 1) * HOUR_MS + this.graceMs <= now && wall - open.touchedAt >= this.idleMs;
      if (!closed && !o.force) continue;
      if (!closed && (hour + 1) * HOUR_MS > now) continue; // never the hour still running
      // The same series may have come with its tags in another order: cells of one (series, field) are merged.
      const merged = new Map<string, HourCell>();
      for (const c of open.cells.values()) {
        const key = `${c.measurement}\u0000${c.field}\u0000${JSON.stringify(Object.keys(c.tags).sort().map((k) => [k, c.tags[k]]))}`;
        const prev = merged.get(key);
        if (!prev) merged.set(key, { ...c });
        else this.dirtySeries.push({ hour, measurement: c.measurement, tags: c.tags });
      }
      this.db.writeHour(hour, [...merged.values()], { state: 'done', now });
      this.states.set(hour, 'done');
      this.open.delete(hour);
      n++;
    }
    if (this.dirtySeries.length && !this.repairing.size) {
      this.db.addDirtySeries(this.dirtySeries);
      this.dirtySeries = [];
    }
    // Series silent for a day need no duplicate guard any more (the map would grow with every series ever seen).
    if (this.lastTime.size > 100_000) for (const [k, t] of this.lastTime) if (t < now - 86_400_000) this.lastTime.delete(k);
    return n;
  }

  /**
   * Makes dirty hours, dirty series-hours and backfill hours from raw points, newest backfill first, until
   * `budgetMs` of wall time is spent; returns the number of hours or series-hours made.
   */
  async repair(budgetMs: number): Promise<number> {
    const start = Date.now();
    const closedBefore = Math.floor((this.o.now() - this.graceMs) / HOUR_MS);
    let n = 0;
    while (Date.now() - start < budgetMs) {
      const hour = this.db.nextDirtyHour(closedBefore);
      if (hour !== undefined) {
        await this.remakeHour(hour);
        n++;
        continue;
      }
      const series = this.db.nextDirtySeries(closedBefore, 20);
      if (series.length) {
        for (const s of series) await this.remakeSeries(s.hour, s.measurement, s.tags);
        n += series.length;
        continue;
      }
      const next = Number(this.db.meta('backfill_next') ?? NaN);
      const stop = Number(this.db.meta('backfill_stop') ?? NaN);
      if (!(next >= stop)) break;
      // A day (then the whole stretch, on the first look) without any raw point of a rolled field is skipped by
      // counting, not read hour by hour: a new installation has nothing to backfill.
      const span = this.db.meta('backfill_looked') === undefined ? next - stop + 1 : 24;
      const firstHour = Math.max(stop, next - span + 1);
      this.db.setMeta('backfill_looked', '1');
      if (!(await this.anyRawPoint(firstHour, next + 1))) {
        this.db.setMeta('backfill_next', String(firstHour - 1));
        continue;
      }
      if (!this.states.has(next) && !this.open.has(next)) {
        await this.remakeHour(next);
        n++;
      }
      this.db.setMeta('backfill_next', String(next - 1));
    }
    return n;
  }

  private async anyRawPoint(fromHour: number, toHour: number): Promise<boolean> {
    for (const fields of this.rolled.values()) {
      for (const f of fields) {
        const n = await this.raw.countPoints({ measurement: f.measurement, field: f.field, where: {}, from: fromHour * HOUR_MS, to: toHour * HOUR_MS });
        if (n > 0) return true;
      }
    }
    return false;
  }

  private cellsOf(points: readonly SeriesPoints[], measurement: string): HourCell[] {
    const fields = new Map((this.rolled.get(measurement) ?? []).map((f) => [f.field, f]));
    return points.map((p) => {
      const cell = newCell(fields.get(p.field)?.histogram ?? false);
      for (const v of p.values) addValue(cell, v);
      return { measurement, field: p.field, tags: p.tags, cell };
    });
  }

  private async remakeHour(hour: number): Promise<void> {
    this.repairing.add(hour);
    try {
      const cells: HourCell[] = [];
      for (const [measurement, fields] of this.rolled) {
        const pts = await this.raw.points({ measurement, fields: fields.map((f) => f.field), where: {}, from: hour * HOUR_MS, to: (hour + 1) * HOUR_MS });
        cells.push(...this.cellsOf(pts, measurement));
      }
      this.db.writeHour(hour, cells, { state: 'done', now: this.o.now(), replace: 'hour' });
      this.states.set(hour, 'done');
    } finally {
      this.repairing.delete(hour);
    }
    this.flushDirty();
  }

  private async remakeSeries(hour: number, measurement: string, tags: Record<string, string>): Promise<void> {
    const fields = (this.rolled.get(measurement) ?? []).map((f) => f.field);
    this.repairing.add(hour);
    try {
      const pts = await this.raw.points({ measurement, fields, where: tags, from: hour * HOUR_MS, to: (hour + 1) * HOUR_MS });
      // WHERE matches series with more tags too: keep the one asked for.
      const same = (t: Record<string, string>) => Object.keys(t).length === Object.keys(tags).length && Object.entries(tags).every(([k, v]) => t[k] === v);
      this.db.writeHour(hour, this.cellsOf(pts.filter((p) => same(p.tags)), measurement), { now: this.o.now(), replace: { measurement, tags, fields } });
    } finally {
      this.repairing.delete(hour);
    }
    this.flushDirty();
  }

  private flushDirty(): void {
    if (this.dirtySeries.length && !this.repairing.size) {
      this.db.addDirtySeries(this.dirtySeries);
      this.dirtySeries = [];
    }
  }
}
