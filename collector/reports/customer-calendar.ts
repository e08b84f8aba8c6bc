import type { Db } from '../db/database.js';
import { getContract } from '../tickets/contracts.js';
import { inspectionCalendar, type CalendarEntry } from './calendar.js';
import { signedReportsByPeriod } from './report-store.js';

/**
 * One customer's inspection calendar around `now`: its contract's inspections, each marked upcoming, due,
 * overdue or done by the signed-off reports stored for it. The API (/api/reports/calendar) and the
 * dashboard pages both read it here, so they cannot disagree. The caller checks the customer is visible.
 */
export function customerInspectionCalendar(db: Db, customerId: string, now: number, daysBefore?: number): CalendarEntry[] {
  const contract = getContract(db, customerId);
  return inspectionCalendar({ inspections: contract.inspections, now, signedReports: signedReportsByPeriod(db, customerId), daysBefore });
}
