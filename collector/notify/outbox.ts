import type { Db } from '../db/database.js';
import { onDutyUserIds, type Tier } from '../tickets/oncall.js';
import type { Ticket } from '../tickets/ticket-store.js';

export type NotificationKind = 'problem' | 'recovery' | 'escalation' | 'reopen' | 'severity';

/** One line of a notification message: what happened to which ticket. */
export interface NotificationItem {
  ticketId: string;
  number: string;
  kind: NotificationKind;
  severity: Ticket['severity'];
  state: Ticket['state'];
  status: Ticket['status'];
  title: string;
  summary: string;
  hostName: string;
  tier: Tier;
  flapping: boolean;
  at: number;
}

/**
 * Queue a notification about a ticket for the on-duty people of a tier. Items of one host and tier are
 * coalesced into one message by the notifier; nothing is sent from here.
 */
export function enqueueNotification(db: Db, ticket: Ticket, kind: NotificationKind, now: number, tier: Tier = ticket.tier): void {
  const recipients = onDutyUserIds(db, tier, ticket.customerId, now);
  const item: NotificationItem = {
    ticketId: ticket.id,
    number: ticket.number,
    kind,
    severity: ticket.severity,
    state: ticket.state,
    status: ticket.status,
    title: ticket.title,
    summary: ticket.summary,
    hostName: ticket.hostName,
    tier,
    flapping: ticket.flapping,
    at: now,
  };
  db.prepare(
    'INSERT INTO notification_outbox (customer_id, host_id, ticket_id, kind, tier, recipients, item, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(ticket.customerId, ticket.hostId, ticket.id, kind, tier, JSON.stringify(recipients), JSON.stringify(item), now);
}

/** Drop a ticket's problem items still waiting in the queue (it recovered before anyone was told). Returns how many. */
export function cancelQueuedProblem(db: Db, ticketId: string): number {
  return db
    .prepare(
      "UPDATE notification_outbox SET state = 'cancelled' WHERE ticket_id = ? AND state = 'queued' AND kind IN ('problem', 'reopen', 'severity', 'escalation')",
    )
    .run(ticketId).changes;
}

/** Kinds that tell someone a problem exists; a recovery only follows one of these that was delivered. */
export const PROBLEM_KINDS = ['problem', 'reopen', 'escalation', 'severity'] as const;
const PROBLEM_KINDS_SQL = PROBLEM_KINDS.map((k) => `'${k}'`).join(', ');

/**
 * SQL condition on an outbox row aliased `o`: a recovery whose ticket's problem message has not been
 * delivered yet. The notifier holds such rows back (they neither flush nor open a coalescing window).
 */
export const HELD_RECOVERY_SQL = `(o.kind = 'recovery' AND NOT EXISTS (SELECT 1 FROM tickets ht WHERE ht.id = o.ticket_id AND ht.problem_notified = 1))`;

/** SQL condition for "a problem message about ticket `:ticketId` still has a delivery pending or in progress". */
export const PROBLEM_IN_FLIGHT_SQL = `EXISTS (
  SELECT 1 FROM notification_outbox p JOIN notification_deliveries d ON d.message_id = p.message_id
  WHERE p.ticket_id = @ticketId AND p.kind IN (${PROBLEM_KINDS_SQL}) AND d.state IN ('pending', 'sending'))`;

/** A problem message about the ticket was flushed and is still being delivered (first try or retries). */
export function problemInFlight(db: Db, ticketId: string): boolean {
  return (db.prepare(`SELECT ${PROBLEM_IN_FLIGHT_SQL} AS inFlight`).get({ ticketId }) as { inFlight: number }).inFlight === 1;
}
