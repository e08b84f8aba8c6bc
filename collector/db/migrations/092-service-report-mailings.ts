import type { Migration } from '../migrate.js';

/**
 * The monthly service report mailed on the 1st (service-report/monthly-mail.ts): one row per customer and month once
 * the mail is queued, written in the same transaction as the mail, so a restart never sends it twice. The mail goes
 * through customer_mail_outbox (retried while the SMTP server is down), which now carries attachments: a JSON list
 * of { filename, contentType, path } files under the data directory.
 */
export const migration: Migration = {
  version: 92,
  name: 'service-report-mailings',
  sql: `
    CREATE TABLE service_report_mailings (
      customer_id TEXT NOT NULL REFERENCES customers(id),
      month TEXT NOT NULL,
      mail_id INTEGER,
      recipients TEXT NOT NULL,
      queued_at INTEGER NOT NULL,
      PRIMARY KEY (customer_id, month)
    );
    ALTER TABLE customer_mail_outbox ADD COLUMN attachments TEXT;
  `,
};
