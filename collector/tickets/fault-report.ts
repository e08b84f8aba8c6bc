import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { getUser } from '../db/users.js';
import { calendarElapsedMs, type Calendar } from '../contracts/sla-calendar.js';
import { getContract, type SlaTarget } from '../contracts/contract-store.js';
import { getTicket, listEvents, type Ticket, type TicketEvent } from './ticket-store.js';
import { getRating, type Rating } from './case-actions.js';
import { CheckMessageSchema, type CheckMessage } from '../../shared/check-result.js';

/**
 * The facts of the fault-handling report (故障处理报告) of one ticket, in no language: the ticket, its SLA
 * figures on the contract calendar and the timeline the customer may read. The words and the layout are the
 * reports room's (reports/fault-document.ts), which renders it like the inspection report (HTML, PDF, Word).
 */

export type ReportLang = 'zh' | 'en';

/** The events a customer reads in their report; everything else (notification routing, reminders, flapping, assignment) is the service desk's own business. */
export const CUSTOMER_EVENT_KINDS = [
  'opened',
  'acknowledged',
  'in_progress',
  'onsite-needed',
  'onsite',
  'escalated',
  'severity',
  'comment',
  'recovered',
  'resolved',
  'reopened',
  'closed',
  'closed-by-contract',
  'rated',
] as const;
export type CustomerEventKind = (typeof CUSTOMER_EVENT_KINDS)[number];

export interface TimelineEntry {
  at: number;
  kind: CustomerEventKind;
  /** Who, as the customer knows them: the monitoring system, an engineer, or one of the customer's own people. */
  actor: { role: 'system' | 'engineer' | 'customer'; name: string };
  /**
   * Words a person wrote that the customer is meant to read (a public comment, the resolution note, why it was
   * reopened, the customer's own closing note or rating remark); '' otherwise. Machine messages (English log
   * lines) are never carried here.
   */
  note: string;
  /** The check result the event kept (opened, recovered): rendered in the report's language. */
  said?: CheckMessage;
  /** escalated: the tier it went to. */
  tier?: number;
  /** severity raised or changed: from and to. */
  severity?: { from: string; to: string };
  /** rated: the score out of 5. */
  score?: number;
}

/** Everything the fault-handling report shows, filled from the ticket and its events. */
export interface FaultReport {
  ticket: Ticket;
  customerName: string;
  acknowledgedByName: string | null;
  /** Who closed it (a customer confirming, usually); null for the contract's rule or nobody yet. */
  closedBy: { name: string; role: 'engineer' | 'customer' } | null;
  /** The customer's satisfaction score, once they rated the case. */
  rating: Rating | null;
  calendar: Calendar;
  target: SlaTarget;
  responseMs: number | null;
  /** Opening to the recorded on-site arrival, on the contract calendar. */
  onsiteMs: number | null;
  restoreMs: number | null;
  timeline: TimelineEntry[];
  generatedAt: number;
}

type UserLookup = (id: string | null) => { name: string; role: 'engineer' | 'customer' } | null;

function eventData<T>(e: TicketEvent, key: string, check: (v: unknown) => v is T): T | undefined {
  const v = e.data[key];
  return check(v) ? v : undefined;
}
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/** One event as the customer reads it, or null when it is not theirs to read. */
function customerEntry(e: TicketEvent, who: UserLookup): TimelineEntry | null {
  const person = e.actorId ? who(e.actorId) : null;
  const actor = person ? person : { role: 'system' as const, name: '' };
  const written = person ? e.message.trim() : '';
  const said = CheckMessageSchema.safeParse(e.data.message);
  const base = { at: e.at, actor, note: '' };
  switch (e.kind) {
    case 'opened':
    case 'recovered':
      return { ...base, kind: e.kind, ...(said.success ? { said: said.data } : {}) };
    case 'acknowledged':
    case 'in_progress':
    case 'onsite':
    case 'onsite-needed':
      // An engineer's note on these is a working note (where they parked, whom they called): not the customer's.
      return { ...base, kind: e.kind };
    case 'escalated': {
      // The tier only: who was on duty and why nobody answered stays inside the service desk.
      const to = eventData(e, 'to', isNumber);
      return to === undefined ? null : { ...base, kind: 'escalated', tier: to };
    }
    case 'severity':
    case 'severity-changed':
    case 'severity-confirmed': {
      const from = eventData(e, 'from', isString);
      const to = eventData(e, 'to', isString);
      if (from === undefined || to === undefined || from === to) return null;
      return { ...base, kind: 'severity', severity: { from, to } };
    }
    case 'comment': {
      // Public: the customer wrote it (portal or mail), or an engineer marked it for the customer.
      const fromCustomer = actor.role === 'customer' || e.data.via === 'email';
      if (!fromCustomer && e.data.public !== true) return null;
      const text = e.message.trim();
      return text ? { ...base, kind: 'comment', note: text, actor: e.data.via === 'email' && !person ? { role: 'customer', name: e.actorName } : actor } : null;
    }
    case 'resolved':
    case 'reopened':
    case 'closed':
      return { ...base, kind: e.kind, note: written };
    case 'closed-by-contract':
      return { ...base, kind: 'closed-by-contract' };
    case 'rated': {
      const score = eventData(e, 'score', isNumber);
      return score === undefined ? null : { ...base, kind: 'rated', note: written, score };
    }
    default:
      return null;
  }
}

/** The customer's timeline: their kinds of event only, in order. */
export function customerTimeline(events: readonly TicketEvent[], who: UserLookup): TimelineEntry[] {
  return events.map((e) => customerEntry(e, who)).filter((e): e is TimelineEntry => e !== null);
}

/** The report of one ticket, or undefined if the caller may not see it. */
export function buildFaultReport(db: Db, ticketId: string, opts: { customerIds?: readonly string[]; now: number }): FaultReport | undefined {
  const ticket = getTicket(db, ticketId, opts);
  if (!ticket) return undefined;
  const contract = getContract(db, ticket.customerId);
  const who: UserLookup = (id) => {
    if (!id || id === 'system') return null;
    const u = getUser(db, id);
    if (!u) return null;
    return { name: u.displayName || u.username, role: u.role === 'customer' ? 'customer' : 'engineer' };
  };
  return {
    ticket,
    customerName: getCustomer(db, ticket.customerId)?.name ?? ticket.customerId,
    acknowledgedByName: who(ticket.acknowledgedBy)?.name ?? null,
    closedBy: who(ticket.closedBy),
    rating: getRating(db, ticket.id) ?? null,
    calendar: contract.calendar,
    target: contract.targets[ticket.severity],
    responseMs: ticket.acknowledgedAt === null ? null : calendarElapsedMs(contract.calendar, ticket.openedAt, ticket.acknowledgedAt),
    onsiteMs: ticket.onsiteAt === null ? null : calendarElapsedMs(contract.calendar, ticket.openedAt, ticket.onsiteAt),
    restoreMs: ticket.restoredAt === null ? null : calendarElapsedMs(contract.calendar, ticket.openedAt, ticket.restoredAt),
    timeline: customerTimeline(listEvents(db, ticket.id), who),
    generatedAt: opts.now,
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
