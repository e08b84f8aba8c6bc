import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import { customerFilter, customerParam } from '../db/tenancy.js';
import type { Status } from '../../shared/status.js';
import type { CheckMessage } from '../../shared/check-result.js';
import { parseStoredMessage } from '../db/check-states.js';
import type { Severity } from '../contracts/contract-store.js';
import { DEFAULT_TIMEZONE, zonedParts } from '../../shared/zoned-time.js';
import { parseCaller, type Caller, type CaseChannel, type Domain } from './case-types.js';

export const TICKET_STATES = ['open', 'acknowledged', 'in_progress', 'recovered', 'resolved', 'closed'] as const;
export type TicketState = (typeof TICKET_STATES)[number];
/** States in which the problem is still being worked on (escalation runs, new failures add events). */
export const ACTIVE_STATES: readonly TicketState[] = ['open', 'acknowledged', 'in_progress'];
/** 'manual': a case opened by a person (hotline, e-mail, portal), not by monitoring. */
export type TicketKind = 'check' | 'host-unreachable' | 'manual';

export interface Ticket {
  id: string;
  number: string;
  customerId: string;
  /** '' for a case that names no host (a caller need not know which machine is at fault). */
  hostId: string;
  hostName: string;
  kind: TicketKind;
  /** How the case reached the service desk; 'monitoring' for the ones the collector opened itself. */
  channel: CaseChannel;
  /** Who reported it (manual cases); null for monitoring. */
  caller: Caller | null;
  description: string;
  /** The L3 expert group the case goes to (from the check family, or chosen by staff). */
  domain: Domain | null;
  /** A customer proposed the severity from the portal and no engineer has confirmed it yet. */
  severityProposed: boolean;
  /** The user who opened a manual case. */
  openedBy: string | null;
  /** Someone must go there: the on-site target then escalates the case when it is about to be missed. */
  onsiteNeeded: boolean;
  /** Why no SLA clock runs for this case (opened outside the contract's term, or on a host it does not cover); null = they run. */
  slaStopped: 'contract-expired' | 'contract-not-started' | 'host-not-covered' | null;
  checkName: string | null;
  checkId: string | null;
  /** Stable identity of the problem ("check:<host>:<name>" or "host:<host>"), never the subject text. */
  problemKey: string;
  title: string;
  summary: string;
  /** The summary as a message (render with checks/messages.ts); absent where the result that set it had none. */
  summaryMessage?: CheckMessage;
  status: Status;
  severity: Severity;
  state: TicketState;
  flapping: boolean;
  tier: 1 | 2 | 3;
  assigneeId: string | null;
  occurrences: number;
  reopenCount: number;
  openedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  inProgressAt: number | null;
  recoveredAt: number | null;
  resolvedAt: number | null;
  /** When service came back (recovered or resolved); cleared on reopen, so it is the final restore. */
  restoredAt: number | null;
  closedAt: number | null;
  closedBy: string | null;
  responseDueAt: number;
  onsiteDueAt: number;
  /** When an engineer arrived on site (recorded by them); null when nobody went or it was not recorded. */
  onsiteAt: number | null;
  /** User id of whoever recorded the arrival. */
  onsiteBy: string | null;
  restoreDueAt: number;
  nextEscalationAt: number | null;
  problemNotified: boolean;
  /** Recovered before any problem message reached anyone: there was nothing to respond to. */
  responseNotApplicable: boolean;
  cause: string;
  actions: string;
  prevention: string;
  updatedAt: number;
  sla: TicketSla;
}

export interface TicketSla {
  /** true/false once decided; null while still running and not yet late, and when not applicable. */
  responseMet: boolean | null;
  /**
   * The ticket recovered before its problem message was delivered to anyone (a blip whose message was
   * cancelled): no response was owed, so it is neither met nor missed and not counted in SLA figures.
   */
  responseNotApplicable: boolean;
  /**
   * Judged only once an arrival is recorded: on-site work is needed for some faults only, so a ticket
   * nobody went out for is not "missed" (null).
   */
  onsiteMet: boolean | null;
  restoreMet: boolean | null;
  breached: boolean;
}

export interface TicketEvent {
  id: number;
  ticketId: string;
  customerId: string;
  at: number;
  actorId: string | null;
  actorName: string;
  kind: string;
  message: string;
  data: Record<string, unknown>;
}

