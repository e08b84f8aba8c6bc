import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/database.js';
import { listCustomers } from '../db/customers.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { getContract } from '../contracts/contract-store.js';
import { getCustomerReportProfile } from '../reports/provider-store.js';
import { DEFAULT_TIMEZONE, zonedParts } from '../../shared/zoned-time.js';
import { queueCustomerMail, type MailAttachment } from '../tickets/customer-mail.js';
import { buildMonthlyReport, monthBounds, type MonthlyReport } from './model.js';
import { renderMonthlyXlsx, W } from './render.js';
import { renderMonthlyPdfs } from './document.js';
import { ConcurrencyLimit } from '../../shared/concurrency-limit.js';

/**
 * On the 1st of each month (Beijing time, the contract calendar's zone) the previous month's service report goes to
 * each customer's people: its users with an e-mail address and the contract's account owner, with the PDF and the
 * Excel attached. The mail is queued in customer_mail_outbox (tickets/customer-mail.ts sends it through the
 * customer's e-mail channel and retries while the SMTP server is down) in the same transaction that records the
 * month as mailed (service_report_mailings), so a restart never mails a month twice.
 *
 * A collector that was down on the 1st catches up during the first CATCH_UP_DAYS days; after that the month is
 * left to the dashboard, so a first start in mid-month does not mail last month's report out of the blue.
 */
export const CATCH_UP_DAYS = 7;
/** A report that could not be made (Chromium missing, a disk full) is tried again after this long, not every tick. */
const RETRY_MS = 15 * 60_000;
/** The attachments' language: the contract's (Chinese); the English ones are a click away on the dashboard. */
const MAIL_LANG = 'zh' as const;

export function previousMonth(now: number): { month: string; day: number } {
  const p = zonedParts(now, DEFAULT_TIMEZONE);
  const y = p.month === 1 ? p.year - 1 : p.year;
  const m = p.month === 1 ? 12 : p.month - 1;
  return { month: `${y}-${String(m).padStart(2, '0')}`, day: p.day };
}

/**
 * Who gets a customer's monthly report: its enabled users with an address, the contact person and the further
 * addresses reports go to (the customer's report profile, as for the signed inspection report), and the account owner.
 */
export function monthlyRecipients(db: Db, customerId: string): string[] {
  const users = db
    .prepare(
      `SELECT c.email FROM users u JOIN user_contacts c ON c.user_id = u.id
       WHERE u.role = 'customer' AND u.customer_id = ? AND u.disabled_at IS NULL AND c.email IS NOT NULL AND c.email <> '' ORDER BY u.created_at`,
    )
    .all(customerId) as Array<{ email: string }>;
  const ownerId = getContract(db, customerId).accountOwnerId;
  const owner = ownerId
    ? (db.prepare("SELECT c.email FROM users u JOIN user_contacts c ON c.user_id = u.id WHERE u.id = ? AND u.disabled_at IS NULL AND c.email IS NOT NULL AND c.email <> ''").get(ownerId) as { email: string } | undefined)
    : undefined;
  const profile = getCustomerReportProfile(db, customerId);
  const all = [...users.map((u) => u.email), profile.contactEmail ?? '', ...profile.reportEmails, ...(owner ? [owner.email] : [])];
  return [...new Set(all.map((e) => e.trim().toLowerCase()).filter(Boolean))];
}

export interface MonthlyMailing {
  customerId: string;
  month: string;
  mailId: number | null;
  recipients: string[];
  queuedAt: number;
}

export function listMonthlyMailings(db: Db, customerIds?: readonly string[]): MonthlyMailing[] {
  const rows = db
    .prepare('SELECT customer_id AS customerId, month, mail_id AS mailId, recipients, queued_at AS queuedAt FROM service_report_mailings ORDER BY month DESC, customer_id')
    .all() as Array<Omit<MonthlyMailing, 'recipients'> & { recipients: string }>;
  return rows.filter((r) => !customerIds || customerIds.includes(r.customerId)).map((r) => ({ ...r, recipients: JSON.parse(r.recipients) as string[] }));
}

/** A month's mailing with where its mail stands in the customer mail outbox (waiting, sent, failed), for the list page. */
export interface MonthlyMailingState extends MonthlyMailing {
  state: string | null;
  sentAt: number | null;
  lastError: string | null;
}

/** One customer's mailings by month (YYYY-MM), each with its outbox state. */
export function mailingStatesByMonth(db: Db, customerId: string): Map<string, MonthlyMailingState> {
  const rows = db
    .prepare(
      `SELECT m.customer_id AS customerId, m.month, m.recipients, m.queued_at AS queuedAt, m.mail_id AS mailId, o.state, o.sent_at AS sentAt, o.last_error AS lastError
       FROM service_report_mailings m LEFT JOIN customer_mail_outbox o ON o.id = m.mail_id WHERE m.customer_id = ?`,
    )
    .all(customerId) as Array<Omit<MonthlyMailingState, 'recipients'> & { recipients: string }>;
  return new Map(rows.map((r) => [r.month, { ...r, recipients: JSON.parse(r.recipients) as string[] }]));
}

