import type { Db } from '../db/database.js';
import { endSessions, setPassword, type Role } from '../db/users.js';

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

type UserRow = Omit<UserRecord, 'serves'>;

const SELECT = `SELECT id, username, role, customer_id AS customerId, display_name AS displayName, created_at AS createdAt,
  disabled_at AS disabledAt FROM users`;

function withServes(db: Db, r: UserRow): UserRecord {
  const serves = (db.prepare('SELECT customer_id FROM user_customers WHERE user_id = ? ORDER BY customer_id').all(r.id) as Array<{ customer_id: string }>).map(
    (x) => x.customer_id,
  );
  return { ...r, serves };
}

export function listUserRecords(db: Db): UserRecord[] {
  return (db.prepare(`${SELECT} ORDER BY disabled_at IS NOT NULL, username`).all() as UserRow[]).map((r) => withServes(db, r));
}

export function getUserRecord(db: Db, id: string): UserRecord | undefined {
  const r = db.prepare(`${SELECT} WHERE id = ?`).get(id) as UserRow | undefined;
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
