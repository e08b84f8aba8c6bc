import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { getContract } from '../contracts/contract-store.js';
import { inspectionCalendar, localDate, type CalendarEntry } from './holiday-calendar.js';
import { signedReportsByInspection } from './report-store.js';

/**
 * One customer's inspection calendar around `now`: its contract's inspections (each its contract's
 * inspectionDaysBefore ahead of the holiday), each marked upcoming, due, overdue or done by the signed-off
 * report of that inspection. The API (/api/reports/calendar) and the dashboard pages both read it here, so
 * they cannot disagree. The caller checks the customer is visible.
 */
export function customerInspectionCalendar(db: Db, customerId: string, now: number): CalendarEntry[] {
  const contract = getContract(db, customerId);
  const entries = inspectionCalendar({ inspections: contract.inspections, now, signedReports: signedReportsByInspection(db, customerId), daysBefore: contract.inspectionDaysBefore });
  // An inspection that fell before the customer was taken on was never owed: not "overdue".
  const since = getCustomer(db, customerId)?.createdAt;
  if (since === undefined) return entries;
  const sinceDay = localDate(since);
  return entries.filter((e) => e.inspectionDate >= sinceDay);
}
