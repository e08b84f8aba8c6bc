import type { Migration } from '../migrate.js';

/** Maintenance windows per host, tag or whole customer; one-off (starts/ends) or weekly. */
export const migration: Migration = {
  version: 13,
  name: 'maintenance',
  sql: `
    CREATE TABLE maintenance_windows (
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      scope TEXT NOT NULL CHECK (scope IN ('customer', 'host', 'tag')),
      host_id TEXT REFERENCES hosts(id),
      tag TEXT,
      starts_at INTEGER,
      ends_at INTEGER,
      weekly TEXT,
      reason TEXT NOT NULL DEFAULT '',
      created_by TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX maintenance_customer ON maintenance_windows(customer_id);
  `,
};
