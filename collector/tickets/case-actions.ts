import type { Db } from '../db/database.js';
import type { User } from '../db/users.js';
import { queueTicketNotification } from './notifications.js';
import { addCalendarMinutes } from '../contracts/sla-calendar.js';
import type { Domain } from './case-types.js';
import { getContract, type Severity } from '../contracts/contract-store.js';
import { slaDueTimes } from './lifecycle.js';
import { addEvent, findTicket, getTicket, updateTicket, type Actor, type Ticket } from './ticket-store.js';
import type { ActionContext, ActionResult } from './ticket-actions.js';

/**
 * How engineers steer a case (manual escalation, severity, expert domain) and how the customer rates it. Same
 * contract as ticket-actions.ts: another customer's case is 'not-found', a role that may not 'forbidden', a
 * state that does not allow it 'conflict', a bad value 'invalid'; each writes the event that says who and why.
 */

function actorOf(user: User): Actor {
  return { id: user.id, name: user.displayName || user.username };
}
const isStaff = (u: User) => u.role === 'admin' || u.role === 'engineer';

function run(ctx: ActionContext, idOrNumber: string, staffOnly: boolean, body: (t: Ticket) => ActionResult | { ok: true }): ActionResult {
  return ctx.db.transaction((): ActionResult => {
    const t = findTicket(ctx.db, idOrNumber, { customerIds: ctx.customerIds, now: ctx.now });
    if (!t) return { ok: false, error: 'not-found', message: 'no such ticket' };
    if (staffOnly && !isStaff(ctx.user)) return { ok: false, error: 'forbidden', message: 'only engineers and admins may do this' };
    const r = body(t);
    if ('error' in r) return r;
    return { ok: true, ticket: getTicket(ctx.db, t.id, { now: ctx.now })! };
  })();
}

/** Up to a tier (above the current one) with a reason; that tier's on-duty people (its domain's experts first) are told. */
export function escalateToTier(ctx: ActionContext, id: string, tier: 2 | 3, reason: string): ActionResult {
  return run(ctx, id, true, (t) => {
    if (t.state === 'closed') return { ok: false, error: 'conflict', message: 'cannot escalate a closed ticket' };
    if (tier <= t.tier) return { ok: false, error: 'conflict', message: `the ticket is already at L${t.tier}` };
    const contract = getContract(ctx.db, t.customerId);
    const nextEscalationAt = t.state === 'open' && tier < 3 ? addCalendarMinutes(contract.calendar, ctx.now, contract.targets[t.severity].respondMin) : t.state === 'open' ? null : t.nextEscalationAt;
    updateTicket(ctx.db, t.id, { tier, nextEscalationAt }, ctx.now);
    addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'escalated', message: reason, data: { from: t.tier, to: tier, manual: true } });
    queueTicketNotification(ctx.db, getTicket(ctx.db, t.id, { now: ctx.now })!, 'escalation', ctx.now, tier);
    return { ok: true };
  });
}

export interface DueTimes {
  responseDueAt: number;
  onsiteDueAt: number;
  restoreDueAt: number;
}

/**
 * The deadlines under another severity. One already decided (answered, on site, restored) is history and keeps
 * its due time; one still running is the new target counted from the opening, or from now when that instant has
 * passed already (nobody can answer in the past).
 */
export function dueTimesFor(db: Db, t: Ticket, severity: Severity, now: number): DueTimes {
  const contract = getContract(db, t.customerId);
  const fromOpened = slaDueTimes(contract, severity, t.openedAt);
  const fromNow = slaDueTimes(contract, severity, now);
  const pick = (current: number, decidedAt: number | null, opened: number, fresh: number) => (decidedAt !== null ? current : opened > now ? opened : fresh);
  return {
    responseDueAt: t.responseNotApplicable ? t.responseDueAt : pick(t.responseDueAt, t.acknowledgedAt, fromOpened.responseDueAt, fromNow.responseDueAt),
    onsiteDueAt: pick(t.onsiteDueAt, t.onsiteAt, fromOpened.onsiteDueAt, fromNow.onsiteDueAt),
    restoreDueAt: pick(t.restoreDueAt, t.restoredAt, fromOpened.restoreDueAt, fromNow.restoreDueAt),
  };
}

/**
 * An engineer sets the severity, with a reason (or confirms the one a customer proposed): the SLA clocks follow
 * and the event keeps both the old and the new severity and due times.
 */
