import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../context.js';
import { getHost } from '../../db/hosts.js';
import { activeMaintenance, addMaintenance, deleteMaintenance, listMaintenance, MaintenanceInputSchema } from '../../tickets/maintenance.js';
import { canSeeCustomer, forbidden, isStaff, notFound, parseQuery, readBody, type TicketRouteDeps } from '../../tickets/route-support.js';

const ListQuery = z.object({ active: z.enum(['true', 'false']).transform((v) => v === 'true').optional() });

/** /api/maintenance: windows that hold back ticket opening (per host, tag or customer). */
export function maintenanceRoutes(deps: TicketRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', (c) => {
    const q = parseQuery(c, ListQuery);
    if (!q.ok) return q.response;
    const ids = c.get('customerIds');
    return c.json({ windows: q.value.active ? activeMaintenance(deps.db, deps.now(), ids) : listMaintenance(deps.db, ids) });
  });
  app.post('/', async (c) => {
    if (!isStaff(c)) return forbidden(c);
    const b = await readBody(c, MaintenanceInputSchema);
    if (!b.ok) return b.response;
    if (!canSeeCustomer(c, b.value.customerId)) return notFound(c);
    if (b.value.hostId && getHost(deps.db, b.value.hostId, [b.value.customerId]) === undefined) {
      return c.json({ error: 'that host does not belong to this customer' }, 400);
    }
    return c.json({ window: addMaintenance(deps.db, b.value, c.get('user').id, deps.now()) }, 201);
  });
  app.delete('/:id', (c) => {
    if (!isStaff(c)) return forbidden(c);
    return deleteMaintenance(deps.db, c.req.param('id'), c.get('customerIds')) ? c.body(null, 204) : notFound(c);
  });
  return app;
}
