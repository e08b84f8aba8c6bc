import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { Db } from '../db/database.js';
import { getUser, type User } from '../db/users.js';
import { createLogger } from '../../shared/logger.js';
import { clientIp, passwordGate } from './password-gate.js';

const log = createLogger('http.basic-auth');

/**
 * A way to find the user of a request (HTTP Basic for the CLI and curl; the dashboard adds its session cookie).
 * `now` is the app's clock (tests inject one); Date.now() when called without it. An authenticator that must
 * refuse outright, whatever the others say, throws LoginThrottled.
 */
/**
 * Where a refused Basic login is reported: too many failures (429) or a wrong password (401). server.ts passes
 * the audit log's (audit/middleware.ts); http/ knows no audit log.
 */
export type LoginRefusals = (c: Context, e: { at: number; action: 'login-throttled' | 'login-failed'; username: string; status: 429 | 401 }) => void;

export type Authenticator = (c: Context, now?: number) => User | undefined | Promise<User | undefined>;

/** Too many failed passwords for this user from this address: the API answers 429 with Retry-After. */
export class LoginThrottled extends Error {
  constructor(readonly retryAfterSec: number) {
    super(`too many failed logins; try again in ${retryAfterSec} s`);
    this.name = 'LoginThrottled';
  }
}

const MAX_REMEMBERED = 1000;

/**
 * HTTP Basic, with the login form's failure throttle (per user and address, shared with the form) asked before
 * anything else, so neither a guess nor a remembered pair gets past a blocked user+address. scrypt (~45 ms) runs
 * off the event loop, and an unknown user costs the same scrypt as a known one. A verified (username, password)
 * pair is remembered together with the stored hash it matched, so a CLI or script does not pay scrypt on every
 * call: a changed password or a disabled user no longer matches, and only a SHA-256 of the pair is kept.
 */
export function basicAuthenticator(db: Db, refused: LoginRefusals = () => {}): Authenticator {
  const verified = new Map<string, { userId: string; storedHash: string }>();
  const storedHash = db.prepare('SELECT id, password_hash FROM users WHERE username = ? AND disabled_at IS NULL');
  const gate = passwordGate(db);
  return async (c, now = Date.now()) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!m?.[1]) return undefined;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (!username) return undefined;
    const ip = clientIp(c);
    const retryAfterSec = gate.throttled(username, password, ip, now);
    if (retryAfterSec !== undefined) {
      log.warn({ username, ip, retryAfterSec }, 'Basic auth refused: too many failures');
      refused(c, { at: now, action: 'login-throttled', username, status: 429 });
      throw new LoginThrottled(retryAfterSec);
    }

    const key = createHash('sha256').update(decoded).digest('hex');
    const row = storedHash.get(username) as { id: string; password_hash: string } | undefined;
    const seen = verified.get(key);
    if (row && seen && seen.userId === row.id && seen.storedHash === row.password_hash) return getUser(db, row.id);

    const user = await gate.verify(username, password, ip, now);
    // A wrong Basic password is a failed login like one on the form (a success is not: it is every request).
    if (!user) refused(c, { at: now, action: 'login-failed', username, status: 401 });
    if (user && row && user.id === row.id) {
      if (verified.size >= MAX_REMEMBERED) verified.delete(verified.keys().next().value!);
      verified.set(key, { userId: user.id, storedHash: row.password_hash });
    }
    return user;
  };
}
