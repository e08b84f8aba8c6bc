import { z } from 'zod';
import type { Db } from '../db/database.js';

/** How to reach a staff user (the users table has no contact columns). */
export const UserContactSchema = z.object({
  email: z.email().max(320).nullable().default(null),
  phone: z.string().max(40).nullable().default(null),
});
export type UserContact = z.infer<typeof UserContactSchema>;

export function setUserContact(db: Db, userId: string, contact: z.input<typeof UserContactSchema>): void {
  const c = UserContactSchema.parse(contact);
  db.prepare(
    'INSERT INTO user_contacts (user_id, email, phone) VALUES (?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET email = excluded.email, phone = excluded.phone',
  ).run(userId, c.email, c.phone);
}

export interface Recipient {
  userId: string;
  name: string;
  email: string | null;
  phone: string | null;
}

export function recipientsOf(db: Db, userIds: readonly string[]): Recipient[] {
  if (userIds.length === 0) return [];
  return db
    .prepare(
      `SELECT u.id AS userId, u.display_name AS name, c.email, c.phone FROM users u LEFT JOIN user_contacts c ON c.user_id = u.id
       WHERE u.id IN (SELECT value FROM json_each(?)) AND u.disabled_at IS NULL ORDER BY u.display_name`,
    )
    .all(JSON.stringify(userIds)) as Recipient[];
}

/** Staff who may see a customer's data: admins, and engineers serving that customer. Never customer users. */
export function staffWhoMaySee(db: Db, customerId: string, userIds: readonly string[]): string[] {
  if (userIds.length === 0) return [];
  return (
    db
      .prepare(
        `SELECT u.id FROM users u WHERE u.id IN (SELECT value FROM json_each(@ids)) AND u.disabled_at IS NULL
           AND (u.role = 'admin' OR (u.role = 'engineer' AND EXISTS (
                 SELECT 1 FROM user_customers uc WHERE uc.user_id = u.id AND uc.customer_id = @customerId)))`,
      )
      .all({ ids: JSON.stringify(userIds), customerId }) as Array<{ id: string }>
  ).map((r) => r.id);
}

/** Admins (they see every customer), for notifications nobody on any rota could take. */
export function adminIds(db: Db): string[] {
  return (db.prepare("SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY created_at").all() as Array<{ id: string }>).map((r) => r.id);
}

export interface AssignableStaff {
  id: string;
  username: string;
  name: string;
  role: 'admin' | 'engineer';
}

/** Who may be given a ticket of this customer: admins and the engineers serving it (the same rule as assign()). */
export function assignableStaff(db: Db, customerId: string): AssignableStaff[] {
  return db
    .prepare(
      `SELECT id, username, COALESCE(NULLIF(display_name, ''), username) AS name, role FROM users WHERE disabled_at IS NULL AND (role = 'admin' OR
         (role = 'engineer' AND id IN (SELECT user_id FROM user_customers WHERE customer_id = ?))) ORDER BY name`,
    )
    .all(customerId) as AssignableStaff[];
}
