import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { User } from '../db/users.js';
import { SEVERITIES } from '../contracts/contract-store.js';
import { openCase } from '../tickets/open-case.js';
import { addEvent, findTicket, type Ticket } from '../tickets/ticket-store.js';
import type { ActionResult } from '../tickets/ticket-actions.js';
import { moveAttachmentsToTicket } from './attachments.js';

/**
 * Mails nobody could place (an unknown sender, a case number of another customer, an automatic reply, a message
 * too large to fetch) wait here for staff: assigned to a customer (a new case) or to a case (a comment), or
 * discarded with a reason. Nothing the mailbox received is dropped without someone deciding it.
 */
export interface TriageMail {
  id: string;
  fromAddr: string;
  fromName: string;
  subject: string;
  body: string;
  messageId: string | null;
  reason: string;
  receivedAt: number;
  state: 'open' | 'assigned' | 'discarded';
  customerId: string | null;
  ticketId: string | null;
  decidedBy: string | null;
  decidedAt: number | null;
  note: string;
}

const COLUMNS = `id, from_addr AS fromAddr, from_name AS fromName, subject, body, message_id AS messageId, reason, received_at AS receivedAt,
  state, customer_id AS customerId, ticket_id AS ticketId, decided_by AS decidedBy, decided_at AS decidedAt, note`;

export function createTriage(db: Db, m: { fromAddr: string; fromName: string; subject: string; body: string; messageId: string | null; reason: string }, now: number): string {
  const id = randomUUID();
  db.prepare(
    'INSERT INTO mail_triage (id, from_addr, from_name, subject, body, message_id, reason, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(id, m.fromAddr, m.fromName, m.subject, m.body, m.messageId, m.reason, now);
  return id;
}

export function listTriage(db: Db, state: TriageMail['state'] | 'all' = 'open'): TriageMail[] {
  return db.prepare(`SELECT ${COLUMNS} FROM mail_triage WHERE @state = 'all' OR state = @state ORDER BY received_at DESC LIMIT 500`).all({ state }) as TriageMail[];
}

export function getTriage(db: Db, id: string): TriageMail | undefined {
  return db.prepare(`SELECT ${COLUMNS} FROM mail_triage WHERE id = ?`).get(id) as TriageMail | undefined;
}

export const AssignTriageSchema = z.object({
  customerId: z.string().min(1).max(100),
  /** A case of that customer the mail is about (becomes a comment); left out: a new case. */
  ticket: z.string().min(1).max(100).optional(),
  severity: z.enum(SEVERITIES).default('P3'),
  note: z.string().max(4000).default(''),
});

export type TriageResult = { ok: true; triage: TriageMail; ticket: Ticket } | { ok: false; error: 'not-found' | 'forbidden' | 'conflict' | 'invalid'; message: string };

const isStaff = (u: User) => u.role === 'admin' || u.role === 'engineer';

/** Staff place a triage mail: into a new case of the customer (caller = the sender) or onto one of its cases. */
export function assignTriage(db: Db, id: string, input: z.input<typeof AssignTriageSchema>, user: User, customerIds: readonly string[] | undefined, now: number): TriageResult {
  if (!isStaff(user)) return { ok: false, error: 'forbidden', message: 'only engineers and admins sort the triage list' };
  const a = AssignTriageSchema.safeParse(input);
  if (!a.success) return { ok: false, error: 'invalid', message: a.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return db.transaction((): TriageResult => {
    const m = getTriage(db, id);
    if (!m) return { ok: false, error: 'not-found', message: 'no such triage mail' };
    if (m.state !== 'open') return { ok: false, error: 'conflict', message: `this mail was already ${m.state}` };
    if (customerIds && !customerIds.includes(a.data.customerId)) return { ok: false, error: 'not-found', message: 'no such customer' };
    let ticket: Ticket;
    const actor = { id: user.id, name: user.displayName || user.username };
    if (a.data.ticket) {
      const t = findTicket(db, a.data.ticket, { customerIds: [a.data.customerId], now });
      if (!t) return { ok: false, error: 'not-found', message: 'no such case of this customer' };
      addEvent(db, t, { at: now, actor, kind: 'comment', message: m.body, data: { via: 'email', from: m.fromAddr, subject: m.subject, messageId: m.messageId, placedBy: user.id } });
      ticket = t;
    } else {
      const r: ActionResult = openCase(
        { db, user, customerIds, now, inReplyTo: m.messageId },
        {
          customerId: a.data.customerId,
          channel: 'email',
          caller: { name: m.fromName || m.fromAddr, ...(z.email().safeParse(m.fromAddr).success ? { email: m.fromAddr } : {}) },
          title: (m.subject || '(no subject)').slice(0, 200),
          description: m.body.slice(0, 20_000),
          severity: a.data.severity,
        },
      );
      if (!r.ok) return r;
      ticket = r.ticket;
    }
    moveAttachmentsToTicket(db, id, ticket.id, a.data.customerId);
    db.prepare("UPDATE mail_triage SET state = 'assigned', customer_id = ?, ticket_id = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ?").run(
      a.data.customerId,
      ticket.id,
      user.id,
      now,
      a.data.note,
      id,
    );
    db.prepare("UPDATE mail_intake_messages SET ticket_id = ? WHERE triage_id = ?").run(ticket.id, id);
    return { ok: true, triage: getTriage(db, id)!, ticket };
  })();
}

/** Not a case (spam, a newsletter): discarded with the reason, kept in the list as history. */
export function discardTriage(db: Db, id: string, reason: string, user: User, now: number): { ok: true; triage: TriageMail } | { ok: false; error: 'not-found' | 'forbidden' | 'conflict' | 'invalid'; message: string } {
  if (!isStaff(user)) return { ok: false, error: 'forbidden', message: 'only engineers and admins sort the triage list' };
  if (!reason.trim()) return { ok: false, error: 'invalid', message: 'give a reason for discarding the mail' };
  const m = getTriage(db, id);
  if (!m) return { ok: false, error: 'not-found', message: 'no such triage mail' };
  if (m.state !== 'open') return { ok: false, error: 'conflict', message: `this mail was already ${m.state}` };
  db.prepare("UPDATE mail_triage SET state = 'discarded', decided_by = ?, decided_at = ?, note = ? WHERE id = ?").run(user.id, now, reason, id);
  return { ok: true, triage: getTriage(db, id)! };
}
