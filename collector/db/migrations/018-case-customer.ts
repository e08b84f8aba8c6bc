import type { Migration } from '../migrate.js';

/**
 * What cases owe the customer, and what the customer says back:
 * - contracts.auto_close_notice_days: where a contract closes cases by itself, how many days ahead the customer is told;
 * - ticket_customer_notices: each notice or reminder mail sent for a case, once per episode (a reopened case is a
 *   new episode, keyed by the resolution time it follows);
 * - customer_mail_outbox: mails to the customer's people (case number answers, notices, reminders), sent with
 *   retries through the customer's e-mail channel, kept with their outcome;
 * - ticket_ratings: the customer's satisfaction score (1-5) and remark after confirming a case closed;
 * - oncall_shifts.domain: a shift for one expert domain (network/database/system/security), so an L3 case of
 *   that domain reaches its expert;
 * - customer_mail_domains: mail domains that belong to a customer (a mail from anyone there opens a case).
 */
export const migration: Migration = {
  version: 18,
  name: 'case-customer',
  sql: `
    ALTER TABLE contracts ADD COLUMN auto_close_notice_days INTEGER NOT NULL DEFAULT 2;
    CREATE TABLE ticket_customer_notices (
      ticket_id TEXT NOT NULL REFERENCES tickets(id),
      customer_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('auto-close-notice', 'reminder')),
      episode_at INTEGER NOT NULL,
      seq INTEGER NOT NULL DEFAULT 1,
      sent_at INTEGER NOT NULL,
      PRIMARY KEY (ticket_id, kind, episode_at, seq)
    );
    CREATE TABLE customer_mail_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      customer_id TEXT NOT NULL,
      ticket_id TEXT,
      kind TEXT NOT NULL,
      recipients TEXT NOT NULL,
      subject TEXT NOT NULL,
      body TEXT NOT NULL,
      in_reply_to TEXT,
      state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      created_at INTEGER NOT NULL,
      sent_at INTEGER
    );
    CREATE INDEX customer_mail_outbox_due ON customer_mail_outbox(state, next_attempt_at);
    CREATE TABLE ticket_ratings (
      ticket_id TEXT PRIMARY KEY REFERENCES tickets(id),
      customer_id TEXT NOT NULL,
      score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
      remark TEXT NOT NULL DEFAULT '',
      rated_by TEXT NOT NULL,
      rated_at INTEGER NOT NULL
    );
    CREATE INDEX ticket_ratings_customer ON ticket_ratings(customer_id, rated_at);
    ALTER TABLE oncall_shifts ADD COLUMN domain TEXT CHECK (domain IN ('network', 'database', 'system', 'security'));
    CREATE TABLE customer_mail_domains (
      domain TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      created_at INTEGER NOT NULL
    );
  `,
};
