import { z } from 'zod';
import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';

/**
 * Who a mail is from, in terms of customers: a known contact (a customer user's e-mail in user_contacts) or anyone
 * at a mail domain the customer owns (customer_mail_domains). A contact beats a domain (a consultant at a shared
 * domain is still the customer whose user they are).
 */
export const MailDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a mail domain such as acme.com.cn');

export function customerOfSender(db: Db, address: string): { customerId: string; how: 'contact' | 'domain' } | undefined {
  const addr = address.trim().toLowerCase();
  const contact = db
    .prepare(
      `SELECT u.customer_id AS customerId FROM users u JOIN user_contacts c ON c.user_id = u.id
       WHERE u.role = 'customer' AND u.disabled_at IS NULL AND lower(c.email) = ? ORDER BY u.created_at LIMIT 1`,
    )
    .get(addr) as { customerId: string } | undefined;
  if (contact) return { customerId: contact.customerId, how: 'contact' };
  const domain = addr.split('@')[1];
  if (!domain) return undefined;
  const d = db.prepare('SELECT customer_id AS customerId FROM customer_mail_domains WHERE domain = ?').get(domain) as { customerId: string } | undefined;
  return d ? { customerId: d.customerId, how: 'domain' } : undefined;
}

export function listMailDomains(db: Db, customerIds?: readonly string[]): Array<{ domain: string; customerId: string }> {
  const rows = db.prepare('SELECT domain, customer_id AS customerId FROM customer_mail_domains ORDER BY customer_id, domain').all() as Array<{ domain: string; customerId: string }>;
  return rows.filter((r) => !customerIds || customerIds.includes(r.customerId));
}

export class MailDomainTakenError extends Error {}

/** Replace a customer's mail domains. A domain already owned by another customer is refused (one owner per domain). */
export function setMailDomains(db: Db, customerId: string, domains: readonly string[], now: number): string[] {
  if (!getCustomer(db, customerId)) throw new Error(`no customer ${customerId}`);
  const clean = [...new Set(domains.map((d) => MailDomainSchema.parse(d)))];
  return db.transaction(() => {
    for (const d of clean) {
      const owner = db.prepare('SELECT customer_id AS customerId FROM customer_mail_domains WHERE domain = ?').get(d) as { customerId: string } | undefined;
      if (owner && owner.customerId !== customerId) throw new MailDomainTakenError(`${d} belongs to another customer`);
    }
    db.prepare('DELETE FROM customer_mail_domains WHERE customer_id = ?').run(customerId);
    const insert = db.prepare('INSERT INTO customer_mail_domains (domain, customer_id, created_at) VALUES (?, ?, ?)');
    for (const d of clean) insert.run(d, customerId, now);
    return clean;
  })();
}
