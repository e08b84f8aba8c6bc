import type { Db } from '../db/database.js';
import { enqueueNotification, type NotificationKind, type TicketTimeline } from '../notify/outbox.js';
import { addEvent, SYSTEM_ACTOR, type Ticket } from './ticket-store.js';

/** A ticket's event log as notify's TicketTimeline: what notify says about the ticket is a system event on it. */
export function ticketTimeline(db: Db, ticket: Ticket): TicketTimeline {
  return { record: (event) => addEvent(db, ticket, { ...event, actor: SYSTEM_ACTOR }) };
}

/**
 * Queue a message about a ticket for the on-duty people of a tier (the ticket's own by default); a fallback to
 * other people is written on the ticket's timeline.
 */
export function queueTicketNotification(db: Db, ticket: Ticket, kind: NotificationKind, now: number, tier: Ticket['tier'] = ticket.tier): void {
  enqueueNotification(db, ticket, kind, now, ticketTimeline(db, ticket), tier);
}
