import type { Migration } from '../migrate.js';

/**
 * When an engineer arrived on site for a ticket, and who recorded it: the contract's on-site target
 * (P1 1 h, P2 2 h by default) can only be judged met or missed against a recorded arrival.
 */
export const migration: Migration = {
  version: 15,
  name: 'ticket-onsite',
  sql: `
    ALTER TABLE tickets ADD COLUMN onsite_at INTEGER;
    ALTER TABLE tickets ADD COLUMN onsite_by TEXT;
  `,
};
