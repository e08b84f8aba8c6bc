import type { Migration } from '../migrate.js';

/**
 * Rounds of agentless hosts (SSH, SNMP) that could not be stored because the metrics store was down: the
 * collector's counterpart of an agent's spool. Bounded by the poller (oldest dropped past its limit); what
 * was dropped or refused is counted in the single row of remote_result_losses, so a loss is never silent.
 */
export const migration: Migration = {
  version: 43,
  name: 'remote-result-queue',
  sql: `
    CREATE TABLE remote_result_queue (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
      customer_id TEXT NOT NULL,
      batch TEXT NOT NULL,
      results INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT
    );
    CREATE INDEX remote_result_queue_host ON remote_result_queue(host_id, id);
    CREATE TABLE remote_result_losses (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      dropped_rounds INTEGER NOT NULL DEFAULT 0,
      dropped_results INTEGER NOT NULL DEFAULT 0,
      rejected_rounds INTEGER NOT NULL DEFAULT 0,
      rejected_results INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO remote_result_losses (id) VALUES (1);
  `,
};
