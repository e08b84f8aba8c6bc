import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './context.js';
import type { Db } from '../db/database.js';
import { visibleCustomerIds } from '../db/users.js';
import type { MetricsStore } from '../metrics/store.js';
import { createLogger } from '../../shared/logger.js';
import { LoginThrottled, type Authenticator } from './basic-auth.js';
import { isApiPath } from './api-path.js';

const log = createLogger('http');

/** 1 MiB is far above any legitimate API body (a template with a hundred checks is ~50 KiB). */
export const API_BODY_LIMIT = 1024 * 1024;
/** Dashboard forms (and /login) carry a few fields; the largest, a template's checks as JSON text, stays far below. */
export const PAGE_BODY_LIMIT = 256 * 1024;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Routes under /api, behind the login: the collector's own (hosts, customers, agents, the audit log) and its parts' (tickets, reports, ...). */
export interface MountedRoutes {
  path: string;
  routes: Hono<AppEnv>;
}

/** Routes that need no login, at their full path (an agent enrolling with its token). */
export interface PublicRoutes {
  path: string;
  routes: Hono;
}

export interface AppDeps {
  db: Db;
  store: MetricsStore;
  now(): number;
  authenticators: Authenticator[];
  /** Routes outside /api that handle their own auth (the dashboard pages). */
  pages?: Hono;
  /** Mounted in this order under /api; the app knows none of them (server.ts brings them). */
  apiRoutes?: MountedRoutes[];
  publicRoutes?: PublicRoutes[];
  /** Run on every request after the body, site and content-type guards, before any route (the audit log). */
  middleware?: MiddlewareHandler[];
}

/**
 * One body limit for every route, checked before anything reads a body (the audit log reads it first): a
 * client cannot make the collector buffer more than this, on any path, logged in or not.
 */
const limitBody: MiddlewareHandler = (() => {
  // Connection: close, because the rest of the body is never read: a client must not send its next request
  // on a connection the server is about to drop.
  const close = { connection: 'close' };
  const api = bodyLimit({ maxSize: API_BODY_LIMIT, onError: (c) => c.json({ error: 'request body too large (limit 1 MiB)' }, 413, close) });
  const pages = bodyLimit({ maxSize: PAGE_BODY_LIMIT, onError: (c) => c.text('request body too large (limit 256 KiB)', 413, close) });
  return (c, next) => (isApiPath(c.req.path) ? api(c, next) : pages(c, next));
})();

/**
 * A browser says where a request comes from (Sec-Fetch-Site); a change asked by another site's page is
 * refused whatever credentials ride along. Defence in depth: SameSite cookies, the CSRF token and the JSON-only
 * API already stop it. Clients that are not browsers send no such header.
 */
const refuseCrossSite: MiddlewareHandler = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  const site = c.req.header('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') {
    log.warn({ path: c.req.path, site }, 'cross-site change refused');
    return isApiPath(c.req.path) ? c.json({ error: 'cross-site request refused' }, 403) : c.text('cross-site request refused', 403);
  }
  return next();
};

/**
 * Every write under /api (agents' enrollment included: agents send JSON) is JSON, and says so. A cross-site
 * HTML form can only send form or text bodies, and a page script cannot send application/json elsewhere
 * without a CORS preflight this collector never grants, so no credential a browser holds (a cached Basic
 * login, a cookie) can be ridden into an API change. Bodiless writes (DELETE) must carry the header too.
 */
const requireJsonWrites: MiddlewareHandler = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method) || !isApiPath(c.req.path)) return next();
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    return c.json({ error: `API writes must be sent with Content-Type: application/json (got ${type || 'none'})` }, 415);
  }
  return next();
};

/**
 * A page form that cannot be read (a broken multipart body) is the client's error, not the collector's: without
 * this every page handler's parseBody() threw it as a 500 (test/fuzz/http-bodies.test.ts). The parsed form is
 * cached by hono, so handlers read it again for free.
 */
const refuseUnreadableForms: MiddlewareHandler = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method) || isApiPath(c.req.path)) return next();
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
    try {
      await c.req.parseBody();
    } catch {
      return c.text('the form could not be read', 400);
    }
  }
  return next();
};

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
  app.use('*', limitBody);
  app.use('*', refuseCrossSite);
  app.use('*', requireJsonWrites);
  app.use('*', refuseUnreadableForms);
  for (const m of deps.middleware ?? []) app.use('*', m);

  app.get('/health', (c) => c.json({ ok: true, store: deps.store.kind }));
  for (const r of deps.publicRoutes ?? []) app.route(r.path, r.routes);

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
    // The Basic challenge only to a client that tried a credential: a browser that gets one offers a login box
    // and then sends the typed password with every request to this origin, cross-site form posts included.
    if (c.req.header('authorization')) c.header('WWW-Authenticate', 'Basic realm="patrol", charset="UTF-8"');
    return c.json({ error: 'authentication required' }, 401);
  };
  api.use('*', requireUser);
  api.get('/me', (c) => c.json({ user: c.get('user'), customerIds: c.get('customerIds') ?? null }));
  for (const m of deps.apiRoutes ?? []) api.route(m.path, m.routes);
  app.route('/api', api);
  if (deps.pages) app.route('/', deps.pages);
  return app;
}
