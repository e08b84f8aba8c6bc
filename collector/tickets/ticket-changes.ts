import type { Db } from '../db/database.js';

/**
 * Readers that follow every ticket change (the dashboard's live feed) read the timeline: every change adds a
 * row to ticket_events (ticket-store.ts addEvent), so whoever changed a ticket need not know who listens.
 */

/** The newest timeline row's id (0 when there is none): where a reader of changes starts from. */
export function latestTicketEventId(db: Db): number {
  return (db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM ticket_events').get() as { id: number }).id;
}

/** A timeline row with its ticket's current state. */
export interface TicketChange {
  id: number;
  kind: string;
  number: string;
  customerId: string;
  hostId: string;
  state: string;
  severity: string;
}

/** Timeline rows after `afterId`, oldest first, at most `limit`, each with its ticket's number and current state. */
export function ticketChangesSince(db: Db, afterId: number, limit: number): TicketChange[] {
  return db
    .prepare(
      `SELECT e.id, e.kind, t.number, t.customer_id AS customerId, t.host_id AS hostId, t.state, t.severity
       FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.id > ? ORDER BY e.id LIMIT ?`,
    )
    .all(afterId, limit) as TicketChange[];
}
