import type { Migration } from '../migrate.js';

/**
 * The latest inventory fact set per host, and one dated row per changed fact (the inspection report's
 * "changes this quarter"). old_value NULL = the fact appeared; new_value NULL = it disappeared.
 */
export const migration: Migration = {
  version: 40,
  name: 'inventory',
  sql: `
    CREATE TABLE host_inventory (
      host_id TEXT PRIMARY KEY REFERENCES hosts(id),
      customer_id TEXT NOT NULL REFERENCES customers(id),
      facts TEXT NOT NULL,
      collected_at INTEGER NOT NULL,
      stored_at INTEGER NOT NULL
    );
    CREATE INDEX host_inventory_customer ON host_inventory(customer_id);
    CREATE TABLE inventory_changes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      host_id TEXT NOT NULL REFERENCES hosts(id),
      customer_id TEXT NOT NULL REFERENCES customers(id),
      field TEXT NOT NULL,
      old_value TEXT,
      new_value TEXT,
      changed_at INTEGER NOT NULL
    );
    CREATE INDEX inventory_changes_host ON inventory_changes(host_id, changed_at);
    CREATE INDEX inventory_changes_customer ON inventory_changes(customer_id, changed_at);
  `,
};
