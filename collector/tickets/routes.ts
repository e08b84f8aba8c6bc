import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { SEVERITIES } from '../contracts/contract-store.js';
import { assignableStaff } from '../oncall/contacts.js';
import { maintenanceNow } from '../maintenance/windows-now.js';
import { acknowledge, assign, comment, confirmClose, recordOnsite, reopen, resolve, startWork, updateReportFields, type ActionContext, type ActionResult } from './ticket-actions.js';
import { findTicket, listEvents, listTickets, TICKET_STATES } from './ticket-store.js';
import { parseJson, parseQuery } from '../http/params.js';
import { forbidden, isStaff, notFound, type RouteDeps } from '../http/access.js';

const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)))
    .optional();

const ListQuery = z.object({
  state: csv(TICKET_STATES),
  severity: csv(SEVERITIES),
  customer: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  breached: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});

const Note = z.object({ note: z.string().max(4000).default('') });
const Assign = z.object({ assigneeId: z.string().min(1) });
const Comment = z.object({ text: z.string().min(1).max(8000), public: z.boolean().default(false) });
/** Arrival time as epoch ms or an ISO 8601 string with a zone ("2026-03-02T11:05:00+08:00"); default: now. */
const Onsite = z.object({
  at: z
    .union([z.number().int().positive(), z.iso.datetime({ offset: true }).transform((v) => Date.parse(v))])
    .optional(),
  note: z.string().max(4000).default(''),
});
const Reopen = z.object({ reason: z.string().min(1).max(4000) });
const ReportFields = z
  .object({ cause: z.string().max(20000), actions: z.string().max(20000), prevention: z.string().max(20000) })
  .partial()
  .refine((f) => Object.keys(f).length > 0, 'give cause, actions or prevention');
const ACTION_REFUSAL_STATUS = { 'not-found': 404, forbidden: 403, conflict: 409, invalid: 400 } as const;

/** A lifecycle action's answer: the ticket, or the refusal with its status. */
function actionResponse(c: Context<AppEnv>, r: ActionResult): Response {
  if (r.ok) return c.json({ ticket: r.ticket });
  return c.json({ error: r.message }, ACTION_REFUSAL_STATUS[r.error]);
}

/**
 * /api/tickets: list (with the maintenance windows in force), get, the lifecycle actions, who may be
 * assigned a ticket, the engineer's report fields and the report download.
 */
export function ticketRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const ctxOf = (c: { get: (k: 'user' | 'customerIds') => unknown }): ActionContext => ({
    db: deps.db,
    user: c.get('user') as ActionContext['user'],
    customerIds: c.get('customerIds') as ActionContext['customerIds'],
    now: deps.now(),
  });

  app.get('/', (c) => {
    const q = parseQuery(c, ListQuery);
    if (!q.ok) return q.res;
    const now = deps.now();
    const customerIds = c.get('customerIds');
    const tickets = listTickets(deps.db, {
      customerIds,
      state: q.data.state,
      severity: q.data.severity,
      customerId: q.data.customer,
      hostId: q.data.host,
      breached: q.data.breached,
      limit: q.data.limit,
      offset: q.data.offset,
      now,
    });
    return c.json({ tickets, maintenance: maintenanceNow(deps.db, now, customerIds) });
  });

  app.get('/:id', (c) => {
    const t = findTicket(deps.db, c.req.param('id'), { customerIds: c.get('customerIds'), now: deps.now() });
    if (!t) return notFound(c);
    return c.json({ ticket: t, events: listEvents(deps.db, t.id) });
  });

  /** Staff who may be given this ticket (admins and the engineers serving its customer): the CLI's username lookup. */
  app.get('/:id/assignees', (c) => {
    const t = findTicket(deps.db, c.req.param('id'), { customerIds: c.get('customerIds'), now: deps.now() });
    if (!t) return notFound(c);
    if (!isStaff(c)) return forbidden(c);
    return c.json({ assignees: assignableStaff(deps.db, t.customerId) });
  });

  /** One lifecycle action: validate the body, run the action as this user, answer with the ticket or the refusal. */
  type Run<S extends z.ZodType> = (ctx: ActionContext, id: string, body: z.infer<S>) => Parameters<typeof actionResponse>[1];
  const action = <S extends z.ZodType>(method: 'post' | 'patch', path: string, schema: S, run: Run<S>) =>
    app[method](path, async (c) => {
      const b = await parseJson(c, schema, { emptyIsObject: true });
      return b.ok ? actionResponse(c, run(ctxOf(c), c.req.param('id') ?? '', b.data)) : b.res;
    });
  action('post', '/:id/acknowledge', Note, (ctx, id, b) => acknowledge(ctx, id, b.note));
  action('post', '/:id/start', Note, (ctx, id, b) => startWork(ctx, id, b.note));
  action('post', '/:id/onsite', Onsite, (ctx, id, b) => recordOnsite(ctx, id, b));
  action('post', '/:id/assign', Assign, (ctx, id, b) => assign(ctx, id, b.assigneeId));
  action('post', '/:id/comment', Comment, (ctx, id, b) => comment(ctx, id, b.text, b.public));
  action('post', '/:id/resolve', Note, (ctx, id, b) => resolve(ctx, id, b.note));
  action('post', '/:id/confirm-close', Note, (ctx, id, b) => confirmClose(ctx, id, b.note));
  action('post', '/:id/reopen', Reopen, (ctx, id, b) => reopen(ctx, id, b.reason));
  action('patch', '/:id/report', ReportFields, (ctx, id, b) => updateReportFields(ctx, id, b));

  // GET /:id/report, the fault-handling report, is the reports room's (reports/fault-routes.ts): it is laid out like the inspection report.
  return app;
}
