import type { Db } from '../db/database.js';

/** 5 failures per user and address in 15 minutes: slows a password guesser to 480 tries a day per address. */
export const MAX_LOGIN_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;

export function throttleKey(username: string, ip: string): string {
  return `${username.toLowerCase()}|${ip}`;
}

/** True when this user+address has used up its failures in the window (checked before the password is even tried). */
export function isLoginBlocked(db: Db, key: string, now: number): boolean {
  const r = db.prepare('SELECT COUNT(*) AS n FROM login_failures WHERE throttle_key = ? AND at > ?').get(key, now - LOGIN_WINDOW_MS) as { n: number };
  return r.n >= MAX_LOGIN_FAILURES;
}

export function recordLoginFailure(db: Db, key: string, now: number): void {
  db.prepare('INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)').run(key, now);
}

/** A successful login clears the count, so a user who finally typed it right starts fresh. */
export function clearLoginFailures(db: Db, key: string): void {
  db.prepare('DELETE FROM login_failures WHERE throttle_key = ?').run(key);
}

export function pruneLoginFailures(db: Db, now: number): void {
  db.prepare('DELETE FROM login_failures WHERE at <= ?').run(now - LOGIN_WINDOW_MS);
}
