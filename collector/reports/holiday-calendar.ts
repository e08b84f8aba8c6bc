import { createRequire } from 'node:module';
import { z } from 'zod';
import { DEFAULT_TIMEZONE, zonedParts, zonedToUtc } from '../../shared/zoned-time.js';
import type { Inspection } from '../contracts/contract-store.js';

/**
 * The inspection calendar (requirements.md, "Inspection service"): four inspections a year, each a set
 * number of days before a major holiday, the report due one week after. Dates are local dates in the
 * contract's zone (Beijing time), written YYYY-MM-DD.
 */

// lunar-javascript ships no typings; this is the small part of it used here.
interface LunarModule {
  Lunar: { fromYmd(year: number, month: number, day: number): { getSolar(): { toYmd(): string } } };
}
const lunar = createRequire(import.meta.url)('lunar-javascript') as LunarModule;

export const IsoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/** Defaults: the inspection runs a week before its holiday (the contract's inspectionDaysBefore), the report is due a week after the inspection. */
export const DEFAULT_DAYS_BEFORE = 7;
export const REPORT_DUE_DAYS = 7;
/** Local hour of the inspection day at which the inspection starts (engineers are in). */
export const INSPECTION_HOUR = 9;
/** A contract's first report covers this many months before its inspection (there is no earlier one to start from). */
export const FIRST_REPORT_MONTHS = 3;

