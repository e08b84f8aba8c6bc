import { z } from 'zod';
import { CheckResultSchema } from './check-result.js';
import { MetricSchema } from './metric.js';
import { HostFactsSchema } from './host-facts.js';
import { CheckAssignmentSchema } from './assignment.js';

/** Version of the JSON-over-WebSocket protocol between agent and collector. */
export const PROTOCOL_VERSION = 1;

/** Frames larger than this are refused by the ws limit on both sides (1 MiB). */
export const MAX_FRAME_BYTES = 1024 * 1024;

export const HelloFrameSchema = z.object({
  type: z.literal('hello'),
  protocol: z.literal(PROTOCOL_VERSION),
  agentId: z.string().min(1).max(100),
  version: z.string().max(50),
  facts: HostFactsSchema,
});

export const WelcomeFrameSchema = z.object({
  type: z.literal('welcome'),
  hostId: z.string(),
  checks: z.array(CheckAssignmentSchema),
  /** How often the agent should flush a batch. */
  batchIntervalSec: z.number().positive(),
  serverTime: z.number().int(),
});

export const BatchFrameSchema = z.object({
  type: z.literal('batch'),
  seq: z.number().int().nonnegative(),
  /** Set when the batch answers a run-now request (an inspection). */
  requestId: z.string().max(100).optional(),
  results: z.array(CheckResultSchema).max(1000).default([]),
  metrics: z.array(MetricSchema).max(20000).default([]),
});

export const AckFrameSchema = z.object({
  type: z.literal('ack'),
  seq: z.number().int().nonnegative(),
});

export const ConfigFrameSchema = z.object({
  type: z.literal('config'),
  checks: z.array(CheckAssignmentSchema),
});

/** Collector asks for a fresh run of every assigned check now (inspection snapshot). */
export const RunNowFrameSchema = z.object({
  type: z.literal('run-now'),
  requestId: z.string().min(1).max(100),
});

export const ErrorCodeSchema = z.enum(['bad-json', 'bad-frame', 'not-ready', 'store-unavailable', 'internal']);

export const ErrorFrameSchema = z.object({
  type: z.literal('error'),
  code: ErrorCodeSchema,
  message: z.string(),
  seq: z.number().int().optional(),
});

/** What an agent may send. */
export const AgentFrameSchema = z.discriminatedUnion('type', [HelloFrameSchema, BatchFrameSchema]);
/** What a collector may send. */
export const CollectorFrameSchema = z.discriminatedUnion('type', [
  WelcomeFrameSchema,
  AckFrameSchema,
  ConfigFrameSchema,
  RunNowFrameSchema,
  ErrorFrameSchema,
]);

export type HelloFrame = z.infer<typeof HelloFrameSchema>;
export type WelcomeFrame = z.infer<typeof WelcomeFrameSchema>;
export type BatchFrame = z.infer<typeof BatchFrameSchema>;
export type BatchFrameInput = z.input<typeof BatchFrameSchema>;
export type AckFrame = z.infer<typeof AckFrameSchema>;
export type ConfigFrame = z.infer<typeof ConfigFrameSchema>;
export type RunNowFrame = z.infer<typeof RunNowFrameSchema>;
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;
export type AgentFrame = z.infer<typeof AgentFrameSchema>;
export type CollectorFrame = z.infer<typeof CollectorFrameSchema>;

export type ParsedFrame<T> = { ok: true; frame: T } | { ok: false; code: 'bad-json' | 'bad-frame'; message: string };

/** Parse and validate one text frame; never throws. */
export function parseFrame<T>(schema: z.ZodType<T>, text: string): ParsedFrame<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'bad-json', message: `frame is not JSON: ${(err as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, code: 'bad-frame', message: formatZodError(parsed.error) };
  return { ok: true, frame: parsed.data };
}

/** One line per issue, with the path, so a user can find what is wrong. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
