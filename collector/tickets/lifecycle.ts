import type { Db } from '../db/database.js';
import type { Host } from '../db/hosts.js';
import type { Status } from '../../shared/status.js';
import { cancelQueuedProblem, enqueueNotification, problemInFlight } from '../notify/outbox.js';
import { addCalendarMinutes } from './calendar.js';
import { getContract, type Severity, type StoredContract } from './contracts.js';
import { addEvent, getTicket, insertTicket, updateTicket, SYSTEM_ACTOR, type Actor, type Ticket, type TicketKind } from './ticket-store.js';

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
  o: { host: Host; kind: TicketKind; checkName: string | null; checkId: string | null; status: Status; summary: string; severity: Severity; flapping: boolean; now: number },
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
    status: o.status,
    severity: o.severity,
    flapping: o.flapping,
    openedAt: o.now,
    ...slaDueTimes(contract, o.severity, o.now),
  });
  addEvent(db, ticket, {
    at: o.now,
    actor: SYSTEM_ACTOR,
    kind: 'opened',
    message: o.summary,
    data: { status: o.status, severity: o.severity, flapping: o.flapping },
  });
  enqueueNotification(db, ticket, 'problem', o.now, 1);
  return ticket;
}

/** WARNING -> CRITICAL on the same ticket: stricter targets counted from when it opened. */
export function raiseSeverity(db: Db, ticket: Ticket, severity: Severity, now: number): Ticket {
  const contract = getContract(db, ticket.customerId);
  const due = slaDueTimes(contract, severity, ticket.openedAt);
  const nextEscalationAt =
    ticket.state === 'open' && ticket.tier === 1 && ticket.nextEscalationAt !== null
      ? Math.min(ticket.nextEscalationAt, due.responseDueAt)
      : ticket.nextEscalationAt;
  updateTicket(db, ticket.id, { severity, ...due, nextEscalationAt }, now);
  addEvent(db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: 'severity', message: `${ticket.severity} -> ${severity}`, data: { from: ticket.severity, to: severity } });
  const updated = getTicket(db, ticket.id, { now })!;
  if (!updated.flapping) enqueueNotification(db, updated, 'severity', now);
  return updated;
}

/** Checks OK again: the ticket becomes recovered; a recovery message only if the problem message went out. */
export function markRecovered(db: Db, ticket: Ticket, now: number, message: string): Ticket {
  updateTicket(db, ticket.id, { state: 'recovered', recoveredAt: now, restoredAt: ticket.restoredAt ?? now, nextEscalationAt: null }, now);
  addEvent(db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: 'recovered', message });
  const updated = getTicket(db, ticket.id, { now })!;
  if (updated.problemNotified) enqueueNotification(db, updated, 'recovery', now);
  else {
    cancelQueuedProblem(db, ticket.id);
    // The problem message is out but its delivery is still being retried: queue the recovery anyway; the
    // notifier holds it until the problem is delivered, and drops it if that delivery fails for good.
    if (problemInFlight(db, ticket.id)) enqueueNotification(db, updated, 'recovery', now);
  }
  return updated;
}

export function reopenTicket(db: Db, ticket: Ticket, actor: Actor, now: number, reason: string, notify: boolean): Ticket {
  const contract = getContract(db, ticket.customerId);
  updateTicket(
    db,
    ticket.id,
    {
      state: 'open',
      reopenCount: ticket.reopenCount + 1,
      recoveredAt: null,
      resolvedAt: null,
      closedAt: null,
      closedBy: null,
      // The escalation clock restarts: the on-duty tier has a fresh response period for the recurrence.
      nextEscalationAt: ticket.tier < 3 ? addCalendarMinutes(contract.calendar, now, contract.targets[ticket.severity].respondMin) : null,
    },
    now,
  );
  addEvent(db, ticket, { at: now, actor, kind: 'reopened', message: reason });
  const updated = getTicket(db, ticket.id, { now })!;
  if (notify) enqueueNotification(db, updated, 'reopen', now);
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
  enqueueNotification(db, updated, 'escalation', now, tier);
  return updated;
}

export function autoClose(db: Db, ticket: Ticket, now: number, days: number): void {
  updateTicket(db, ticket.id, { state: 'closed', closedAt: now, closedBy: 'system' }, now);
  addEvent(db, ticket, { at: now, actor: SYSTEM_ACTOR, kind: 'closed', message: `closed automatically ${days} days after recovery (contract)` });
}
