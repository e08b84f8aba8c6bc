import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import type { Db } from '../db/database.js';
import { createEnrollmentToken, findEnrollmentToken, listAgents, listEnrollmentTokens, revokeEnrollmentToken } from '../db/agents.js';
import { revokeAgentAndRetireHost } from '../tickets/host-retirement.js';
import { getCustomer } from '../db/customers.js';
import { parseJson } from '../http/params.js';

const NewTokenSchema = z.object({
  customerId: z.string().min(1),
  ttlHours: z.number().positive().max(24 * 30).default(24),
  note: z.string().max(200).default(''),
});

const TokenLookupSchema = z.object({ token: z.string().min(10).max(200) });

/** Enrollment tokens and agent keys; customer users may look but not change. */
export function agentRoutes(deps: { db: Db; now(): number; onAgentRevoked(agentId: string): void }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { db, now } = deps;
  const canManage = (role: string) => role === 'admin' || role === 'engineer';

  app.get('/agents', (c) => c.json({ agents: listAgents(db, c.get('customerIds')) }));

  // The key stops working and the agent's host is retired (see revokeAgentAndRetireHost).
  app.post('/agents/:id/revoke', (c) => {
    if (!canManage(c.get('user').role)) return c.json({ error: 'only engineers and admins revoke agents' }, 403);
    const r = revokeAgentAndRetireHost(db, c.req.param('id'), now(), c.get('customerIds'));
    if (!r) return c.json({ error: 'agent not found' }, 404);
    deps.onAgentRevoked(r.agentId);
    return c.json({ revoked: true, hostId: r.hostId, hostRetired: true, ticketsResolved: r.ticketsResolved });
  });

  app.get('/enrollment-tokens', (c) => c.json({ tokens: listEnrollmentTokens(db, c.get('customerIds')) }));

  // Which customer a token enrolls into, before it is handed to a host (`patrol deploy`). POST: the token is a
  // secret and stays out of URLs and access logs. Read-only: the token is not used.
  app.post('/enrollment-tokens/lookup', async (c) => {
    const body = await parseJson(c, TokenLookupSchema);
    if (!body.ok) return body.res;
    const record = findEnrollmentToken(db, body.data.token, c.get('customerIds'));
    if (!record) return c.json({ error: 'enrollment token not recognised' }, 404);
    return c.json({ token: record });
  });

  app.post('/enrollment-tokens', async (c) => {
    if (!canManage(c.get('user').role)) return c.json({ error: 'only engineers and admins create tokens' }, 403);
    const body = await parseJson(c, NewTokenSchema);
    if (!body.ok) return body.res;
    const ids = c.get('customerIds');
    if (!getCustomer(db, body.data.customerId) || (ids && !ids.includes(body.data.customerId))) {
      return c.json({ error: 'customer not found' }, 404);
    }
    const { token, record } = createEnrollmentToken(db, body.data.customerId, now(), { ttlMs: body.data.ttlHours * 3600_000, note: body.data.note });
    // The token itself is shown once, here; only its hash is stored.
    return c.json({ token, record }, 201);
  });

  app.delete('/enrollment-tokens/:id', (c) => {
    if (!canManage(c.get('user').role)) return c.json({ error: 'only engineers and admins revoke tokens' }, 403);
    if (!revokeEnrollmentToken(db, c.req.param('id'), now(), c.get('customerIds'))) return c.json({ error: 'token not found' }, 404);
    return c.json({ revoked: true });
  });

  return app;
}
