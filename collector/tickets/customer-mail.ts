import type { Transporter } from 'nodemailer';
import type { Db } from '../db/database.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { channelsForCustomer, type ChannelWithSecret } from '../notify/channels.js';
import { smtpPoolKey, smtpTransport } from '../notify/kinds/email.js';
import { ConcurrencyLimit } from '../../shared/concurrency-limit.js';

/**
 * Mails to the customer's people: the answer that gives a case its number, the notice before a case closes by the
 * contract's rule, the reminder that a solved case waits for their confirmation. Queued in the database with the
 * change that causes them (so a crash never loses one), sent by tick() through the customer's e-mail
 * notification channel (its SMTP server and From address: the notify e-mail path), retried with bounds.
 */

export type CustomerMailKind = 'case-opened' | 'auto-close-notice' | 'reminder' | 'comment-received' | 'contract-ending' | 'monthly-report' | 'report-delivery';

/** A file sent with a mail (the monthly report's PDF and Excel), read from disk when the mail goes out. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  path: string;
}

export interface CustomerMail {
  customerId: string;
  ticketId: string | null;
  kind: CustomerMailKind;
  recipients: string[];
  subject: string;
  body: string;
  /** Message-ID of the mail this answers, so the customer's mail program threads it. */
  inReplyTo?: string | null;
  attachments?: MailAttachment[];
}

export function queueCustomerMail(db: Db, m: CustomerMail, now: number): number | undefined {
  const to = [...new Set(m.recipients.map((r) => r.trim().toLowerCase()).filter(Boolean))];
  if (to.length === 0) return undefined;
  const r = db
    .prepare(
      `INSERT INTO customer_mail_outbox (customer_id, ticket_id, kind, recipients, subject, body, in_reply_to, attachments, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(m.customerId, m.ticketId, m.kind, JSON.stringify(to), m.subject, m.body, m.inReplyTo ?? null, m.attachments?.length ? JSON.stringify(m.attachments) : null, now, now);
  return Number(r.lastInsertRowid);
}

export interface CustomerMailRecord {
  id: number;
  customerId: string;
  ticketId: string | null;
  kind: CustomerMailKind;
  recipients: string[];
  subject: string;
  body: string;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

export function listCustomerMails(db: Db, opts: { ticketId?: string; customerId?: string } = {}): CustomerMailRecord[] {
  const rows = db
    .prepare(
      `SELECT id, customer_id AS customerId, ticket_id AS ticketId, kind, recipients, subject, body, state, attempts, last_error AS lastError,
              created_at AS createdAt, sent_at AS sentAt FROM customer_mail_outbox
       WHERE (@ticketId IS NULL OR ticket_id = @ticketId) AND (@customerId IS NULL OR customer_id = @customerId) ORDER BY id`,
    )
    .all({ ticketId: opts.ticketId ?? null, customerId: opts.customerId ?? null }) as Array<Omit<CustomerMailRecord, 'recipients'> & { recipients: string }>;
  return rows.map((r) => ({ ...r, recipients: JSON.parse(r.recipients) as string[] }));
}

/** 1 min, 5 min, 30 min, 2 h: an SMTP relay down for a restart is retried; a dead one is given up in ~3 h. */
const RETRY_DELAYS_MS = [60_000, 300_000, 1_800_000, 7_200_000];

type EmailChannel = Extract<ChannelWithSecret, { kind: 'email' }>;

/** The customer's own e-mail channel first, else a company-wide one: its SMTP server and From address send the mail. */
export function mailChannelFor(db: Db, customerId: string): EmailChannel | undefined {
  const mail = channelsForCustomer(db, customerId).filter((c): c is EmailChannel => c.kind === 'email');
  return mail.find((c) => c.customerId === customerId) ?? mail[0];
}

export class CustomerMailer {
  private readonly log: Logger;
  private readonly transports = new Map<string, Transporter>();
  /** One pass at a time: a call that comes while a pass runs waits its turn, so nothing is taken up twice. */
  private readonly oneAtATime = new ConcurrencyLimit(1);

  constructor(private readonly opts: { db: Db; log?: Logger; timeoutMs?: number }) {
    this.log = opts.log ?? createLogger('tickets.customer-mail');
  }

  async tick(now: number): Promise<void> {
    return this.oneAtATime.run(() => this.pass(now));
  }

  private async pass(now: number): Promise<void> {
    const { db } = this.opts;
    const due = db
      .prepare("SELECT id, customer_id AS customerId, recipients, subject, body, in_reply_to AS inReplyTo, attachments, attempts FROM customer_mail_outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT 100")
      .all(now) as Array<{ id: number; customerId: string; recipients: string; subject: string; body: string; inReplyTo: string | null; attachments: string | null; attempts: number }>;
    for (const m of due) {
      let error: string | null = null;
      const channel = mailChannelFor(db, m.customerId);
      if (!channel) error = 'no e-mail notification channel serves this customer';
      else {
        try {
          await this.transport(channel).sendMail({
            from: channel.config.from,
            to: JSON.parse(m.recipients) as string[],
            subject: m.subject,
            text: m.body,
            ...(m.inReplyTo ? { inReplyTo: m.inReplyTo, references: [m.inReplyTo] } : {}),
            ...(m.attachments ? { attachments: JSON.parse(m.attachments) as MailAttachment[] } : {}),
          });
        } catch (err) {
          error = (err as Error).message || String(err);
        }
      }
      const attempts = m.attempts + 1;
      if (error === null) {
        db.prepare("UPDATE customer_mail_outbox SET state = 'sent', attempts = ?, sent_at = ?, last_error = NULL WHERE id = ?").run(attempts, now, m.id);
        this.log.info({ mailId: m.id, customerId: m.customerId }, 'customer mail sent');
        continue;
      }
      const delay = RETRY_DELAYS_MS[attempts - 1];
      if (delay === undefined) {
        db.prepare("UPDATE customer_mail_outbox SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?").run(attempts, error, m.id);
        this.log.error({ mailId: m.id, customerId: m.customerId, err: error }, 'customer mail failed for good; kept in the outbox');
      } else {
        db.prepare('UPDATE customer_mail_outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?').run(attempts, error, now + delay, m.id);
        this.log.warn({ mailId: m.id, customerId: m.customerId, err: error }, 'customer mail not sent; will retry');
      }
    }
  }

  /** The notify e-mail kind's SMTP connection for this channel, kept while its config stays the same. */
  private transport(channel: EmailChannel): Transporter {
    const key = smtpPoolKey(channel);
    let t = this.transports.get(key);
    if (!t) {
      t = smtpTransport(channel, this.opts.timeoutMs ?? 10_000);
      this.transports.set(key, t);
    }
    return t;
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}
