import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ConcurrencyLimit } from '../../shared/concurrency-limit.js';
import type { Db } from '../db/database.js';
import { verifyCredentials, type User } from '../db/users.js';

/** 5 failures per user and address in 15 minutes: slows a password guesser to 480 tries a day per address. */
export const MAX_LOGIN_FAILURES = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;

export function throttleKey(username: string, ip: string): string {
  return `${username.toLowerCase()}|${ip}`;
}

/** The peer address (no proxy header is trusted: a client could otherwise pick a fresh "address" per guess). */
export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function failuresInWindow(db: Db, key: string, now: number): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM login_failures WHERE throttle_key = ? AND at > ?').get(key, now - LOGIN_WINDOW_MS) as { n: number }).n;
}

/** True when this user+address has used up its failures in the window (checked before the password is even tried). */
export function isLoginBlocked(db: Db, key: string, now: number): boolean {
  return failuresInWindow(db, key, now) >= MAX_LOGIN_FAILURES;
}

/** Milliseconds until this key may try again: when the failure that filled the window leaves it (0 = not blocked). */
export function loginBlockedForMs(db: Db, key: string, now: number): number {
  const r = db
    .prepare('SELECT at FROM login_failures WHERE throttle_key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?')
    .get(key, now - LOGIN_WINDOW_MS, MAX_LOGIN_FAILURES - 1) as { at: number } | undefined;
  return r ? Math.max(0, r.at + LOGIN_WINDOW_MS - now) : 0;
}

export function recordLoginFailure(db: Db, key: string, now: number): void {
  db.prepare('INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)').run(key, now);
}

/** A successful login clears the count, so a user who finally typed it right starts fresh. */
export function clearLoginFailures(db: Db, key: string): void {
  db.prepare('DELETE FROM login_failures WHERE throttle_key = ?').run(key);
}

/**
 * An admin's unlock (`patrol-collector unlock-login`): forget the failures of a user name, from every address or
 * one. The count is in SQLite, so this works on a running collector and a restart never unlocks by itself.
 * Returns how many failures were forgotten.
 */
export function unlockLogin(db: Db, username: string, address?: string): number {
  if (address !== undefined) return db.prepare('DELETE FROM login_failures WHERE throttle_key = ?').run(throttleKey(username, address)).changes;
  const prefix = `${username.toLowerCase()}|`;
  return db.prepare('DELETE FROM login_failures WHERE substr(throttle_key, 1, ?) = ?').run(prefix.length, prefix).changes;
}

export function pruneLoginFailures(db: Db, now: number): void {
  db.prepare('DELETE FROM login_failures WHERE at <= ?').run(now - LOGIN_WINDOW_MS);
}

export type PasswordCheck = { outcome: 'ok'; user: User } | { outcome: 'wrong' } | { outcome: 'throttled'; retryAfterSec: number };

/**
 * The one way a password is tried, for the login form and HTTP Basic alike, so both share one failure count
 * (login_failures, per user and address). The throttle is asked before any scrypt runs. Guesses still being
 * verified count as failures-to-be: without that, 200 guesses sent at once would all pass the check before the
 * first one failed. The same password sent again while its check runs joins that check (a script's parallel
 * first requests are one attempt, not a burst of failures). scrypt runs in libuv's pool, a bounded number at a
 * time, so the event loop keeps serving /health and agents while guesses are verified.
 */
export class PasswordGate {
  /** (throttle key, SHA-256 of the password) -> the verification in flight. */
  private readonly running = new Map<string, Promise<User | undefined>>();
  /** throttle key -> how many distinct passwords are being verified for it right now. */
  private readonly runningPerKey = new Map<string, number>();
  /**
   * scrypt runs at most this many at a time, one core fewer than the machine has: a flood of guesses for many
   * user names must leave a core to the event loop (ingest, /health), and the libuv pool to file and DNS work.
   */
  private readonly maxScrypts = Math.max(1, availableParallelism() - 1);
  /** scrypt runs in libuv's pool: leave a core for the event loop (agents, the dashboard) while guesses are checked. */
  private readonly scrypts = new ConcurrencyLimit(Math.max(1, availableParallelism() - 1));

  constructor(private readonly db: Db) {}

  /** Seconds to wait when this attempt may not run now, else undefined. */
  throttled(username: string, password: string, ip: string, now: number): number | undefined {
    const key = throttleKey(username, ip);
    if (this.running.has(attemptKey(key, password))) return undefined;
    const waitMs = loginBlockedForMs(this.db, key, now);
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    // Failures so far plus guesses in flight: these will mostly be failures within ~50 ms.
    if (failuresInWindow(this.db, key, now) + (this.runningPerKey.get(key) ?? 0) >= MAX_LOGIN_FAILURES) return 1;
    return undefined;
  }

  /** Verify (constant work for unknown users); records the failure or clears the count. Call throttled() first. */
  async verify(username: string, password: string, ip: string, now: number): Promise<User | undefined> {
    const key = throttleKey(username, ip);
    const attempt = attemptKey(key, password);
    const joined = this.running.get(attempt);
    if (joined) return joined;
    const check = this.scrypts.run(() => verifyCredentials(this.db, username, password)).then((user) => {
      if (user) clearLoginFailures(this.db, key);
      else recordLoginFailure(this.db, key, now);
      return user;
    });
    this.running.set(attempt, check);
    this.runningPerKey.set(key, (this.runningPerKey.get(key) ?? 0) + 1);
    try {
      return await check;
    } finally {
      this.running.delete(attempt);
      const left = (this.runningPerKey.get(key) ?? 1) - 1;
      if (left > 0) this.runningPerKey.set(key, left);
      else this.runningPerKey.delete(key);
    }
  }

  /** throttled() then verify(), for callers with nothing to do in between (the login form). */
  async check(username: string, password: string, ip: string, now: number): Promise<PasswordCheck> {
    const retryAfterSec = this.throttled(username, password, ip, now);
    if (retryAfterSec !== undefined) return { outcome: 'throttled', retryAfterSec };
    const user = await this.verify(username, password, ip, now);
    return user ? { outcome: 'ok', user } : { outcome: 'wrong' };
  }
}

function attemptKey(throttle: string, password: string): string {
  return `${throttle}\0${createHash('sha256').update(password).digest('hex')}`;
}

const gates = new WeakMap<Db, PasswordGate>();

/** One gate per database, so the login form and Basic auth also share the guesses in flight. */
export function passwordGate(db: Db): PasswordGate {
  let g = gates.get(db);
  if (!g) {
    g = new PasswordGate(db);
    gates.set(db, g);
  }
  return g;
}
