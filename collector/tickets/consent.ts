import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { getContract } from '../contracts/contract-store.js';
import { queueCustomerMail } from './customer-mail.js';
import { autoClose } from './lifecycle.js';
import { addEvent, getTicket, SYSTEM_ACTOR, type Ticket } from './ticket-store.js';

/**
 * "A case ends only when the customer agrees" (requirements.md). A solved case waits for the customer: they are
 * reminded by mail, and only a contract that says so (autoCloseDays > 0) closes a case without them, after
 * telling them ahead (autoCloseNoticeDays, at least a day) and recording that it closed by the rule, not by consent.
 */

const DAY_MS = 86_400_000;
/** Reminders that a solved case waits for the customer: a day after it was solved, then every three days, three at most. */
export const REMINDER_AFTER_MS = [1 * DAY_MS, 4 * DAY_MS, 7 * DAY_MS] as const;

/** The customer's people to write to about a case: its caller (if they gave an address) and the customer's users with one. */
export function customerAddresses(db: Db, ticket: Pick<Ticket, 'customerId' | 'caller'>): string[] {
  const users = (
    db
      .prepare(
        `SELECT c.email FROM users u JOIN user_contacts c ON c.user_id = u.id
         WHERE u.role = 'customer' AND u.customer_id = ? AND u.disabled_at IS NULL AND c.email IS NOT NULL ORDER BY u.created_at`,
      )
      .all(ticket.customerId) as Array<{ email: string }>
  ).map((r) => r.email);
  return [...new Set([...(ticket.caller?.email ? [ticket.caller.email] : []), ...users].map((e) => e.toLowerCase()))];
}

/** When the case was solved in its current episode (resolved, else recovered). */
function solvedAt(t: Ticket): number | null {
  return t.resolvedAt ?? t.recoveredAt;
}

function noticeSent(db: Db, ticketId: string, kind: 'auto-close-notice' | 'reminder', episodeAt: number): Array<{ seq: number; sentAt: number }> {
  return db
    .prepare('SELECT seq, sent_at AS sentAt FROM ticket_customer_notices WHERE ticket_id = ? AND kind = ? AND episode_at = ? ORDER BY seq')
    .all(ticketId, kind, episodeAt) as Array<{ seq: number; sentAt: number }>;
}

function recordNotice(db: Db, t: Ticket, kind: 'auto-close-notice' | 'reminder', episodeAt: number, seq: number, now: number): void {
  db.prepare('INSERT INTO ticket_customer_notices (ticket_id, customer_id, kind, episode_at, seq, sent_at) VALUES (?, ?, ?, ?, ?, ?)').run(t.id, t.customerId, kind, episodeAt, seq, now);
}

const fmt = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

function mailAboutCase(db: Db, t: Ticket, kind: 'auto-close-notice' | 'reminder', now: number, closesAt?: number): { recipients: string[] } {
  const recipients = customerAddresses(db, t);
  const customer = getCustomer(db, t.customerId)?.name ?? t.customerId;
  const howToConfirm = `Patrol: /tickets/${t.number}`;
  const subject =
    kind === 'reminder'
      ? `[${t.number}] 请确认问题已解决 / Please confirm that the case is solved: ${t.title}`
      : `[${t.number}] 工单将按合同自动关闭 / Case will close by the contract's rule: ${t.title}`;
  const zh =
    kind === 'reminder'
      ? `${customer}：工单 ${t.number}（${t.title}）已于 ${fmt(solvedAt(t) ?? now)} 处理完毕，正在等待您的确认。请登录 ${howToConfirm} 确认关闭，或说明仍存在的问题以便重新打开。`
      : `${customer}：工单 ${t.number}（${t.title}）已处理完毕但尚未得到您的确认。按照合同约定，如在 ${fmt(closesAt ?? now)} 前仍未确认，工单将自动关闭（按合同规则关闭，并非您确认关闭）。如问题仍存在，请登录 ${howToConfirm} 重新打开。`;
  const en =
    kind === 'reminder'
      ? `${customer}: case ${t.number} (${t.title}) was solved at ${fmt(solvedAt(t) ?? now)} and waits for your confirmation. Please confirm it at ${howToConfirm}, or tell us what is still wrong so it is reopened.`
      : `${customer}: case ${t.number} (${t.title}) was solved but you have not confirmed it. As your contract provides, if it is not confirmed by ${fmt(closesAt ?? now)} it will be closed by the contract's rule (not as confirmed by you). If the problem remains, reopen it at ${howToConfirm}.`;
  queueCustomerMail(db, { customerId: t.customerId, ticketId: t.id, kind, recipients, subject, body: `${zh}\n\n${en}\n` }, now);
  return { recipients };
}

