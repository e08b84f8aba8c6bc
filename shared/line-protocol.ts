import { MAX_STORABLE_TIME_MS, type FieldValue, type Metric } from './metric.js';

/*
 * InfluxDB line protocol, the subset Patrol speaks on the wire and writes to InfluxDB:
 *   measurement[,tag=value...] field=value[,field=value...] time_ms
 * Names (measurement, tag keys, field keys) follow metric.ts (letters, digits, _ . -), so they never need
 * escaping; tag values escape `,` `=` and space with a backslash; numbers are always floats (never the `i`
 * suffix: an integer-typed first write would make every later float write of the field fail with a type
 * conflict, and a float-only wire keeps a field's type stable whatever a check returns); strings are quoted
 * with `"` and `\` escaped; booleans as true/false. A line never holds a newline: the protocol has no escape
 * for one, so toLine() turns newlines inside values into spaces.
 * An agent's line may not use the names the collector sets (`customer`, `host`: as tag or as field) nor write its
 * measurements (`check`), and holds only what InfluxDB can store (finite floats, times up to 2262).
 * Agents send their metrics in this form (protocol 2) because the collector can check and re-tag it several
 * times faster than JSON point objects (docs/benchmarks.md): one regex per line instead of a zod walk.
 */

const NAME = '[A-Za-z_][A-Za-z0-9_.\\-]{0,199}';
const TAG_VALUE = '(?:[^,= \\\\\\n]|\\\\[^\\n]){1,512}';
const FLOAT = '-?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?';
const FIELD_VALUE = `(?:${FLOAT}|true|false|t|f|TRUE|FALSE|True|False|T|F|"(?:[^"\\\\\\n]|\\\\[^\\n]){0,4096}")`;
/**
 * The collector sets these two tags itself: an agent may never write into another customer's or host's series.
 * Refused as field names too: InfluxQL's `WHERE "host" = ...` would match a field of that name as well as the tag
 * (queries now say `"host"::tag`, and the names stay refused so no reader can be fooled).
 */
export const OWNER_TAG_KEYS = ['customer', 'host'] as const;
/** Measurements only the collector writes: the `check` point of each result, which availability comes from. */
export const COLLECTOR_MEASUREMENTS = ['check'] as const;
// `__proto__` as a tag or field name would vanish in every reader that builds objects from lines (parseLine, the
// embedded store): refused like the owner names (test/fuzz/line-protocol.test.ts found it).
const NOT_OWNER = `(?!(?:${OWNER_TAG_KEYS.join('|')}|__proto__)=)`;
const AGENT_TAG = `,${NOT_OWNER}${NAME}=${TAG_VALUE}`;
const AGENT_FIELD = `${NOT_OWNER}${NAME}=${FIELD_VALUE}`;
const LINE = new RegExp(
  `^(?!(?:${COLLECTOR_MEASUREMENTS.join('|')})[, ])${NAME}(?:${AGENT_TAG})* ${AGENT_FIELD}(?:,${AGENT_FIELD})* [0-9]{1,16}$`,
);
const OWNER_TAG = new RegExp(`,(?:${OWNER_TAG_KEYS.join('|')})=`);
const OWNER_FIELD = new RegExp(`[ ,](?:${OWNER_TAG_KEYS.join('|')})=`);
const COLLECTOR_MEASUREMENT = new RegExp(`^(?:${COLLECTOR_MEASUREMENTS.join('|')})[, ]`);
/**
 * A number that might not fit a double: an exponent of three digits or more, or a long run of digits (with a
 * two-digit exponent a mantissa needs over 200 digits to overflow). Only such lines are parsed to look at their
 * values, so the usual line still costs one regex.
 */
const MAYBE_HUGE_NUMBER = /[eE][-+]?[0-9]{3}|[0-9]{200}/;

