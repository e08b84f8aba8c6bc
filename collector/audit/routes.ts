import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { AppEnv } from '../http/context.js';
import { parseQuery, TimeParam } from '../http/params.js';
import { listAudit } from './store.js';

const ACTIONS = ['change', 'login', 'login-failed', 'login-throttled', 'logout', 'cli'] as const;

/** The filters of GET /api/audit (and the dashboard's audit page): user, from, to, path prefix, action, paging. */
export const AuditQuery = z.object({
  user: z.string().trim().min(1).max(200).optional(),
  from: TimeParam.optional(),
  to: TimeParam.optional(),
  path: z.string().max(1000).optional(),
  action: z.enum(ACTIONS).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** GET /api/audit: admins only (403 for everyone else); newest first, `next` pages on with ?before=. */
export function auditRoutes(deps: { db: Db }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', (c) => {
    if (c.get('user').role !== 'admin') return c.json({ error: 'only admins read the audit log' }, 403);
    const q = parseQuery(c, AuditQuery);
    if (!q.ok) return q.res;
    const { user, from, to, path, action, before, limit } = q.data;
    return c.json(listAudit(deps.db, { user, from, to, pathPrefix: path, action, before, limit }));
  });
  return app;
}
