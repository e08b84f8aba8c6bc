import type { Db } from '../db/database.js';
import type { Role } from '../db/users.js';

/**
 * change: a successful write through the API or a dashboard form; login / login-failed / login-throttled /
 * logout: the dashboard form, HTTP Basic failures, the logout button; cli: an admin command run on the
 * collector's machine (user-add, unlock-login).
 */
export type AuditAction = 'change' | 'login' | 'login-failed' | 'login-throttled' | 'logout' | 'cli';
/** Where the request came in: the JSON API (Basic or the session cookie), a dashboard page, the CLI. */
export type AuditVia = 'api' | 'dashboard' | 'cli';

export interface AuditEntryInput {
  at: number;
  action: AuditAction;
  /** null when nobody is logged in (a failed login of a name that may not exist, an agent enrolling). */
  userId: string | null;
  /** The user's name, or the name a failed login gave. */
  username: string;
  role: Role | null;
  via: AuditVia;
  /** HTTP method, or CLI. */
  method: string;
  /** The request path without its query (a query may carry tokens), or the CLI command. */
  path: string;
  /** The id of the record the path names (`:id` of the route), when it names one. */
  targetId: string | null;
  status: number | null;
  /** The peer address of the connection (no proxy header is trusted); "local" for the CLI. */
  address: string;
  /** Redacted JSON summary of the body (see redact.ts). */
  summary: string | null;
}

export interface AuditEntry extends AuditEntryInput {
  id: number;
}

/**
 * Failed logins from one address are recorded up to this many an hour: each one is a row kept for good, so a
 * guesser cycling through user names must not be able to fill the disk through the log. The login throttle
 * itself (login_failures) counts every attempt regardless.
 */
export const MAX_FAILED_LOGINS_LOGGED_PER_HOUR = 100;

export function recordAudit(db: Db, e: AuditEntryInput): void {
  if (e.action === 'login-failed' || e.action === 'login-throttled') {
    const n = (
      db
        .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action IN ('login-failed', 'login-throttled') AND address = ? AND at > ?")
        .get(e.address, e.at - 3_600_000) as { n: number }
    ).n;
    if (n >= MAX_FAILED_LOGINS_LOGGED_PER_HOUR) return;
  }
  db.prepare(
    `INSERT INTO audit_log (at, action, user_id, username, role, via, method, path, target_id, status, address, summary)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(e.at, e.action, e.userId, e.username.slice(0, 200), e.role, e.via, e.method, e.path.slice(0, 1000), e.targetId?.slice(0, 200) ?? null, e.status, e.address, e.summary);
}

export interface AuditFilter {
  /** A user name (exact). */
  user?: string;
  from?: number;
  to?: number;
  /** Paths starting with this (e.g. /api/templates). */
  pathPrefix?: string;
  action?: AuditAction;
  /** Paging: entries older than this id (the `next` of the previous page). */
  before?: number;
  limit: number;
}

interface Row {
  id: number;
  at: number;
  action: AuditAction;
  user_id: string | null;
  username: string;
  role: Role | null;
  via: AuditVia;
  method: string;
  path: string;
  target_id: string | null;
  status: number | null;
  address: string;
  summary: string | null;
}

/** Newest first; `next` is the `before` of the following page, null on the last one. */
export function listAudit(db: Db, f: AuditFilter): { entries: AuditEntry[]; next: number | null } {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (f.user !== undefined) {
    where.push('username = ?');
    args.push(f.user);
  }
  if (f.from !== undefined) {
    where.push('at >= ?');
    args.push(f.from);
  }
  if (f.to !== undefined) {
    where.push('at <= ?');
    args.push(f.to);
  }
  if (f.pathPrefix !== undefined && f.pathPrefix !== '') {
    // substr rather than LIKE: a prefix holding % or _ means those characters.
    where.push('substr(path, 1, ?) = ?');
    args.push(f.pathPrefix.length, f.pathPrefix);
  }
  if (f.action !== undefined) {
    where.push('action = ?');
    args.push(f.action);
  }
  if (f.before !== undefined) {
    where.push('id < ?');
    args.push(f.before);
  }
  const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  const rows = db.prepare(sql).all(...args, f.limit + 1) as Row[];
  const page = rows.slice(0, f.limit);
  return {
    entries: page.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      userId: r.user_id,
      username: r.username,
      role: r.role,
      via: r.via,
      method: r.method,
      path: r.path,
      targetId: r.target_id,
      status: r.status,
      address: r.address,
      summary: r.summary,
    })),
    next: rows.length > f.limit ? page[page.length - 1]!.id : null,
  };
}
