import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { checkLineBlock, OWNER_TAG_KEYS, ownerTagText, parseLine, toLine, toLineBlock, withOwnerTags } from '../../shared/line-protocol.js';
import { MetricSchema, type FieldValue, type Metric } from '../../shared/metric.js';
import { anyText, metric as metricArb } from './arbitraries.js';

/**
 * The line-protocol writer and parser (shared/line-protocol.ts) as properties: any metric an agent may hold
 * (MetricSchema) becomes a line the collector's checker accepts and parses back to the same metric, whatever
 * its tag and field values hold (spaces, commas, equals signs, quotes, backslashes, newlines, any unicode).
 * The two losses line protocol itself forces are stated in `asReadBack`. Runs are bounded to keep this fast.
 */

const RUNS = { numRuns: 400 };
const metric = metricArb();

/** Customer and host ids are never empty (a tag needs a value); otherwise anything. */
const ownerId = anyText(60).filter((s) => s !== '');

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

/**
 * What a metric reads back as after a trip through line protocol (InfluxDB reads it the same way):
 * newlines become spaces (the protocol has no escape for them); a tag value's run of backslashes before a
 * separator or at its end comes back doubled (the protocol cannot say "a backslash, then a real comma"); an
 * empty tag value is dropped; -0 is 0.
 */
function asReadBack(m: Metric): Metric {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.tags)) if (v) tags[k] = oneLine(v).replace(/\\+(?=[,= ]|$)/g, (run) => run + run);
  const fields: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(m.fields)) fields[k] = typeof v === 'string' ? oneLine(v) : v === 0 ? 0 : v;
  return { measurement: m.measurement, tags, fields, time: m.time };
}

describe('line protocol: writer and parser agree on any value', () => {
  test('a metric becomes one line the collector accepts, and reads back the same', () => {
    fc.assert(
      fc.property(metric, (m) => {
        expect(MetricSchema.safeParse(m).success).toBe(true);
        const line = toLine(m);
        const checked = checkLineBlock(line);
        expect(checked, line).toEqual({ ok: true, lines: [line] });
        expect(parseLine(line)).toEqual(asReadBack(m));
      }),
      RUNS,
    );
  });

  test('a block of metrics keeps its lines apart, and the owner tags the collector adds read back', () => {
    fc.assert(
      fc.property(fc.array(metric, { minLength: 1, maxLength: 8 }), ownerId, ownerId, (ms, customer, host) => {
        const checked = checkLineBlock(toLineBlock(ms));
        if (!checked.ok) throw new Error(checked.message);
        expect(checked.lines.map(parseLine)).toEqual(ms.map(asReadBack));
        const owner = ownerTagText(customer, host);
        for (const [i, line] of checked.lines.entries()) {
          const m = parseLine(withOwnerTags(line, owner));
          const expected = asReadBack({ ...ms[i]!, tags: { ...ms[i]!.tags, customer, host } });
          expect(m).toEqual(expected);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('whatever the checker accepts parses to a metric every store can keep', () => {
    // Lines put together from the pieces line protocol is made of, so that many come close to valid.
    const piece = fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,4}$/), fc.constantFrom(' ', ',', '=', '\\', '"', '\\ ', '\\,', '\\=', '\\"', '-', '.', 'e', 'E', '1', '9', '0', 'e309', 't', 'false', 'i', '\n', 'é', ' __proto__=1', ',__proto__=x', ',constructor=1'));
    const nearLine = fc.tuple(fc.stringMatching(/^[a-z]{1,5}$/), fc.array(piece, { maxLength: 14 }), fc.integer({ min: 0, max: 99_999_999_999_999 })).map(([m, parts, t]) => `${m}${parts.join('')} ${t}`);
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(nearLine, fc.constant('m,k=v f=1 5'), anyText(120)), (text) => {
        const checked = checkLineBlock(text);
        if (!checked.ok) {
          expect(checked.message).toMatch(/^line \d+ is not valid line protocol \(.+\): /);
          return;
        }
        for (const line of checked.lines) {
          accepted++;
          const m = parseLine(line);
          const valid = MetricSchema.safeParse(m);
          expect(valid.success, `${JSON.stringify(line)} -> ${JSON.stringify(m)}`).toBe(true);
          expect(Object.keys(m.fields).length).toBeGreaterThan(0);
          for (const v of Object.values(m.fields)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
          for (const k of OWNER_TAG_KEYS) expect(k in m.tags || k in m.fields).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(20);
  });
});

describe('counter-examples the properties found, kept as plain tests', () => {
  test('a run of backslashes before a separator or at the end of a tag value stays inside the value', () => {
    for (const value of ['\\\\', 'a\\\\,', 'x\\\\ y', '\\\\\\\\=', 'C:\\\\']) {
      const line = toLine({ measurement: 'm', tags: { A: value, z: 'q' }, fields: { _: false }, time: 0 });
      expect(checkLineBlock(line), line).toEqual({ ok: true, lines: [line] });
      expect(parseLine(line).tags).toEqual({ A: value.replace(/\\+(?=[,= ]|$)/g, (run) => run + run), z: 'q' });
    }
  });

  test('__proto__ is refused as a tag or field name (readers building objects would lose it)', () => {
    expect(checkLineBlock('a __proto__=1 0')).toEqual({ ok: false, message: 'line 1 is not valid line protocol (__proto__ cannot be a tag or field name): "a __proto__=1 0"' });
    expect(checkLineBlock('a,__proto__=x f=1 0').ok).toBe(false);
    expect(checkLineBlock('__proto__,constructor=x f="__proto__=1" 0').ok).toBe(true);
  });
});
