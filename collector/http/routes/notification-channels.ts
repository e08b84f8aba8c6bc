import { Hono } from 'hono';
import type { AppEnv } from '../context.js';
import { ChannelInputSchema, ChannelPatchSchema, createChannel, deleteChannel, getChannel, listChannels, updateChannel } from '../../notify/channels.js';
import { listDeliveries, sendTestMessage } from '../../notify/notifier.js';
import { forbidden, isStaff, notFound, readBody, type TicketRouteDeps } from '../../tickets/route-support.js';

/**
 * /api/notification-channels: webhooks, chat robots and SMTP. Staff read (secrets are never returned);
 * admins create, change, delete and test. GET /deliveries is the delivery log.
 */
export function notificationChannelRoutes(deps: TicketRouteDeps): Hono<AppEnv> {
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
    const b = await readBody(c, ChannelInputSchema);
    if (!b.ok) return b.response;
    return c.json({ channel: createChannel(deps.db, b.value, deps.now()) }, 201);
  });
  app.patch('/:id', async (c) => {
    if (!adminOnly(c.get('user').role)) return forbidden(c, 'only admins manage channels');
    const b = await readBody(c, ChannelPatchSchema);
    if (!b.ok) return b.response;
    try {
      const ch = updateChannel(deps.db, c.req.param('id'), b.value);
      return ch ? c.json({ channel: ch }) : notFound(c);
    } catch (err) {
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
