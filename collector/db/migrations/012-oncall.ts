import type { Migration } from '../migrate.js';

/** On-call rota: who is on duty for which tier, for one customer or all (customer_id NULL). */
export const migration: Migration = {
  version: 12,
  name: 'oncall',
  sql: `
    CREATE TABLE oncall_shifts (
      id TEXT PRIMARY KEY,
      tier INTEGER NOT NULL CHECK (tier BETWEEN 1 AND 3),
      user_id TEXT NOT NULL REFERENCES users(id),
      customer_id TEXT REFERENCES customers(id),
      starts_at INTEGER,
      ends_at INTEGER,
      weekly TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX oncall_tier ON oncall_shifts(tier);
  `,
};
