import { createLogger } from '../../shared/logger.js';
import { addValue, mergeInto, newCell, newMerged, p95FromHist, type Merged } from './rollup-cell.js';
import { HOUR_MS, RollupDb } from './rollup-db.js';
import { ROLLED_FIELDS, type RolledField } from './rollup-fields.js';
import { RollupWriter, type RollupWriterOptions } from './rollup-writer.js';
import type { MetricsStore, RollupProvenance, Series, SeriesQuery, SeriesSelector, SeriesSummary, SummaryFigure, SummaryQuery } from './store.js';
import { SUMMARY_FIGURES } from './store.js';

const log = createLogger('metrics.rollups');

/** Hours of a window that may be read as raw points beside the rollups (edges, hours not made yet); more: all raw. */
const MAX_RAW_HOURS = 48;

export interface RollupOptions extends Partial<RollupWriterOptions> {
  /** The rollup file (metrics-rollups.db in the data folder). */
  path: string;
  /** 'writer' (the collector: keeps the rollups) or 'reader' (the report command beside it: reads them only). */
  role: 'writer' | 'reader';
  fields?: readonly RolledField[];
  /** Rollup rows older than this are deleted (default 400 days: a year back and a quarter to compare). */
  retentionDays?: number;
  /** How often the writer writes closed hours and repairs (default 10 s). */
  tickMs?: number;
}

export interface RollupControl {
  /** Write the closed hours now (`force`: every hour before the current one, as after a bulk load). */
  flush(o?: { force?: boolean }): number;
  /** What the job does: the closed hours, written a piece at a time between turns of the event loop. */
  flushInPieces(): Promise<number>;
  /** Run the repair and backfill job for up to `budgetMs`; returns the hours or series-hours made. */
  repair(budgetMs: number): Promise<number>;
  /**
   * Add lines that were stored by other means (a bulk load that POSTs to InfluxDB itself, bench/report.ts), in the
   * order they were made: what writeLines() does after its own write.
   */
  addLines(lines: readonly string[]): void;
}

const groupKey = (groupBy: readonly string[], tags: Record<string, string>) => JSON.stringify(groupBy.map((k) => tags[k] ?? ''));
const groupTags = (groupBy: readonly string[], tags: Record<string, string>) => Object.fromEntries(groupBy.map((k) => [k, tags[k] ?? '']));

/**
 * The store with hourly rollups beside it (Zabbix's trends): summaries and step series over long windows are
 * read from one row per series and hour instead of every raw point. Only queries that say `rollups: true` use them;
 * the window's whole hours whose rollups are complete come from the rollups, its partial edge hours and any hour
 * not rolled up yet from raw points, so count, mean, min and max are the same as from raw points alone. p95 comes
 * from the hourly histograms (P95_BUCKET-wide buckets: at most one bucket below the exact nearest-rank p95). Every
 * row says where it came from (`source`).
 */