/** Reminders, the advance notice and the contract's auto-close for every solved case; the ticket engine runs this on its tick. */
export function runConsentRules(db: Db, now: number): void {
  const rows = db.prepare("SELECT id FROM tickets WHERE state IN ('recovered', 'resolved')").all() as Array<{ id: string }>;
  for (const { id } of rows) {
    const t = getTicket(db, id, { now });
    const since = t ? solvedAt(t) : null;
    if (!t || since === null) continue;
    remind(db, t, since, now);
    const contract = getContract(db, t.customerId);
    if (contract.autoCloseDays === 0) continue; // the default: only the customer closes a case
    const closeAt = since + contract.autoCloseDays * DAY_MS;
    // At least a day's notice, whatever the contract says: nobody learns of a closing after the fact.
    const noticeMs = Math.max(1, contract.autoCloseNoticeDays) * DAY_MS;
    const notice = noticeSent(db, t.id, 'auto-close-notice', since)[0];
    if (!notice) {
      if (now < closeAt - noticeMs) continue;
      const closesAt = Math.max(closeAt, now + noticeMs);
      const { recipients } = mailAboutCase(db, t, 'auto-close-notice', now, closesAt);
      recordNotice(db, t, 'auto-close-notice', since, 1, now);
      addEvent(db, t, {
        at: now,
        actor: SYSTEM_ACTOR,
        kind: 'auto-close-notice',
        message: `the customer was told that the case closes by the contract's rule at ${new Date(closesAt).toISOString()} unless confirmed or reopened`,
        data: { closesAt, days: contract.autoCloseDays, recipients },
      });
      continue;
    }
    if (now >= Math.max(closeAt, notice.sentAt + noticeMs)) autoClose(db, t, now, contract.autoCloseDays);
  }
}

function remind(db: Db, t: Ticket, since: number, now: number): void {
  const sent = noticeSent(db, t.id, 'reminder', since);
  const next = REMINDER_AFTER_MS[sent.length];
  if (next === undefined || now < since + next) return;
  const { recipients } = mailAboutCase(db, t, 'reminder', now);
  recordNotice(db, t, 'reminder', since, sent.length + 1, now);
  addEvent(db, t, { at: now, actor: SYSTEM_ACTOR, kind: 'customer-reminded', message: 'the customer was reminded to confirm the solved case', data: { seq: sent.length + 1, recipients } });
}

/** Solved cases that wait for the customer's confirmation (the overview shows them to the customer). */
export function casesAwaitingCustomer(db: Db, customerIds: readonly string[] | undefined, now: number): Ticket[] {
  const rows = db
    .prepare(
      `SELECT id FROM tickets WHERE state IN ('recovered', 'resolved') AND (@all = 1 OR customer_id IN (SELECT value FROM json_each(@ids)))
       ORDER BY COALESCE(resolved_at, recovered_at) LIMIT 200`,
    )
    .all({ all: customerIds ? 0 : 1, ids: JSON.stringify(customerIds ?? []) }) as Array<{ id: string }>;
  return rows.map((r) => getTicket(db, r.id, { now })!).filter(Boolean);
}
