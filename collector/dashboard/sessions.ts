import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.js';
import { getUser, type User } from '../db/users.js';

/** 12 h idle, 7 days at most: an engineer's working day without re-login, and a stolen cookie dies within a week. */
export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_MAX_MS = 7 * 24 * 3600_000;

export interface Session {
  user: User;
  csrfToken: string;
  expiresAt: number;
}

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

export function newRandomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Start a session; returns the cookie value (only its hash is stored) and the session's CSRF token. */
export function createSession(db: Db, userId: string, now: number): { sessionId: string; csrfToken: string } {
  const sessionId = newRandomToken();
  const csrfToken = newRandomToken();
  db.prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    hashId(sessionId),
    userId,
    csrfToken,
    now,
    now,
    now + SESSION_IDLE_MS,
  );
  return { sessionId, csrfToken };
}

/** The live session of a cookie value, sliding its idle expiry; undefined when unknown, expired or the user is disabled. */
export function findSession(db: Db, sessionId: string, now: number): Session | undefined {
  const row = db.prepare('SELECT user_id, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = ?').get(hashId(sessionId)) as
    | { user_id: string; csrf_token: string; created_at: number; expires_at: number }
    | undefined;
  if (!row || row.expires_at <= now) return undefined;
  const user = getUser(db, row.user_id);
  if (!user) return undefined;
  const expiresAt = Math.min(now + SESSION_IDLE_MS, row.created_at + SESSION_MAX_MS);
  // Write at most once a minute: every page view and poll would otherwise be a write.
  if (expiresAt - row.expires_at > 60_000) {
    db.prepare('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?').run(now, expiresAt, hashId(sessionId));
  }
  return { user, csrfToken: row.csrf_token, expiresAt };
}

export function deleteSession(db: Db, sessionId: string): void {
  db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(hashId(sessionId));
}

export function deleteExpiredSessions(db: Db, now: number): number {
  return db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
}

/** Constant-time comparison of a submitted CSRF token with the expected one. */
export function tokensEqual(given: string | undefined | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
