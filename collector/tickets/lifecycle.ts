import type { Db } from '../db/database.js';
import type { Host } from '../db/hosts.js';
import type { Status } from '../../shared/status.js';
import type { CheckMessage } from '../../shared/check-result.js';
import { cancelQueuedProblem, problemInFlight } from '../notify/outbox.js';
import { queueTicketNotification } from './notifications.js';
import { addCalendarMinutes } from '../contracts/sla-calendar.js';
import { getContract, type Severity, type StoredContract } from '../contracts/contract-store.js';
import { recoveryMessageOwed } from './reopen-messages.js';
import { domainOfCheck } from './case-types.js';
import { addEvent, getTicket, insertTicket, updateTicket, SYSTEM_ACTOR, type Actor, type Ticket, type TicketKind } from './ticket-store.js';
import { applyContractTerms } from './contract-sla.js';

/**
 * The transitions shared by the state engine (system actor) and the API (users). Each one writes the
 * ticket, an event saying who did what, and queues the notification it implies. Callers run them inside
 * a transaction.
 */

export function slaDueTimes(contract: StoredContract, severity: Severity, from: number): { responseDueAt: number; onsiteDueAt: number; restoreDueAt: number } {
  const t = contract.targets[severity];
  return {
    responseDueAt: addCalendarMinutes(contract.calendar, from, t.respondMin),
    onsiteDueAt: addCalendarMinutes(contract.calendar, from, t.onsiteMin),
    restoreDueAt: addCalendarMinutes(contract.calendar, from, t.restoreMin),
  };
}

export function openTicket(
  db: Db,
  o: { host: Host; kind: TicketKind; checkName: string | null; checkId: string | null; status: Status; summary: string; summaryMessage?: CheckMessage; severity: Severity; flapping: boolean; now: number },
): Ticket {
  const contract = getContract(db, o.host.customerId);
  const problemKey = o.kind === 'check' ? `check:${o.host.id}:${o.checkName}` : `host:${o.host.id}`;
  const title = o.kind === 'check' ? `${o.host.name}: ${o.checkName}` : `${o.host.name}: host unreachable`;
  const ticket = insertTicket(db, {
    customerId: o.host.customerId,
    hostId: o.host.id,
    kind: o.kind,
    checkName: o.checkName,
    checkId: o.checkId,
    problemKey,
    title,
    summary: o.summary,
    ...(o.summaryMessage ? { summaryMessage: o.summaryMessage } : {}),
    status: o.status,
    severity: o.severity,
    flapping: o.flapping,
    domain: domainOfCheck(o.checkId, o.kind),
    openedAt: o.now,
    ...slaDueTimes(contract, o.severity, o.now),
  });
  addEvent(db, ticket, {
    at: o.now,
    actor: SYSTEM_ACTOR,
    kind: 'opened',
    message: o.summary,
    data: { status: o.status, severity: o.severity, flapping: o.flapping, ...(o.summaryMessage ? { message: o.summaryMessage } : {}) },
  });
  const opened = applyContractTerms(db, ticket, o.now);
  queueTicketNotification(db, opened, 'problem', o.now, 1);
  return opened;
}

/**
 * A deadline under a stricter severity. One already decided (answered, on site, restored) is history and
 * stays as it was: raising the severity later must not turn an on-time response into a late one. One still
 * running only tightens: the stricter target counted from the opening, or from the raise when that instant
 * has already passed (nobody can answer in the past), and never later than it was.
 */
function tightened(currentDueAt: number, decidedAt: number | null, fromOpenedAt: number, fromRaiseAt: number, now: number): number {
  if (decidedAt !== null) return currentDueAt;
  return Math.min(currentDueAt, fromOpenedAt > now ? fromOpenedAt : fromRaiseAt);
}

/** WARNING -> CRITICAL on the same ticket: deadlines still running tighten; those already met stay. */
export function raiseSeverity(db: Db, ticket: Ticket, severity: Severity, now: number): Ticket {
  const contract = getContract(db, ticket.customerId);
  const fromOpened = slaDueTimes(contract, severity, ticket.openedAt);
  const fromRaise = slaDueTimes(contract, severity, now);
  const due = {
    responseDueAt: ticket.responseNotApplicable
      ? ticket.responseDueAt
      : tightened(ticket.responseDueAt, ticket.acknowledgedAt, fromOpened.responseDueAt, fromRaise.responseDueAt, now),
    onsiteDueAt: tightened(ticket.onsiteDueAt, ticket.onsiteAt, fromOpened.onsiteDueAt, fromRaise.onsiteDueAt, now),
    restoreDueAt: tightened(ticket.restoreDueAt, ticket.restoredAt, fromOpened.restoreDueAt, fromRaise.restoreDueAt, now),
  };
  const nextEscalationAt =
    ticket.state === 'open' && ticket.tier === 1 && ticket.nextEscalationAt !== null
      ? Math.min(ticket.nextEscalationAt, Math.max(due.responseDueAt, now))
      : ticket.nextEscalationAt;
  updateTicket(db, ticket.id, { severity, ...due, nextEscalationAt }, now);
  addEvent(db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: 'severity', message: `${ticket.severity} -> ${severity}`, data: { from: ticket.severity, to: severity } });
  const updated = getTicket(db, ticket.id, { now })!;
  if (!updated.flapping) queueTicketNotification(db, updated, 'severity', now);
  return updated;
}

/** A problem-side message of the ticket left the queue at some point (was flushed towards the channels). */
function problemEverFlushed(db: Db, ticketId: string): boolean {
  const r = db
    .prepare("SELECT EXISTS (SELECT 1 FROM notification_outbox WHERE ticket_id = ? AND state = 'flushed' AND kind IN ('problem', 'reopen', 'severity', 'escalation')) AS flushed")
    .get(ticketId) as { flushed: number };
  return r.flushed === 1;
}

