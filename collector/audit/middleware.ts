import type { Context, MiddlewareHandler } from 'hono';
import type { Db } from '../db/database.js';
import type { User } from '../db/users.js';
import { clientIp } from '../http/password-gate.js';
import { isApiPath } from '../http/api-path.js';
import type { LoginRefusals } from '../http/basic-auth.js';
import { createLogger } from '../../shared/logger.js';
import { parseBodyForAudit, summarize } from './redact.js';
import { recordAudit, type AuditAction } from './store.js';

const log = createLogger('audit');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Requests whose handler wrote its own, more precise entry (login, logout): the middleware adds none. */
const recordedByHandler = new WeakSet<Context>();

/** Record an entry for this request from its handler (login, logout) instead of the generic "change". */
export function auditRequest(
  db: Db,
  c: Context,
  e: { at: number; action: AuditAction; user: Pick<User, 'id' | 'username' | 'role'> | { id: null; username: string; role: null }; status: number; summary?: string | null },
): void {
  recordedByHandler.add(c);
  write(db, {
    at: e.at,
    action: e.action,
    userId: e.user.id,
    username: e.user.username,
    role: e.user.role,
    via: isApiPath(c.req.path) ? 'api' : 'dashboard',
    method: c.req.method,
    path: c.req.path,
    targetId: null,
    status: e.status,
    address: clientIp(c),
    summary: e.summary ?? null,
  });
}

function write(db: Db, entry: Parameters<typeof recordAudit>[1]): void {
  try {
    recordAudit(db, entry);
  } catch (err) {
    // The change itself is done; a failed audit write must be loud, not silently lost.
    log.error({ err, path: entry.path, username: entry.username }, 'audit entry not written');
  }
}

export { isApiPath };

/** Refused Basic logins (http/basic-auth.ts) as audit entries, like the login form's. */
export function auditLoginRefusals(db: Db): LoginRefusals {
  return (c, e) => auditRequest(db, c, { at: e.at, action: e.action, user: { id: null, username: e.username, role: null }, status: e.status });
}

/** The id of the record the matched route names: its `:id`, else the first parameter of its pattern. */
function targetId(c: Context): string | null {
  try {
    const params = c.req.param() as Record<string, string>;
    const first = /:([A-Za-z0-9_]+)/.exec(c.req.routePath)?.[1];
    const id = params.id ?? (first ? params[first] : undefined);
    return id === undefined || id === '' ? null : id;
  } catch {
    return null;
  }
}

/** A dashboard form answers a refused change with a redirect carrying ?error=: not a change, not logged. */
function refusedByRedirect(res: Response): boolean {
  if (res.status < 300 || res.status >= 400) return false;
  const location = res.headers.get('location') ?? '';
  return /[?&]error=/.test(location);
}

/**
 * Every successful (2xx/3xx) state-changing request under /api, and every dashboard form post made by a
 * logged-in user, becomes an audit entry: who, role, when, method, path, the record's id, the peer address
 * and a redacted summary of the body. The body is read before the handler (which then reads the same bytes
 * from hono's cache), because after it the stream is gone. Mounted once in http/app.ts, after the body limit.
 */
export function auditMiddleware(deps: { db: Db; now(): number }): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    let bytes: ArrayBuffer;
    try {
      bytes = await c.req.arrayBuffer();
    } catch (err) {
      // An over-long or broken body: the body limit (or the handler) answers; nothing changed.
      log.debug({ err, path: c.req.path }, 'body not read for the audit');
      return next();
    }
    await next();
    if (recordedByHandler.has(c)) return;
    const res = c.res;
    if (res.status < 200 || res.status >= 400 || refusedByRedirect(res)) return;
    const api = isApiPath(c.req.path);
    const user = (c.var as { user?: User }).user;
    // Outside /api only pages behind the login change anything (the login form writes its own entries).
    if (!api && !user) return;
    let summary: string | null = null;
    try {
      summary = summarize(await parseBodyForAudit(c.req.header('content-type'), bytes));
    } catch (err) {
      log.warn({ err, path: c.req.path }, 'body not summarised for the audit');
      summary = JSON.stringify({ _unparsed: true, bytes: bytes.byteLength });
    }
    write(deps.db, {
      at: deps.now(),
      action: 'change',
      userId: user?.id ?? null,
      // An agent enrolling is the one API write without a user: its token is the credential.
      username: user?.username ?? (c.req.path === '/api/enroll' ? '(enrollment token)' : '(none)'),
      role: user?.role ?? null,
      via: api ? 'api' : 'dashboard',
      method: c.req.method,
      path: c.req.path,
      targetId: targetId(c),
      status: res.status,
      address: clientIp(c),
      summary,
    });
  };
}
