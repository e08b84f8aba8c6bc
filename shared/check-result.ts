import { z } from 'zod';
import { StatusSchema } from './status.js';
import { MetricSchema } from './metric.js';

/** What one run of one assigned check produced. */
export const CheckResultSchema = z.object({
  /** Assignment name, unique per host (e.g. "system.disk" or "pg-main"). */
  name: z.string().min(1).max(200),
  /** Check type id from the registry (e.g. "system.disk"). */
  checkId: z.string().min(1).max(200),
  status: StatusSchema,
  summary: z.string().max(2000),
  /** Long output (Nagios lines after the first); optional. */
  details: z.string().max(16000).optional(),
  startedAt: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  metrics: z.array(MetricSchema).max(5000).default([]),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** A result without its metrics: all that check states, tickets and the live feed read. */
export type CheckResultHead = Omit<CheckResult, 'metrics'>;
