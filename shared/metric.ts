import { z } from 'zod';

/** InfluxDB naming rules, kept strict so that line protocol never needs guessing. */
const NameSchema = z.string().min(1).max(200).regex(/^[A-Za-z_][A-Za-z0-9_.\-]*$/, 'letters, digits, _ . - only');

export const FieldValueSchema = z.union([z.number().finite(), z.string().max(4096), z.boolean()]);
export type FieldValue = z.infer<typeof FieldValueSchema>;

/** One InfluxDB-shaped point: measurement, tags, fields, time in epoch milliseconds. */
export const MetricSchema = z.object({
  measurement: NameSchema,
  tags: z.record(NameSchema, z.string().max(512)).default({}),
  fields: z.record(NameSchema, FieldValueSchema).refine((f) => Object.keys(f).length > 0, 'at least one field'),
  time: z.number().int().nonnegative(),
});
export type Metric = z.infer<typeof MetricSchema>;
export type MetricInput = z.input<typeof MetricSchema>;