/** Spring Festival: the first day of the first lunar month, as a Gregorian date. */
export function springFestival(year: number): string {
  return lunar.Lunar.fromYmd(year, 1, 1).getSolar().toYmd();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The Gregorian date of a named holiday in a year. */
export function holidayDate(holiday: Exclude<Inspection, { date: string }>, year: number): string {
  switch (holiday) {
    case 'new-year':
      return `${year}-01-01`;
    case 'spring-festival':
      return springFestival(year);
    // 两会: the NPC and CPPCC open in the first days of March; March 3 is the CPPCC's customary opening.
    case 'two-sessions':
      return `${year}-03-03`;
    case 'may-day':
      return `${year}-05-01`;
    case 'national-day':
      return `${year}-10-01`;
  }
}

/** Add days to a YYYY-MM-DD date (calendar arithmetic, no zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y!, m! - 1, d! + days));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Add calendar months to a YYYY-MM-DD date; a day the month lacks becomes its last day (Nov 30 - 3 months = Aug 30, May 31 - 3 = Feb 28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y!, m! - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return `${first.getUTCFullYear()}-${pad(first.getUTCMonth() + 1)}-${pad(Math.min(d!, lastDay))}`;
}

/** The local date of an instant in a zone. */
export function localDate(t: number, tz = DEFAULT_TIMEZONE): string {
  const p = zonedParts(t, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** Midnight at the start of a local date, epoch ms. */
export function startOfLocalDate(date: string, tz = DEFAULT_TIMEZONE): number {
  const [y, m, d] = date.split('-').map(Number);
  return zonedToUtc(y!, m!, d!, 0, 0, tz);
}

export interface InspectionDate {
  /**
   * Stable key of one inspection: the holiday and its year, e.g. "national-day-2026", "spring-festival-2027"
   * (the holiday's year: "new-year-2027" is inspected in December 2026), or "custom-2026-08-15". Reports,
   * inspection runs and the calendar status are keyed by it, so two inspections in one quarter stay apart.
   */
  key: string;
  holiday: string;
  holidayDate: string;
  inspectionDate: string;
  reportDueDate: string;
  /** The quarter of the inspection date, e.g. "2026Q3": a label and a list filter, not the report's window. */
  period: string;
}

export function quarterOf(date: string): string {
  const [y, m] = date.split('-').map(Number);
  return `${y}Q${Math.floor((m! - 1) / 3) + 1}`;
}

/** The inspections of one contract whose holiday falls in a given year. */
export function inspectionsOfYear(inspections: readonly Inspection[], year: number, daysBefore = DEFAULT_DAYS_BEFORE): InspectionDate[] {
  const out: InspectionDate[] = [];
  for (const i of inspections) {
    if (typeof i === 'string') {
      const hd = holidayDate(i, year);
      const inspectionDate = addDays(hd, -daysBefore);
      out.push({ key: `${i}-${year}`, holiday: i, holidayDate: hd, inspectionDate, reportDueDate: addDays(inspectionDate, REPORT_DUE_DAYS), period: quarterOf(inspectionDate) });
    } else if (i.date.startsWith(`${year}-`)) {
      // A custom date is the inspection day itself: the engineer already chose it.
      out.push({ key: `custom-${i.date}`, holiday: i.name ?? 'custom', holidayDate: i.date, inspectionDate: i.date, reportDueDate: addDays(i.date, REPORT_DUE_DAYS), period: quarterOf(i.date) });
    }
  }
  return out.sort((a, b) => a.inspectionDate.localeCompare(b.inspectionDate));
}

/** When an inspection starts: its local date at INSPECTION_HOUR. */
export function inspectionStartsAt(d: Pick<InspectionDate, 'inspectionDate'>, tz = DEFAULT_TIMEZONE, hour = INSPECTION_HOUR): number {
  const [y, m, day] = d.inspectionDate.split('-').map(Number);
  return zonedToUtc(y!, m!, day!, hour, 0, tz);
}

/**
 * Whether a customer taken on at `takenOnAt` is owed this inspection: only if it had not started yet (09:00 on its
 * day). The calendar and the scheduler both ask this, so what the calendar shows as owed is what gets run.
 */
export function owedSince(d: Pick<InspectionDate, 'inspectionDate'>, takenOnAt: number, hour = INSPECTION_HOUR): boolean {
  return inspectionStartsAt(d, undefined, hour) >= takenOnAt;
}

/** Every inspection of a contract whose holiday falls in the years from..to, in date order. */
function inspectionsOfYears(inspections: readonly Inspection[], from: number, to: number, daysBefore: number): InspectionDate[] {
  const out: InspectionDate[] = [];
  for (let y = from; y <= to; y++) out.push(...inspectionsOfYear(inspections, y, daysBefore));
  return out.sort((a, b) => a.inspectionDate.localeCompare(b.inspectionDate) || a.key.localeCompare(b.key));
}

/** The contract's inspection with this key ("may-day-2026", "custom-2026-08-15"), if the contract has it. */
export function findInspection(inspections: readonly Inspection[], key: string, daysBefore = DEFAULT_DAYS_BEFORE): InspectionDate | undefined {
  const year = /^custom-(\d{4})-\d{2}-\d{2}$/.exec(key)?.[1] ?? /-(\d{4})$/.exec(key)?.[1];
  if (!year) return undefined;
  return inspectionsOfYear(inspections, Number(year), daysBefore).find((d) => d.key === key);
}

/** The contract's inspection just before `d` (looking back three years), if there is one. */
export function previousInspection(inspections: readonly Inspection[], d: InspectionDate, daysBefore = DEFAULT_DAYS_BEFORE): InspectionDate | undefined {
  const year = Number(d.inspectionDate.slice(0, 4));
  return inspectionsOfYears(inspections, year - 3, year + 1, daysBefore)
    .filter((p) => p.inspectionDate < d.inspectionDate)
    .at(-1);
}

export interface NominalWindow {
  /** Start of the window: the previous inspection's start, or 3 months before this one for a contract's first. */
  from: number;
  /** This inspection's start. */
  to: number;
  first: boolean;
  previous: InspectionDate | null;
}

/**
 * The window a report covers by the calendar alone: from the previous inspection of the contract to this
 * one, so consecutive reports meet and every day falls in exactly one report. The contract's first report
 * (no inspection before, or the one before fell before `sinceDate`, when the customer was taken on)
 * covers the FIRST_REPORT_MONTHS before its inspection. The recorded runs and reports refine this
 * (report-window.ts).
 */
export function nominalWindow(
  inspections: readonly Inspection[],
  d: InspectionDate,
  opts: { daysBefore?: number; sinceDate?: string; tz?: string } = {},
): NominalWindow {
  const tz = opts.tz ?? DEFAULT_TIMEZONE;
  const to = inspectionStartsAt(d, tz);
  const previous = previousInspection(inspections, d, opts.daysBefore) ?? null;
  if (previous && (opts.sinceDate === undefined || previous.inspectionDate >= opts.sinceDate)) {
    return { from: inspectionStartsAt(previous, tz), to, first: false, previous };
  }
  return { from: inspectionStartsAt({ inspectionDate: addMonths(d.inspectionDate, -FIRST_REPORT_MONTHS) }, tz), to, first: true, previous };
}

/**
 * The inspection a quarter names (`patrol report --period 2026Q4`, the API's `period`): of the inspections
 * dated in that quarter, the earliest already held that has no signed-off report, else the latest held,
 * else (none held yet) the first coming.
 */
export function inspectionOfQuarter(
  inspections: readonly Inspection[],
  period: string,
  opts: { daysBefore?: number; today: string; signed: ReadonlySet<string> },
): InspectionDate | undefined {
  const year = Number(period.slice(0, 4));
  const inQuarter = inspectionsOfYears(inspections, year, year + 1, opts.daysBefore ?? DEFAULT_DAYS_BEFORE).filter((d) => d.period === period);
  const held = inQuarter.filter((d) => d.inspectionDate <= opts.today);
  if (held.length) return held.find((d) => !opts.signed.has(d.key)) ?? held.at(-1);
  return inQuarter[0];
}

/**
 * The inspection that a report or run stored before keys existed (it has only a quarter) belongs to: the
 * latest inspection of that quarter that had begun by `at`, else the quarter's first.
 */
export function legacyInspectionOf(inspections: readonly Inspection[], period: string, at: number, daysBefore = DEFAULT_DAYS_BEFORE): InspectionDate | undefined {
  const year = Number(period.slice(0, 4));
  const inQuarter = inspectionsOfYears(inspections, year, year + 1, daysBefore).filter((d) => d.period === period);
  return inQuarter.filter((d) => inspectionStartsAt(d) <= at).at(-1) ?? inQuarter[0];
}

export type InspectionStatus = 'upcoming' | 'due' | 'overdue' | 'done';

export interface CalendarEntry extends InspectionDate {
  status: InspectionStatus;
  /** The signed-off report of this inspection, when there is one. */
  reportId: string | null;
}

/**
 * Upcoming, due and overdue inspections around `now`: every inspection from `lookBackDays` ago to
 * `lookAheadDays` ahead. "done" = a signed-off report of that inspection exists; "due" = inspected, report not
 * yet signed off and still inside the week; "overdue" = past the report due date without a sign-off.
 */
export function inspectionCalendar(opts: {
  inspections: readonly Inspection[];
  now: number;
  /** Inspection key -> id of its signed-off report. */
  signedReports: ReadonlyMap<string, string>;
  daysBefore?: number;
  lookBackDays?: number;
  lookAheadDays?: number;
  tz?: string;
}): CalendarEntry[] {
  const today = localDate(opts.now, opts.tz);
  const from = addDays(today, -(opts.lookBackDays ?? 120));
  const to = addDays(today, opts.lookAheadDays ?? 400);
  const year = Number(today.slice(0, 4));
  const all = [year - 1, year, year + 1, year + 2].flatMap((y) => inspectionsOfYear(opts.inspections, y, opts.daysBefore));
  return all
    .filter((d) => d.inspectionDate >= from && d.inspectionDate <= to)
    .map((d) => {
      const reportId = opts.signedReports.get(d.key) ?? null;
      const status: InspectionStatus = reportId ? 'done' : d.inspectionDate > today ? 'upcoming' : today <= d.reportDueDate ? 'due' : 'overdue';
      return { ...d, status, reportId };
    });
}

/** "2026Q4" -> the quarter's local start and end (exclusive), epoch ms. */
export const PeriodSchema = z.string().regex(/^\d{4}Q[1-4]$/, 'a quarter like 2026Q4');

export function periodBounds(period: string, tz = DEFAULT_TIMEZONE): { from: number; to: number; fromDate: string; toDate: string } {
  const year = Number(period.slice(0, 4));
  const q = Number(period.slice(5));
  const fromDate = `${year}-${pad((q - 1) * 3 + 1)}-01`;
  const toDate = q === 4 ? `${year + 1}-01-01` : `${year}-${pad(q * 3 + 1)}-01`;
  return { from: startOfLocalDate(fromDate, tz), to: startOfLocalDate(toDate, tz), fromDate, toDate };
}

export function previousPeriod(period: string): string {
  const year = Number(period.slice(0, 4));
  const q = Number(period.slice(5));
  return q === 1 ? `${year - 1}Q4` : `${year}Q${q - 1}`;
}
