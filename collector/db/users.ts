import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import type { Db } from './database.js';
import { hashPassword, hashSecret, verifyPassword } from '../auth/secrets.js';

export type Role = 'admin' | 'engineer' | 'customer';

export interface User {
  id: string;
  username: string;
  role: Role;
  /** Set for customer users: the one customer they belong to. */
  customerId: string | null;
  displayName: string;
}

/**
 * The customer ids a user may see: undefined = all (admin); an engineer sees the customers they serve;
 * a customer user sees only their own. Pass this to every data-access call.
 */
export function visibleCustomerIds(db: Db, user: User): string[] | undefined {
  if (user.role === 'admin') return undefined;
  if (user.role === 'customer') return user.customerId ? [user.customerId] : [];
  return (db.prepare('SELECT customer_id FROM user_customers WHERE user_id = ?').all(user.id) as Array<{ customer_id: string }>).map(
    (r) => r.customer_id,
  );
}

export function createUser(
  db: Db,
  u: { username: string; password: string; role: Role; customerId?: string; displayName?: string; serves?: string[]; now: number },
): User {
  if (u.role === 'customer' && !u.customerId) throw new Error('a customer user needs a customer');
  const id = randomUUID();
  db.transaction(() => {
    db.prepare(
      'INSERT INTO users (id, username, password_hash, role, customer_id, display_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(id, u.username, hashPassword(u.password), u.role, u.customerId ?? null, u.displayName ?? u.username, u.now);
    for (const c of u.serves ?? []) db.prepare('INSERT INTO user_customers (user_id, customer_id) VALUES (?, ?)').run(id, c);
  })();
  return getUser(db, id)!;
}

/**
 * A new password ends the user's sessions: whoever holds an old cookie (the reason for a reset, often) is out
 * at once, not when the cookie expires. `keepSessionId` (a cookie value) spares the session of a user changing
 * their own password. Setting the password it already is changes nothing (the collector re-applies
 * PATROL_ADMIN_PASSWORD at every start, which must not log the admin out).
 */
export function setPassword(db: Db, userId: string, password: string, opts: { keepSessionId?: string } = {}): void {
  const row = db.prepare('SELECT password_hash FROM users WHERE id = ?').get(userId) as { password_hash: string } | undefined;
  if (!row || verifyPassword(password, row.password_hash)) return;
  db.transaction(() => {
    db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hashPassword(password), userId);
    endSessions(db, userId, opts.keepSessionId);
  })();
}

/** Delete every session of a user (but the one of `keepSessionId`, a cookie value; sessions store its SHA-256). */
export function endSessions(db: Db, userId: string, keepSessionId?: string): number {
  return db.prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash IS NOT ?').run(userId, keepSessionId ? hashSecret(keepSessionId) : null).changes;
}

export function getUser(db: Db, id: string): User | undefined {
  return db
    .prepare(
      'SELECT id, username, role, customer_id AS customerId, display_name AS displayName FROM users WHERE id = ? AND disabled_at IS NULL',
    )
    .get(id) as User | undefined;
}

export function findUserByName(db: Db, username: string): User | undefined {
  return db
    .prepare(
      'SELECT id, username, role, customer_id AS customerId, display_name AS displayName FROM users WHERE username = ? AND disabled_at IS NULL',
    )
    .get(username) as User | undefined;
}

/** A user as the admin's users page shows it: disabled ones too, with the customers an engineer serves. */
export interface UserRecord {
  id: string;
  username: string;
  role: Role;
  customerId: string | null;
  displayName: string;
  createdAt: number;
  disabledAt: number | null;
  serves: string[];
}

type UserRecordRow = Omit<UserRecord, 'serves'>;

const SELECT_RECORD = `SELECT id, username, role, customer_id AS customerId, display_name AS displayName, created_at AS createdAt,
  disabled_at AS disabledAt FROM users`;

function withServes(db: Db, r: UserRecordRow): UserRecord {
  const serves = (db.prepare('SELECT customer_id FROM user_customers WHERE user_id = ? ORDER BY customer_id').all(r.id) as Array<{ customer_id: string }>).map(
    (x) => x.customer_id,
  );
  return { ...r, serves };
}

/** Every user, active ones first, each part by user name. */
export function listUserRecords(db: Db): UserRecord[] {
  return (db.prepare(`${SELECT_RECORD} ORDER BY disabled_at IS NOT NULL, username`).all() as UserRecordRow[]).map((r) => withServes(db, r));
}

