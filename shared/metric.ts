import { z } from 'zod';

/** InfluxDB naming rules, kept strict so that line protocol never needs guessing. */
const NameSchema = z.string().min(1).max(200).regex(/^[A-Za-z_][A-Za-z0-9_.\-]*$/, 'letters, digits, _ . - only');

/**
 * The latest time InfluxDB can store, in ms: its timestamps are int64 nanoseconds, so the range ends at
 * 2262-04-11T23:47:16.854Z (and begins in 1677, before anything Patrol writes: times here are never negative).
 * A point past it makes InfluxDB refuse the write it travels in.
 */
export const MAX_STORABLE_TIME_MS = 9_223_372_036_854;
/** A time a point or result may carry: epoch ms that every metrics store can hold. */
export const StorableTimeSchema = z
  .number()
  .int()
  .nonnegative()
  .max(MAX_STORABLE_TIME_MS, 'after 2262-04-11, later than InfluxDB can store');

export const FieldValueSchema = z.union([z.number().finite(), z.string().max(4096), z.boolean()]);
export type FieldValue = z.infer<typeof FieldValueSchema>;

/** One InfluxDB-shaped point: measurement, tags, fields, time in epoch milliseconds. */
export const MetricSchema = z.object({
  measurement: NameSchema,
  tags: z.record(NameSchema, z.string().max(512)).default({}),
  fields: z.record(NameSchema, FieldValueSchema).refine((f) => Object.keys(f).length > 0, 'at least one field'),
  time: StorableTimeSchema,
});
export type Metric = z.infer<typeof MetricSchema>;
export type MetricInput = z.input<typeof MetricSchema>;
