import type { Migration } from '../migrate.js';

/**
 * The audit log: every change made through the API or the dashboard, every login and logout (failed ones
 * too), and the CLI's admin commands. Who (user id, the name as given, role), when, what (method, path, the
 * record's id, a redacted summary of the body), from where (the peer address). No foreign keys: an entry must
 * outlive the user or record it names. Kept like tickets: nothing deletes rows.
 */
export const migration: Migration = {
  version: 65,
  name: 'audit-log',
  sql: `
    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      action TEXT NOT NULL,
      user_id TEXT,
      username TEXT NOT NULL,
      role TEXT,
      via TEXT NOT NULL,
      method TEXT NOT NULL,
      path TEXT NOT NULL,
      target_id TEXT,
      status INTEGER,
      address TEXT NOT NULL,
      summary TEXT
    );
    CREATE INDEX audit_log_at ON audit_log(at);
    CREATE INDEX audit_log_user ON audit_log(username, at);
    CREATE INDEX audit_log_action_address ON audit_log(action, address, at);
  `,
};
