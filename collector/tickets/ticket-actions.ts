import type { Db } from '../db/database.js';
import type { User } from '../db/users.js';
import { staffWhoMaySee } from '../oncall/contacts.js';
import { reopenTicket } from './lifecycle.js';
import { ACTIVE_STATES, addEvent, findTicket, getTicket, updateTicket, type Actor, type Ticket } from './ticket-store.js';

/**
 * What a person can do to a ticket. Every function takes the acting user and the customer ids they may
 * see: another customer's ticket is 'not-found' (the API answers 404), a forbidden action 'forbidden'
 * (403), an action that makes no sense in the current state 'conflict' (409).
 */
export type ActionResult = { ok: true; ticket: Ticket } | { ok: false; error: 'not-found' | 'forbidden' | 'conflict' | 'invalid'; message: string };

export interface ActionContext {
  db: Db;
  user: User;
  customerIds: readonly string[] | undefined;
  now: number;
}

function actorOf(user: User): Actor {
  return { id: user.id, name: user.displayName || user.username };
}

function isStaff(user: User): boolean {
  return user.role === 'admin' || user.role === 'engineer';
}

function act(
  ctx: ActionContext,
  idOrNumber: string,
  rule: { staffOnly: boolean },
  body: (t: Ticket) => ActionResult | { ok: true },
): ActionResult {
  return ctx.db.transaction((): ActionResult => {
    const t = findTicket(ctx.db, idOrNumber, { customerIds: ctx.customerIds, now: ctx.now });
    if (!t) return { ok: false, error: 'not-found', message: 'no such ticket' };
    if (rule.staffOnly && !isStaff(ctx.user)) return { ok: false, error: 'forbidden', message: 'only engineers and admins may do this' };
    const r = body(t);
    if ('error' in r) return r;
    return { ok: true, ticket: getTicket(ctx.db, t.id, { now: ctx.now })! };
  })();
}

/**
 * The first response, when an action other than acknowledge gives it (resolving, taking the ticket): the
 * fields to set and the event that records it. Nothing when someone already responded, or when no response
 * was owed (the ticket recovered before anyone was told of it).
 */
function firstResponse(ctx: ActionContext, t: Ticket, how: string): { acknowledgedAt: number; acknowledgedBy: string } | undefined {
  if (t.acknowledgedAt !== null || t.responseNotApplicable) return undefined;
  addEvent(ctx.db, t, {
    at: ctx.now,
    actor: actorOf(ctx.user),
    kind: 'acknowledged',
    message: how,
    data: { responseMs: ctx.now - t.openedAt, responseMet: ctx.now <= t.responseDueAt },
  });
  return { acknowledgedAt: ctx.now, acknowledgedBy: ctx.user.id };
}

function conflict(t: Ticket, what: string): ActionResult {
  return { ok: false, error: 'conflict', message: `cannot ${what} a ticket that is ${t.state}` };
}

/** First response: records when (and so whether the response target was met) and stops escalation. */
export function acknowledge(ctx: ActionContext, id: string, note = ''): ActionResult {
  return act(ctx, id, { staffOnly: true }, (t) => {
    if (t.state !== 'open') return conflict(t, 'acknowledge');
    const first = t.acknowledgedAt === null;
    updateTicket(
      ctx.db,
      t.id,
      {
        state: 'acknowledged',
        acknowledgedAt: first ? ctx.now : t.acknowledgedAt,
        acknowledgedBy: first ? ctx.user.id : t.acknowledgedBy,
        nextEscalationAt: null,
        assigneeId: t.assigneeId ?? ctx.user.id,
      },
      ctx.now,
    );
    addEvent(ctx.db, t, {
      at: ctx.now,
      actor: actorOf(ctx.user),
      kind: 'acknowledged',
      message: note,
      data: first ? { responseMs: ctx.now - t.openedAt, responseMet: ctx.now <= t.responseDueAt } : {},
    });
    return { ok: true };
  });
}

export function startWork(ctx: ActionContext, id: string, note = ''): ActionResult {
  return act(ctx, id, { staffOnly: true }, (t) => {
    if (t.state !== 'open' && t.state !== 'acknowledged') return conflict(t, 'start work on');
    const first = t.acknowledgedAt === null;
    updateTicket(
      ctx.db,
      t.id,
      {
        state: 'in_progress',
        inProgressAt: t.inProgressAt ?? ctx.now,
        acknowledgedAt: t.acknowledgedAt ?? ctx.now,
        acknowledgedBy: t.acknowledgedBy ?? ctx.user.id,
        nextEscalationAt: null,
        assigneeId: t.assigneeId ?? ctx.user.id,
      },
      ctx.now,
    );
    if (first) addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'acknowledged', data: { responseMs: ctx.now - t.openedAt, responseMet: ctx.now <= t.responseDueAt } });
    addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'in_progress', message: note });
    return { ok: true };
  });
}

/**
 * An engineer arrived on site (at `at`, default now): judged against the on-site due time. Arriving is
 * also a response, so an unanswered ticket counts as acknowledged at the arrival and stops escalating.
 * Recorded once; a closed ticket is history and is not changed.
 */
