import type { Db } from '../db/database.js';
import { queueTicketNotification } from './notifications.js';
import { getContract } from '../contracts/contract-store.js';
import { addEvent, getTicket, SYSTEM_ACTOR } from './ticket-store.js';

/**
 * How often a ticket may tell people it is back (reopen) and gone again (recovery). A check that fails for
 * 3 minutes and is OK for 3 reopens and recovers its ticket 20 times in 2 hours without ever reaching the
 * flapping mark; every change stays in the ticket's events, but messages are limited to one reopen (and the
 * recovery after it) per ticket per `reopenNotifyMin` (contract, 30 min by default). A recovery is announced
 * only when the last word people had about the ticket was a problem, and a ticket left open by a held-back
 * reopen is announced once the limit allows, so what people were last told is never wrong for long.
 */

const ANNOUNCING = "('problem', 'reopen', 'severity', 'escalation', 'recovery')";

/** The ticket's latest message item (problem side or recovery) that was not cancelled. */
function lastAnnouncement(db: Db, ticketId: string): { kind: string; createdAt: number } | undefined {
  return db
    .prepare(
      `SELECT kind, created_at AS createdAt FROM notification_outbox
       WHERE ticket_id = ? AND state != 'cancelled' AND kind IN ${ANNOUNCING} ORDER BY id DESC LIMIT 1`,
    )
    .get(ticketId) as { kind: string; createdAt: number } | undefined;
}

/** When the ticket last told people it was failing (opened or reopened), if it ever did. */
function lastProblemAnnouncedAt(db: Db, ticketId: string): number | null {
  const r = db
    .prepare("SELECT MAX(created_at) AS at FROM notification_outbox WHERE ticket_id = ? AND state != 'cancelled' AND kind IN ('problem', 'reopen')")
    .get(ticketId) as { at: number | null };
  return r.at;
}

/** May an automatic reopen be announced now? */
export function reopenMessageAllowed(db: Db, ticketId: string, now: number, reopenNotifyMin: number): boolean {
  if (reopenNotifyMin === 0) return true;
  const last = lastProblemAnnouncedAt(db, ticketId);
  return last === null || now - last >= reopenNotifyMin * 60_000;
}

/** Is a recovery message owed: was the last thing people were told about this ticket a problem? */
export function recoveryMessageOwed(db: Db, ticketId: string): boolean {
  const last = lastAnnouncement(db, ticketId);
  return last !== undefined && last.kind !== 'recovery';
}

/**
 * Tickets that were reopened with the message held back and are still open and unanswered: once the limit
 * allows, tell people (their last message said "recovered"). Called from the engine's tick.
 */
export function announceHeldReopens(db: Db, now: number): number {
  const rows = db
    .prepare(
      `SELECT t.id, t.customer_id AS customerId FROM tickets t
       WHERE t.state = 'open' AND t.reopen_count > 0 AND t.flapping = 0 AND t.problem_notified = 1
         AND (SELECT o.kind FROM notification_outbox o WHERE o.ticket_id = t.id AND o.state != 'cancelled' AND o.kind IN ${ANNOUNCING}
              ORDER BY o.id DESC LIMIT 1) = 'recovery'`,
    )
    .all() as Array<{ id: string; customerId: string }>;
  let sent = 0;
  for (const r of rows) {
    if (!reopenMessageAllowed(db, r.id, now, getContract(db, r.customerId).reopenNotifyMin)) continue;
    const t = getTicket(db, r.id, { now })!;
    addEvent(db, t, { at: now, actor: SYSTEM_ACTOR, kind: 'reopen-announced', message: `still failing: ${t.summary}`, ...(t.summaryMessage ? { data: { message: t.summaryMessage } } : {}) });
    queueTicketNotification(db, t, 'reopen', now);
    sent++;
  }
  return sent;
}