interface TicketRow {
  id: string;
  number: string;
  customer_id: string;
  host_id: string | null;
  host_name: string | null;
  kind: TicketKind;
  channel: CaseChannel;
  caller: string | null;
  description: string;
  domain: Domain | null;
  severity_proposed: number;
  opened_by: string | null;
  onsite_needed: number;
  sla_stopped: Ticket['slaStopped'];
  check_name: string | null;
  check_id: string | null;
  problem_key: string;
  title: string;
  summary: string;
  summary_message_json: string | null;
  status: Status;
  severity: Severity;
  state: TicketState;
  flapping: number;
  tier: 1 | 2 | 3;
  assignee_id: string | null;
  occurrences: number;
  reopen_count: number;
  opened_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  in_progress_at: number | null;
  recovered_at: number | null;
  resolved_at: number | null;
  restored_at: number | null;
  closed_at: number | null;
  closed_by: string | null;
  response_due_at: number;
  onsite_due_at: number;
  onsite_at: number | null;
  onsite_by: string | null;
  restore_due_at: number;
  next_escalation_at: number | null;
  problem_notified: number;
  response_na: number;
  cause: string;
  actions: string;
  prevention: string;
  updated_at: number;
}

function met(doneAt: number | null, dueAt: number, now: number): boolean | null {
  if (doneAt !== null) return doneAt <= dueAt;
  return now > dueAt ? false : null;
}

function toTicket(r: TicketRow, now: number): Ticket {
  const responseNotApplicable = r.response_na === 1;
  // No clock runs outside the contract: nothing is met or missed.
  const judged = r.sla_stopped === null;
  const responseMet = responseNotApplicable || !judged ? null : met(r.acknowledged_at, r.response_due_at, now);
  const restoreMet = judged ? met(r.restored_at ?? r.closed_at, r.restore_due_at, now) : null;
  const onsiteMet = r.onsite_at === null || !judged ? null : r.onsite_at <= r.onsite_due_at;
  return {
    id: r.id,
    number: r.number,
    customerId: r.customer_id,
    hostId: r.host_id ?? '',
    hostName: r.host_name ?? r.host_id ?? '',
    kind: r.kind,
    channel: r.channel,
    caller: parseCaller(r.caller),
    description: r.description,
    domain: r.domain,
    severityProposed: r.severity_proposed === 1,
    openedBy: r.opened_by,
    onsiteNeeded: r.onsite_needed === 1,
    slaStopped: r.sla_stopped ?? null,
    checkName: r.check_name,
    checkId: r.check_id,
    problemKey: r.problem_key,
    title: r.title,
    summary: r.summary,
    ...(r.summary_message_json ? { summaryMessage: parseStoredMessage(r.summary_message_json) } : {}),
    status: r.status,
    severity: r.severity,
    state: r.state,
    flapping: r.flapping === 1,
    tier: r.tier,
    assigneeId: r.assignee_id,
    occurrences: r.occurrences,
    reopenCount: r.reopen_count,
    openedAt: r.opened_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    inProgressAt: r.in_progress_at,
    recoveredAt: r.recovered_at,
    resolvedAt: r.resolved_at,
    restoredAt: r.restored_at,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
    responseDueAt: r.response_due_at,
    onsiteDueAt: r.onsite_due_at,
    onsiteAt: r.onsite_at,
    onsiteBy: r.onsite_by,
    restoreDueAt: r.restore_due_at,
    nextEscalationAt: r.next_escalation_at,
    problemNotified: r.problem_notified === 1,
    responseNotApplicable,
    cause: r.cause,
    actions: r.actions,
    prevention: r.prevention,
    updatedAt: r.updated_at,
    sla: { responseMet, responseNotApplicable, onsiteMet, restoreMet, breached: responseMet === false || onsiteMet === false || restoreMet === false },
  };
}

const SELECT = 'SELECT t.*, h.name AS host_name FROM tickets t LEFT JOIN hosts h ON h.id = t.host_id';

/** Next number of the year, e.g. INC-2026-000123. The counter only grows, so numbers are never reused. */
export function nextTicketNumber(db: Db, at: number): string {
  const year = zonedParts(at, DEFAULT_TIMEZONE).year;
  const row = db
    .prepare(
      `INSERT INTO ticket_counters (year, last_number) VALUES (?, 1)
       ON CONFLICT(year) DO UPDATE SET last_number = last_number + 1 RETURNING last_number`,
    )
    .get(year) as { last_number: number };
  return `INC-${year}-${String(row.last_number).padStart(6, '0')}`;
}

export interface NewTicket {
  customerId: string;
  hostId: string;
  kind: TicketKind;
  checkName: string | null;
  checkId: string | null;
  problemKey: string;
  title: string;
  summary: string;
  summaryMessage?: CheckMessage;
  status: Status;
  severity: Severity;
  flapping: boolean;
  openedAt: number;
  responseDueAt: number;
  onsiteDueAt: number;
  restoreDueAt: number;
  /** Manual cases: how they came in, who called, and what they said. Monitoring tickets leave these out. */
  channel?: CaseChannel;
  caller?: Caller | null;
  description?: string;
  domain?: Domain | null;
  severityProposed?: boolean;
  openedBy?: string | null;
  onsiteNeeded?: boolean;
}