export function recordOnsite(ctx: ActionContext, id: string, opts: { at?: number; note?: string } = {}): ActionResult {
  return act(ctx, id, { staffOnly: true }, (t) => {
    if (t.state === 'closed') return conflict(t, 'record an on-site arrival on');
    if (t.onsiteAt !== null) {
      return { ok: false, error: 'conflict', message: `on-site arrival already recorded at ${new Date(t.onsiteAt).toISOString()}` };
    }
    const at = opts.at ?? ctx.now;
    if (at < t.openedAt || at > ctx.now) {
      return { ok: false, error: 'invalid', message: 'the arrival time must lie between the opening of the ticket and now' };
    }
    const firstResponse = t.acknowledgedAt === null;
    updateTicket(
      ctx.db,
      t.id,
      {
        onsiteAt: at,
        onsiteBy: ctx.user.id,
        // Unanswered (or reopened and not yet answered again): the arrival answers it, as acknowledge() would.
        ...(t.state === 'open' ? { state: 'acknowledged' as const, nextEscalationAt: null } : {}),
        ...(firstResponse ? { acknowledgedAt: at, acknowledgedBy: ctx.user.id } : {}),
        assigneeId: t.assigneeId ?? ctx.user.id,
      },
      ctx.now,
    );
    if (t.state === 'open' || firstResponse) {
      addEvent(ctx.db, t, {
        at: ctx.now,
        actor: actorOf(ctx.user),
        kind: 'acknowledged',
        message: 'on site',
        data: firstResponse ? { responseMs: at - t.openedAt, responseMet: at <= t.responseDueAt } : {},
      });
    }
    addEvent(ctx.db, t, {
      at: ctx.now,
      actor: actorOf(ctx.user),
      kind: 'onsite',
      message: opts.note ?? '',
      data: { onsiteAt: at, onsiteMs: at - t.openedAt, onsiteMet: at <= t.onsiteDueAt },
    });
    return { ok: true };
  });
}

/**
 * Give the ticket to an engineer who serves this customer (or an admin). Taking an unanswered ticket
 * oneself is answering it: like acknowledge, it records the response and stops escalation.
 */
export function assign(ctx: ActionContext, id: string, assigneeId: string): ActionResult {
  return act(ctx, id, { staffOnly: true }, (t) => {
    if (staffWhoMaySee(ctx.db, t.customerId, [assigneeId]).length === 0) {
      return { ok: false, error: 'invalid', message: 'the assignee must be an engineer serving this customer, or an admin' };
    }
    const self = assigneeId === ctx.user.id;
    const response = self ? firstResponse(ctx, t, 'took the ticket') : undefined;
    const answers = self && t.state === 'open';
    if (answers && !response) addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'acknowledged', message: 'took the ticket' });
    updateTicket(ctx.db, t.id, { assigneeId, ...response, ...(answers ? { state: 'acknowledged' as const, nextEscalationAt: null } : {}) }, ctx.now);
    addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'assigned', data: { from: t.assigneeId, to: assigneeId } });
    return { ok: true };
  });
}

/**
 * Anyone who can see the ticket may comment, the customer included. `shared`: an engineer's comment meant for the
 * customer, which their fault-handling report then shows (the customer's own comments always are).
 */
export function comment(ctx: ActionContext, id: string, text: string, shared = false): ActionResult {
  return act(ctx, id, { staffOnly: false }, (t) => {
    addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'comment', message: text, ...(shared ? { data: { public: true } } : {}) });
    return { ok: true };
  });
}

/** The engineer says it is fixed (a response too, if nobody answered before); only the customer can then close it. */
export function resolve(ctx: ActionContext, id: string, note = ''): ActionResult {
  return act(ctx, id, { staffOnly: true }, (t) => {
    if (!ACTIVE_STATES.includes(t.state) && t.state !== 'recovered') return conflict(t, 'resolve');
    const response = firstResponse(ctx, t, 'resolved');
    updateTicket(ctx.db, t.id, { state: 'resolved', resolvedAt: ctx.now, restoredAt: t.restoredAt ?? ctx.now, nextEscalationAt: null, ...response }, ctx.now);
    addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'resolved', message: note });
    return { ok: true };
  });
}

/** "A case ends only when the customer agrees": a customer user of this ticket's customer, and nobody else. */
export function confirmClose(ctx: ActionContext, id: string, note = ''): ActionResult {
  return act(ctx, id, { staffOnly: false }, (t) => {
    if (ctx.user.role !== 'customer' || ctx.user.customerId !== t.customerId) {
      return { ok: false, error: 'forbidden', message: 'only a user of the customer can confirm that a ticket is solved' };
    }
    if (t.state !== 'recovered' && t.state !== 'resolved') return conflict(t, 'close');
    updateTicket(ctx.db, t.id, { state: 'closed', closedAt: ctx.now, closedBy: ctx.user.id }, ctx.now);
    addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'closed', message: note || 'confirmed by the customer' });
    return { ok: true };
  });
}

/** Not solved after all: staff or the customer may reopen a recovered, resolved or closed ticket. */
export function reopen(ctx: ActionContext, id: string, reason: string): ActionResult {
  return act(ctx, id, { staffOnly: false }, (t) => {
    if (ACTIVE_STATES.includes(t.state)) return conflict(t, 'reopen');
    reopenTicket(ctx.db, t, actorOf(ctx.user), ctx.now, reason, true);
    return { ok: true };
  });
}

export interface ReportFields {
  cause?: string;
  actions?: string;
  prevention?: string;
}

/** The engineer's part of the fault-handling report. */
export function updateReportFields(ctx: ActionContext, id: string, fields: ReportFields): ActionResult {
  return act(ctx, id, { staffOnly: true }, (t) => {
    updateTicket(ctx.db, t.id, fields, ctx.now);
    addEvent(ctx.db, t, { at: ctx.now, actor: actorOf(ctx.user), kind: 'report-updated', data: { fields: Object.keys(fields) } });
    return { ok: true };
  });
}
