import type { Context } from 'hono';
import type { Db } from '../db/database.js';
import type { AppEnv } from './context.js';

/** What a feature's API routes need from the collector: the database and the clock. */
export interface RouteDeps {
  db: Db;
  now: () => number;
}

/** Admins and engineers; customer users are not staff. */
export function isStaff(c: Context<AppEnv>): boolean {
  const role = c.get('user').role;
  return role === 'admin' || role === 'engineer';
}

/** The caller may see this customer's data (admins see all: customerIds undefined). */
export function canSeeCustomer(c: Context<AppEnv>, customerId: string): boolean {
  const ids = c.get('customerIds');
  return !ids || ids.includes(customerId);
}

export const forbidden = (c: Context<AppEnv>, why = 'not allowed for your role') => c.json({ error: why }, 403);
/** Also the answer for another customer's record (see AppEnv): ids cannot be probed. */
export const notFound = (c: Context<AppEnv>) => c.json({ error: 'not found' }, 404);