export function getUserRecord(db: Db, id: string): UserRecord | undefined {
  const r = db.prepare(`${SELECT_RECORD} WHERE id = ?`).get(id) as UserRecordRow | undefined;
  return r && withServes(db, r);
}

export interface UserChange {
  displayName: string;
  role: Role;
  /** Customer users only; cleared for staff. */
  customerId: string | null;
  /** Engineers only; cleared for other roles (admins see everything, customers their own). */
  serves: string[];
  /** Empty: keep the password. A new one ends the user's sessions (see setPassword). */
  newPassword: string;
  /** The editor's own session cookie when they change their own password: that session stays. */
  keepSessionId?: string;
}

/** Role, customer, served customers and optionally the password, in one transaction. */
export function updateUserRecord(db: Db, id: string, ch: UserChange): void {
  db.transaction(() => {
    db.prepare('UPDATE users SET display_name = ?, role = ?, customer_id = ? WHERE id = ?').run(
      ch.displayName,
      ch.role,
      ch.role === 'customer' ? ch.customerId : null,
      id,
    );
    db.prepare('DELETE FROM user_customers WHERE user_id = ?').run(id);
    if (ch.role === 'engineer') {
      const insert = db.prepare('INSERT INTO user_customers (user_id, customer_id) VALUES (?, ?)');
      for (const c of new Set(ch.serves)) insert.run(id, c);
    }
    if (ch.newPassword) setPassword(db, id, ch.newPassword, { keepSessionId: ch.keepSessionId });
  })();
}

/** Disable (and end every session of) a user, or enable them again. Their tickets and history stay. */
export function setUserDisabled(db: Db, id: string, disabled: boolean, now: number): void {
  db.transaction(() => {
    db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(disabled ? now : null, id);
    if (disabled) endSessions(db, id);
  })();
}

function storedHash(db: Db, username: string): { id: string; password_hash: string } | undefined {
  return db.prepare('SELECT id, password_hash FROM users WHERE username = ? AND disabled_at IS NULL').get(username) as
    | { id: string; password_hash: string }
    | undefined;
}

let dummyHash: string | undefined;
/**
 * What an unknown (or disabled) user's password is checked against, so that answering "no such user" costs the
 * same scrypt as a wrong password: a fast answer would tell which user names exist. No password matches it
 * (the expected hash is zeros); its cost parameter is the one stored users have.
 */
function hashForUnknownUser(db: Db): string {
  if (!dummyHash) {
    const some = db.prepare("SELECT password_hash FROM users WHERE password_hash LIKE 'scrypt$%' LIMIT 1").get() as { password_hash: string } | undefined;
    const n = some?.password_hash.split('$')[1] ?? String(hashPassword('x').split('$')[1]);
    dummyHash = `scrypt$${n}$${randomBytes(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
  }
  return dummyHash;
}

/**
 * Check a username and password; undefined when either is wrong (no hint which, not even in the time taken).
 * Blocks the event loop for one scrypt: request handlers use verifyCredentials (through the password gate).
 */
export function checkCredentials(db: Db, username: string, password: string): User | undefined {
  const row = storedHash(db, username);
  const ok = verifyPassword(password, row?.password_hash ?? hashForUnknownUser(db));
  return row && ok ? getUser(db, row.id) : undefined;
}

/** checkCredentials with scrypt in libuv's thread pool, so the event loop keeps serving while it runs. */
export async function verifyCredentials(db: Db, username: string, password: string): Promise<User | undefined> {
  const row = storedHash(db, username);
  const ok = await verifyPasswordAsync(password, row?.password_hash ?? hashForUnknownUser(db));
  // Read again: the user may have been disabled or given a new password while scrypt ran.
  const after = storedHash(db, username);
  return row && ok && after?.password_hash === row.password_hash ? getUser(db, row.id) : undefined;
}

/** verifyPassword (collector/auth/secrets.ts) with the same stored format, without blocking. */
function verifyPasswordAsync(password: string, stored: string): Promise<boolean> {
  const [scheme, n, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !saltB64 || !hashB64) return Promise.resolve(false);
  const expected = Buffer.from(hashB64, 'base64');
  return new Promise((resolve, reject) => {
    scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n) }, (err, actual) => {
      if (err) reject(err);
      else resolve(timingSafeEqual(actual, expected));
    });
  });
}
