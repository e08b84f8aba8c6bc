import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { getContract } from '../contracts/contract-store.js';
import { addDays, findInspection, inspectionCalendar, owedSince, startOfLocalDate, type CalendarEntry } from './holiday-calendar.js';
import { acceptancesOf } from './acceptance.js';
import { listReports, seriesOf, signedReportsByInspection, type ReportRecord } from './report-store.js';

/**
 * Where an inspection's report stands, as the customer would put it: not made, a draft, signed off, delivered to
 * them, accepted (签收) or returned with a remark. `overdue`: the contract's promise ("an inspection report goes
 * to the customer within one week", requirements.md; REPORT_DUE_DAYS) was not kept: no version of the report
 * reached the customer by the end of the report due date.
 */
export type ReportProgressState = 'none' | 'draft' | 'signed' | 'delivered' | 'accepted' | 'returned';

export interface InspectionReportProgress {
  state: ReportProgressState;
  /** The report (version) the state is of; null with 'none'. */
  reportId: string | null;
  version: number | null;
  /** When the first version reached the customer. */
  deliveredAt: number | null;
  /** When the customer answered the version of `reportId` (accepted or returned), and the remark of a return. */
  answeredAt: number | null;
  remark: string;
  overdue: boolean;
}

export interface InspectionCalendarEntry extends CalendarEntry {
  report: InspectionReportProgress;
}

/**
 * The state of one version: a returned version stays "returned" while its next version is a draft (the engineers
 * are at work on the customer's remark), so the newest version is read together with the one before it.
 */
function stateOf(r: ReportRecord, previous: ReportRecord | undefined): ReportProgressState {
  if (r.signedOffAt === null) return previous?.returnedAt != null ? 'returned' : 'draft';
  if (r.acceptedAt !== null) return 'accepted';
  if (r.returnedAt !== null) return 'returned';
  return r.deliveredAt !== null ? 'delivered' : 'signed';
}

/** What needs a look first when the languages of one inspection differ: a return, then the least advanced. */
const RANK: Record<ReportProgressState, number> = { returned: 6, draft: 5, signed: 4, delivered: 3, accepted: 2, none: 1 };

function progressByInspection(db: Db, customerId: string, forCustomer: boolean): Map<string, Omit<InspectionReportProgress, 'overdue'>> {
  const contract = getContract(db, customerId);
  const all = listReports(db, { customerId, scope: 'inspection', allVersions: true }).filter((r) => {
    if (r.inspectionKey === null) return false;
    // A report signed ahead of its inspection day was a preview, not the inspection's report (as signedReportsByInspection).
    const d = findInspection(contract.inspections, r.inspectionKey, contract.inspectionDaysBefore);
    return !(d && r.windowTo !== null && r.windowTo < startOfLocalDate(d.inspectionDate));
  });
  const answers = acceptancesOf(db, all.filter((r) => r.returnedAt !== null).map((r) => r.id));
  // Each series (inspection, language) newest version first.
  const series = new Map<string, ReportRecord[]>();
  for (const r of all) {
    const s = seriesOf(r);
    if (!s) continue;
    const id = `${s.key}\u0000${s.lang}`;
    (series.get(id) ?? series.set(id, []).get(id)!).push(r);
  }
  const out = new Map<string, Omit<InspectionReportProgress, 'overdue'>>();
  for (const versions of series.values()) {
    versions.sort((a, b) => b.version - a.version);
    // A customer never sees drafts: for them the newest signed version is the report.
    const shown = forCustomer ? versions.filter((v) => v.signedOffAt !== null) : versions;
    const [newest, previous] = shown;
    if (!newest) continue;
    const state = stateOf(newest, previous);
    const answered = newest.returnedAt !== null ? newest : state === 'returned' ? previous! : newest;
    const delivered = versions.map((v) => v.deliveredAt).filter((t): t is number => t !== null);
    const candidate = {
      state,
      reportId: newest.id,
      version: newest.version,
      deliveredAt: delivered.length ? Math.min(...delivered) : null,
      answeredAt: answered.acceptedAt ?? answered.returnedAt,
      remark: answered.returnedAt !== null ? (answers.get(answered.id)?.remark ?? '') : '',
    };
    const key = newest.inspectionKey!;
    const had = out.get(key);
    const firstDelivery = [had?.deliveredAt, candidate.deliveredAt].filter((t): t is number => typeof t === 'number');
    const pick = !had || RANK[candidate.state] > RANK[had.state] ? candidate : had;
    out.set(key, { ...pick, deliveredAt: firstDelivery.length ? Math.min(...firstDelivery) : null });
  }
  return out;
}

/**
 * One customer's inspection calendar around `now`: its contract's inspections (each its contract's
 * inspectionDaysBefore ahead of the holiday), each marked upcoming, due, overdue or done by the signed-off
 * report of that inspection, and where its report stands with the customer (`report`). The API
 * (/api/reports/calendar) and the dashboard pages both read it here, so they cannot disagree. The caller checks
 * the customer is visible; `forCustomer` leaves out what a customer user does not see (drafts).
 */
export function customerInspectionCalendar(db: Db, customerId: string, now: number, opts: { forCustomer?: boolean } = {}): InspectionCalendarEntry[] {
  const contract = getContract(db, customerId);
  const entries = inspectionCalendar({ inspections: contract.inspections, now, signedReports: signedReportsByInspection(db, customerId), daysBefore: contract.inspectionDaysBefore });
  // An inspection that started before the customer was taken on was never owed: not "overdue".
  const since = getCustomer(db, customerId)?.createdAt;
  const owed = since === undefined ? entries : entries.filter((e) => owedSince(e, since));
  const progress = progressByInspection(db, customerId, opts.forCustomer ?? false);
  return owed.map((e) => {
    const p = progress.get(e.key) ?? { state: 'none' as const, reportId: null, version: null, deliveredAt: null, answeredAt: null, remark: '' };
    // The week ends with the report due date (Beijing): delivered by the start of the next day is on time.
    const deadline = startOfLocalDate(addDays(e.reportDueDate, 1));
    const overdue = e.status !== 'upcoming' && (p.deliveredAt === null ? now >= deadline : p.deliveredAt >= deadline);
    return { ...e, report: { ...p, overdue } };
  });
}
