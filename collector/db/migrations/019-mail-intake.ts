import type { Migration } from '../migrate.js';

/**
 * Cases by e-mail: the support mailbox's settings (one row; the password sealed with the secret box), every
 * message taken from it keyed by (mailbox, UIDVALIDITY, UID) so a crash between storing and flagging it never
 * stores it twice, the triage list of mails nobody could place, and the attachments kept in the data folder.
 */
export const migration: Migration = {
  version: 19,
  name: 'mail-intake',
  sql: `
    CREATE TABLE mail_intake_config (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      config TEXT NOT NULL,
      password TEXT,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE mail_intake_messages (
      mailbox TEXT NOT NULL,
      uid_validity TEXT NOT NULL,
      uid INTEGER NOT NULL,
      message_id TEXT,
      from_addr TEXT NOT NULL,
      subject TEXT NOT NULL,
      outcome TEXT NOT NULL CHECK (outcome IN ('opened', 'commented', 'triage')),
      ticket_id TEXT,
      triage_id TEXT,
      stored_at INTEGER NOT NULL,
      flagged_at INTEGER,
      PRIMARY KEY (mailbox, uid_validity, uid)
    );
    CREATE INDEX mail_intake_unflagged ON mail_intake_messages(flagged_at);
    CREATE TABLE mail_triage (
      id TEXT PRIMARY KEY,
      from_addr TEXT NOT NULL,
      from_name TEXT NOT NULL DEFAULT '',
      subject TEXT NOT NULL,
      body TEXT NOT NULL,
      message_id TEXT,
      reason TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'assigned', 'discarded')),
      customer_id TEXT,
      ticket_id TEXT,
      decided_by TEXT,
      decided_at INTEGER,
      note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX mail_triage_state ON mail_triage(state, received_at);
    CREATE TABLE mail_attachments (
      id TEXT PRIMARY KEY,
      ticket_id TEXT,
      triage_id TEXT,
      customer_id TEXT,
      filename TEXT NOT NULL,
      content_type TEXT NOT NULL,
      size_bytes INTEGER NOT NULL,
      path TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX mail_attachments_ticket ON mail_attachments(ticket_id);
    CREATE INDEX mail_attachments_triage ON mail_attachments(triage_id);
  `,
};
