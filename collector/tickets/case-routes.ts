import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { SEVERITIES } from '../contracts/contract-store.js';
import { parseJson } from '../http/params.js';
import { notFound, type RouteDeps } from '../http/access.js';
import { DOMAINS } from './case-types.js';
import { changeSeverity, escalateToTier, getRating, markOnsiteNeeded, rateCase, setDomain } from './case-actions.js';
import { openCase, OpenCaseSchema } from './open-case.js';
import { findTicket } from './ticket-store.js';
import type { ActionContext, ActionResult } from './ticket-actions.js';

const REFUSAL_STATUS = { 'not-found': 404, forbidden: 403, conflict: 409, invalid: 400 } as const;

function answer(c: Context<AppEnv>, r: ActionResult, okStatus: 200 | 201 = 200): Response {
  if (r.ok) return c.json({ ticket: r.ticket }, okStatus);
  return c.json({ error: r.message }, REFUSAL_STATUS[r.error]);
}

const Reason = z.string().trim().min(1).max(4000);
const Escalate = z.object({ tier: z.union([z.literal(2), z.literal(3)]), reason: Reason });
const SeverityChange = z.object({ severity: z.enum(SEVERITIES), reason: Reason });
const DomainChange = z.object({ domain: z.enum(DOMAINS) });
const OnsiteNeeded = z.object({ reason: z.string().max(4000).default('') });
const RatingBody = z.object({ score: z.number().int().min(1).max(5), remark: z.string().max(4000).default('') });

/**
 * The case side of /api/tickets: open a case (POST /), steer it (escalate, severity, domain, on site needed) and
 * the customer's rating. Mounted beside the lifecycle routes of routes.ts.
 */
export function caseRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const ctxOf = (c: Context<AppEnv>): ActionContext => ({ db: deps.db, user: c.get('user'), customerIds: c.get('customerIds'), now: deps.now() });

  /** Staff open a case for a customer they serve (severity set); a customer user from the portal (severity proposed). */
  app.post('/', async (c) => {
    const b = await parseJson(c, OpenCaseSchema);
    if (!b.ok) return b.res;
    const ctx = ctxOf(c);
    return answer(c, openCase({ db: ctx.db, user: ctx.user, customerIds: ctx.customerIds, now: ctx.now }, b.data), 201);
  });

  const action = <S extends z.ZodType>(path: string, schema: S, run: (ctx: ActionContext, id: string, body: z.infer<S>) => ActionResult) =>
    app.post(path, async (c) => {
      const b = await parseJson(c, schema, { emptyIsObject: true });
      return b.ok ? answer(c, run(ctxOf(c), c.req.param('id') ?? '', b.data)) : b.res;
    });
  action('/:id/escalate', Escalate, (ctx, id, b) => escalateToTier(ctx, id, b.tier, b.reason));
  action('/:id/severity', SeverityChange, (ctx, id, b) => changeSeverity(ctx, id, b.severity, b.reason));
  action('/:id/domain', DomainChange, (ctx, id, b) => setDomain(ctx, id, b.domain));
  action('/:id/onsite-needed', OnsiteNeeded, (ctx, id, b) => markOnsiteNeeded(ctx, id, b.reason));
  action('/:id/rating', RatingBody, (ctx, id, b) => rateCase(ctx, id, b.score, b.remark));

  app.get('/:id/rating', (c) => {
    const t = findTicket(deps.db, c.req.param('id'), { customerIds: c.get('customerIds'), now: deps.now() });
    if (!t) return notFound(c);
    return c.json({ rating: getRating(deps.db, t.id) ?? null });
  });
  return app;
}