/**
 * Checks OK again: the ticket becomes recovered. A recovery message only if the problem message went out
 * (and, after a held-back reopen, only if people were not already last told "recovered"). A ticket that
 * recovers while its problem message still waited in the queue was never announced: the message is dropped
 * and, if nobody answered it anyway, its response is "not applicable" rather than missed.
 */
export function markRecovered(db: Db, ticket: Ticket, now: number, message: string): Ticket {
  updateTicket(db, ticket.id, { state: 'recovered', recoveredAt: now, restoredAt: ticket.restoredAt ?? now, nextEscalationAt: null }, now);
  const data: Record<string, unknown> = {};
  if (ticket.problemNotified) {
    if (recoveryMessageOwed(db, ticket.id)) queueTicketNotification(db, getTicket(db, ticket.id, { now })!, 'recovery', now);
    else data.messageHeldBack = 'the reopen before it was not announced (rate limit)';
  } else {
    const cancelled = cancelQueuedProblem(db, ticket.id);
    // The problem message is out but its delivery is still being retried: queue the recovery anyway; the
    // notifier holds it until the problem is delivered, and drops it if that delivery fails for good.
    if (problemInFlight(db, ticket.id)) queueTicketNotification(db, getTicket(db, ticket.id, { now })!, 'recovery', now);
    else if (cancelled > 0 && ticket.acknowledgedAt === null && !problemEverFlushed(db, ticket.id)) {
      updateTicket(db, ticket.id, { responseNotApplicable: true }, now);
      data.responseNotApplicable = true;
    }
  }
  // The recovering result's message (the ticket's summary was just set from it), for the timeline in zh or en.
  if (ticket.summaryMessage && message.endsWith(ticket.summary)) data.message = ticket.summaryMessage;
  addEvent(db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: 'recovered', message, data });
  return getTicket(db, ticket.id, { now })!;
}

/** The latest time service came back in the current episode (recovered, then perhaps resolved later). */
export function lastRestoredAt(t: Ticket): number | null {
  const times = [t.recoveredAt, t.resolvedAt, t.restoredAt].filter((v): v is number => v !== null);
  return times.length ? Math.max(...times) : null;
}

/**
 * Not solved after all. The restore time is cleared, so the restore target is judged on the final restore
 * (the earlier ones stay in the events). A ticket whose response was "not applicable" was never announced:
 * its response clock starts now, with the reopen message.
 */
export function reopenTicket(db: Db, ticket: Ticket, actor: Actor, now: number, reason: string, notify: boolean): Ticket {
  const contract = getContract(db, ticket.customerId);
  const freshResponseDueAt = addCalendarMinutes(contract.calendar, now, contract.targets[ticket.severity].respondMin);
  updateTicket(
    db,
    ticket.id,
    {
      state: 'open',
      reopenCount: ticket.reopenCount + 1,
      recoveredAt: null,
      resolvedAt: null,
      restoredAt: null,
      closedAt: null,
      closedBy: null,
      // The escalation clock restarts: the on-duty tier has a fresh response period for the recurrence.
      nextEscalationAt: ticket.tier < 3 ? freshResponseDueAt : null,
      ...(ticket.responseNotApplicable ? { responseNotApplicable: false, responseDueAt: freshResponseDueAt } : {}),
    },
    now,
  );
  addEvent(db, ticket, {
    at: now,
    actor,
    kind: 'reopened',
    message: reason,
    data: { previous: { recoveredAt: ticket.recoveredAt, resolvedAt: ticket.resolvedAt, restoredAt: ticket.restoredAt, closedAt: ticket.closedAt }, notified: notify },
  });
  const updated = getTicket(db, ticket.id, { now })!;
  if (notify) queueTicketNotification(db, updated, 'reopen', now);
  return updated;
}

/** Unacknowledged past its deadline: up one tier, tell that tier's on-duty people, set the next deadline. */
export function escalate(db: Db, ticket: Ticket, now: number): Ticket {
  const contract = getContract(db, ticket.customerId);
  const tier = (ticket.tier + 1) as 2 | 3;
  const deadline = ticket.nextEscalationAt ?? now;
  const nextEscalationAt = tier < 3 ? addCalendarMinutes(contract.calendar, deadline, contract.targets[ticket.severity].respondMin) : null;
  updateTicket(db, ticket.id, { tier, nextEscalationAt }, now);
  addEvent(db, ticket, {
    at: now,
    actor: SYSTEM_ACTOR,
    kind: 'escalated',
    message: `L${ticket.tier} -> L${tier}: not acknowledged by ${new Date(deadline).toISOString()}`,
    data: { from: ticket.tier, to: tier },
  });
  const updated = getTicket(db, ticket.id, { now })!;
  queueTicketNotification(db, updated, 'escalation', now, tier);
  return updated;
}

/**
 * Closed by the contract's auto-close rule, not by the customer: its own event kind, so the timeline, the fault
 * report and any count of "closed with consent" can tell the two apart.
 */
export function autoClose(db: Db, ticket: Ticket, now: number, days: number): void {
  updateTicket(db, ticket.id, { state: 'closed', closedAt: now, closedBy: 'system' }, now);
  addEvent(db, ticket, {
    at: now,
    actor: SYSTEM_ACTOR,
    kind: 'closed-by-contract',
    message: `closed by the contract's rule ${days} days after recovery, without the customer's confirmation`,
    data: { days, consent: false },
  });
}
