import type { Context } from 'hono';
import type { z } from 'zod';
import type { Db } from '../db/database.js';
import type { AppEnv } from '../http/context.js';
import type { ActionResult } from './ticket-actions.js';

/** What the ticket-area routes need from the collector. */
export interface TicketRouteDeps {
  db: Db;
  now: () => number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/** Parse a JSON body with zod; an empty body counts as {} so that bodiless actions (acknowledge) work. */
export async function readBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<Parsed<z.infer<S>>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, response: c.json({ error: 'body is not valid JSON' }, 400) };
    }
  }
  const r = schema.safeParse(raw);
  if (!r.success) return { ok: false, response: c.json({ error: 'invalid request', issues: r.error.issues }, 400) };
  return { ok: true, value: r.data };
}

export function parseQuery<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Parsed<z.infer<S>> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) return { ok: false, response: c.json({ error: 'invalid query', issues: r.error.issues }, 400) };
  return { ok: true, value: r.data };
}

const STATUS = { 'not-found': 404, forbidden: 403, conflict: 409, invalid: 400 } as const;

export function actionResponse(c: Context<AppEnv>, r: ActionResult): Response {
  if (r.ok) return c.json({ ticket: r.ticket });
  return c.json({ error: r.message }, STATUS[r.error]);
}

export function isStaff(c: Context<AppEnv>): boolean {
  const role = c.get('user').role;
  return role === 'admin' || role === 'engineer';
}

export function canSeeCustomer(c: Context<AppEnv>, customerId: string): boolean {
  const ids = c.get('customerIds');
  return !ids || ids.includes(customerId);
}

export const forbidden = (c: Context<AppEnv>, why = 'not allowed for your role') => c.json({ error: why }, 403);
export const notFound = (c: Context<AppEnv>) => c.json({ error: 'not found' }, 404);
