import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { getContract } from '../contracts/contract-store.js';
import { findInspection, inspectionOfQuarter, localDate, nominalWindow, periodBounds, previousPeriod, type InspectionDate } from './holiday-calendar.js';
import { latestInspection, latestRunBetween, type InspectionRecord } from './inspection.js';
import { latestReportOf, signedReportsByInspection } from './report-store.js';

/** The request names no inspection of the contract, or one whose window has not begun: the caller's mistake. */
export class ReportTargetError extends Error {}

/**
 * The calendar inspection a report is for: named by key ("spring-festival-2027"), or by a quarter
 * ("2027Q1", see inspectionOfQuarter).
 */
export function resolveInspection(db: Db, customerId: string, sel: { inspectionKey?: string; period?: string }, now: number): InspectionDate {
  const contract = getContract(db, customerId);
  if (sel.inspectionKey) {
    const found = findInspection(contract.inspections, sel.inspectionKey, contract.inspectionDaysBefore);
    if (!found) throw new ReportTargetError(`no inspection '${sel.inspectionKey}' in ${customerId}'s contract`);
    return found;
  }
  if (!sel.period) throw new ReportTargetError('name an inspection (e.g. national-day-2026) or a quarter (e.g. 2026Q3)');
  const found = inspectionOfQuarter(contract.inspections, sel.period, {
    daysBefore: contract.inspectionDaysBefore,
    today: localDate(now),
    signed: new Set(signedReportsByInspection(db, customerId).keys()),
  });
  if (!found) throw new ReportTargetError(`${customerId}'s contract has no inspection in ${sel.period}`);
  return found;
}

export interface ReportWindow {
  inspection: InspectionDate;
  from: number;
  to: number;
  /** The contract's first report (it covers the months before the inspection). */
  first: boolean;
  /** The inspection before this one, whose report is "the last report" to compare with. */
  previousKey: string | null;
}

/**
 * What a report of `inspection` covers. It ends at this inspection: its recorded run (`run`, else the
 * latest one stored), else its scheduled start, and never later than now (a report made ahead of the
 * inspection covers up to now). It begins where the previous inspection's report ended (a signed-off one
 * first), else at that inspection's recorded run, else at its scheduled start; the contract's first report
 * (no inspection before since the customer was taken on) covers the 3 months before its inspection.
 */
export function reportWindow(db: Db, customerId: string, inspection: InspectionDate, now: number, run?: InspectionRecord): ReportWindow {
  const contract = getContract(db, customerId);
  const createdAt = getCustomer(db, customerId)?.createdAt;
  const nominal = nominalWindow(contract.inspections, inspection, {
    daysBefore: contract.inspectionDaysBefore,
    sinceDate: createdAt === undefined ? undefined : localDate(createdAt),
  });
  const to = (run ?? latestInspection(db, customerId, inspection))?.startedAt ?? Math.min(nominal.to, now);
  let from = nominal.from;
  if (nominal.previous) {
    const previousEnd = latestReportOf(db, customerId, nominal.previous.key)?.windowTo ?? latestInspection(db, customerId, nominal.previous)?.startedAt;
    if (previousEnd !== undefined && previousEnd !== null) from = previousEnd;
  }
  if (from >= to) {
    throw new ReportTargetError(`the window of inspection ${inspection.key} has not begun yet (it starts ${new Date(from).toISOString()})`);
  }
  return { inspection, from, to, first: nominal.first && from === nominal.from, previousKey: nominal.previous?.key ?? null };
}

export interface QuarterWindow {
  period: string;
  from: number;
  /** The quarter's end, or now while the quarter runs. */
  to: number;
  /** The quarter is not over yet: the report covers it up to `to`. */
  partial: boolean;
  /** The latest inspection run made inside the window, whose snapshot says who was reachable. */
  run: InspectionRecord | undefined;
  previousPeriod: string;
}

/**
 * What `--period 2026Q4` covers: exactly that quarter, 2026-10-01 00:00 to 2027-01-01 00:00 in the collector's
 * zone (up to now while it runs). A quarter that has not begun is the caller's mistake.
 */
export function quarterWindow(db: Db, customerId: string, period: string, now: number): QuarterWindow {
  const b = periodBounds(period);
  if (now <= b.from) throw new ReportTargetError(`the quarter ${period} has not begun yet (it starts ${b.fromDate})`);
  const to = Math.min(b.to, now);
  return { period, from: b.from, to, partial: to < b.to, run: latestRunBetween(db, customerId, b.from, to), previousPeriod: previousPeriod(period) };
}
