import { Hono } from 'hono';
import type { AppEnv } from '../http/context.js';
import { parseJson } from '../http/params.js';
import type { Db } from '../db/database.js';
import { getHost } from '../db/hosts.js';
import { getRemoteAccess, getRemoteAllowances, RemoteAllowancesSchema, setRemoteAllowances } from './remote-hosts.js';

/**
 * /api/hosts/:id/allowances: what an admin allowed for one agentless host beyond the safe defaults (more
 * command folders or exact command lines for script checks over SSH, other targets, loopback / link-local /
 * metadata addresses). Engineers of the host's customer read it; only an admin changes it. A PUT replaces the
 * whole set; the host's checks all run again at the poller's next round. Changing the host's address clears it.
 */
export function allowanceRoutes(deps: { db: Db; now(): number }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { db, now } = deps;

  app.get('/:id/allowances', (c) => {
    const role = c.get('user').role;
    const host = getHost(db, c.req.param('id'), c.get('customerIds'));
    if (!host || (role !== 'admin' && role !== 'engineer')) return c.json({ error: 'host not found' }, 404);
    if (!getRemoteAccess(db, host)) return c.json({ error: 'a host with an agent keeps its allow-list in its own agent.json, not here' }, 400);
    return c.json({ hostId: host.id, allowances: getRemoteAllowances(db, host.id) });
  });

  app.put('/:id/allowances', async (c) => {
    const host = getHost(db, c.req.param('id'), c.get('customerIds'));
    if (!host) return c.json({ error: 'host not found' }, 404);
    if (c.get('user').role !== 'admin') {
      return c.json({ error: 'only admins change what the collector may run on or connect to for a host' }, 403);
    }
    if (!getRemoteAccess(db, host)) return c.json({ error: 'a host with an agent keeps its allow-list in its own agent.json, not here' }, 400);
    const body = await parseJson(c, RemoteAllowancesSchema);
    if (!body.ok) return body.res;
    setRemoteAllowances(db, host.id, body.data, now());
    return c.json({ hostId: host.id, allowances: getRemoteAllowances(db, host.id) });
  });

  return app;
}
