import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/context.js';
import type { Db } from '../db/database.js';
import { ensureCustomer, getCustomer, listCustomers } from '../db/customers.js';
import { parseJson } from '../http/params.js';

const NewCustomerSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
  name: z.string().min(1).max(200),
});

export function customerRoutes(deps: { db: Db; now(): number }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/', (c) => c.json({ customers: listCustomers(deps.db, c.get('customerIds')) }));
  app.post('/', async (c) => {
    if (c.get('user').role !== 'admin') return c.json({ error: 'only admins create customers' }, 403);
    const body = await parseJson(c, NewCustomerSchema);
    if (!body.ok) return body.res;
    if (getCustomer(deps.db, body.data.id)) return c.json({ error: `customer ${body.data.id} exists` }, 409);
    return c.json({ customer: ensureCustomer(deps.db, body.data.id, body.data.name, deps.now()) }, 201);
  });
  return app;
}
