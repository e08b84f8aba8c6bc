import type { Migration } from '../migrate.js';

/**
 * - tickets.response_na: the ticket recovered before anyone was told of it (its problem message was cancelled),
 *   so there was nothing to respond to; it counts neither as met nor as missed.
 * - contracts: the flapping marks (Nagios defaults 50 % / 25 %) and how often a ticket may announce a reopen.
 * - notification_outbox by ticket: the reopen/recovery rate limit asks "what was this ticket's last message".
 */
export const migration: Migration = {
  version: 16,
  name: 'ticket-sla-flapping',
  sql: `
    ALTER TABLE tickets ADD COLUMN response_na INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE contracts ADD COLUMN flap_high_pct INTEGER NOT NULL DEFAULT 50;
    ALTER TABLE contracts ADD COLUMN flap_low_pct INTEGER NOT NULL DEFAULT 25;
    ALTER TABLE contracts ADD COLUMN reopen_notify_min INTEGER NOT NULL DEFAULT 30;
    CREATE INDEX notification_outbox_ticket ON notification_outbox(ticket_id, id);
  `,
};
