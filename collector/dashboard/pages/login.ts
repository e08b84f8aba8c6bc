import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { clientIp, passwordGate } from '../../http/password-gate.js';
import { createLogger } from '../../../shared/logger.js';
import { CSRF_FIELD, LOGIN_CSRF_COOKIE, SESSION_COOKIE, type DashEnv } from '../../page-kit/env.js';
import { LANG_COOKIE } from '../../page-kit/i18n/index.js';
import { page } from '../../page-kit/layout.js';
import { safeLocalPath } from '../../page-kit/format.js';
import { createSession, deleteSession, findSession, newRandomToken, tokensEqual } from '../sessions.js';
import { clearSessionCookie, cookieIsSecure, setSessionCookie } from '../session-auth.js';
import { auditRequest } from '../../audit/middleware.js';

const log = createLogger('dashboard.login');

const LoginForm = z.object({
  username: z.string().trim().min(1).max(100),
  password: z.string().min(1).max(1000),
  [CSRF_FIELD]: z.string().min(1),
  next: z.string().max(2000).optional(),
});

type Problem = 'failed' | 'blocked' | 'expired' | undefined;

/** The form, with a fresh login CSRF token in a cookie and a hidden field (double submit: no session exists yet). */
function loginPage(c: Context<DashEnv>, problem: Problem, status: 200 | 400 | 401 | 429 = 200) {
  const t = c.get('t');
  // Reuse a live token: a second GET (another tab, a redirected background request) must not void the first form.
  const existing = getCookie(c, LOGIN_CSRF_COOKIE);
  const token = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : newRandomToken();
  setCookie(c, LOGIN_CSRF_COOKIE, token, { path: '/login', httpOnly: true, sameSite: 'Strict', secure: cookieIsSecure(c), maxAge: 3600 });
  const next = safeLocalPath(c.req.query('next') ?? undefined);
  const message = problem ? html`<p class="flash error" role="alert" id="login-error">${t(`login.${problem}`)}</p>` : '';
  c.status(status);
  return page(
    c,
    t('login.title'),
    html`${message}
      <form method="post" action="/login" class="login">
        <input type="hidden" name="${CSRF_FIELD}" value="${token}">
        <input type="hidden" name="next" value="${next}">
        <label>${t('login.username')} <input name="username" id="username" autocomplete="username" required></label>
        <label>${t('login.password')} <input name="password" id="password" type="password" autocomplete="current-password" required></label>
        <button type="submit" id="login-submit">${t('login.submit')}</button>
      </form>`,
  );
}

export function loginRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db, now } = deps;
  const gate = passwordGate(db);
  const app = new Hono<DashEnv>();

  app.get('/login', (c) => {
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid && findSession(db, sid, now())) return c.redirect(safeLocalPath(c.req.query('next')), 303);
    return loginPage(c, undefined);
  });

  app.post('/login', async (c) => {
    const form = LoginForm.safeParse(await c.req.parseBody());
    if (!form.success) return loginPage(c, 'failed', 400);
    if (!tokensEqual(form.data[CSRF_FIELD], getCookie(c, LOGIN_CSRF_COOKIE) ?? '\0')) return loginPage(c, 'expired', 400);
    const at = now();
    const ip = clientIp(c);
    const check = await gate.check(form.data.username, form.data.password, ip, at);
    if (check.outcome === 'throttled') {
      log.warn({ username: form.data.username, ip }, 'login refused: too many failures');
      auditRequest(db, c, { at, action: 'login-throttled', user: { id: null, username: form.data.username, role: null }, status: 429 });
      c.header('Retry-After', String(check.retryAfterSec));
      return loginPage(c, 'blocked', 429);
    }
    if (check.outcome === 'wrong') {
      log.info({ username: form.data.username, ip }, 'login failed');
      auditRequest(db, c, { at, action: 'login-failed', user: { id: null, username: form.data.username, role: null }, status: 401 });
      return loginPage(c, 'failed', 401);
    }
    const { user } = check;
    const { sessionId } = createSession(db, user.id, at);
    setSessionCookie(c, sessionId);
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login' });
    log.info({ username: user.username, role: user.role }, 'logged in');
    auditRequest(db, c, { at, action: 'login', user, status: 303 });
    return c.redirect(safeLocalPath(form.data.next), 303);
  });

  /** The language toggle: only a preference cookie changes, nothing on the server. */
  app.get('/lang/:lang', (c) => {
    const lang = c.req.param('lang');
    if (lang === 'zh' || lang === 'en') {
      setCookie(c, LANG_COOKIE, lang, { path: '/', sameSite: 'Lax', secure: cookieIsSecure(c), maxAge: 365 * 86400 });
    }
    return c.redirect(safeLocalPath(c.req.query('back')), 303);
  });

  return app;
}

/** Logout sits behind requireLogin + requireCsrf (a cross-site page cannot log the user out). */
export function logoutRoute(db: Db, now: () => number = Date.now): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.post('/logout', (c) => {
    auditRequest(db, c, { at: now(), action: 'logout', user: c.get('user'), status: 303 });
    const sid = getCookie(c, SESSION_COOKIE);
    if (sid) deleteSession(db, sid);
    clearSessionCookie(c);
    return c.redirect('/login', 303);
  });
  return app;
}