export function insertTicket(db: Db, t: NewTicket): Ticket {
  const id = randomUUID();
  const number = nextTicketNumber(db, t.openedAt);
  db.prepare(
    `INSERT INTO tickets (id, number, customer_id, host_id, kind, check_name, check_id, problem_key, title, summary, summary_message_json, status,
       severity, state, flapping, tier, opened_at, response_due_at, onsite_due_at, restore_due_at, next_escalation_at, updated_at,
       channel, caller, description, domain, severity_proposed, opened_by, onsite_needed)
     VALUES (@id, @number, @customerId, @hostId, @kind, @checkName, @checkId, @problemKey, @title, @summary, @summaryMessageJson, @status,
       @severity, 'open', @flapping, 1, @openedAt, @responseDueAt, @onsiteDueAt, @restoreDueAt, @responseDueAt, @openedAt,
       @channel, @callerJson, @description, @domain, @severityProposed, @openedBy, @onsiteNeeded)`,
  ).run({ ...t, summaryMessage: undefined, summaryMessageJson: t.summaryMessage ? JSON.stringify(t.summaryMessage) : null, id, number, flapping: t.flapping ? 1 : 0,
    hostId: t.hostId || null, channel: t.channel ?? 'monitoring', caller: undefined, callerJson: t.caller ? JSON.stringify(t.caller) : null,
    description: t.description ?? '', domain: t.domain ?? null, severityProposed: t.severityProposed ? 1 : 0, openedBy: t.openedBy ?? null, onsiteNeeded: t.onsiteNeeded ? 1 : 0 });
  return getTicket(db, id, { now: t.openedAt })!;
}

/** A ticket by id; with customerIds, another customer's ticket is "not found". */
export function getTicket(db: Db, id: string, opts: { customerIds?: readonly string[]; now: number }): Ticket | undefined {
  const r = db.prepare(`${SELECT} WHERE t.id = @id AND ${customerFilter('t.customer_id')}`).get({
    id,
    ...customerParam(opts.customerIds),
  }) as TicketRow | undefined;
  return r ? toTicket(r, opts.now) : undefined;
}

/** Get by id or by number (INC-...), tenancy-filtered. */
export function findTicket(db: Db, idOrNumber: string, opts: { customerIds?: readonly string[]; now: number }): Ticket | undefined {
  const r = db
    .prepare(`${SELECT} WHERE (t.id = @key OR t.number = @key) AND ${customerFilter('t.customer_id')}`)
    .get({ key: idOrNumber, ...customerParam(opts.customerIds) }) as TicketRow | undefined;
  return r ? toTicket(r, opts.now) : undefined;
}

/** The newest ticket of a problem that is not closed (a closed ticket is never touched again). */
export function findUnclosedTicket(db: Db, problemKey: string, now: number): Ticket | undefined {
  const r = db
    .prepare(`${SELECT} WHERE t.problem_key = ? AND t.state != 'closed' ORDER BY t.opened_at DESC LIMIT 1`)
    .get(problemKey) as TicketRow | undefined;
  return r ? toTicket(r, now) : undefined;
}

/**
 * The state of the newest unclosed ticket of each problem key that starts with `prefix` (what findUnclosedTicket
 * would find for each key), in one query over the unclosed tickets (the tickets_escalation index holds state first).
 */
export function unclosedTicketStates(db: Db, prefix: string): Map<string, TicketState> {
  const open = TICKET_STATES.filter((s) => s !== 'closed');
  const rows = db
    .prepare(
      `SELECT problem_key AS problemKey, state FROM tickets WHERE state IN (${open.map(() => '?').join(', ')}) AND substr(problem_key, 1, ?) = ?
       ORDER BY opened_at DESC`,
    )
    .all(...open, prefix.length, prefix) as Array<{ problemKey: string; state: TicketState }>;
  const out = new Map<string, TicketState>();
  for (const r of rows) if (!out.has(r.problemKey)) out.set(r.problemKey, r.state);
  return out;
}

export interface TicketFilter {
  customerIds?: readonly string[];
  state?: readonly TicketState[];
  severity?: readonly Severity[];
  customerId?: string;
  hostId?: string;
  breached?: boolean;
  limit?: number;
  offset?: number;
  now: number;
}

