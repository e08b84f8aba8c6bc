import type { Db } from '../db/database.js';
import { queueTicketNotification } from './notifications.js';
import { addCalendarMinutes } from '../contracts/sla-calendar.js';
import { getContract } from '../contracts/contract-store.js';
import { addEvent, getTicket, updateTicket, SYSTEM_ACTOR, type Ticket } from './ticket-store.js';

/**
 * Escalation before a target is missed, not only when nobody answers: a case whose restore target (or, when an engineer
 * said someone must go there, the on-site target) is about to pass goes up a tier, once per
 * target, so the next tier can still act in time. "About to" is the last quarter of the target, at most 30
 * minutes: a 4-hour restore target escalates 30 minutes before it is due, a 60-minute on-site target 15 minutes before.
 */

export type EscalationTarget = 'restore' | 'onsite';

const MAX_LEAD_MS = 30 * 60_000;

export function escalationLeadMs(targetMin: number): number {
  return Math.min(MAX_LEAD_MS, Math.round((targetMin * 60_000) / 4));
}

function alreadyEscalatedFor(db: Db, ticketId: string, target: EscalationTarget, dueAt: number): boolean {
  const r = db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM ticket_events WHERE ticket_id = ? AND kind = 'escalated'
         AND json_extract(data, '$.target') = ? AND json_extract(data, '$.dueAt') = ?) AS done`,
    )
    .get(ticketId, target, dueAt) as { done: number };
  return r.done === 1;
}

/** The targets of a case that are about to be missed now and have not escalated it yet. */
function targetsAtRisk(db: Db, t: Ticket, now: number): Array<{ target: EscalationTarget; dueAt: number }> {
  const contract = getContract(db, t.customerId);
  const targets = contract.targets[t.severity];
  const out: Array<{ target: EscalationTarget; dueAt: number }> = [];
  if (t.onsiteNeeded && t.onsiteAt === null && t.restoredAt === null && now >= t.onsiteDueAt - escalationLeadMs(targets.onsiteMin)) {
    if (!alreadyEscalatedFor(db, t.id, 'onsite', t.onsiteDueAt)) out.push({ target: 'onsite', dueAt: t.onsiteDueAt });
  }
  if (t.restoredAt === null && now >= t.restoreDueAt - escalationLeadMs(targets.restoreMin)) {
    if (!alreadyEscalatedFor(db, t.id, 'restore', t.restoreDueAt)) out.push({ target: 'restore', dueAt: t.restoreDueAt });
  }
  return out;
}

/** Up one tier for a target at risk (tier 3 already: its people are told again), with the event that says why. */
export function escalateForTarget(db: Db, t: Ticket, target: EscalationTarget, dueAt: number, now: number): Ticket {
  const tier = Math.min(3, t.tier + 1) as 1 | 2 | 3;
  const contract = getContract(db, t.customerId);
  // An unanswered case keeps its response clock: the new tier gets a fresh response period.
  const nextEscalationAt = t.state === 'open' && tier < 3 ? addCalendarMinutes(contract.calendar, now, contract.targets[t.severity].respondMin) : t.state === 'open' ? null : t.nextEscalationAt;
  updateTicket(db, t.id, { tier, nextEscalationAt }, now);
  addEvent(db, t, {
    at: now,
    actor: SYSTEM_ACTOR,
    kind: 'escalated',
    message: `L${t.tier} -> L${tier}: the ${target === 'restore' ? 'restore' : 'on-site'} target due at ${new Date(dueAt).toISOString()} is about to be missed`,
    data: { from: t.tier, to: tier, target, dueAt },
  });
  const updated = getTicket(db, t.id, { now })!;
  queueTicketNotification(db, updated, 'escalation', now, tier);
  return updated;
}

/** Every live case whose on-site or restore target is about to pass; the ticket engine runs this on its tick. */
export function escalateBeforeTargets(db: Db, now: number): void {
  const rows = db
    .prepare("SELECT id FROM tickets WHERE state IN ('open', 'acknowledged', 'in_progress') AND restored_at IS NULL AND sla_stopped IS NULL AND (restore_due_at <= @horizon OR (onsite_needed = 1 AND onsite_due_at <= @horizon))")
    .all({ horizon: now + MAX_LEAD_MS }) as Array<{ id: string }>;
  for (const { id } of rows) {
    let t = getTicket(db, id, { now });
    if (!t) continue;
    for (const risk of targetsAtRisk(db, t, now)) t = escalateForTarget(db, t, risk.target, risk.dueAt, now);
  }
}
