import type { Migration } from '../migrate.js';

/**
 * Dashboard sessions and failed logins. A session row holds the SHA-256 of the cookie value (a stolen
 * database gives no live session) and its CSRF token; login_failures backs the login rate limit, so it
 * survives a restart and is shared by every request handler.
 */
export const migration: Migration = {
  version: 20,
  name: 'sessions',
  sql: `
    CREATE TABLE sessions (
      id_hash TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id),
      csrf_token TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_seen_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX sessions_user ON sessions(user_id);
    CREATE INDEX sessions_expires ON sessions(expires_at);
    CREATE TABLE login_failures (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      throttle_key TEXT NOT NULL,
      at INTEGER NOT NULL
    );
    CREATE INDEX login_failures_key ON login_failures(throttle_key, at);
  `,
};
