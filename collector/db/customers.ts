import { customerFilter, customerParam } from './tenancy.js';
import type { Db } from './database.js';

export interface Customer {
  id: string;
  name: string;
  createdAt: number;
}

export function ensureCustomer(db: Db, id: string, name: string, now: number): Customer {
  db.prepare('INSERT INTO customers (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING').run(id, name, now);
  return getCustomer(db, id)!;
}

export function getCustomer(db: Db, id: string): Customer | undefined {
  const r = db.prepare('SELECT id, name, created_at AS createdAt FROM customers WHERE id = ?').get(id) as Customer | undefined;
  return r;
}

export function listCustomers(db: Db, onlyIds?: readonly string[]): Customer[] {
  return db
    .prepare(`SELECT id, name, created_at AS createdAt FROM customers WHERE ${customerFilter('id')} ORDER BY id`)
    .all(customerParam(onlyIds)) as Customer[];
}

/** The names of the customers a caller sees, by id (in id order): how pages name a row's customer. */
export function customerNames(db: Db, onlyIds?: readonly string[]): Map<string, string> {
  return new Map(listCustomers(db, onlyIds).map((cu) => [cu.id, cu.name]));
}
