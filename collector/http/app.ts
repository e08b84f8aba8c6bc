import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './context.js';
import type { Db } from '../db/database.js';
import { visibleCustomerIds } from '../db/users.js';
import type { MetricsStore } from '../metrics/store.js';
import { createLogger } from '../../shared/logger.js';
import { LoginThrottled, type Authenticator } from './basic-auth.js';
import { enrollRoutes } from './routes/enroll.js';
import { hostRoutes } from './routes/hosts.js';
import { agentRoutes } from './routes/agents.js';
import { customerRoutes } from './routes/customers.js';

const log = createLogger('http');

/** Routes that other parts of the collector add under /api (tickets, reports, ...). */
export interface MountedRoutes {
  path: string;
  routes: Hono<AppEnv>;
}

export interface AppDeps {
  db: Db;
  store: MetricsStore;
  now(): number;
  authenticators: Authenticator[];
  /** Routes outside /api that handle their own auth (the dashboard pages). */
  pages?: Hono;
  apiRoutes?: MountedRoutes[];
  onAgentRevoked(agentId: string): void;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    log.error({ err, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  });
  app.use('*', async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
  });
  // 1 MiB is far above any legitimate API body and keeps a bad client from filling memory.
  app.use('/api/*', bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.json({ error: 'request body too large (limit 1 MiB)' }, 413) }));

  app.get('/health', (c) => c.json({ ok: true, store: deps.store.kind }));
  app.route('/api/enroll', enrollRoutes(deps));

  const api = new Hono<AppEnv>();
  const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
    for (const auth of deps.authenticators) {
      let user;
      try {
        user = await auth(c, deps.now());
      } catch (err) {
        if (!(err instanceof LoginThrottled)) throw err;
        c.header('Retry-After', String(err.retryAfterSec));
        return c.json({ error: 'too many failed logins for this user from this address', retryAfterSec: err.retryAfterSec }, 429);
      }
      if (user) {
        c.set('user', user);
        c.set('customerIds', visibleCustomerIds(deps.db, user));
        return next();
      }
    }
    c.header('WWW-Authenticate', 'Basic realm="patrol"');
    return c.json({ error: 'authentication required' }, 401);
  };
  api.use('*', requireUser);
  api.get('/me', (c) => c.json({ user: c.get('user'), customerIds: c.get('customerIds') ?? null }));
  api.route('/hosts', hostRoutes(deps));
  api.route('/customers', customerRoutes(deps));
  api.route('/', agentRoutes(deps));
  for (const m of deps.apiRoutes ?? []) api.route(m.path, m.routes);
  app.route('/api', api);
  if (deps.pages) app.route('/', deps.pages);
  return app;
}
