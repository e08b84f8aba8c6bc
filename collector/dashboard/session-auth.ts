import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Db } from '../db/database.js';
import { visibleCustomerIds } from '../db/users.js';
import type { Authenticator } from '../http/basic-auth.js';
import { CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, type DashEnv } from '../page-kit/env.js';
import { findSession, SESSION_MAX_MS, tokensEqual } from './sessions.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Secure only over https (or when PATROL_COOKIE_SECURE=1): on plain http to 127.0.0.1 a Secure cookie
 * would never come back and nobody could log in.
 */
export function cookieIsSecure(c: Context): boolean {
  if (process.env.PATROL_COOKIE_SECURE === '1') return true;
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

export function setSessionCookie(c: Context, sessionId: string): void {
  setCookie(c, SESSION_COOKIE, sessionId, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure: cookieIsSecure(c),
    maxAge: Math.floor(SESSION_MAX_MS / 1000),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: cookieIsSecure(c) });
}

/**
 * The session cookie as an API credential, so that the browser's fetches to /api/* work. A state-changing
 * request with the cookie must carry the session's CSRF token in X-CSRF-Token; without it the cookie
 * counts for nothing and the request is refused (401). Basic-auth callers (CLI) never reach this check.
 */
export function sessionAuthenticator(db: Db, now: () => number): Authenticator {
  return (c) => {
    const sid = getCookie(c, SESSION_COOKIE);
    if (!sid) return undefined;
    const session = findSession(db, sid, now());
    if (!session) return undefined;
    if (!SAFE_METHODS.has(c.req.method) && !tokensEqual(c.req.header(CSRF_HEADER), session.csrfToken)) return undefined;
    return session.user;
  };
}

/** Pages behind the login: sets user, customerIds and csrfToken, or sends the browser to /login. */
export function requireLogin(db: Db, now: () => number): MiddlewareHandler<DashEnv> {
  return async (c, next) => {
    const sid = getCookie(c, SESSION_COOKIE);
    const session = sid ? findSession(db, sid, now()) : undefined;
    if (!session) {
      if (c.req.method !== 'GET') return c.text('login required', 401);
      const back = c.req.path + (new URL(c.req.url).search || '');
      return c.redirect(`/login?next=${encodeURIComponent(back)}`, 303);
    }
    c.set('user', session.user);
    c.set('customerIds', visibleCustomerIds(db, session.user));
    c.set('csrfToken', session.csrfToken);
    return next();
  };
}

/** Every state-changing page request carries the session's CSRF token (form field or header). */
export const requireCsrf: MiddlewareHandler<DashEnv> = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  let given = c.req.header(CSRF_HEADER);
  if (!given) {
    const type = c.req.header('content-type') ?? '';
    if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
      const body = await c.req.parseBody();
      const v = body[CSRF_FIELD];
      given = typeof v === 'string' ? v : undefined;
    }
  }
  if (!tokensEqual(given, c.get('csrfToken'))) return c.text('missing or wrong CSRF token', 403);
  return next();
};
