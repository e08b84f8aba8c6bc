import type { Migration } from '../migrate.js';

/** One service contract per customer: SLA targets, calendar, auto-close, reopen window, inspections bought. */
export const migration: Migration = {
  version: 11,
  name: 'contracts',
  sql: `
    CREATE TABLE contracts (
      customer_id TEXT PRIMARY KEY REFERENCES customers(id),
      targets TEXT NOT NULL,
      calendar TEXT NOT NULL,
      auto_close_days INTEGER NOT NULL,
      open_after INTEGER NOT NULL,
      reopen_window_min INTEGER NOT NULL,
      inspections TEXT NOT NULL DEFAULT '[]',
      updated_at INTEGER NOT NULL
    );
  `,
};
