import type { Metric } from '../../shared/metric.js';

export type Aggregate = 'mean' | 'max' | 'min' | 'last' | 'sum' | 'count';

/** Which points: one measurement and field, tag equality filters (always includes the customer and host). */
export interface SeriesSelector {
  measurement: string;
  field: string;
  /** Exact tag matches, e.g. { customer: 'acme', host: '<host id>' }. */
  where: Record<string, string>;
  /** Inclusive start, exclusive end, epoch ms. */
  from: number;
  to: number;
  /** Tags to split the result by, e.g. ['mount'] for disk. */
  groupBy?: string[];
  /**
   * May the figures come from the hourly rollups (collector/metrics/rollups.ts) where they cover the window?
   * Default false: raw points, exact. Reports over a quarter ask for rollups; each row then says where it came from.
   */
  rollups?: boolean;
}

/** Where a row's figures came from, when the query allowed rollups. */
export interface RollupProvenance {
  /** Whole hours of the window answered by hourly rollups (0: every figure came from raw points). */
  rollupHours: number;
  /** Milliseconds of the window read as raw points (the partial hours at its edges, hours not rolled up yet). */
  rawMs: number;
  /**
   * How p95 was found: 'histogram' = from hourly histograms of P95_BUCKET-wide buckets (the shown value is the lower
   * edge of the bucket holding the nearest-rank p95, so the exact p95 is at most one bucket above it), 'exact' = by
   * nearest rank over the raw points, null = not asked.
   */
  p95: 'histogram' | 'exact' | null;
}

export interface SeriesQuery extends SeriesSelector {
  stepMs: number;
  agg: Aggregate;
}

export interface SeriesPoint {
  /** Start of the step bucket, epoch ms. */
  time: number;
  value: number;
}

export interface Series {
  tags: Record<string, string>;
  points: SeriesPoint[];
  /** Present when the query allowed rollups. */
  source?: RollupProvenance;
}

/** The figures summary() can compute. */
export type SummaryFigure = 'count' | 'mean' | 'min' | 'max' | 'p95' | 'first' | 'last';
export const SUMMARY_FIGURES: readonly SummaryFigure[] = ['count', 'mean', 'min', 'max', 'p95', 'first', 'last'];

export interface SummaryQuery extends SeriesSelector {
  /**
   * Only these figures are computed; the others come back null. Default: all of them. In InfluxDB 1.x each
   * aggregate is a scan of its own (COUNT, MEAN and MAX in one statement cost three times one of them, LAST
   * almost nothing), and p95 is the costliest, so ask only for what is shown. A group is returned only when
   * it has values in the window, whatever the figures asked for.
   */
  figures?: readonly SummaryFigure[];
}

/** Figures over a whole window, computed by the store (never by reading raw points into memory). */
export interface SeriesSummary {
  tags: Record<string, string>;
  /** Null only when `figures` was given without 'count'. */
  count: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
  p95: number | null;
  first: number | null;
  last: number | null;
  /** Present when the query allowed rollups. */
  source?: RollupProvenance;
}

/** Which raw points: some fields of one measurement over [from, to), tag equality filters. */
export interface PointsQuery {
  measurement: string;
  fields: readonly string[];
  where: Record<string, string>;
  from: number;
  to: number;
}

/** The raw numeric values of one field of one series (all its tags), in time order; booleans as 1/0. */
export interface SeriesPoints {
  tags: Record<string, string>;
  field: string;
  times: number[];
  values: number[];
}

/**
 * The metrics store: InfluxDB 1.x, InfluxDB 2.x/3.x, or the embedded SQLite default.
 * write() resolves only when the points are durable; it is idempotent for the same series + time,
 * so a re-sent batch is harmless. Numeric fields only are aggregated; strings are stored.
 */
export interface MetricsStore {
  readonly kind: 'sqlite' | 'influxdb1' | 'influxdb2';
  init(): Promise<void>;
  write(points: readonly Metric[]): Promise<void>;
  /**
   * The same for points already in line protocol (shared/line-protocol.ts), owner tags included: the ingest
   * path, which hands InfluxDB the agents' lines without turning them into objects and back.
   */
  writeLines(lines: readonly string[]): Promise<void>;
  series(q: SeriesQuery): Promise<Series[]>;
  summary(q: SummaryQuery): Promise<SeriesSummary[]>;
  /** Number of stored values of one field (tests and benchmarks use it to prove "exactly once"). */
  countPoints(q: SeriesSelector): Promise<number>;
  /**
   * The raw values per series: the rollup job's input, an hour (or the partial hours at a window's edges) at a
   * time, never a whole report window.
   */
  points(q: PointsQuery): Promise<SeriesPoints[]>;
  close(): Promise<void>;
}

/** The store is down or unreachable: nothing of the write is the points' fault; send them again later. */
export class MetricsStoreUnavailableError extends Error {
  override name = 'MetricsStoreUnavailableError';
}

/**
 * The store refused the points themselves (InfluxDB's 400: a value it cannot hold, a field type conflict):
 * sending the same points again can never succeed.
 */
export class MetricsRejectedError extends Error {
  override name = 'MetricsRejectedError';
}
