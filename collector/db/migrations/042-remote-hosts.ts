import type { Migration } from '../migrate.js';

/**
 * How the collector reaches a host without an agent (SSH: address, port, user, key file; SNMP: address,
 * port, community), and what each remotely run check remembers between runs (counters, boot time) with
 * when it last ran, so intervals and rates survive a collector restart.
 */
export const migration: Migration = {
  version: 42,
  name: 'remote-hosts',
  sql: `
    CREATE TABLE remote_hosts (
      host_id TEXT PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      address TEXT NOT NULL,
      port INTEGER NOT NULL,
      ssh_user TEXT,
      ssh_key_path TEXT,
      snmp_community TEXT,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX remote_hosts_customer ON remote_hosts(customer_id);
    CREATE TABLE remote_check_state (
      host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT '{}',
      last_run_at INTEGER,
      PRIMARY KEY (host_id, name)
    );
  `,
};
