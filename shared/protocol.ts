import { z } from 'zod';
import { CheckResultSchema, type CheckResult } from './check-result.js';
import { MetricSchema, StorableTimeSchema, type Metric } from './metric.js';
import { checkLineBlock, COLLECTOR_MEASUREMENTS, OWNER_TAG_KEYS, toLine } from './line-protocol.js';
import { HostFactsSchema } from './host-facts.js';
import { CheckAssignmentSchema } from './assignment.js';

/**
 * Version of the JSON-over-WebSocket protocol between agent and collector. 3: the agent understands the
 * `rate-limited` error (retry after `retryAfterMs`); 2: metrics travel as blocks of line protocol (`lines`);
 * 1: as arrays of metric objects (`metrics`). The collector takes all three, so agents in the field keep working
 * while they are upgraded one by one (an agent below 3 is told `store-unavailable` instead of `rate-limited`:
 * its answer to that, wait and re-send, is the right one, and an error code it does not know would leave the
 * batch waiting for an answer forever).
 */
export const PROTOCOL_VERSION = 3;
export const SUPPORTED_PROTOCOLS = [1, 2, 3] as const;

/** Frames larger than this are refused by the ws limit on both sides (1 MiB). */
export const MAX_FRAME_BYTES = 1024 * 1024;

