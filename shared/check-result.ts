import { z } from 'zod';
import { StatusSchema } from './status.js';
import { MetricSchema } from './metric.js';

/** A result's first line, as the wire schema takes it (characters). */
export const MAX_SUMMARY_CHARS = 2000;
/**
 * A result's long output: 256 KiB, counted as the bytes it takes inside a JSON frame (see `wireTextBytes`), which
 * also bounds its characters. An inventory of a big host needs more than a screenful; a frame may be 1 MiB and the
 * agent splits a flush into batches of 768 KiB, so a result with this much text still leaves half a batch for its
 * metric lines.
 */
export const MAX_DETAILS_BYTES = 256 * 1024;

/**
 * A summary as a message key with values ('exec.refused.outside', { command, file }), for readers that render it
 * in zh or en; `summary` stays the English fallback (logs, readers that do not know the key).
 */
export const CheckMessagePartSchema = z.object({
  key: z.string().regex(/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/).max(100),
  // A value may be a whole plugin's first line (script.output), so it takes what a summary takes.
  values: z.record(z.string().max(64), z.union([z.string().max(MAX_SUMMARY_CHARS), z.number()])).default({}),
});
export type CheckMessagePart = z.infer<typeof CheckMessagePartSchema>;
/** Lists (the file systems over their threshold, ...) travel as `parts`, each a key with values of its own. */
export const CheckMessageSchema = CheckMessagePartSchema.extend({
  parts: z.array(CheckMessagePartSchema).max(100).optional(),
});
export type CheckMessage = z.infer<typeof CheckMessageSchema>;

/** What one run of one assigned check produced. */
export const CheckResultSchema = z.object({
  /** Assignment name, unique per host (e.g. "system.disk" or "pg-main"). */
  name: z.string().min(1).max(200),
  /** Check type id from the registry (e.g. "system.disk"). */
  checkId: z.string().min(1).max(200),
  status: StatusSchema,
  summary: z.string().max(MAX_SUMMARY_CHARS),
  message: CheckMessageSchema.optional(),
  /** Long output (Nagios lines after the first); optional. */
  details: z.string().max(MAX_DETAILS_BYTES).optional(),
  startedAt: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  metrics: z.array(MetricSchema).max(5000).default([]),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** A result without its metrics: all that check states, tickets and the live feed read. */
export type CheckResultHead = Omit<CheckResult, 'metrics'>;

/** Bytes one UTF-16 code unit (or surrogate pair, counted at its high half) takes in JSON.stringify's UTF-8 output. */
function jsonUnitBytes(text: string, i: number): { bytes: number; units: number } {
  const c = text.charCodeAt(i);
  if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) return { bytes: 2, units: 1 };
  if (c < 0x20) return { bytes: 6, units: 1 }; // \u00XX
  if (c < 0x80) return { bytes: 1, units: 1 };
  if (c < 0x800) return { bytes: 2, units: 1 };
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return { bytes: 4, units: 2 };
    return { bytes: 6, units: 1 }; // a lone surrogate is escaped
  }
  if (c >= 0xdc00 && c <= 0xdfff) return { bytes: 6, units: 1 };
  return { bytes: 3, units: 1 };
}

/** Bytes a text takes inside a JSON frame (UTF-8 with JSON escapes, without the quotes). */
export function wireTextBytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; ) {
    const u = jsonUnitBytes(text, i);
    bytes += u.bytes;
    i += u.units;
  }
  return bytes;
}

/**
 * Cut a text to at most `maxBytes` as JSON (and so at most that many characters), ending with a visible
 * "… (cut at N characters)" where N is how many characters were kept. A text within the limit is returned as is.
 */
export function cutForWire(text: string, maxBytes: number): string {
  // Every code unit takes at most 6 bytes: short texts need no count.
  if (text.length * 6 <= maxBytes || wireTextBytes(text) <= maxBytes) return text;
  // The marker is ASCII plus one 3-byte ellipsis; 64 bytes hold it with any N.
  const budget = maxBytes - 64;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const u = jsonUnitBytes(text, i);
    if (bytes + u.bytes > budget) break;
    bytes += u.bytes;
    i += u.units;
  }
  return `${text.slice(0, i)}… (cut at ${i} characters)`;
}

/** Cut a summary to the wire's character limit, with the same marker. */
export function cutSummary(text: string): string {
  if (text.length <= MAX_SUMMARY_CHARS) return text;
  let keep = MAX_SUMMARY_CHARS - 40;
  // Never split a surrogate pair: half a character is not text.
  const c = text.charCodeAt(keep - 1);
  if (c >= 0xd800 && c <= 0xdbff) keep -= 1;
  return `${text.slice(0, keep)}… (cut at ${keep} characters)`;
}
