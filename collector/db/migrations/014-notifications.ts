import type { Migration } from '../migrate.js';

/**
 * Notification channels, the outbox (items waiting to be coalesced per host), the messages made of them,
 * and the delivery log (one row per message and channel, with every attempt).
 */
export const migration: Migration = {
  version: 14,
  name: 'notifications',
  sql: `
    CREATE TABLE notification_channels (
      id TEXT PRIMARY KEY,
      customer_id TEXT REFERENCES customers(id),
      name TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('webhook', 'wecom', 'dingtalk', 'feishu', 'slack', 'email')),
      config TEXT NOT NULL,
      secret TEXT,
      enabled INTEGER NOT NULL DEFAULT 1,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE notification_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      customer_id TEXT NOT NULL,
      host_id TEXT NOT NULL,
      ticket_id TEXT NOT NULL REFERENCES tickets(id),
      kind TEXT NOT NULL,
      tier INTEGER NOT NULL,
      recipients TEXT NOT NULL DEFAULT '[]',
      item TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'flushed', 'cancelled')),
      message_id TEXT
    );
    CREATE INDEX notification_outbox_queued ON notification_outbox(state, customer_id, host_id, tier);
    CREATE TABLE notification_messages (
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL,
      host_id TEXT NOT NULL,
      payload TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE notification_deliveries (
      id TEXT PRIMARY KEY,
      message_id TEXT NOT NULL REFERENCES notification_messages(id),
      channel_id TEXT NOT NULL REFERENCES notification_channels(id),
      customer_id TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      sent_at INTEGER,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX notification_deliveries_due ON notification_deliveries(state, next_attempt_at);
    CREATE TABLE notification_attempts (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      delivery_id TEXT NOT NULL REFERENCES notification_deliveries(id),
      customer_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      error TEXT
    );
  `,
};
