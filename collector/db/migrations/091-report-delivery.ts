import type { Migration } from '../migrate.js';

/**
 * Delivery and acceptance of inspection reports (issue 13, item 6; requirements.md: "an inspection report goes to
 * the customer within one week"):
 * - reports.delivered_at / delivered_to: when the signed report first reached the customer's contacts, and whom
 *   (a JSON list of addresses); the inspection calendar measures the one-week promise by it;
 * - report_deliveries: one row per sending of a signed report (at sign-off, or sent again by an engineer): the
 *   attachments are prepared (PDF printed) and a mail is queued in customer_mail_outbox (mail_id), whose own
 *   retries carry it through a mail server that is down; the row follows it to 'sent' or 'failed'
 *   (the outbox's attachments column, added by 092, carries a copy of the PDF kept under the report's folder);
 * - report_acceptances: the customer's one answer to a delivered report (签收): accepted, or returned with a
 *   remark. The primary key makes "never twice" hold even for two clicks at once.
 */
export const migration: Migration = {
  version: 91,
  name: 'report-delivery',
  sql: `
    ALTER TABLE reports ADD COLUMN delivered_at INTEGER;
    ALTER TABLE reports ADD COLUMN delivered_to TEXT;
    CREATE TABLE report_deliveries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      report_id TEXT NOT NULL REFERENCES reports(id),
      customer_id TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'preparing' CHECK (state IN ('preparing', 'queued', 'sent', 'failed', 'no-recipients')),
      recipients TEXT NOT NULL DEFAULT '[]',
      mail_id INTEGER,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      requested_by TEXT NOT NULL DEFAULT '',
      created_at INTEGER NOT NULL,
      sent_at INTEGER
    );
    CREATE INDEX report_deliveries_report ON report_deliveries(report_id, id);
    CREATE INDEX report_deliveries_open ON report_deliveries(state, next_attempt_at);
    CREATE TABLE report_acceptances (
      report_id TEXT PRIMARY KEY REFERENCES reports(id),
      customer_id TEXT NOT NULL,
      decision TEXT NOT NULL CHECK (decision IN ('accepted', 'returned')),
      user_id TEXT,
      user_name TEXT NOT NULL,
      remark TEXT NOT NULL DEFAULT '',
      decided_at INTEGER NOT NULL
    );
  `,
};