export const HelloFrameSchema = z.object({
  type: z.literal('hello'),
  protocol: z.union([z.literal(1), z.literal(2), z.literal(3)]),
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

/** A block of line protocol (shared/line-protocol.ts), checked line by line; parses to the lines. */
const LineBlockSchema = z.string().transform((text, ctx) => {
  const checked = checkLineBlock(text);
  if (checked.ok) return checked.lines;
  ctx.addIssue({ code: 'custom', message: checked.message });
  return z.NEVER;
});

const isOwnerKey = (k: string) => (OWNER_TAG_KEYS as readonly string[]).includes(k);

/**
 * The metrics of a host as lines without the owner names (the collector sets those tags, and refuses them as tag
 * or field names from an agent): a check's own `host` tag or field is left out, so the batch is not refused for it.
 * A metric left without fields is left out.
 */
function hostLines(metrics: readonly Metric[]): string[] {
  const lines: string[] = [];
  for (const m of metrics) {
    if (!Object.keys(m.tags).some(isOwnerKey) && !Object.keys(m.fields).some(isOwnerKey)) {
      lines.push(toLine(m));
      continue;
    }
    const tags = Object.fromEntries(Object.entries(m.tags).filter(([k]) => !isOwnerKey(k)));
    const fields = Object.fromEntries(Object.entries(m.fields).filter(([k]) => !isOwnerKey(k)));
    if (Object.keys(fields).length) lines.push(toLine({ ...m, tags, fields }));
  }
  return lines;
}

/** Protocol 1 metric objects, turned into lines (WireMetricSchema already refused owner names). */
const legacyLines = (metrics: readonly Metric[] | undefined): string[] => (metrics ?? []).map(toLine);

/**
 * A protocol 1 metric object from an agent: held to what a protocol 2 line may say (no owner names in any
 * position, not the collector's own measurements).
 */
const WireMetricSchema = MetricSchema.superRefine((m, ctx) => {
  for (const where of ['tags', 'fields'] as const) {
    for (const k of Object.keys(m[where])) {
      if (isOwnerKey(k)) ctx.addIssue({ code: 'custom', path: [where, k], message: 'customer and host are set by the collector, not by the agent' });
    }
  }
  if ((COLLECTOR_MEASUREMENTS as readonly string[]).includes(m.measurement)) {
    ctx.addIssue({ code: 'custom', path: ['measurement'], message: `the measurement ${m.measurement} is written by the collector only` });
  }
});

/**
 * A check result as it travels: the result without its metric objects, and the metrics as `lines` (protocol 2)
 * or `metrics` (protocol 1). Parses to a ReceivedResult, whose metrics are checked lines.
 */
export const WireResultSchema = CheckResultSchema.omit({ metrics: true })
  .extend({
    /** Times InfluxDB cannot hold would fail the write of every batch sharing it (group commit). */
    startedAt: StorableTimeSchema,
    lines: LineBlockSchema.optional(),
    metrics: z.array(WireMetricSchema).max(5000).optional(),
  })
  .transform(({ lines, metrics, ...result }) => ({ ...result, lines: [...(lines ?? []), ...legacyLines(metrics)] }));

export const BatchFrameSchema = z
  .object({
    type: z.literal('batch'),
    seq: z.number().int().nonnegative(),
    /** Set when the batch answers a run-now request (an inspection). */
    requestId: z.string().max(100).optional(),
    /** How many batches the answer to `requestId` came in (an answer too big for one frame is split). */
    requestParts: z.number().int().min(1).max(10_000).optional(),
    results: z.array(WireResultSchema).max(1000).default([]),
    /** Metrics that belong to no check (the agent's own figures). */
    lines: LineBlockSchema.optional(),
    metrics: z.array(WireMetricSchema).max(20000).optional(),
  })
  .transform(({ lines, metrics, ...batch }) => ({ ...batch, lines: [...(lines ?? []), ...legacyLines(metrics)] }));

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

/**
 * `bad-json`, `bad-frame`: never accepted, the agent drops the batch. `not-ready`, `store-unavailable`, `internal`,
 * `rate-limited` (protocol 3): not stored this time, the agent keeps it and sends it again later (after
 * `retryAfterMs` when given).
 */
export const ErrorCodeSchema = z.enum(['bad-json', 'bad-frame', 'not-ready', 'store-unavailable', 'internal', 'rate-limited']);

export const ErrorFrameSchema = z.object({
  type: z.literal('error'),
  code: ErrorCodeSchema,
  message: z.string(),
  seq: z.number().int().optional(),
  /** How long to wait before sending this batch (or anything) again, for `rate-limited`. */
  retryAfterMs: z.number().int().nonnegative().optional(),
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
/** A batch as the collector holds it after parsing: every metric a checked line without owner tags. */
export type BatchFrame = z.infer<typeof BatchFrameSchema>;
/** A batch as it travels (and as the agent spools it). */
export type BatchFrameInput = z.input<typeof BatchFrameSchema>;
export type ReceivedResult = z.infer<typeof WireResultSchema>;
export type WireResult = z.input<typeof WireResultSchema>;

/** A check's result in its wire form (protocol 2): metric objects become one block of lines. */
export function toWireResult({ metrics, ...result }: CheckResult): WireResult {
  return metrics.length ? { ...result, lines: hostLines(metrics).join('\n') } : result;
}

/** A parsed batch back in its wire form (the remote poller's retry queue keeps rounds this way). */
export function toWireBatch({ results, lines, ...batch }: BatchFrame): BatchFrameInput {
  return { ...batch, results: results.map((r) => ({ ...r, lines: r.lines.join('\n') })), lines: lines.join('\n') };
}

/** What the collector would hold after parsing the wire form, for results it produced itself (agentless hosts). */
export function toReceivedResult({ metrics, ...result }: CheckResult): ReceivedResult {
  return { ...result, lines: hostLines(metrics) };
}
export type AckFrame = z.infer<typeof AckFrameSchema>;
export type ConfigFrame = z.infer<typeof ConfigFrameSchema>;
export type RunNowFrame = z.infer<typeof RunNowFrameSchema>;
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;
export type AgentFrame = z.infer<typeof AgentFrameSchema>;
export type CollectorFrame = z.infer<typeof CollectorFrameSchema>;

/** `seq` is given back when an invalid frame still had one, so the agent can drop that very batch from its spool. */
export type ParsedFrame<T> = { ok: true; frame: T } | { ok: false; code: 'bad-json' | 'bad-frame'; message: string; seq?: number };

/** Parse and validate one text frame; never throws. */
export function parseFrame<T>(schema: z.ZodType<T>, text: string): ParsedFrame<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'bad-json', message: `frame is not JSON: ${(err as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const seq = (json as { seq?: unknown } | null)?.seq;
    return { ok: false, code: 'bad-frame', message: formatZodError(parsed.error), ...(Number.isSafeInteger(seq) && (seq as number) >= 0 ? { seq: seq as number } : {}) };
  }
  return { ok: true, frame: parsed.data };
}

/** One line per issue, with the path, so a user can find what is wrong. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
