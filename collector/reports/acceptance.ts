import type { Db } from '../db/database.js';
import { createLogger } from '../../shared/logger.js';
import { deliveredAtOf } from './delivery-store.js';
import { dropRendered, newerVersionOf, type ReportRecord } from './report-store.js';

const log = createLogger('reports.acceptance');

/**
 * The customer's answer to a delivered report (签收): accepted (who, when; the customer's signature block of the
 * PDF then says it was accepted online) or returned with a remark, which sends the report back to the engineers:
 * their list shows it, and generating that inspection again makes the next version, signed and delivered again.
 * One answer per version, never changed: the table's primary key holds it even for two clicks at once.
 */

export type AcceptanceDecision = 'accepted' | 'returned';

export interface ReportAcceptance {
  reportId: string;
  decision: AcceptanceDecision;
  userId: string | null;
  userName: string;
  remark: string;
  decidedAt: number;
}

export function acceptanceOf(db: Db, reportId: string): ReportAcceptance | undefined {
  return db
    .prepare('SELECT report_id AS reportId, decision, user_id AS userId, user_name AS userName, remark, decided_at AS decidedAt FROM report_acceptances WHERE report_id = ?')
    .get(reportId) as ReportAcceptance | undefined;
}

/** Answers of many reports at once (lists, the calendar). */
export function acceptancesOf(db: Db, reportIds: readonly string[]): Map<string, ReportAcceptance> {
  if (reportIds.length === 0) return new Map();
  const rows = db
    .prepare(
      `SELECT report_id AS reportId, decision, user_id AS userId, user_name AS userName, remark, decided_at AS decidedAt FROM report_acceptances
       WHERE report_id IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(reportIds)) as ReportAcceptance[];
  return new Map(rows.map((r) => [r.reportId, r]));
}

export type DecideResult =
  | { ok: true; acceptance: ReportAcceptance }
  | { ok: false; code: 'not-signed' | 'not-delivered' | 'decided' | 'superseded'; message: string; messageZh: string };

/**
 * Record the customer's answer. Only a signed report that has reached the customer can be answered, once; a
 * version that a newer signed one replaced is history. The caller checks that the user is one of the report's
 * customer's users.
 */
export function decideReport(
  db: Db,
  rec: ReportRecord,
  decision: AcceptanceDecision,
  by: { id: string | null; name: string },
  remark: string,
  now: number,
): DecideResult {
  if (rec.signedOffAt === null) return { ok: false, code: 'not-signed', message: 'this report is not signed off yet', messageZh: '该报告尚未签核' };
  if (deliveredAtOf(db, rec.id) === null) {
    return {
      ok: false,
      code: 'not-delivered',
      message: 'this report has not been delivered to you yet; it can be accepted or returned once it has been sent',
      messageZh: '该报告尚未发送给您，发送后才能签收或退回',
    };
  }
  const newer = newerVersionOf(db, rec);
  if (newer && newer.signedOffAt !== null) {
    return { ok: false, code: 'superseded', message: `version ${rec.version} is replaced by version ${newer.version}; answer that one`, messageZh: `第 ${rec.version} 版已被第 ${newer.version} 版取代，请对新版本签收或退回` };
  }
  const earlier = acceptanceOf(db, rec.id);
  const refusedTwice = (a: ReportAcceptance): DecideResult => ({
    ok: false,
    code: 'decided',
    message: `this report was already ${a.decision} by ${a.userName}; the answer cannot change`,
    messageZh: `该报告已由 ${a.userName}${a.decision === 'accepted' ? '签收' : '退回'}，不能再次操作`,
  });
  if (earlier) return refusedTwice(earlier);
  const inserted = db
    .prepare(
      `INSERT INTO report_acceptances (report_id, customer_id, decision, user_id, user_name, remark, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(report_id) DO NOTHING`,
    )
    .run(rec.id, rec.customerId, decision, by.id, by.name, remark, now);
  const stored = acceptanceOf(db, rec.id)!;
  if (inserted.changes === 0) return refusedTwice(stored);
  // The PDF is printed again with the customer's block filled in ("accepted online by ...").
  if (decision === 'accepted') dropRendered(rec);
  log.info({ report: rec.id, customer: rec.customerId, version: rec.version, decision, by: by.name }, decision === 'accepted' ? 'report accepted by the customer' : 'report returned by the customer');
  return { ok: true, acceptance: stored };
}
