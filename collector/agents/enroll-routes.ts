import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { enrollAgent } from '../db/agents.js';
import { createLogger } from '../../shared/logger.js';
import { parseJson } from '../http/params.js';
import { recordedCollectorCa } from '../db/collector-ca.js';
import { formatPin } from '../../shared/tls-pin.js';

const log = createLogger('enroll');

const EnrollSchema = z.object({
  token: z.string().min(10).max(200),
  hostname: z.string().min(1).max(255),
});

const REASONS: Record<string, string> = {
  'unknown-token': 'enrollment token not recognised',
  'token-used': 'enrollment token was already used (tokens work once)',
  'token-expired': 'enrollment token has expired; ask for a new one',
  'token-revoked': 'enrollment token was revoked',
};

/**
 * POST /api/enroll: trade a one-time token for an agent key. The only agent route without a key.
 * GET /api/enroll/ca: the CA certificate agents pin. Public on purpose (a certificate is no secret): an agent fetches
 * it before it trusts anything and keeps it only if its SHA-256 equals the pin its token carries.
 */
export function enrollRoutes(deps: { db: Db; now(): number }): Hono {
  const app = new Hono();
  app.get('/ca', (c) => {
    const ca = recordedCollectorCa(deps.db);
    if (!ca) return c.json({ error: 'this collector has no CA to pin (TLS off, or a certificate of your own PKI without PATROL_TLS_CA)' }, 404);
    return c.json({ caPem: ca.caPem, pin: formatPin(ca.pin) });
  });
  app.post('/', async (c) => {
    const body = await parseJson(c, EnrollSchema);
    if (!body.ok) return body.res;
    const r = enrollAgent(deps.db, body.data.token, body.data.hostname, deps.now());
    if (!r.ok) {
      log.warn({ reason: r.reason, hostname: body.data.hostname }, 'enrollment refused');
      return c.json({ error: REASONS[r.reason], reason: r.reason }, 401);
    }
    log.info({ agentId: r.agentId, customer: r.customerId, hostname: body.data.hostname }, 'agent enrolled');
    return c.json({ agentId: r.agentId, agentKey: r.agentKey, hostId: r.hostId, customerId: r.customerId }, 201);
  });
  return app;
}