export function listTickets(db: Db, f: TicketFilter): Ticket[] {
  const rows = db
    .prepare(
      `${SELECT} WHERE ${customerFilter('t.customer_id')}
         AND (@states IS NULL OR t.state IN (SELECT value FROM json_each(@states)))
         AND (@severities IS NULL OR t.severity IN (SELECT value FROM json_each(@severities)))
         AND (@customerId IS NULL OR t.customer_id = @customerId)
         AND (@hostId IS NULL OR t.host_id = @hostId)
         AND (@breached IS NULL OR @breached = (t.sla_stopped IS NULL AND (
               (t.response_na = 0 AND COALESCE(t.acknowledged_at, @now) > t.response_due_at)
               OR COALESCE(t.restored_at, t.closed_at, @now) > t.restore_due_at
               OR COALESCE(t.onsite_at > t.onsite_due_at, 0))))
       ORDER BY t.opened_at DESC, t.number DESC LIMIT @limit OFFSET @offset`,
    )
    .all({
      ...customerParam(f.customerIds),
      states: f.state?.length ? JSON.stringify(f.state) : null,
      severities: f.severity?.length ? JSON.stringify(f.severity) : null,
      customerId: f.customerId ?? null,
      hostId: f.hostId ?? null,
      breached: f.breached === undefined ? null : f.breached ? 1 : 0,
      now: f.now,
      limit: f.limit ?? 200,
      offset: f.offset ?? 0,
    }) as TicketRow[];
  return rows.map((r) => toTicket(r, f.now));
}

const COLUMNS: Record<string, string> = {
  summary: 'summary',
  summaryMessage: 'summary_message_json',
  status: 'status',
  severity: 'severity',
  state: 'state',
  flapping: 'flapping',
  tier: 'tier',
  assigneeId: 'assignee_id',
  occurrences: 'occurrences',
  reopenCount: 'reopen_count',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  inProgressAt: 'in_progress_at',
  recoveredAt: 'recovered_at',
  resolvedAt: 'resolved_at',
  restoredAt: 'restored_at',
  closedAt: 'closed_at',
  closedBy: 'closed_by',
  responseDueAt: 'response_due_at',
  onsiteDueAt: 'onsite_due_at',
  onsiteAt: 'onsite_at',
  onsiteBy: 'onsite_by',
  restoreDueAt: 'restore_due_at',
  nextEscalationAt: 'next_escalation_at',
  problemNotified: 'problem_notified',
  responseNotApplicable: 'response_na',
  cause: 'cause',
  actions: 'actions',
  prevention: 'prevention',
  domain: 'domain',
  severityProposed: 'severity_proposed',
  onsiteNeeded: 'onsite_needed',
  slaStopped: 'sla_stopped',
};

export type TicketPatch = Partial<Omit<Ticket, 'id' | 'number' | 'customerId' | 'hostId' | 'hostName' | 'kind' | 'sla' | 'summaryMessage' | 'caller'>> & {
  /** null: the new summary has no message (an older agent's result). */
  summaryMessage?: CheckMessage | null;
};

export function updateTicket(db: Db, id: string, patch: TicketPatch, now: number): void {
  const sets: string[] = ['updated_at = @updatedAt'];
  const params: Record<string, unknown> = { id, updatedAt: now };
  // A new summary without its message clears the old message: the two are one text.
  const entries = Object.entries(patch.summary !== undefined && !('summaryMessage' in patch) ? { ...patch, summaryMessage: null } : patch);
  for (const [key, value] of entries) {
    const col = COLUMNS[key];
    if (!col || value === undefined) continue;
    if (key === 'summaryMessage') {
      sets.push(`${col} = @${key}`);
      params[key] = value === null ? null : JSON.stringify(value);
      continue;
    }
    sets.push(`${col} = @${key}`);
    params[key] = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  }
  db.prepare(`UPDATE tickets SET ${sets.join(', ')} WHERE id = @id`).run(params);
}

export const SYSTEM_ACTOR = { id: null, name: 'system' } as const;

export interface Actor {
  id: string | null;
  name: string;
}

export function addEvent(
  db: Db,
  ticket: Pick<Ticket, 'id' | 'customerId'>,
  e: { at: number; actor: Actor; kind: string; message?: string; data?: Record<string, unknown> },
): void {
  db.prepare(
    'INSERT INTO ticket_events (ticket_id, customer_id, at, actor_id, actor_name, kind, message, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(ticket.id, ticket.customerId, e.at, e.actor.id, e.actor.name, e.kind, e.message ?? '', JSON.stringify(e.data ?? {}));
}

export function listEvents(db: Db, ticketId: string): TicketEvent[] {
  const rows = db
    .prepare(
      `SELECT id, ticket_id AS ticketId, customer_id AS customerId, at, actor_id AS actorId, actor_name AS actorName, kind,
              message, data FROM ticket_events WHERE ticket_id = ? ORDER BY id`,
    )
    .all(ticketId) as Array<Omit<TicketEvent, 'data'> & { data: string }>;
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
}
