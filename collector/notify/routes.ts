import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/context.js';
import {
  ChannelCustomerError,
  ChannelInputSchema,
  ChannelPatchSchema,
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  updateChannel,
} from './channels.js';
import { listDeliveries, sendTestMessage } from './notifier.js';
import { parseJson } from '../http/params.js';
import { forbidden, isStaff, notFound, type RouteDeps } from '../http/access.js';

/** A channel's customer the caller may not use: 404 `customer not found`, or 403 for "all customers". */
const customerRefused = (c: Context<AppEnv>, err: ChannelCustomerError) => c.json({ error: err.message }, err.problem === 'not-found' ? 404 : 403);

/**
 * /api/notification-channels: webhooks, chat robots and SMTP. Staff read, and no answer carries a secret: not the
 * SMTP password or signing secret (only hasPassword/hasSecret), not a webhook header's value (its name with
 * "(stored)"), not a URL's tokens (query values and robot path tokens as "****"; a PATCH sending that masked
 * URL back keeps the stored one, and a webhook's headers are kept unless `config.headers` is sent);
 * admins create, change, delete and test. GET /deliveries is the delivery log. A channel's customer (null =
 * all customers) is set on create and may be changed by PATCH; a customer that does not exist or that the
 * caller does not see is 404 `customer not found`, and "all customers" is for unrestricted callers only.
 */
export function notificationChannelRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const adminOnly = (role: string) => role === 'admin';
  app.get('/', (c) => (isStaff(c) ? c.json({ channels: listChannels(deps.db, c.get('customerIds')) }) : forbidden(c)));
  app.get('/deliveries', (c) => (isStaff(c) ? c.json({ deliveries: listDeliveries(deps.db, { customerIds: c.get('customerIds') }) }) : forbidden(c)));
  app.get('/:id', (c) => {
    if (!isStaff(c)) return forbidden(c);
    const ch = getChannel(deps.db, c.req.param('id'), c.get('customerIds'));
    return ch ? c.json({ channel: ch }) : notFound(c);
  });
  app.post('/', async (c) => {
    if (!adminOnly(c.get('user').role)) return forbidden(c, 'only admins manage channels');
    const b = await parseJson(c, ChannelInputSchema);
    if (!b.ok) return b.res;
    try {
      return c.json({ channel: createChannel(deps.db, b.data, deps.now(), c.get('customerIds')) }, 201);
    } catch (err) {
      if (err instanceof ChannelCustomerError) return customerRefused(c, err);
      throw err;
    }
  });
  app.patch('/:id', async (c) => {
    if (!adminOnly(c.get('user').role)) return forbidden(c, 'only admins manage channels');
    const b = await parseJson(c, ChannelPatchSchema);
    if (!b.ok) return b.res;
    try {
      const ch = updateChannel(deps.db, c.req.param('id'), b.data, c.get('customerIds'));
      return ch ? c.json({ channel: ch }) : notFound(c);
    } catch (err) {
      if (err instanceof ChannelCustomerError) return customerRefused(c, err);
      return c.json({ error: 'invalid channel config', detail: (err as Error).message }, 400);
    }
  });
  app.delete('/:id', (c) => {
    if (!adminOnly(c.get('user').role)) return forbidden(c, 'only admins manage channels');
    return deleteChannel(deps.db, c.req.param('id')) ? c.body(null, 204) : notFound(c);
  });
  app.post('/:id/test', async (c) => {
    if (!adminOnly(c.get('user').role)) return forbidden(c, 'only admins manage channels');
    if (!getChannel(deps.db, c.req.param('id'))) return notFound(c);
    const r = await sendTestMessage(deps.db, c.req.param('id'), deps.now());
    return c.json(r, r.ok ? 200 : 502);
  });
  return app;
}
