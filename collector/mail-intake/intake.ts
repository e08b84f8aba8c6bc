import type { Db } from '../db/database.js';
import { createLogger } from '../../shared/logger.js';
import { openCase } from '../tickets/open-case.js';
import { addEvent, findTicket } from '../tickets/ticket-store.js';
import { storeAttachments, type IncomingAttachment } from './attachments.js';
import { customerOfSender } from './senders.js';
import { createTriage } from './triage.js';

const log = createLogger('mail-intake');

/** One message of the support mailbox, as the poller read it. */
export interface IncomingMail {
  /** The message's identity in the mailbox: (mailbox, UIDVALIDITY, UID) never names another message. */
  key: { mailbox: string; uidValidity: string; uid: number };
  messageId: string | null;
  from: { address: string; name: string } | null;
  subject: string;
  text: string;
  attachments: IncomingAttachment[];
  /** Auto-Submitted (not "no") or Precedence bulk/junk/list/auto_reply: an out-of-office must not open cases. */
  automatic: boolean;
  /** Set when the message was too large to fetch: only its headers are known. */
  oversizeBytes?: number;
}

export type IntakeOutcome = { outcome: 'opened' | 'commented' | 'triage'; ticketId: string | null; triageId: string | null; duplicate: boolean };

export const CASE_NUMBER_IN_SUBJECT = /\[(INC-\d{4}-\d{6})\]/;

export function alreadyTaken(db: Db, key: IncomingMail['key']): IntakeOutcome | undefined {
  const r = db
    .prepare('SELECT outcome, ticket_id AS ticketId, triage_id AS triageId FROM mail_intake_messages WHERE mailbox = ? AND uid_validity = ? AND uid = ?')
    .get(key.mailbox, key.uidValidity, key.uid) as { outcome: IntakeOutcome['outcome']; ticketId: string | null; triageId: string | null } | undefined;
  return r ? { ...r, duplicate: true } : undefined;
}

/**
 * Store one mail as a case, a comment or a triage entry, with its attachments, and remember its UID: all in one
 * transaction, before the mailbox is told anything. A crash before the commit leaves the message unseen and it is
 * taken again; a crash after it finds the UID here and only flags it.
 */
export function takeMail(db: Db, dataDir: string, limits: { maxFileBytes: number; maxMailBytes: number }, mail: IncomingMail, now: number): IntakeOutcome {
  return db.transaction((): IntakeOutcome => {
    const seen = alreadyTaken(db, mail.key);
    if (seen) return seen;
    const from = mail.from;
    const fromAddr = from?.address.toLowerCase() ?? '';
    const body = mail.text.trim().slice(0, 20_000);
    const triage = (reason: string): IntakeOutcome => {
      const triageId = createTriage(db, { fromAddr, fromName: from?.name ?? '', subject: mail.subject, body, messageId: mail.messageId, reason }, now);
      const kept = storeAttachments(db, dataDir, { ticketId: null, triageId, customerId: null }, mail.attachments, limits, now);
      if (kept.skipped.length) db.prepare('UPDATE mail_triage SET note = ? WHERE id = ?').run(`attachments not kept: ${kept.skipped.join('; ')}`, triageId);
      return { outcome: 'triage', ticketId: null, triageId, duplicate: false };
    };
    let result: IntakeOutcome;
    const number = CASE_NUMBER_IN_SUBJECT.exec(mail.subject)?.[1];
    const sender = fromAddr ? customerOfSender(db, fromAddr) : undefined;
    if (!from || !fromAddr) result = triage('no sender address');
    else if (mail.oversizeBytes !== undefined) result = triage(`message of ${mail.oversizeBytes} bytes is larger than the limit; only its headers were read`);
    else if (mail.automatic) result = triage('automatic reply (Auto-Submitted / Precedence)');
    else if (number) {
      const ticket = findTicket(db, number, { now });
      const belongs = ticket && (sender?.customerId === ticket.customerId || ticket.caller?.email?.toLowerCase() === fromAddr);
      if (!ticket) result = triage(`reply to ${number}, which does not exist`);
      else if (!belongs) result = triage(`reply to ${number} from a sender who does not belong to that case's customer`);
      else {
        const kept = storeAttachments(db, dataDir, { ticketId: ticket.id, triageId: null, customerId: ticket.customerId }, mail.attachments, limits, now);
        addEvent(db, ticket, {
          at: now,
          actor: { id: null, name: from.name ? `${from.name} <${fromAddr}>` : fromAddr },
          kind: 'comment',
          message: body + (kept.skipped.length ? `\n\n[attachments not kept: ${kept.skipped.join('; ')}]` : ''),
          data: { via: 'email', from: fromAddr, subject: mail.subject, messageId: mail.messageId, attachments: kept.stored.map((a) => a.filename) },
        });
        result = { outcome: 'commented', ticketId: ticket.id, triageId: null, duplicate: false };
      }
    } else if (!sender) result = triage('sender is not a known contact and not at a mail domain of any customer');
    else {
      const r = openCase(
        { db, user: undefined, customerIds: undefined, now, inReplyTo: mail.messageId },
        { customerId: sender.customerId, channel: 'email', caller: { name: from.name || fromAddr, email: fromAddr }, title: (mail.subject.trim() || '(no subject)').slice(0, 200), description: body },
      );
      if (!r.ok) result = triage(`could not open a case: ${r.message}`);
      else {
        const kept = storeAttachments(db, dataDir, { ticketId: r.ticket.id, triageId: null, customerId: r.ticket.customerId }, mail.attachments, limits, now);
        if (kept.skipped.length || kept.stored.length) {
          addEvent(db, r.ticket, {
            at: now,
            actor: { id: null, name: fromAddr },
            kind: 'comment',
            message: kept.skipped.length ? `attachments not kept: ${kept.skipped.join('; ')}` : `attachments: ${kept.stored.map((a) => a.filename).join(', ')}`,
            data: { via: 'email', attachments: kept.stored.map((a) => a.filename) },
          });
        }
        result = { outcome: 'opened', ticketId: r.ticket.id, triageId: null, duplicate: false };
      }
    }
    db.prepare(
      `INSERT INTO mail_intake_messages (mailbox, uid_validity, uid, message_id, from_addr, subject, outcome, ticket_id, triage_id, stored_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(mail.key.mailbox, mail.key.uidValidity, mail.key.uid, mail.messageId, fromAddr, mail.subject, result.outcome, result.ticketId, result.triageId, now);
    log.info({ uid: mail.key.uid, from: fromAddr, outcome: result.outcome, ticketId: result.ticketId }, 'mail taken');
    return result;
  })();
}

/** Stored, but the mailbox was not told yet (a crash between the two): the poller flags these first. */
export function unflagged(db: Db, mailbox: string, uidValidity: string): number[] {
  return (db.prepare('SELECT uid FROM mail_intake_messages WHERE mailbox = ? AND uid_validity = ? AND flagged_at IS NULL ORDER BY uid').all(mailbox, uidValidity) as Array<{ uid: number }>).map((r) => r.uid);
}

export function markFlagged(db: Db, mailbox: string, uidValidity: string, uids: readonly number[], now: number): void {
  const stmt = db.prepare('UPDATE mail_intake_messages SET flagged_at = ? WHERE mailbox = ? AND uid_validity = ? AND uid = ?');
  db.transaction(() => uids.forEach((u) => stmt.run(now, mailbox, uidValidity, u)))();
}
