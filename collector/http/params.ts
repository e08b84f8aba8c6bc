import { z } from 'zod';
import type { Context } from 'hono';
import { formatZodError } from '../../shared/protocol.js';

/** A point in time from a query string: epoch ms, ISO 8601, or relative like -1h, -24h, -7d, -90d. */
export const TimeParam = z.string().transform((s, ctx) => {
  const rel = /^-(\d+(?:\.\d+)?)([smhd])$/.exec(s);
  if (rel) {
    const mult = { s: 1000, m: 60_000, h: 3600_000, d: 86400_000 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    return Date.now() - Number(rel[1]) * mult;
  }
  if (/^\d+$/.test(s)) return Number(s);
  const t = Date.parse(s);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: 'a time: epoch ms, ISO 8601, or relative like -24h' });
    return z.NEVER;
  }
  return t;
});

/** Parse a request's JSON body or query with zod; on failure a 400 with a clear message. */
export async function parseJson<S extends z.ZodType>(c: Context, schema: S): Promise<{ ok: true; data: z.infer<S> } | { ok: false; res: Response }> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return { ok: false, res: c.json({ error: 'request body must be JSON' }, 400) };
  }
  const r = schema.safeParse(body);
  if (!r.success) return { ok: false, res: c.json({ error: formatZodError(r.error) }, 400) };
  return { ok: true, data: r.data };
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): { ok: true; data: z.infer<S> } | { ok: false; res: Response } {
  const r = schema.safeParse(c.req.query());
  if (!r.success) return { ok: false, res: c.json({ error: formatZodError(r.error) }, 400) };
  return { ok: true, data: r.data };
}
