import type { Migration } from '../migrate.js';

/**
 * A ticket's summary as a message (key and values, JSON), set with the summary from the result that set it, so
 * the ticket page and notifications render it in the reader's language. NULL: the English summary is shown.
 */
export const migration: Migration = {
  version: 23,
  name: 'ticket-summary-messages',
  sql: `ALTER TABLE tickets ADD COLUMN summary_message_json TEXT;`,
};
