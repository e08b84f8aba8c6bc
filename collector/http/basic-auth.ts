import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { Db } from '../db/database.js';
import { checkCredentials, getUser, type User } from '../db/users.js';

/** A way to find the user of a request (HTTP Basic for the CLI and curl; the dashboard adds its session cookie). */
export type Authenticator = (c: Context) => User | undefined | Promise<User | undefined>;

const MAX_REMEMBERED = 1000;

/**
 * HTTP Basic. scrypt takes ~45 ms of blocked event loop here, too much to pay on every CLI or script call,
 * so a verified (username, password) pair is remembered together with the stored hash it matched: a changed
 * password or a disabled user no longer matches, and only a SHA-256 of the pair is kept in memory.
 */
export function basicAuthenticator(db: Db): Authenticator {
  const verified = new Map<string, { userId: string; storedHash: string }>();
  const storedHash = db.prepare('SELECT id, password_hash FROM users WHERE username = ? AND disabled_at IS NULL');
  return (c) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!m?.[1]) return undefined;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const username = decoded.slice(0, colon);
    const key = createHash('sha256').update(decoded).digest('hex');
    const row = storedHash.get(username) as { id: string; password_hash: string } | undefined;
    if (!row) return undefined;
    const seen = verified.get(key);
    if (seen && seen.userId === row.id && seen.storedHash === row.password_hash) return getUser(db, row.id);
    const user = checkCredentials(db, username, decoded.slice(colon + 1));
    if (user) {
      if (verified.size >= MAX_REMEMBERED) verified.delete(verified.keys().next().value!);
      verified.set(key, { userId: user.id, storedHash: row.password_hash });
    }
    return user;
  };
}
