import { randomUUID } from 'node:crypto';
import type { Db } from './database.js';
import { hashPassword, verifyPassword } from '../auth/secrets.js';

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

export function setPassword(db: Db, userId: string, password: string): void {
  db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hashPassword(password), userId);
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

/** Check a username and password; undefined when either is wrong (no hint which). */
export function checkCredentials(db: Db, username: string, password: string): User | undefined {
  const row = db
    .prepare('SELECT id, password_hash FROM users WHERE username = ? AND disabled_at IS NULL')
    .get(username) as { id: string; password_hash: string } | undefined;
  if (!row || !verifyPassword(password, row.password_hash)) return undefined;
  return getUser(db, row.id);
}
