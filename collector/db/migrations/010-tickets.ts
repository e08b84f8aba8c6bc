import type { Migration } from '../migrate.js';

/**
 * Tickets (one per problem, keyed by a stable problem_key), their events (who, what, when) and the
 * per-year number counter. Numbers are never reused: the counter only grows, even if a ticket row is lost.
 */
export const migration: Migration = {
  version: 10,
  name: 'tickets',
  sql: `
    CREATE TABLE ticket_counters (
      year INTEGER PRIMARY KEY,
      last_number INTEGER NOT NULL
    );
    CREATE TABLE tickets (
      id TEXT PRIMARY KEY,
      number TEXT NOT NULL UNIQUE,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      host_id TEXT NOT NULL REFERENCES hosts(id),
      kind TEXT NOT NULL CHECK (kind IN ('check', 'host-unreachable')),
      check_name TEXT,
      check_id TEXT,
      problem_key TEXT NOT NULL,
      title TEXT NOT NULL,
      summary TEXT NOT NULL DEFAULT '',
      status TEXT NOT NULL,
      severity TEXT NOT NULL CHECK (severity IN ('P1', 'P2', 'P3', 'P4')),
      state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'in_progress', 'recovered', 'resolved', 'closed')),
      flapping INTEGER NOT NULL DEFAULT 0,
      tier INTEGER NOT NULL DEFAULT 1 CHECK (tier BETWEEN 1 AND 3),
      assignee_id TEXT REFERENCES users(id),
      occurrences INTEGER NOT NULL DEFAULT 1,
      reopen_count INTEGER NOT NULL DEFAULT 0,
      opened_at INTEGER NOT NULL,
      acknowledged_at INTEGER,
      acknowledged_by TEXT,
      in_progress_at INTEGER,
      recovered_at INTEGER,
      resolved_at INTEGER,
      restored_at INTEGER,
      closed_at INTEGER,
      closed_by TEXT,
      response_due_at INTEGER NOT NULL,
      onsite_due_at INTEGER NOT NULL,
      restore_due_at INTEGER NOT NULL,
      next_escalation_at INTEGER,
      problem_notified INTEGER NOT NULL DEFAULT 0,
      cause TEXT NOT NULL DEFAULT '',
      actions TEXT NOT NULL DEFAULT '',
      prevention TEXT NOT NULL DEFAULT '',
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX tickets_customer ON tickets(customer_id, state);
    CREATE INDEX tickets_problem ON tickets(problem_key, state);
    CREATE INDEX tickets_escalation ON tickets(state, next_escalation_at);
    CREATE TABLE ticket_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      ticket_id TEXT NOT NULL REFERENCES tickets(id),
      customer_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      actor_id TEXT,
      actor_name TEXT NOT NULL,
      kind TEXT NOT NULL,
      message TEXT NOT NULL DEFAULT '',
      data TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);
    -- Alerting memory per (host, check): consecutive failures, the last 21 statuses for flapping, the ticket.
    CREATE TABLE alert_states (
      host_id TEXT NOT NULL REFERENCES hosts(id),
      name TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      last_status TEXT NOT NULL,
      consecutive_bad INTEGER NOT NULL DEFAULT 0,
      history TEXT NOT NULL DEFAULT '[]',
      flapping INTEGER NOT NULL DEFAULT 0,
      last_result_at INTEGER NOT NULL,
      ticket_id TEXT REFERENCES tickets(id),
      PRIMARY KEY (host_id, name)
    );
    -- E-mail and phone of staff users, for notifications (the users table has no contact columns).
    CREATE TABLE user_contacts (
      user_id TEXT PRIMARY KEY REFERENCES users(id),
      email TEXT,
      phone TEXT
    );
  `,
};