const noNewlines = (s: string) => (s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]+/g, ' ') : s);
// Most values need no escaping, so test before replacing: this runs for every tag of every point an agent sends.
const TAG_SPECIAL = /[,= ]/;
/** A tag value as line protocol writes it: newlines to spaces, `,` `=` and space escaped. */
export const escapeTagValue = (s: string) => {
  let v = noNewlines(s);
  // A backslash before a separator (or at the end) would escape it: doubled, as InfluxDB then keeps it (the one
  // value line protocol cannot carry exactly; it reads back with the backslash doubled, the same in every store).
  // The whole run is doubled: readers take backslashes in pairs, so doubling only its last one left `\\,` as an
  // escaped backslash and a bare comma (a line the collector then refused; test/fuzz/line-protocol.test.ts).
  if (v.includes('\\')) v = v.replace(/\\+(?=[,= ]|$)/g, (run) => run + run);
  return TAG_SPECIAL.test(v) ? v.replace(/[,= ]/g, (c) => `\\${c}`) : v;
};
const STRING_SPECIAL = /["\\]/;
const escapeString = (s: string) => {
  const v = noNewlines(s);
  return STRING_SPECIAL.test(v) ? v.replace(/["\\]/g, (c) => `\\${c}`) : v;
};

function fieldText(v: FieldValue): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return `"${escapeString(v)}"`;
}

/**
 * One metric as a line. Tags are sorted (InfluxDB's advice for write speed) and empty tag values dropped
 * (the protocol does not allow them). The metric must satisfy MetricSchema (names, finite numbers).
 */
export function toLine(m: Metric): string {
  let line = m.measurement;
  for (const k of Object.keys(m.tags).sort()) {
    const v = m.tags[k];
    if (v) line += `,${k}=${escapeTagValue(v)}`;
  }
  let sep = ' ';
  for (const k in m.fields) {
    line += `${sep}${k}=${fieldText(m.fields[k]!)}`;
    sep = ',';
  }
  return `${line} ${m.time}`;
}

/** Several metrics as one block of lines, the form a batch carries. */
export function toLineBlock(metrics: readonly Metric[]): string {
  return metrics.map(toLine).join('\n');
}

export type LineBlockCheck = { ok: true; lines: string[] } | { ok: false; message: string };

/** The time of a checked line (its last word), epoch ms. */
export const lineTimeMs = (line: string): number => Number(line.slice(line.lastIndexOf(' ') + 1));

/** Why a line failed the LINE regex, in words for whoever wrote the check. */
function whyNotValid(line: string): string {
  const head = line.split(' ', 1)[0]!;
  if (OWNER_TAG.test(head)) return 'the customer and host tags are set by the collector, not by the agent';
  if (OWNER_FIELD.test(line.slice(head.length))) return 'customer and host are the collector\'s tag names and cannot be field names';
  if (/[ ,]__proto__=/.test(line)) return '__proto__ cannot be a tag or field name';
  if (COLLECTOR_MEASUREMENT.test(line)) return `the measurement ${COLLECTOR_MEASUREMENTS.join(', ')} is written by the collector only`;
  if (/=-?[0-9]+[iu](?:,|\s)/.test(line)) return 'integer values (i, u) are not accepted: every number travels as a float';
  return 'expected measurement[,tag=value...] field=value[,field=value...] time_ms, names of letters, digits, _ . -, float, boolean or "string" values';
}

/** Why a line that has the right shape still cannot be stored (InfluxDB would refuse the write it travels in). */
function whyNotStorable(line: string): string | undefined {
  if (lineTimeMs(line) > MAX_STORABLE_TIME_MS) return 'its time is after 2262-04-11, later than InfluxDB can store';
  if (MAYBE_HUGE_NUMBER.test(line)) {
    for (const [name, v] of Object.entries(parseLine(line).fields)) {
      if (typeof v === 'number' && !Number.isFinite(v)) return `the value of ${name} is too large for a 64-bit float`;
    }
  }
  return undefined;
}

/**
 * Check a block an agent sent. Every line must match the subset above, may not set the owner tags (or use their
 * names as fields), and must hold only what every store can keep (finite floats, times up to 2262): one point
 * InfluxDB refuses would fail the whole write, other agents' batches included. An empty block is no lines. The
 * message names the first bad line, so whoever wrote the check can find it.
 */
export function checkLineBlock(text: string): LineBlockCheck {
  if (text === '') return { ok: true, lines: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const why = LINE.test(line) ? whyNotStorable(line) : whyNotValid(line);
    if (why === undefined) continue;
    const shown = line.length > 120 ? `${line.slice(0, 120)}...` : line;
    return { ok: false, message: `line ${i + 1} is not valid line protocol (${why}): ${JSON.stringify(shown)}` };
  }
  return { ok: true, lines };
}

/** `,customer=..,host=..`, to be inserted after the measurement of every line a host sent. */
export function ownerTagText(customerId: string, hostId: string): string {
  return `,customer=${escapeTagValue(customerId)},host=${escapeTagValue(hostId)}`;
}

/** A checked line with the owner tags put right after its measurement (names never hold `,` or space). */
export function withOwnerTags(line: string, ownerTags: string): string {
  let i = 0;
  for (let c = line.charCodeAt(0); c !== 44 /* , */ && c !== 32 /* space */; c = line.charCodeAt(++i));
  return line.slice(0, i) + ownerTags + line.slice(i);
}

/** Split at `sep` where it is not escaped by a backslash (and, for fields, not inside a quoted string). */
function splitUnescaped(s: string, sep: string, quotes: boolean): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (quotes && c === '"') quoted = !quoted;
    else if (c === sep && !quoted) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

const unescapeTagValue = (s: string) => (s.includes('\\') ? s.replace(/\\([,= ])/g, '$1') : s);

function parseFieldValue(text: string): FieldValue {
  if (text.startsWith('"')) return text.slice(1, -1).replace(/\\(["\\])/g, '$1');
  if (/^(?:t|T|true|True|TRUE)$/.test(text)) return true;
  if (/^(?:f|F|false|False|FALSE)$/.test(text)) return false;
  return Number(text);
}

/**
 * A checked line back into a metric, for the embedded store and the few readers that need fields by name
 * (the dashboard's metric catalog, inspection snapshots). Not on the InfluxDB path.
 */
export function parseLine(line: string): Metric {
  // Tag values may hold a `"` (it only quotes in field values), so the head is cut off before fields are split.
  const headEnd = splitUnescaped(line, ' ', false)[0]!.length;
  const timeStart = line.lastIndexOf(' ') + 1;
  const [measurement = '', ...tagParts] = splitUnescaped(line.slice(0, headEnd), ',', false);
  const tags: Record<string, string> = {};
  for (const t of tagParts) {
    const eq = t.indexOf('=');
    tags[t.slice(0, eq)] = unescapeTagValue(t.slice(eq + 1));
  }
  const fields: Record<string, FieldValue> = {};
  for (const f of splitUnescaped(line.slice(headEnd + 1, timeStart - 1), ',', true)) {
    const eq = f.indexOf('=');
    fields[f.slice(0, eq)] = parseFieldValue(f.slice(eq + 1));
  }
  return { measurement, tags, fields, time: Number(line.slice(timeStart)) };
}
