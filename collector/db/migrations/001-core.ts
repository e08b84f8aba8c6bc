import type { Migration } from '../migrate.js';

/** Customers, hosts, agents and their keys, enrollment tokens, users, and the latest state per check. */
export const migration: Migration = {
  version: 1,
  name: 'core',
  sql: `
    CREATE TABLE customers (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE hosts (
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      name TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('agent', 'ssh', 'snmp')),
      criticality TEXT NOT NULL DEFAULT 'normal' CHECK (criticality IN ('low', 'normal', 'high', 'critical')),
      tags TEXT NOT NULL DEFAULT '[]',
      facts TEXT NOT NULL DEFAULT '{}',
      agent_version TEXT,
      last_seen_at INTEGER,
      connected INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX hosts_customer ON hosts(customer_id);
    CREATE TABLE agents (
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      host_id TEXT NOT NULL REFERENCES hosts(id),
      key_hash TEXT NOT NULL UNIQUE,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER
    );
    CREATE INDEX agents_customer ON agents(customer_id);
    CREATE TABLE enrollment_tokens (
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      token_hash TEXT NOT NULL UNIQUE,
      note TEXT NOT NULL DEFAULT '',
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      used_at INTEGER,
      used_by_agent TEXT,
      revoked_at INTEGER
    );
    CREATE INDEX enrollment_tokens_customer ON enrollment_tokens(customer_id);
    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      username TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('admin', 'engineer', 'customer')),
      customer_id TEXT REFERENCES customers(id),
      display_name TEXT NOT NULL DEFAULT '',
      created_at INTEGER NOT NULL,
      disabled_at INTEGER
    );
    -- Which customers an engineer serves (tenancy for engineers).
    CREATE TABLE user_customers (
      user_id TEXT NOT NULL REFERENCES users(id),
      customer_id TEXT NOT NULL REFERENCES customers(id),
      PRIMARY KEY (user_id, customer_id)
    );
    -- Latest result per (host, check); history lives in the metrics store.
    CREATE TABLE check_states (
      host_id TEXT NOT NULL REFERENCES hosts(id),
      name TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      check_id TEXT NOT NULL,
      status TEXT NOT NULL,
      summary TEXT NOT NULL,
      details TEXT,
      status_since INTEGER NOT NULL,
      last_run_at INTEGER NOT NULL,
      PRIMARY KEY (host_id, name)
    );
    CREATE INDEX check_states_customer ON check_states(customer_id);
  `,
};
