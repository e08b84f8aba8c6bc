import type { Db } from '../db/database.js';

/**
 * The record of sending signed reports to the customer (migration 091): one row per sending in report_deliveries,
 * and on the report itself when it first reached the customer (delivered_at) and every address it reached
 * (delivered_to). delivery.ts does the sending; this file only reads and writes the rows.
 */

export type DeliveryState = 'preparing' | 'queued' | 'sent' | 'failed' | 'no-recipients';

export interface ReportDelivery {
  id: number;
  reportId: string;
  customerId: string;
  state: DeliveryState;
  recipients: string[];
  mailId: number | null;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  requestedBy: string;
  createdAt: number;
  sentAt: number | null;
}

const SELECT = `SELECT id, report_id AS reportId, customer_id AS customerId, state, recipients, mail_id AS mailId, attempts,
  next_attempt_at AS nextAttemptAt, last_error AS lastError, requested_by AS requestedBy, created_at AS createdAt, sent_at AS sentAt FROM report_deliveries`;

type Row = Omit<ReportDelivery, 'recipients'> & { recipients: string };
const toDelivery = (r: Row): ReportDelivery => ({ ...r, recipients: JSON.parse(r.recipients) as string[] });

/** Ask for the signed report to be sent (prepared and queued by the deliverer's next pass). */
export function queueDelivery(db: Db, report: { id: string; customerId: string }, requestedBy: string, now: number): number {
  const r = db
    .prepare('INSERT INTO report_deliveries (report_id, customer_id, state, next_attempt_at, requested_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(report.id, report.customerId, 'preparing', now, requestedBy, now);
  return Number(r.lastInsertRowid);
}

/** Every sending of a report, newest first. */
export function listDeliveries(db: Db, reportId: string): ReportDelivery[] {
  return (db.prepare(`${SELECT} WHERE report_id = ? ORDER BY id DESC`).all(reportId) as Row[]).map(toDelivery);
}

/** Sendings still on their way: to prepare (due by `now`) or queued in the mail outbox. */
export function openDeliveries(db: Db, now: number): ReportDelivery[] {
  return (db.prepare(`${SELECT} WHERE (state = 'preparing' AND next_attempt_at <= ?) OR state = 'queued' ORDER BY id LIMIT 100`).all(now) as Row[]).map(toDelivery);
}

export function updateDelivery(db: Db, id: number, change: Partial<Pick<ReportDelivery, 'state' | 'recipients' | 'mailId' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sentAt'>>): void {
  const cur = db.prepare(`${SELECT} WHERE id = ?`).get(id) as Row | undefined;
  if (!cur) return;
  const next = { ...toDelivery(cur), ...change };
  db.prepare('UPDATE report_deliveries SET state = ?, recipients = ?, mail_id = ?, attempts = ?, next_attempt_at = ?, last_error = ?, sent_at = ? WHERE id = ?').run(
    next.state,
    JSON.stringify(next.recipients),
    next.mailId,
    next.attempts,
    next.nextAttemptAt,
    next.lastError,
    next.sentAt,
    id,
  );
}

/** The report reached these addresses at `at`: the first delivery's time stays (the one-week promise is measured by it). */
export function recordDelivered(db: Db, reportId: string, to: readonly string[], at: number): void {
  const cur = db.prepare('SELECT delivered_at AS at, delivered_to AS "to" FROM reports WHERE id = ?').get(reportId) as { at: number | null; to: string | null } | undefined;
  if (!cur) return;
  const all = [...new Set([...(cur.to ? (JSON.parse(cur.to) as string[]) : []), ...to])];
  db.prepare('UPDATE reports SET delivered_at = ?, delivered_to = ? WHERE id = ?').run(cur.at ?? at, JSON.stringify(all), reportId);
}

export interface ReportDeliveryStatus {
  /** When the report first reached the customer's contacts; null: not yet. */
  deliveredAt: number | null;
  /** Every address it reached. */
  deliveredTo: string[];
  /** The newest sending (its state says whether one is on its way or failed). */
  latest: ReportDelivery | null;
}

export function deliveredAtOf(db: Db, reportId: string): number | null {
  return (db.prepare('SELECT delivered_at AS at FROM reports WHERE id = ?').get(reportId) as { at: number | null } | undefined)?.at ?? null;
}

export function deliveryStatus(db: Db, reportId: string): ReportDeliveryStatus {
  const r = db.prepare('SELECT delivered_at AS at, delivered_to AS "to" FROM reports WHERE id = ?').get(reportId) as { at: number | null; to: string | null } | undefined;
  return { deliveredAt: r?.at ?? null, deliveredTo: r?.to ? (JSON.parse(r.to) as string[]) : [], latest: listDeliveries(db, reportId)[0] ?? null };
}

/** First delivery time of many reports at once (the calendar). */
export function deliveredAtOfMany(db: Db, reportIds: readonly string[]): Map<string, number> {
  if (reportIds.length === 0) return new Map();
  const rows = db
    .prepare('SELECT id, delivered_at AS at FROM reports WHERE delivered_at IS NOT NULL AND id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(reportIds)) as Array<{ id: string; at: number }>;
  return new Map(rows.map((r) => [r.id, r.at]));
}