export function withRollups(inner: MetricsStore, o: RollupOptions): MetricsStore & { rollups: RollupControl } {
  const now = o.now ?? Date.now;
  const fields = o.fields ?? ROLLED_FIELDS;
  const rolled = new Map(fields.map((f) => [`${f.measurement}\u0000${f.field}`, f]));
  let db: RollupDb | undefined;
  let writer: RollupWriter | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** The job's run in progress (close waits for it: it reads and writes between turns of the event loop). */
  let running: Promise<void> | undefined;

  const rollupDb = () => {
    if (!db) throw new Error('rollups not initialised');
    return db;
  };

  const tick = async () => {
    if (running || !writer) return;
    running = job(writer).finally(() => (running = undefined));
    await running;
  };

  const job = async (w: RollupWriter) => {
    try {
      await w.flushInPieces();
      await w.repair(2_000);
      const retentionHours = (o.retentionDays ?? 400) * 24;
      const hour = Math.floor(now() / HOUR_MS);
      if (hour % 24 === 0 && rollupDb().meta('pruned_before') !== String(hour - retentionHours)) {
        rollupDb().prune(hour - retentionHours);
        rollupDb().setMeta('pruned_before', String(hour - retentionHours));
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'rollup job failed; it runs again at the next tick');
    }
  };

  /**
   * Which parts of [from, to) the rollups answer: runs of whole hours that are `done` with no dirty series, and
   * the raw ranges around them. null: not worth it (no whole hour) or too much raw (the raw store answers alone).
   */
  const plan = (from: number, to: number): { hourRuns: Array<[number, number]>; rawRanges: Array<[number, number]>; rollupHours: number; rawMs: number } | null => {
    const h0 = Math.ceil(from / HOUR_MS);
    const h1 = Math.floor(to / HOUR_MS);
    if (h1 <= h0) return null;
    const d = rollupDb();
    const states = d.states(h0, h1);
    const dirty = new Set(d.hoursWithDirtySeries(h0, h1));
    // An hour without a state is one no point was written in, if the writer was keeping rollups then: from its first
    // start (hours after the backfill's cursor, which walks back from there) and not pruned since.
    const coveredAfter = Number(d.meta('backfill_next') ?? Infinity);
    const prunedBefore = Number(d.meta('pruned_before') ?? -Infinity);
    const hourRuns: Array<[number, number]> = [];
    const rawRanges: Array<[number, number]> = [];
    const addRaw = (a: number, b: number) => {
      const last = rawRanges[rawRanges.length - 1];
      if (last && last[1] === a) last[1] = b;
      else rawRanges.push([a, b]);
    };
    if (from < h0 * HOUR_MS) addRaw(from, h0 * HOUR_MS);
    let rollupHours = 0;
    let rawHours = 0;
    for (let h = h0; h < h1; h++) {
      const st = states.get(h);
      if ((st === 'done' && !dirty.has(h)) || (st === undefined && h > coveredAfter && h >= prunedBefore)) {
        const last = hourRuns[hourRuns.length - 1];
        if (last && last[1] === h) last[1] = h + 1;
        else hourRuns.push([h, h + 1]);
        rollupHours++;
      } else {
        addRaw(h * HOUR_MS, (h + 1) * HOUR_MS);
        rawHours++;
      }
    }
    if (to > h1 * HOUR_MS) addRaw(h1 * HOUR_MS, to);
    if (!rollupHours || rawHours > MAX_RAW_HOURS) return null;
    return { hourRuns, rawRanges, rollupHours, rawMs: rawRanges.reduce((s, [a, b]) => s + (b - a), 0) };
  };

  const RAW: RollupProvenance = { rollupHours: 0, rawMs: 0, p95: null };
  const rawSummary = async (q: SummaryQuery): Promise<SeriesSummary[]> => {
    const rows = await inner.summary({ ...q, rollups: false });
    const p95 = !q.figures || q.figures.includes('p95') ? ('exact' as const) : null;
    return rows.map((r) => ({ ...r, source: { ...RAW, rawMs: q.to - q.from, p95 } }));
  };
  const rawSeries = async (q: SeriesQuery): Promise<Series[]> => (await inner.series({ ...q, rollups: false })).map((s) => ({ ...s, source: { ...RAW, rawMs: q.to - q.from } }));

  /** Per group: merged rollup rows and raw points of the plan (per step bucket when `stepMs`). */
  const gather = async (q: SeriesSelector, p: NonNullable<ReturnType<typeof plan>>, o: { hist: boolean; stepMs?: number }) => {
    const groupBy = q.groupBy ?? [];
    const d = rollupDb();
    const series = d.matchingSeries(q.measurement, q.field, q.where);
    const groups = new Map<string, { tags: Record<string, string>; buckets: Map<number, Merged> }>();
    const bucketOf = (key: string, tags: Record<string, string>, t: number) => {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { tags: groupTags(groupBy, tags), buckets: new Map() }));
      let m = g.buckets.get(t);
      if (!m) {
        g.buckets.set(t, (m = newMerged()));
        if (!o.hist) m.hist = null;
      }
      return m;
    };
    for (const r of d.aggregate([...series.keys()], p.hourRuns, o)) {
      const tags = series.get(r.sid)!;
      mergeInto(bucketOf(groupKey(groupBy, tags), tags, r.t ?? 0), r, r.hist);
    }
    const histogram = rolled.get(`${q.measurement}\u0000${q.field}`)?.histogram ?? false;
    for (const [a, b] of p.rawRanges) {
      for (const s of await inner.points({ measurement: q.measurement, fields: [q.field], where: q.where, from: a, to: b })) {
        const key = groupKey(groupBy, s.tags);
        const byBucket = new Map<number, ReturnType<typeof newCell>>();
        s.times.forEach((t, i) => {
          const bt = o.stepMs ? Math.floor(t / o.stepMs) * o.stepMs : 0;
          let c = byBucket.get(bt);
          if (!c) byBucket.set(bt, (c = newCell(histogram)));
          addValue(c, s.values[i]!);
        });
        for (const [bt, c] of byBucket) mergeInto(bucketOf(key, s.tags, bt), c, c.hist);
      }
    }
    return groups;
  };

  const store: MetricsStore & { rollups: RollupControl } = {
    kind: inner.kind,
    async init() {
      await inner.init();
      db = new RollupDb(o.path);
      if (o.role === 'writer') {
        writer = new RollupWriter(db, inner, fields, { ...o, now });
        writer.start();
        timer = setInterval(() => void tick(), o.tickMs ?? 10_000);
        timer.unref();
      }
    },
    async write(points) {
      await inner.write(points);
      writer?.addMetrics(points);
    },
    async writeLines(lines) {
      await inner.writeLines(lines);
      writer?.addLines(lines);
    },
    countPoints: (q) => inner.countPoints(q),
    points: (q) => inner.points(q),
    async summary(q: SummaryQuery): Promise<SeriesSummary[]> {
      if (!q.rollups) return inner.summary(q);
      const spec = rolled.get(`${q.measurement}\u0000${q.field}`);
      const wanted = SUMMARY_FIGURES.filter((f) => !q.figures || q.figures.includes(f));
      const fromRollups = wanted.filter((f) => f === 'count' || f === 'mean' || f === 'min' || f === 'max' || (f === 'p95' && spec?.histogram));
      const p = spec && fromRollups.length ? plan(q.from, q.to) : null;
      if (!p) return rawSummary(q);
      const wantP95 = wanted.includes('p95');
      const groups = await gather(q, p, { hist: wantP95 && spec!.histogram });
      const out = new Map<string, SeriesSummary>();
      let p95Missing = false;
      for (const [key, g] of groups) {
        const m = g.buckets.get(0)!;
        if (!m.count) continue;
        const p95 = wantP95 ? p95FromHist(m) : null;
        if (wantP95 && p95 === null) p95Missing = true;
        out.set(key, {
          tags: g.tags,
          count: wanted.includes('count') ? m.count : null,
          mean: wanted.includes('mean') ? m.sum / m.count : null,
          min: wanted.includes('min') ? m.min : null,
          max: wanted.includes('max') ? m.max : null,
          p95,
          first: null,
          last: null,
          source: { rollupHours: p.rollupHours, rawMs: p.rawMs, p95: wantP95 ? 'histogram' : null },
        });
      }
      // first/last (one seek in the raw store), and p95 where no histogram could answer it, from raw points.
      const rawFigures: SummaryFigure[] = wanted.filter((f) => f === 'first' || f === 'last' || (f === 'p95' && (p95Missing || !spec!.histogram)));
      if (rawFigures.length) {
        for (const r of await inner.summary({ ...q, figures: rawFigures, rollups: false })) {
          const key = groupKey(q.groupBy ?? [], r.tags);
          const row = out.get(key);
          if (!row) continue; // a group is returned only when it has values in the window, and then the rollup part has it
          if (rawFigures.includes('first')) row.first = r.first;
          if (rawFigures.includes('last')) row.last = r.last;
          if (rawFigures.includes('p95')) {
            row.p95 = r.p95;
            row.source = { ...row.source!, p95: 'exact' };
          }
        }
      }
      return [...out.keys()].sort().map((k) => out.get(k)!);
    },
    async series(q: SeriesQuery): Promise<Series[]> {
      if (!q.rollups) return inner.series(q);
      const spec = rolled.get(`${q.measurement}\u0000${q.field}`);
      const step = Math.round(q.stepMs);
      const p = spec && q.agg !== 'last' && step % HOUR_MS === 0 ? plan(q.from, q.to) : null;
      if (!p) return rawSeries(q);
      const groups = await gather(q, p, { hist: false, stepMs: step });
      const out: Series[] = [];
      for (const k of [...groups.keys()].sort()) {
        const g = groups.get(k)!;
        const points = [...g.buckets]
          .filter(([, m]) => m.count > 0)
          .sort((a, b) => a[0] - b[0])
          .map(([time, m]) => ({ time, value: q.agg === 'mean' ? m.sum / m.count : q.agg === 'sum' ? m.sum : q.agg === 'count' ? m.count : q.agg === 'min' ? m.min : m.max }));
        if (points.length) out.push({ tags: g.tags, points, source: { rollupHours: p.rollupHours, rawMs: p.rawMs, p95: null } });
      }
      return out;
    },
    async close() {
      clearInterval(timer);
      writer?.stop();
      await running;
      // Closed hours are written; the hour still running stays open and is made again from raw after a restart.
      try {
        writer?.flush();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'rollups: closed hours not written at close');
      }
      db?.close();
      db = undefined;
      writer = undefined;
      await inner.close();
    },
    rollups: {
      flush: (fo) => writer?.flush(fo) ?? 0,
      flushInPieces: () => writer?.flushInPieces() ?? Promise.resolve(0),
      repair: (budgetMs) => writer?.repair(budgetMs) ?? Promise.resolve(0),
      addLines: (lines) => writer?.addLines(lines),
    },
  };
  return store;
}
