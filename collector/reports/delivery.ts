import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/database.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { listCustomerMails, queueCustomerMail, type MailAttachment } from '../tickets/customer-mail.js';
import { currentDocx, currentPdf } from './generate.js';
import { DOCX_MIME } from './render-docx.js';
import { deliveryMail, reportRecipients } from './delivery-mail.js';
import { openDeliveries, recordDelivered, updateDelivery, type ReportDelivery } from './delivery-store.js';
import { fileBase, getReportRecord, loadReport, type ReportRecord } from './report-store.js';
import { ConcurrencyLimit } from '../../shared/concurrency-limit.js';

/**
 * Sending signed reports to the customer (issue 13, item 6). Sign-off queues a delivery (delivery-store.ts) in the
 * same request; each pass here prepares what is due (prints the PDF, copies it beside the report for the mail)
 * and hands the mail to the customer mail outbox (tickets/customer-mail.ts), which sends it through the
 * customer's e-mail channel and retries while the mail server is down. Later passes follow the queued mail and
 * record on the report when it reached the customer and whom: the inspection calendar measures the contract's
 * one-week promise by that time.
 */

/** Printing the PDF can fail (Chromium missing or busy): tried again after 1, 5, then every 30 minutes, never given up. */
const PREPARE_RETRY_MS = [60_000, 300_000, 1_800_000];

export interface DelivererDeps {
  db: Db;
  chromiumPath?: string;
  /** The collector's public URL, for the link to the report page in the mail. */
  publicUrl?: string;
  log?: Logger;
}

/**
 * What goes with the mail: the signed report's PDF and its Word version (customers edit and stamp it). The PDF is
 * the report; a Word file that still fails after a retry does not hold it back (`withDocx` false), and the log
 * says so.
 */
async function reportAttachments(deps: DelivererDeps, rec: ReportRecord, dir: string, withDocx: boolean, log: Logger): Promise<MailAttachment[]> {
  const base = fileBase(rec);
  const render = { db: deps.db, chromiumPath: deps.chromiumPath };
  // Both need Chromium (the Word file for its charts): made side by side, the mail waits for the slower.
  const [pdf, docx] = await Promise.allSettled([currentPdf(render, rec), currentDocx(render, rec)]);
  if (pdf.status === 'rejected') throw pdf.reason;
  const pdfPath = join(dir, `${base}.pdf`);
  writeFileSync(pdfPath, pdf.value);
  const out: MailAttachment[] = [{ filename: `${base}.pdf`, path: pdfPath, contentType: 'application/pdf' }];
  if (docx.status === 'fulfilled') {
    const docxPath = join(dir, `${base}.docx`);
    writeFileSync(docxPath, docx.value);
    out.push({ filename: `${base}.docx`, path: docxPath, contentType: DOCX_MIME });
  } else if (withDocx) throw docx.reason;
  else log.error({ err: docx.reason, report: rec.id }, 'the Word version of a signed report could not be made; it is mailed with the PDF only');
  return out;
}

export class ReportDeliverer {
  private readonly log: Logger;
  private readonly oneAtATime = new ConcurrencyLimit(1);

  constructor(private readonly deps: DelivererDeps) {
    this.log = deps.log ?? createLogger('reports.delivery');
  }

  /** One pass at a time (the collector's tick and a sign-off may both ask). */
  async tick(now: number): Promise<void> {
    return this.oneAtATime.run(() => this.pass(now));
  }

  private async pass(now: number): Promise<void> {
    for (const d of openDeliveries(this.deps.db, now)) {
      if (d.state === 'preparing') await this.prepare(d, now);
      else this.follow(d, now);
    }
  }

  /** Print and attach, then queue the mail; the outbox row and the delivery's state change in one transaction. */
  private async prepare(d: ReportDelivery, now: number): Promise<void> {
    const { db } = this.deps;
    const rec = getReportRecord(db, d.reportId);
    if (!rec || rec.signedOffAt === null) {
      updateDelivery(db, d.id, { state: 'failed', lastError: 'the report is not signed off' });
      return;
    }
    const recipients = reportRecipients(db, rec.customerId);
    if (recipients.length === 0) {
      updateDelivery(db, d.id, { state: 'no-recipients', lastError: 'no contact of this customer has an e-mail address' });
      this.log.warn({ report: rec.id, customer: rec.customerId }, 'signed report not sent: no contact of the customer has an e-mail address');
      return;
    }
    let attachments: MailAttachment[];
    try {
      // A folder per sending: the files stay as they were sent even if the report's PDF is printed again later.
      const dir = join(rec.filesDir, `delivery-${d.id}`);
      mkdirSync(dir, { recursive: true });
      attachments = await reportAttachments(this.deps, rec, dir, d.attempts < 2, this.log);
    } catch (err) {
      const attempts = d.attempts + 1;
      const delay = PREPARE_RETRY_MS[Math.min(attempts, PREPARE_RETRY_MS.length) - 1]!;
      updateDelivery(db, d.id, { attempts, lastError: (err as Error).message || String(err), nextAttemptAt: now + delay });
      this.log.error({ err, report: rec.id, attempts }, 'signed report could not be prepared for mailing; will retry');
      return;
    }
    const text = deliveryMail(loadReport(db, rec), rec.id, this.deps.publicUrl, attachments.length > 1);
    db.transaction(() => {
      const mailId = queueCustomerMail(db, { customerId: rec.customerId, ticketId: null, kind: 'report-delivery', recipients, subject: text.subject, body: text.body, attachments }, now);
      updateDelivery(db, d.id, { state: 'queued', mailId: mailId ?? null, recipients, lastError: null });
    })();
    this.log.info({ report: rec.id, customer: rec.customerId, version: rec.version, recipients: recipients.length }, 'signed report queued for mailing');
  }

  /** The queued mail went (record it on the report) or was given up (say so on the delivery). */
  private follow(d: ReportDelivery, now: number): void {
    const { db } = this.deps;
    const mail = d.mailId === null ? undefined : listCustomerMails(db, { customerId: d.customerId }).find((m) => m.id === d.mailId);
    if (!mail) {
      updateDelivery(db, d.id, { state: 'failed', lastError: 'the queued mail is gone from the outbox' });
      return;
    }
    if (mail.state === 'sent') {
      db.transaction(() => {
        updateDelivery(db, d.id, { state: 'sent', sentAt: mail.sentAt, attempts: mail.attempts, lastError: null });
        recordDelivered(db, d.reportId, mail.recipients, mail.sentAt ?? now);
      })();
      this.log.info({ report: d.reportId, customer: d.customerId, recipients: mail.recipients.length }, 'signed report delivered');
    } else if (mail.state === 'failed') {
      updateDelivery(db, d.id, { state: 'failed', attempts: mail.attempts, lastError: mail.lastError });
      this.log.error({ report: d.reportId, customer: d.customerId, err: mail.lastError }, 'signed report could not be mailed; an engineer can send it again');
    } else if (mail.attempts !== d.attempts || mail.lastError !== d.lastError) {
      // Still being retried: show why on the report page.
      updateDelivery(db, d.id, { attempts: mail.attempts, lastError: mail.lastError });
    }
  }
}
