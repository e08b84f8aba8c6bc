import type { Migration } from '../migrate.js';

/**
 * The latest result of each check keeps its message (key and values, JSON) beside the English summary, so the
 * dashboard and reports render it in the reader's language. NULL for results of agents that send none.
 */
export const migration: Migration = {
  version: 22,
  name: 'check-messages',
  sql: `ALTER TABLE check_states ADD COLUMN message_json TEXT;`,
};
