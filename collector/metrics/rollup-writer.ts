import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Metric } from '../../shared/metric.js';
import { parseLine } from '../../shared/line-protocol.js';
import { createLogger } from '../../shared/logger.js';
import { addValue, newCell, type Cell } from './rollup-cell.js';
import { HOUR_MS, type HourCell, type HourState, type RollupDb } from './rollup-db.js';
import type { RolledField } from './rollup-fields.js';
import type { MetricsStore, SeriesPoints } from './store.js';

const log = createLogger('metrics.rollups');

/** Cells written per transaction when the job writes an hour (a piece holds the event loop for ~10-20 ms). */
const PIECE = 200;
/**
 * An hour made again from raw points is read this much at a time. Not shorter: the embedded store's read has a cost
 * per series whatever the slice (a 10-second slice of 10,000 hosts took as long as a 5-minute one, ~0.35 s), so at
 * 10,000 hosts a slice still holds the loop that long; at 1,000, 50 ms.
 */
const SLICE_MS = 10 * 60_000;
const sortedTagsJson = (tags: Record<string, string>) => JSON.stringify(Object.keys(tags).sort().map((k) => [k, tags[k]]));

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
  /** Series-hours to make again from raw, by hour and series (a replayed spool repeats each one many times). */
  private dirtySeries = new Map<string, { hour: number; measurement: string; tags: Record<string, string> }>();
  private readonly graceMs: number;
  private readonly idleMs: number;
  /** Hours being made again from raw right now: points arriving for them mark their series dirty again. */
  private readonly repairing = new Set<number>();
  /** Set at close: the repair stops at its next turn (what it was making stays dirty, made at the next start). */
  private stopped = false;

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
      // Only lines of rolled measurements are read (names never need escaping: shared/line-protocol.ts), and only
      // their head, time and rolled fields: parseLine() costs ~10 µs a line, this about a tenth of that.
      let end = 0;
      while (end < line.length && line.charCodeAt(end) !== 44 /* , */ && line.charCodeAt(end) !== 32 /* space */) end++;
      const fields = this.rolled.get(line.slice(0, end));
      if (!fields) continue;
      let headEnd = end;
      while (headEnd < line.length && !(line.charCodeAt(headEnd) === 32 && line.charCodeAt(headEnd - 1) !== 92 /* \ */)) headEnd++;
      const timeStart = line.lastIndexOf(' ') + 1;
      const values = new Map<string, number>();
      let i = headEnd + 1;
      while (i < timeStart - 1) {
        const eq = line.indexOf('=', i);
        if (eq < 0) break;
        const name = line.slice(i, eq);
        let j = eq + 1;
        if (line.charCodeAt(j) === 34 /* " */) {
          // A string value: skip to its closing quote (a backslash escapes the next character).
          j++;
          while (j < timeStart && line.charCodeAt(j) !== 34) j += line.charCodeAt(j) === 92 ? 2 : 1;
          j++;
        } else {
          while (j < timeStart - 1 && line.charCodeAt(j) !== 44) j++;
          if (fields.some((f) => f.field === name)) {
            const text = line.slice(eq + 1, j);
            const c = text.charCodeAt(0);
            // Numbers, or the booleans of line protocol (t, true, T, ...) as 1/0 like the embedded store keeps them.
            const v = c === 116 || c === 84 ? 1 : c === 102 || c === 70 ? 0 : Number(text);
            if (Number.isFinite(v)) values.set(name, v);
          }
        }
        i = j + 1;
      }
      if (values.size) this.add(line.slice(0, end), line.slice(0, headEnd), Number(line.slice(timeStart)), values, () => parseLine(line).tags);
    }
  }

  addMetrics(points: readonly Metric[]): void {
    for (const m of points) {
      if (!this.rolled.has(m.measurement)) continue;
      const values = new Map<string, number>();
      for (const [k, raw] of Object.entries(m.fields)) {
        const v = typeof raw === 'number' ? raw : typeof raw === 'boolean' ? (raw ? 1 : 0) : undefined;
        if (v !== undefined) values.set(k, v);
      }
      this.add(m.measurement, `${m.measurement}\u0000${JSON.stringify(m.tags)}`, m.time, values, () => m.tags);
    }
  }

  private add(measurement: string, seriesKey: string, time: number, values: ReadonlyMap<string, number>, tagsOf: () => Record<string, string>): void {
    const fields = this.rolled.get(measurement)!;
    const hour = Math.floor(time / HOUR_MS);
    const st = this.states.get(hour);
    if (st === 'done' || (st === 'dirty' && this.repairing.has(hour))) {
      this.markDirty(hour, measurement, seriesKey, tagsOf);
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
    if (last !== undefined && time <= last) {
      this.markDirty(hour, measurement, seriesKey, tagsOf);
      return;
    }
    this.lastTime.set(seriesKey, time);
    let tags: Record<string, string> | undefined;
    for (const f of fields) {
      const v = values.get(f.field);
      if (v === undefined) continue;
      const key = `${f.field}\u0000${seriesKey}`;
      let c = open.cells.get(key);
      if (!c) open.cells.set(key, (c = { measurement, field: f.field, tags: (tags ??= tagsOf()), cell: newCell(f.histogram) }));
      addValue(c.cell, v);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** Writes every closed hour (all of them with `force`, e.g. at the end of a bulk load) at once; returns how many. */
  flush(o: { force?: boolean } = {}): number {
    const hours = this.takeClosedHours(o);
    for (const [hour, cells] of hours) this.db.writeHour(hour, cells, { state: 'done', now: this.o.now() });
    this.afterFlush();
    return hours.length;
  }

  /**
   * The job's flush: each closed hour written a piece at a time with a turn of the event loop between pieces, so
   * agents' batches are acked meanwhile (at 1,000 hosts an hour is ~6,000 cells, a quarter of a second in one piece;
   * ten times that at 10,000). The hour is `done` on disk with its last piece; should the process die before, the
   * next start finds it `open` and makes it again from raw points.
   */
  async flushInPieces(): Promise<number> {
    const hours = this.takeClosedHours({});
    for (const [hour, cells] of hours) await this.writeInPieces(hour, cells, { state: 'done' });
    this.afterFlush();
    return hours.length;
  }

  /**
   * The closed hours' cells, taken out of memory: the hour counts as written from here on, so a point that comes
   * for it now marks its series dirty (made again from raw) instead of landing in cells already taken.
   */
  private takeClosedHours(o: { force?: boolean }): Array<[number, HourCell[]]> {
    const now = this.o.now();
    const wall = Date.now();
    const out: Array<[number, HourCell[]]> = [];
    for (const [hour, open] of [...this.open].sort((a, b) => a[0] - b[0])) {
      const closed = (hour + 1) * HOUR_MS + this.graceMs <= now && wall - open.touchedAt >= this.idleMs;
      if (!closed && !o.force) continue;
      if (!closed && (hour + 1) * HOUR_MS > now) continue; // never the hour still running
      // The same series may have come with its tags in another order: cells of one (series, field) are merged.
      const merged = new Map<string, HourCell>();
      for (const c of open.cells.values()) {
        const key = `${c.measurement}\u0000${c.field}\u0000${sortedTagsJson(c.tags)}`;
        const prev = merged.get(key);
        if (!prev) merged.set(key, { ...c });
        else this.markDirty(hour, c.measurement, key, () => c.tags);
      }
      this.states.set(hour, 'done');
      this.open.delete(hour);
      out.push([hour, [...merged.values()]]);
    }
    return out;
  }

  private afterFlush(): void {
    this.flushDirty();
    // Series silent for a day need no duplicate guard any more (the map would grow with every series ever seen).
    const now = this.o.now();
    if (this.lastTime.size > 100_000) for (const [k, t] of this.lastTime) if (t < now - 86_400_000) this.lastTime.delete(k);
  }

  /** Writes an hour's cells PIECE at a time; `replace` goes with the first piece and the state with the last. */
  private async writeInPieces(hour: number, cells: readonly HourCell[], o: { state: HourState; replace?: 'hour' }): Promise<void> {
    for (let i = 0; ; i += PIECE) {
      const last = i + PIECE >= cells.length;
      this.db.writeHour(hour, cells.slice(i, i + PIECE), { now: this.o.now(), ...(i === 0 && o.replace ? { replace: o.replace } : {}), ...(last ? { state: o.state } : {}) });
      if (last) return;
      await nextTurn();
    }
  }

  /**
   * Makes dirty hours, dirty series-hours and backfill hours from raw points, newest backfill first, until
   * `budgetMs` of wall time is spent; returns the number of hours or series-hours made.
   */
  async repair(budgetMs: number): Promise<number> {
    const start = Date.now();
    const closedBefore = Math.floor((this.o.now() - this.graceMs) / HOUR_MS);
    let n = 0;
    while (!this.stopped && Date.now() - start < budgetMs) {
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
      // The whole stretch (on the first look), then each day, is counted before it is read: a new installation has
      // nothing to backfill, and an hour is read only for the measurements its day holds.
      const first = this.db.meta('backfill_looked') === undefined;
      const firstHour = first ? stop : Math.max(stop, next - 23);
      const present = await this.measurementsWithPoints(firstHour, next + 1);
      if (first) {
        this.db.setMeta('backfill_looked', '1');
        if (!present.length) this.db.setMeta('backfill_next', String(stop - 1));
        continue;
      }
      for (let h = next; h >= firstHour && present.length; h--) {
        if (this.states.has(h) || this.open.has(h)) continue;
        await this.remakeHour(h, present);
        n++;
      }
      this.db.setMeta('backfill_next', String(firstHour - 1));
    }
    return n;
  }

  /** The rolled measurements with any raw point in the hours (one field each: a check writes its fields together). */
  private async measurementsWithPoints(fromHour: number, toHour: number): Promise<string[]> {
    const out: string[] = [];
    for (const [measurement, fields] of this.rolled) {
      const n = await this.raw.countPoints({ measurement, field: fields[0]!.field, where: {}, from: fromHour * HOUR_MS, to: toHour * HOUR_MS });
      if (n > 0) out.push(measurement);
    }
    return out;
  }

  private cellsOf(points: readonly SeriesPoints[], measurement: string): HourCell[] {
    const fields = new Map((this.rolled.get(measurement) ?? []).map((f) => [f.field, f]));
    return points.map((p) => {
      const cell = newCell(fields.get(p.field)?.histogram ?? false);
      for (const v of p.values) addValue(cell, v);
      return { measurement, field: p.field, tags: p.tags, cell };
    });
  }

  /**
   * Makes an hour again from raw points, read a slice at a time into its cells with a turn of the event loop
   * between reads (the hour's raw points of 1,000 hosts took 0.6 s to read and add in one go), then written in pieces.
   */
  private async remakeHour(hour: number, measurements: readonly string[] = [...this.rolled.keys()]): Promise<void> {
    this.repairing.add(hour);
    try {
      const cells = new Map<string, HourCell>();
      for (const measurement of measurements) {
        const fields = this.rolled.get(measurement)!;
        const histogram = new Map(fields.map((f) => [f.field, f.histogram]));
        const end = (hour + 1) * HOUR_MS;
        for (let from = hour * HOUR_MS; from < end; from += SLICE_MS) {
          const to = Math.min(from + SLICE_MS, end);
          const pts = await this.raw.points({ measurement, fields: fields.map((f) => f.field), where: {}, from, to });
          for (const p of pts) {
            const key = `${measurement}\u0000${p.field}\u0000${sortedTagsJson(p.tags)}`;
            let c = cells.get(key);
            if (!c) cells.set(key, (c = { measurement, field: p.field, tags: p.tags, cell: newCell(histogram.get(p.field) ?? false) }));
            for (const v of p.values) addValue(c.cell, v);
          }
          await nextTurn();
          if (this.stopped) return;
        }
      }
      await this.writeInPieces(hour, [...cells.values()], { state: 'done', replace: 'hour' });
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

  private markDirty(hour: number, measurement: string, seriesKey: string, tagsOf: () => Record<string, string>): void {
    const k = `${hour}\u0000${seriesKey}`;
    if (!this.dirtySeries.has(k)) this.dirtySeries.set(k, { hour, measurement, tags: tagsOf() });
  }

  private flushDirty(): void {
    if (this.dirtySeries.size && !this.repairing.size) {
      this.db.addDirtySeries(this.dirtySeries.values());
      this.dirtySeries.clear();
    }
  }
}