export function changeSeverity(ctx: ActionContext, id: string, severity: Severity, reason: string): ActionResult {
  return run(ctx, id, true, (t) => {
    if (t.state === 'closed') return { ok: false, error: 'conflict', message: 'cannot change the severity of a closed ticket' };
    if (severity === t.severity && !t.severityProposed) return { ok: false, error: 'conflict', message: `the severity is already ${severity}` };
    const before: DueTimes = { responseDueAt: t.responseDueAt, onsiteDueAt: t.onsiteDueAt, restoreDueAt: t.restoreDueAt };
    const after = severity === t.severity ? before : dueTimesFor(ctx.db, t, severity, ctx.now);
    const nextEscalationAt = t.state === 'open' && t.tier === 1 && t.nextEscalationAt !== null ? Math.max(after.responseDueAt, ctx.now) : t.nextEscalationAt;
    updateTicket(ctx.db, t.id, { severity, severityProposed: false, ...after, nextEscalationAt }, ctx.now);
    const confirmed = severity === t.severity;
    addEvent(ctx.db, t, {
      at: ctx.now,
      actor: actorOf(ctx.user),
      kind: confirmed ? 'severity-confirmed' : 'severity-changed',
      message: reason,
      data: { from: t.severity, to: severity, proposed: t.severityProposed, before, after },
    });
    if (!confirmed) queueTicketNotification(ctx.db, getTicket(ctx.db, t.id, { now: ctx.now })!, 'severity', ctx.now);
    return { ok: true };
  });
}

/** Which expert group (network, database, system, security) an L3 escalation of this case goes to. */
export function setDomain(ctx: ActionContext, id: string, domain: Domain): ActionResult {
  return run(ctx, id, true, (t) => {
    if (t.domain === domain) return { ok: true };
    updateTicket(ctx.db, t.id, { domain }, ctx.now);
    addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'domain-set', data: { from: t.domain, to: domain } });
    return { ok: true };
  });
}

export interface Rating {
  ticketId: string;
  customerId: string;
  score: number;
  remark: string;
  ratedBy: string;
  ratedByName: string;
  ratedAt: number;
}

export function getRating(db: Db, ticketId: string): Rating | undefined {
  return db
    .prepare(
      `SELECT r.ticket_id AS ticketId, r.customer_id AS customerId, r.score, r.remark, r.rated_by AS ratedBy,
              COALESCE(NULLIF(u.display_name, ''), u.username, r.rated_by) AS ratedByName, r.rated_at AS ratedAt
       FROM ticket_ratings r LEFT JOIN users u ON u.id = r.rated_by WHERE r.ticket_id = ?`,
    )
    .get(ticketId) as Rating | undefined;
}

/**
 * 满意度: after confirming a case closed, a user of its customer rates it 1-5 with a remark. Once per case (a
 * second rating replaces the first, so a customer can correct it); only a case the customer closed can be rated.
 */
export function rateCase(ctx: ActionContext, id: string, score: number, remark: string): ActionResult {
  return run(ctx, id, false, (t) => {
    if (ctx.user.role !== 'customer' || ctx.user.customerId !== t.customerId) {
      return { ok: false, error: 'forbidden', message: 'only a user of the customer can rate a case' };
    }
    if (t.state !== 'closed') return { ok: false, error: 'conflict', message: `cannot rate a ticket that is ${t.state}; confirm it closed first` };
    if (!Number.isInteger(score) || score < 1 || score > 5) return { ok: false, error: 'invalid', message: 'the score is a whole number from 1 to 5' };
    ctx.db
      .prepare(
        `INSERT INTO ticket_ratings (ticket_id, customer_id, score, remark, rated_by, rated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(ticket_id) DO UPDATE SET score = excluded.score, remark = excluded.remark, rated_by = excluded.rated_by, rated_at = excluded.rated_at`,
      )
      .run(t.id, t.customerId, score, remark, ctx.user.id, ctx.now);
    addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'rated', message: remark, data: { score } });
    return { ok: true };
  });
}

/** An engineer says someone must go on site: from now the on-site target escalates the case before it is missed. */
export function markOnsiteNeeded(ctx: ActionContext, id: string, reason: string): ActionResult {
  return run(ctx, id, true, (t) => {
    if (t.state === 'closed') return { ok: false, error: 'conflict', message: 'cannot change a closed ticket' };
    if (t.onsiteNeeded) return { ok: true };
    updateTicket(ctx.db, t.id, { onsiteNeeded: true }, ctx.now);
    addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'onsite-needed', message: reason });
    return { ok: true };
  });
}
