import type { Migration } from '../migrate.js';

/**
 * Contracts with terms: the first and last day they run (Beijing dates, the last one included), the hosts they
 * cover (NULL = all of the customer's), the staff user who owns the account (told 30 days before the end). A case
 * opened outside the contract's term or on a host it does not cover runs no SLA clocks: tickets.sla_stopped says
 * why. contract_end_notices keeps the one reminder per contract end date.
 */
export const migration: Migration = {
  version: 90,
  name: 'contract-terms',
  sql: `
    ALTER TABLE contracts ADD COLUMN starts_on TEXT;
    ALTER TABLE contracts ADD COLUMN ends_on TEXT;
    ALTER TABLE contracts ADD COLUMN covered_hosts TEXT;
    ALTER TABLE contracts ADD COLUMN account_owner_id TEXT;
    ALTER TABLE tickets ADD COLUMN sla_stopped TEXT;
    CREATE TABLE contract_end_notices (
      customer_id TEXT NOT NULL REFERENCES customers(id),
      ends_on TEXT NOT NULL,
      sent_at INTEGER NOT NULL,
      PRIMARY KEY (customer_id, ends_on)
    );
  `,
};
