import type { Metric } from '../../shared/metric.js';

// Escaping rules from the InfluxDB line protocol reference. Most names need none, so test before replacing
// (this runs once per tag and field of every point: it is the hot path of ingest).
const MEASUREMENT_SPECIAL = /[,\s]/;
const KEY_SPECIAL = /[,=\s]/;
const STRING_SPECIAL = /["\\]/;
const escapeMeasurement = (s: string) => (MEASUREMENT_SPECIAL.test(s) ? s.replace(/[,\s]/g, (c) => `\\${c}`) : s);
const escapeKey = (s: string) => (KEY_SPECIAL.test(s) ? s.replace(/[,=\s]/g, (c) => `\\${c}`) : s);
const escapeString = (s: string) => (STRING_SPECIAL.test(s) ? s.replace(/["\\]/g, (c) => `\\${c}`) : s);

/**
 * One point as a line of InfluxDB line protocol with millisecond precision. Tags are sorted (InfluxDB's
 * advice for write speed) and empty tag values dropped (the protocol does not allow them).
 * Numbers are written as floats so a field never changes type between points (an integer-typed first write
 * would make every later float write fail with a field type conflict).
 */
export function toLine(m: Metric): string {
  let line = escapeMeasurement(m.measurement);
  for (const k of Object.keys(m.tags).sort()) {
    const v = m.tags[k];
    if (v) line += `,${escapeKey(k)}=${escapeKey(v)}`;
  }
  let first = true;
  for (const [k, v] of Object.entries(m.fields)) {
    line += first ? ' ' : ',';
    first = false;
    line += `${escapeKey(k)}=`;
    if (typeof v === 'number') line += Number.isInteger(v) ? `${v}.0` : String(v);
    else if (typeof v === 'boolean') line += v ? 'true' : 'false';
    else line += `"${escapeString(v)}"`;
  }
  return `${line} ${m.time}`;
}

export function toLines(points: readonly Metric[]): string {
  return points.map(toLine).join('\n');
}
