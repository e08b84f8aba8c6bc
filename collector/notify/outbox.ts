import type { Db } from '../db/database.js';
import { createLogger } from '../../shared/logger.js';
import { recipientsOf } from '../oncall/contacts.js';
import { notifyTargetFor, type NotifyTarget, type Tier } from '../oncall/rota-store.js';
import type { Domain } from '../oncall/expert-domains.js';
import type { Severity } from '../contracts/contract-store.js';
import type { CheckMessage } from '../../shared/check-result.js';
import type { Status } from '../../shared/status.js';

const log = createLogger('notify.outbox');

export type NotificationKind = 'problem' | 'recovery' | 'escalation' | 'reopen' | 'severity';

/**
 * What a message says about a ticket. Tickets' Ticket has all of it: notify reads tickets through this shape
 * and never imports them (tickets import notify).
 */
export interface NotifiedTicket {
  id: string;
  number: string;
  customerId: string;
  hostId: string;
  severity: Severity;
  state: string;
  status: Status;
  title: string;
  summary: string;
  summaryMessage?: CheckMessage;
  hostName: string;
  tier: Tier;
  flapping: boolean;
  /** The L3 expert group whose on-duty people are asked first; null: the tier's general shift. */
  domain: Domain | null;
}

/**
 * The ticket's own timeline, as notify writes to it (a message that goes to other people than the tier asked
 * for is said on the ticket). Tickets implement it with their event log (tickets/notifications.ts).
 */
export interface TicketTimeline {
  record(event: { at: number; kind: 'notify-fallback'; message: string; data: Record<string, unknown> }): void;
}

/** One line of a notification message: what happened to which ticket. */
export interface NotificationItem {
  ticketId: string;
  number: string;
  kind: NotificationKind;
  severity: Severity;
  state: string;
  status: Status;
  title: string;
  summary: string;
  /** The summary as a message, rendered in the channel's language (checks/messages.ts); absent: summary as is. */
  summaryMessage?: CheckMessage;
  hostName: string;
  tier: Tier;
  flapping: boolean;
  at: number;
}

/**
 * Queue a notification about a ticket for the on-duty people of a tier. Items of one host and tier are
 * coalesced into one message by the notifier; nothing is sent from here.
 */
export function enqueueNotification(
  db: Db,
  ticket: NotifiedTicket,
  kind: NotificationKind,
  now: number,
  timeline: TicketTimeline,
  tier: Tier = ticket.tier,
): void {
  const target = notifyTargetFor(db, tier, ticket.customerId, now, ticket.domain);
  if (target.emptyTiers.length > 0) recordFallback(db, ticket, kind, tier, target, now, timeline);
  const recipients = target.userIds;
  const item: NotificationItem = {
    ticketId: ticket.id,
    number: ticket.number,
    kind,
    severity: ticket.severity,
    state: ticket.state,
    status: ticket.status,
    title: ticket.title,
    summary: ticket.summary,
    ...(ticket.summaryMessage ? { summaryMessage: ticket.summaryMessage } : {}),
    hostName: ticket.hostName,
    tier,
    flapping: ticket.flapping,
    at: now,
  };
  db.prepare(
    'INSERT INTO notification_outbox (customer_id, host_id, ticket_id, kind, tier, recipients, item, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(ticket.customerId, ticket.hostId, ticket.id, kind, tier, JSON.stringify(recipients), JSON.stringify(item), now);
}

/** Nobody on duty in the asked tier: say so in the log (naming the tier) and on the ticket (naming who was told instead). */
function recordFallback(db: Db, ticket: NotifiedTicket, kind: NotificationKind, tier: Tier, target: NotifyTarget, now: number, timeline: TicketTimeline): void {
  const people = recipientsOf(db, target.userIds);
  const names = people.map((r) => r.name);
  const empty = target.emptyTiers.map((k) => `L${k}`).join(', ');
  const instead = target.fromTier === null ? 'admins' : `L${target.fromTier}`;
  // E-mail channels need an address; say so here rather than only in a failed delivery.
  const noMail = people.length > 0 && people.every((r) => !r.email) ? ' (none of them has an e-mail address)' : '';
  const message = names.length
    ? `nobody on duty at ${empty}; ${kind} message goes to ${instead} instead: ${names.join(', ')}${noMail}`
    : `nobody on duty at ${empty} and no admin to fall back to: the ${kind} message has no recipients`;
  log.warn({ ticket: ticket.number, customerId: ticket.customerId, emptyTier: `L${tier}`, emptyTiers: target.emptyTiers, notified: instead, recipients: names }, message);
  timeline.record({
    at: now,
    kind: 'notify-fallback',
    message,
    data: { kind, tier, emptyTiers: target.emptyTiers, fromTier: target.fromTier, recipients: names },
  });
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
