import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { getUser } from '../db/users.js';
import { recipientsOf, setUserContact, UserContactSchema } from './contacts.js';
import { addShift, deleteShift, listShifts, onDutyUserIds, OncallShiftInputSchema } from './rota-store.js';
import { parseJson, parseQuery } from '../http/params.js';
import { canSeeCustomer, forbidden, isStaff, notFound, type RouteDeps } from '../http/access.js';

const NowQuery = z.object({ tier: z.enum(['1', '2', '3']).transform(Number), customerId: z.string().min(1) });

/** /api/oncall: the L1/L2/L3 rota. Staff read it; admins edit it. */
export function oncallRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', (c) => {
    if (!isStaff(c)) return forbidden(c);
    return c.json({ shifts: listShifts(deps.db, c.get('customerIds')) });
  });
  app.get('/now', (c) => {
    if (!isStaff(c)) return forbidden(c);
    const q = parseQuery(c, NowQuery);
    if (!q.ok) return q.res;
    if (!canSeeCustomer(c, q.data.customerId)) return notFound(c);
    const ids = onDutyUserIds(deps.db, q.data.tier as 1 | 2 | 3, q.data.customerId, deps.now());
    return c.json({ onDuty: recipientsOf(deps.db, ids).map((r) => ({ userId: r.userId, name: r.name })) });
  });
  app.post('/', async (c) => {
    if (c.get('user').role !== 'admin') return forbidden(c, 'only admins edit the rota');
    const b = await parseJson(c, OncallShiftInputSchema);
    if (!b.ok) return b.res;
    const u = getUser(deps.db, b.data.userId);
    if (!u || u.role === 'customer') return c.json({ error: 'the user must be an engineer or admin' }, 400);
    return c.json({ shift: addShift(deps.db, b.data, deps.now()) }, 201);
  });
  /** Where on-duty notifications reach a staff user (e-mail; phone for chat @-mentions). */
  app.put('/contacts/:userId', async (c) => {
    const me = c.get('user');
    const userId = c.req.param('userId');
    if (me.role !== 'admin' && !(me.role === 'engineer' && me.id === userId)) return forbidden(c, 'admins, or engineers for themselves');
    const u = getUser(deps.db, userId);
    if (!u || u.role === 'customer') return notFound(c);
    const b = await parseJson(c, UserContactSchema);
    if (!b.ok) return b.res;
    setUserContact(deps.db, userId, b.data);
    return c.json({ userId, ...b.data });
  });
  app.delete('/:id', (c) => {
    if (c.get('user').role !== 'admin') return forbidden(c, 'only admins edit the rota');
    return deleteShift(deps.db, c.req.param('id')) ? c.body(null, 204) : notFound(c);
  });
  return app;
}
