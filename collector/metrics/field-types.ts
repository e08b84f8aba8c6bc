import type { Metric } from '../../shared/metric.js';
import { toLine } from '../../shared/line-protocol.js';
import type { Db } from '../db/database.js';
import { MetricsRejectedError, type MetricsStore } from './store.js';

/** The kind of a field's values, as InfluxDB types them (the wire has no integers: shared/line-protocol.ts). */
export type FieldKind = 'float' | 'boolean' | 'string';

const T = 116, T_ = 84, F = 102, F_ = 70, QUOTE = 34, BACKSLASH = 92, SPACE = 32, COMMA = 44;

/**
 * Each field of a checked line (shared/line-protocol.ts's subset, owner tags inserted or not) with the kind of its
 * value; stops early when `visit` returns false. A character scan, no regex, no objects: it runs for every line
 * written to InfluxDB.
 */
export function forEachField(line: string, visit: (measurement: string, field: string, kind: FieldKind) => boolean | void): void {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) !== COMMA && line.charCodeAt(i) !== SPACE) i++;
  const measurement = line.slice(0, i);
  // Tags end at the first space not escaped by a backslash (tag values may hold `\ `).
  while (i < line.length && line.charCodeAt(i) !== SPACE) i += line.charCodeAt(i) === BACKSLASH ? 2 : 1;
  i++;
  const end = line.lastIndexOf(' ');
  while (i < end) {
    const eq = line.indexOf('=', i); // names never hold `=`
    const c = line.charCodeAt(eq + 1);
    let kind: FieldKind;
    let next: number;
    if (c === QUOTE) {
      kind = 'string';
      let j = eq + 2;
      while (j < end && line.charCodeAt(j) !== QUOTE) j += line.charCodeAt(j) === BACKSLASH ? 2 : 1;
      next = j + 2;
    } else {
      kind = c === T || c === T_ || c === F || c === F_ ? 'boolean' : 'float';
      const comma = line.indexOf(',', eq + 1);
      next = comma === -1 || comma > end ? end + 1 : comma + 1;
    }
    if (visit(measurement, line.slice(i, eq), kind) === false) return;
    i = next;
  }
}

/**
 * InfluxDB types a field by the first value written to it (per shard, and shards are shared by every customer):
 * after `mem used_pct="x"` from one agent, every other agent's `used_pct=42.5` would be refused until the shard
 * ends, a week by default. So the collector keeps the kind each (measurement, field) was first stored with, and a
 * line that would change it is refused before the write (MetricsRejectedError: the agent gets `bad-frame` naming
 * it), whichever agent sent it. Kinds are learned only from writes the store accepted, and kept in the
 * `metric_field_kinds` table (migration 071) so a restart does not open the door again.
 * Not used for the embedded store, whose columns hold any kind.
 */
export function withFieldTypes<S extends MetricsStore>(inner: S, db: Db, now: () => number): S {
  const kinds = new Map<string, Map<string, FieldKind>>();
  for (const r of db.prepare('SELECT measurement, field, kind FROM metric_field_kinds').all() as Array<{ measurement: string; field: string; kind: FieldKind }>) {
    let m = kinds.get(r.measurement);
    if (!m) kinds.set(r.measurement, (m = new Map()));
    m.set(r.field, r.kind);
  }
  const remember = db.prepare('INSERT OR IGNORE INTO metric_field_kinds (measurement, field, kind, first_stored_at) VALUES (?, ?, ?, ?)');

  const writeLines = async (lines: readonly string[]): Promise<void> => {
    /** New (measurement, field) kinds of this write: `measurement\0field` -> kind. */
    const fresh = new Map<string, FieldKind>();
    for (const line of lines) {
      let conflict: string | undefined;
      forEachField(line, (measurement, field, kind) => {
        const known = kinds.get(measurement)?.get(field) ?? fresh.get(`${measurement}\u0000${field}`);
        if (known === undefined) fresh.set(`${measurement}\u0000${field}`, kind);
        else if (known !== kind) conflict = `field ${field} of ${measurement} is stored as ${known} values, this line has a ${kind}`;
        return conflict === undefined;
      });
      if (conflict) {
        const shown = line.length > 160 ? `${line.slice(0, 160)}...` : line;
        throw new MetricsRejectedError(`${conflict}: ${JSON.stringify(shown)}; a field keeps the kind it was first stored with (InfluxDB refuses any other)`);
      }
    }
    await inner.writeLines(lines);
    if (!fresh.size) return;
    const at = now();
    db.transaction(() => {
      for (const [key, kind] of fresh) {
        const [measurement, field] = key.split('\u0000') as [string, string];
        let m = kinds.get(measurement);
        if (!m) kinds.set(measurement, (m = new Map()));
        if (m.has(field)) continue; // a concurrent write learned it first
        m.set(field, kind);
        remember.run(measurement, field, kind, at);
      }
    })();
  };

  return { ...inner, writeLines, write: (points: readonly Metric[]) => writeLines(points.map(toLine)) };
}
