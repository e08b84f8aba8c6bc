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

/** A parse that failed carries its 400 answer, ready to return. */
export type Parsed<T> = { ok: true; data: T } | { ok: false; res: Response };

export interface BodyOptions {
  /**
   * An empty body counts as `{}`: for bodiless actions whose fields all have defaults (a ticket's acknowledge,
   * start, resolve), which clients send with no body. Everywhere else an empty body is refused as not JSON.
   */
  emptyIsObject?: boolean;
}

/**
 * The one way a route reads a JSON body: parsed with zod; on failure 400 `{ error }`, where `error` names each
 * field that is wrong (the same shape for every route, API clients and the CLI print it as it is).
 */
export async function parseJson<S extends z.ZodType>(c: Context, schema: S, opts: BodyOptions = {}): Promise<Parsed<z.infer<S>>> {
  const text = await c.req.text();
  let body: unknown = {};
  if (!(opts.emptyIsObject && text.trim() === '')) {
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, res: c.json({ error: 'request body must be JSON' }, 400) };
    }
  }
  const r = schema.safeParse(body);
  if (!r.success) return { ok: false, res: c.json({ error: formatZodError(r.error) }, 400) };
  return { ok: true, data: r.data };
}

/** A request's query string, parsed with zod; on failure the same 400 `{ error }` as a body. */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): Parsed<z.infer<S>> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) return { ok: false, res: c.json({ error: formatZodError(r.error) }, 400) };
  return { ok: true, data: r.data };
}