export class MonthlyMailer {
  private readonly log: Logger;
  /** One pass at a time: a call that comes while a pass runs waits its turn, so nothing is taken up twice. */
  private readonly oneAtATime = new ConcurrencyLimit(1);
  /** Customer id -> not before: a report that failed is tried again after RETRY_MS, not on every tick. */
  private readonly retryAt = new Map<string, number>();

  constructor(private readonly opts: { db: Db; dataDir: string; chromiumPath?: string; log?: Logger }) {
    this.log = opts.log ?? createLogger('service-report.monthly-mail');
  }

  async tick(now: number): Promise<void> {
    return this.oneAtATime.run(() => this.pass(now));
  }

  private async pass(now: number): Promise<void> {
    const { db } = this.opts;
    const { month, day } = previousMonth(now);
    if (day > CATCH_UP_DAYS) return;
    const { to } = monthBounds(month);
    const done = new Set((db.prepare('SELECT customer_id AS id FROM service_report_mailings WHERE month = ?').all(month) as Array<{ id: string }>).map((r) => r.id));
    // A customer added after the month ended had nothing in it to report.
    const due = listCustomers(db).filter((c) => !done.has(c.id) && c.createdAt < to && (this.retryAt.get(c.id) ?? 0) <= now);
    if (due.length === 0) return;
    const work = due.flatMap((c) => {
      const report = buildMonthlyReport(db, c.id, month, now);
      return report ? [{ report, recipients: monthlyRecipients(db, c.id) }] : [];
    });
    const mailed = work.filter((w) => w.recipients.length > 0);
    let pdfs: Buffer[];
    try {
      pdfs = await renderMonthlyPdfs(db, mailed.map((w) => w.report), MAIL_LANG, { chromiumPath: this.opts.chromiumPath });
    } catch (err) {
      for (const c of due) this.retryAt.set(c.id, now + RETRY_MS);
      this.log.error({ err, month, customers: mailed.length }, 'monthly service reports not printed; tried again later');
      return;
    }
    for (const [i, w] of work.entries()) {
      const pdf = w.recipients.length > 0 ? pdfs[mailed.indexOf(w)] : undefined;
      try {
        await this.queue(w.report, w.recipients, pdf, now);
        this.retryAt.delete(w.report.customerId);
      } catch (err) {
        this.retryAt.set(w.report.customerId, now + RETRY_MS);
        this.log.error({ err, customerId: w.report.customerId, month, i }, 'monthly service report not queued; tried again later');
      }
    }
  }

  private async queue(report: MonthlyReport, recipients: string[], pdf: Buffer | undefined, now: number): Promise<void> {
    const { db } = this.opts;
    const { customerId, month } = report;
    const attachments: MailAttachment[] = [];
    if (pdf) {
      // Files under the data directory, read when the mail goes out (a retry hours later sends the same bytes).
      // The customer id names a folder and files: only its safe characters (an id is never a path).
      const safeId = customerId.replace(/[^A-Za-z0-9_-]/g, '_');
      const dir = join(this.opts.dataDir, 'service-reports', safeId);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const base = `service-report-${safeId}-${month}-${MAIL_LANG}`;
      const pdfPath = join(dir, `${base}.pdf`);
      writeFileSync(pdfPath, pdf);
      const xlsxPath = join(dir, `${base}.xlsx`);
      writeFileSync(xlsxPath, await renderMonthlyXlsx(report, MAIL_LANG));
      attachments.push(
        { filename: `${base}.pdf`, contentType: 'application/pdf', path: pdfPath },
        { filename: `${base}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', path: xlsxPath },
      );
    }
    const zh = W.zh;
    const en = W.en;
    db.transaction(() => {
      // Another pass (or process) got here first: the primary key keeps it to one mail.
      if (db.prepare('SELECT 1 FROM service_report_mailings WHERE customer_id = ? AND month = ?').get(customerId, month)) return;
      const mailId = !pdf
        ? undefined
        : queueCustomerMail(
            db,
            {
              customerId,
              ticketId: null,
              kind: 'monthly-report',
              recipients,
              subject: `[Patrol] ${report.customerName} ${month} ${zh.title} / ${en.title}`,
              body:
                `您好：\n\n附件是 ${report.customerName} ${month} 的月度服务报告（PDF 与 Excel）：本月工单 ${report.cases.total} 个，` +
                `响应达标率 ${report.sla.response.pct ?? '-'}%，恢复达标率 ${report.sla.restore.pct ?? '-'}%。英文版及 CSV 可在服务台的“月度服务报告”页面下载。\n\n` +
                `Hello,\n\nattached is the monthly service report of ${report.customerName} for ${month} (PDF and Excel): ${report.cases.total} cases, ` +
                `response kept ${report.sla.response.pct ?? '-'}%, restore kept ${report.sla.restore.pct ?? '-'}%. The English version and a CSV are on the dashboard's service reports page.\n`,
              attachments,
            },
            now,
          );
      db.prepare('INSERT INTO service_report_mailings (customer_id, month, mail_id, recipients, queued_at) VALUES (?, ?, ?, ?, ?)').run(customerId, month, mailId ?? null, JSON.stringify(recipients), now);
    })();
    if (!pdf) this.log.warn({ customerId, month }, 'monthly service report not mailed: the customer has no user with an e-mail address and no account owner');
    else this.log.info({ customerId, month, recipients: recipients.length }, 'monthly service report queued for mailing');
  }
}
