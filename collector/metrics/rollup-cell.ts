import { p95Rank } from './influxql.js';
import { P95_BUCKET } from './rollup-fields.js';

/** Buckets of a histogram: [0, 0.1), [0.1, 0.2), ... [99.9, 100), and 100 itself. */
export const HIST_BUCKETS = Math.round(100 / P95_BUCKET) + 1;

/**
 * What one series-field keeps for one hour (or any stretch): enough to merge into any longer stretch exactly
 * (count, sum, min, max) and a histogram for p95. `hist` is null when the field keeps none, or when a value fell
 * outside [0, 100] (then no p95 can be read from it, and the reader goes to raw points).
 */
export interface Cell {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** bucket index -> values in it; undefined = no histogram kept; null = kept but a value did not fit. */
  hist: Map<number, number> | null | undefined;
}

export const newCell = (histogram: boolean): Cell => ({ count: 0, sum: 0, min: Infinity, max: -Infinity, hist: histogram ? new Map() : undefined });

// 1e-9: 2.3 / 0.1 is 22.999999999999996 in floating point, and 2.3 belongs in bucket 23.
export const bucketOf = (v: number) => Math.floor(v / P95_BUCKET + 1e-9);

export function addValue(c: Cell, v: number): void {
  c.count++;
  c.sum += v;
  if (v < c.min) c.min = v;
  if (v > c.max) c.max = v;
  if (c.hist) {
    if (v < 0 || v > 100) c.hist = null;
    else {
      const b = bucketOf(v);
      c.hist.set(b, (c.hist.get(b) ?? 0) + 1);
    }
  }
}

/** The histogram as stored: 6 bytes per bucket in use (u16 index, u32 count), little-endian. */
export function encodeHist(h: Map<number, number>): Buffer {
  const buf = Buffer.alloc(h.size * 6);
  let o = 0;
  for (const [b, n] of h) {
    buf.writeUInt16LE(b, o);
    buf.writeUInt32LE(n, o + 2);
    o += 6;
  }
  return buf;
}

/** Adds a stored histogram into a dense array of counts. */
export function addEncodedHist(into: Float64Array, buf: Uint8Array): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let o = 0; o + 6 <= buf.byteLength; o += 6) into[view.getUint16(o, true)]! += view.getUint32(o + 2, true);
}

/** A merge of many cells (a group over a window): dense histogram, or null when one of them had none. */
export interface Merged {
  count: number;
  sum: number;
  min: number;
  max: number;
  hist: Float64Array | null;
}

export const newMerged = (): Merged => ({ count: 0, sum: 0, min: Infinity, max: -Infinity, hist: new Float64Array(HIST_BUCKETS) });

export function mergeInto(m: Merged, c: { count: number; sum: number; min: number; max: number }, hist: Float64Array | Map<number, number> | null | undefined): void {
  if (!c.count) return;
  m.count += c.count;
  m.sum += c.sum;
  if (c.min < m.min) m.min = c.min;
  if (c.max > m.max) m.max = c.max;
  if (!m.hist) return;
  if (!hist) m.hist = null;
  else if (hist instanceof Map) for (const [b, n] of hist) m.hist[b]! += n;
  else for (let i = 0; i < hist.length; i++) m.hist[i]! += hist[i]!;
}

/**
 * The nearest-rank p95 (rank as InfluxQL's PERCENTILE() rounds it) read from a histogram: the lower edge of the
 * bucket that holds the rank-th value, kept within [min, max]. The exact p95 lies in that bucket, so it is at most
 * P95_BUCKET above what this returns, and equal to it when the values have at most one decimal.
 */
export function p95FromHist(m: Merged): number | null {
  if (!m.hist || !m.count) return null;
  const rank = p95Rank(m.count);
  let seen = 0;
  for (let b = 0; b < m.hist.length; b++) {
    seen += m.hist[b]!;
    if (seen >= rank) return Math.min(m.max, Math.max(m.min, b / Math.round(1 / P95_BUCKET)));
  }
  return m.max;
}
