import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { getHost, listHosts } from '../db/hosts.js';
import type { User } from '../db/users.js';
import { queueTicketNotification } from './notifications.js';
import { applyContractTerms } from './contract-sla.js';
import { CallerSchema, CASE_CHANNELS, DOMAINS, type Caller, type CaseChannel } from './case-types.js';
import { getContract, SEVERITIES, type Severity } from '../contracts/contract-store.js';
import { queueCustomerMail } from './customer-mail.js';
import { slaDueTimes } from './lifecycle.js';
import { addEvent, insertTicket, SYSTEM_ACTOR, type Actor, type Ticket } from './ticket-store.js';
import type { ActionResult } from './ticket-actions.js';

/**
 * Cases opened by people: an engineer taking a call (phone, e-mail, on site), a customer user from the portal, or
 * the mail intake for a mail from a known sender. Same numbering, SLA clocks, escalation, notifications and fault
 * report as the cases monitoring opens; only the way in differs.
 */

/**
 * When nobody set a severity (a customer who proposed none, a mail): P3, an ordinary fault, on the contract's P3
 * targets until an engineer confirms or changes it (and the change recomputes the clocks from the opening).
 */
export const DEFAULT_CASE_SEVERITY: Severity = 'P3';

export const OpenCaseSchema = z.object({
  customerId: z.string().min(1).max(100),
  channel: z.enum(CASE_CHANNELS),
  caller: CallerSchema,
  title: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).default(''),
  /** The host's id, or its name among the customer's hosts (what a caller says on the phone). */
  hostId: z.string().min(1).max(255).optional(),
  severity: z.enum(SEVERITIES).optional(),
  domain: z.enum(DOMAINS).optional(),
  /** Someone must go there (the on-site target then escalates the case before it is missed). */
  onsiteNeeded: z.boolean().default(false),
});
export type OpenCaseInput = z.input<typeof OpenCaseSchema>;

export interface OpenCaseContext {
  db: Db;
  /** The person opening the case; undefined for the mail intake (the system opens it for the sender). */
  user: User | undefined;
  customerIds: readonly string[] | undefined;
  now: number;
  /** The Message-ID of the mail that opened it, so the answer threads under it. */
  inReplyTo?: string | null;
}

/** Worded once for the API, the CLI and the mail answer: the status a manual case shows, from its severity. */
function statusOf(severity: Severity): 'CRITICAL' | 'WARNING' {
  return severity === 'P1' || severity === 'P2' ? 'CRITICAL' : 'WARNING';
}

export function openCase(ctx: OpenCaseContext, raw: OpenCaseInput): ActionResult {
  const parsed = OpenCaseSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: 'invalid', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const input = parsed.data;
  const { db, user, now } = ctx;
  if (ctx.customerIds && !ctx.customerIds.includes(input.customerId)) return { ok: false, error: 'not-found', message: 'no such customer' };
  if (!getCustomer(db, input.customerId)) return { ok: false, error: 'not-found', message: 'no such customer' };
  const customerUser = user?.role === 'customer';
  if (customerUser && user.customerId !== input.customerId) return { ok: false, error: 'not-found', message: 'no such customer' };
  if (customerUser && input.channel !== 'portal') return { ok: false, error: 'invalid', message: 'a customer opens cases from the portal (channel "portal")' };
  if (customerUser && input.domain) return { ok: false, error: 'forbidden', message: 'engineers choose the expert domain of a case' };
  if (user && !customerUser && input.severity === undefined) return { ok: false, error: 'invalid', message: 'severity: engineers set the severity of a case they open' };
  let hostId = '';
  if (input.hostId) {
    const byId = getHost(db, input.hostId);
    const host = byId?.customerId === input.customerId ? byId : listHosts(db, [input.customerId]).find((h) => h.name === input.hostId);
    if (!host || host.customerId !== input.customerId) return { ok: false, error: 'invalid', message: 'hostId: no such host of this customer' };
    hostId = host.id;
  }
  // A customer proposes; staff set. The mail intake sets nothing: the default, proposed, until staff confirm.
  const proposed = !user || customerUser;
  const severity = input.severity ?? DEFAULT_CASE_SEVERITY;
  return db.transaction((): ActionResult => {
    const ticket = insertTicket(db, {
      customerId: input.customerId,
      hostId,
      kind: 'manual',
      checkName: null,
      checkId: null,
      problemKey: `case:${randomUUID()}`,
      title: input.title,
      summary: input.description.split(/\r?\n/).find((l) => l.trim())?.slice(0, 300) ?? input.title,
      status: statusOf(severity),
      severity,
      flapping: false,
      openedAt: now,
      ...slaDueTimes(getContract(db, input.customerId), severity, now),
      channel: input.channel,
      caller: input.caller,
      description: input.description,
      domain: input.domain ?? null,
      severityProposed: proposed,
      openedBy: user?.id ?? null,
      onsiteNeeded: input.onsiteNeeded,
    });
    const actor: Actor = user ? { id: user.id, name: user.displayName || user.username } : SYSTEM_ACTOR;
    addEvent(db, ticket, {
      at: now,
      actor,
      kind: 'opened',
      message: input.title,
      data: { channel: input.channel, caller: input.caller, severity, proposed, onsiteNeeded: input.onsiteNeeded, ...(input.domain ? { domain: input.domain } : {}) },
    });
    // An expired contract (or a host it does not cover) runs no SLA clock, and the case says so.
    const opened = applyContractTerms(db, ticket, now);
    queueTicketNotification(db, opened, 'problem', now, 1);
    answerCaller(db, opened, input.caller, input.channel, ctx.inReplyTo ?? null, now);
    return { ok: true, ticket: opened };
  })();
}

/** The caller learns the case number by mail when they gave an address (a mail case always has one). */
function answerCaller(db: Db, t: Ticket, caller: Caller, channel: CaseChannel, inReplyTo: string | null, now: number): void {
  if (!caller.email) return;
  const how: Record<CaseChannel, [string, string]> = {
    phone: ['电话', 'phone call'],
    email: ['邮件', 'e-mail'],
    onsite: ['现场报告', 'report on site'],
    portal: ['客户门户', 'portal'],
    monitoring: ['监控', 'monitoring'],
  };
  const [zh, en] = how[channel];
  queueCustomerMail(
    db,
    {
      customerId: t.customerId,
      ticketId: t.id,
      kind: 'case-opened',
      recipients: [caller.email],
      subject: `[${t.number}] ${t.title}`,
      body:
        `${caller.name}，您好：\n您通过${zh}报告的问题已登记为工单 ${t.number}，故障级别 ${t.severity}，我们将按合同约定的时限响应。回复本邮件时请保留主题中的 [${t.number}]，您的回复将记入该工单。\n\n` +
        `Dear ${caller.name},\nthe problem you reported by ${en} is recorded as case ${t.number}, severity ${t.severity}; we respond within the times of your contract. ` +
        `When you reply, keep [${t.number}] in the subject and your reply is added to the case.\n`,
      inReplyTo,
    },
    now,
  );
}
