import { Hono } from 'hono';
import type { AppEnv } from '../http/context.js';
import { getCustomer } from '../db/customers.js';
import { ContractSchema, getContract, setContract } from './contract-store.js';
import { parseJson } from '../http/params.js';
import { canSeeCustomer, forbidden, notFound, type RouteDeps } from '../http/access.js';

/** /api/contracts/:customerId: the SLA contract (defaults when none is stored); admins change it. */
export function contractRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/:customerId', (c) => {
    const id = c.req.param('customerId');
    if (!canSeeCustomer(c, id) || !getCustomer(deps.db, id)) return notFound(c);
    return c.json({ contract: getContract(deps.db, id) });
  });
  app.put('/:customerId', async (c) => {
    const id = c.req.param('customerId');
    if (!canSeeCustomer(c, id) || !getCustomer(deps.db, id)) return notFound(c);
    if (c.get('user').role !== 'admin') return forbidden(c, 'only admins change contracts');
    const b = await parseJson(c, ContractSchema);
    if (!b.ok) return b.res;
    return c.json({ contract: setContract(deps.db, id, b.data, deps.now()) });
  });
  return app;
}
