import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import { getHost } from '../db/hosts.js';
import { activeMaintenance, addMaintenance, deleteMaintenance, listMaintenance, MaintenanceInputSchema } from './window-store.js';
import { parseJson, parseQuery } from '../http/params.js';
import { canSeeCustomer, forbidden, isStaff, notFound, type RouteDeps } from '../http/access.js';

const ListQuery = z.object({ active: z.enum(['true', 'false']).transform((v) => v === 'true').optional() });

/** /api/maintenance: windows that hold back ticket opening (per host, tag or customer). */
export function maintenanceRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', (c) => {
    const q = parseQuery(c, ListQuery);
    if (!q.ok) return q.res;
    const ids = c.get('customerIds');
    return c.json({ windows: q.data.active ? activeMaintenance(deps.db, deps.now(), ids) : listMaintenance(deps.db, ids) });
  });
  app.post('/', async (c) => {
    if (!isStaff(c)) return forbidden(c);
    const b = await parseJson(c, MaintenanceInputSchema);
    if (!b.ok) return b.res;
    if (!canSeeCustomer(c, b.data.customerId)) return notFound(c);
    if (b.data.hostId && getHost(deps.db, b.data.hostId, [b.data.customerId]) === undefined) {
      return c.json({ error: 'that host does not belong to this customer' }, 400);
    }
    return c.json({ window: addMaintenance(deps.db, b.data, c.get('user').id, deps.now()) }, 201);
  });
  app.delete('/:id', (c) => {
    if (!isStaff(c)) return forbidden(c);
    return deleteMaintenance(deps.db, c.req.param('id'), c.get('customerIds')) ? c.body(null, 204) : notFound(c);
  });
  return app;
}
