import { createRequire } from 'node:module';
import { z } from 'zod';
import { DEFAULT_TIMEZONE, zonedParts, zonedToUtc } from '../tickets/calendar.js';
import type { Inspection } from '../tickets/contracts.js';

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

/** Defaults: the inspection runs a week before its holiday, the report is due a week after the inspection. */
export const DEFAULT_DAYS_BEFORE = 7;
export const REPORT_DUE_DAYS = 7;

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
  /** Stable key, e.g. "national-day-2026" or "custom-2026-08-15". */
  key: string;
  holiday: string;
  holidayDate: string;
  inspectionDate: string;
  reportDueDate: string;
  /** The report period (quarter) the inspection belongs to, e.g. "2026Q3". */
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

export type InspectionStatus = 'upcoming' | 'due' | 'overdue' | 'done';

export interface CalendarEntry extends InspectionDate {
  status: InspectionStatus;
  /** The signed-off report of this period, when there is one. */
  reportId: string | null;
}

/**
 * Upcoming, due and overdue inspections around `now`: every inspection from `lookBackDays` ago to
 * `lookAheadDays` ahead. "done" = a signed-off report of its period exists; "due" = inspected, report not
 * yet signed off and still inside the week; "overdue" = past the report due date without a sign-off.
 */
export function inspectionCalendar(opts: {
  inspections: readonly Inspection[];
  now: number;
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
      const reportId = opts.signedReports.get(d.period) ?? null;
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
