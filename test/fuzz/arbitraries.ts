import fc from 'fast-check';
import { COLLECTOR_MEASUREMENTS, OWNER_TAG_KEYS } from '../../shared/line-protocol.js';
import { MAX_STORABLE_TIME_MS, type FieldValue, type Metric } from '../../shared/metric.js';

/** Characters that line protocol and JSON treat specially, weighted up, mixed with plain and multi-byte ones. */
export const trickyChar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('\\', ',', '=', ' ', '"', '\n') },
  { weight: 2, arbitrary: fc.constantFrom('\r', '\t', "'", 'a', 'Z', '0', '.', '-', 'é', '中', '😀', '\u0000', '\u200b', '\u202e', '\ud800', '\udfff') },
);

/** Any text: tricky characters, any code points (lone surrogates too), or ordinary strings. */
export const anyText = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ maxLength, unit: trickyChar }), fc.string({ maxLength, unit: 'binary' }), fc.string({ maxLength }));

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,30}$/;
const RESERVED: readonly string[] = [...OWNER_TAG_KEYS, ...COLLECTOR_MEASUREMENTS];

/** Names an agent may use (metric.ts), with some of Object.prototype's property names among them. */
export const metricName = fc
  .oneof({ weight: 5, arbitrary: fc.stringMatching(NAME) }, { weight: 1, arbitrary: fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'valueOf', '_', 'a.b-c') })
  .filter((n) => !RESERVED.includes(n));

export const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1e21, 1e-7, 0.1, Number.MAX_SAFE_INTEGER + 2),
  fc.integer(),
  fc.boolean(),
  anyText(300),
);

/** A metric as MetricSchema allows it; `time` defaults to any storable time. */
export const metric = (time: fc.Arbitrary<number> = fc.integer({ min: 0, max: MAX_STORABLE_TIME_MS })): fc.Arbitrary<Metric> =>
  fc.record({
    measurement: metricName,
    tags: fc.dictionary(metricName, anyText(80), { maxKeys: 4 }),
    fields: fc.dictionary(metricName, fieldValue, { minKeys: 1, maxKeys: 4 }),
    time,
  });
