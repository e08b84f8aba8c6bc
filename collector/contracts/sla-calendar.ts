import { z } from 'zod';
import { DEFAULT_TIMEZONE, HhMm, minutesOf, zonedParts, zonedToUtc, type ZonedParts } from '../../shared/zoned-time.js';

/**
 * SLA calendars: when the clock of a contract's targets runs (7x24, or business hours with holidays), in the
 * contract's local time. The wall-clock arithmetic under it is shared/zoned-time.ts, which its users import directly.
 */

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

export const CalendarSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('7x24') }),
  z.object({
    kind: z.literal('business'),
    timezone: z.string().default(DEFAULT_TIMEZONE),
    /** 0 = Sunday ... 6 = Saturday. */
    days: z.array(z.number().int().min(0).max(6)).default([1, 2, 3, 4, 5]),
    start: HhMm.default('09:00'),
    end: HhMm.default('18:00'),
    /** Local dates on which the clock does not run (public holidays). */
    holidays: z.array(IsoDate).default([]),
  }),
]);
export type Calendar = z.infer<typeof CalendarSchema>;

function isoDate(p: ZonedParts): string {
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

type BusinessCalendar = Extract<Calendar, { kind: 'business' }>;

/** The business window [open, close) of the local day containing t, or undefined on a day off. */
function windowOfDay(cal: BusinessCalendar, t: number): { open: number; close: number; nextDay: number } {
  const p = zonedParts(t, cal.timezone);
  const nextDay = zonedToUtc(p.year, p.month, p.day + 1, 0, 0, cal.timezone);
  const workday = cal.days.includes(p.weekday) && !cal.holidays.includes(isoDate(p));
  if (!workday) return { open: nextDay, close: nextDay, nextDay };
  const s = minutesOf(cal.start);
  const e = minutesOf(cal.end);
  return {
    open: zonedToUtc(p.year, p.month, p.day, Math.floor(s / 60), s % 60, cal.timezone),
    close: zonedToUtc(p.year, p.month, p.day, Math.floor(e / 60), e % 60, cal.timezone),
    nextDay,
  };
}

/** Ten years of days: a calendar with no working time at all must not loop forever. */
const MAX_DAYS = 3660;

/** The instant `minutes` of calendar time after start (the SLA clock runs only inside business hours). */
export function addCalendarMinutes(cal: Calendar, start: number, minutes: number): number {
  if (cal.kind === '7x24') return start + minutes * 60_000;
  let remaining = minutes * 60_000;
  let t = start;
  for (let i = 0; i < MAX_DAYS; i++) {
    const w = windowOfDay(cal, t);
    if (t < w.open) t = w.open;
    if (t < w.close) {
      const available = w.close - t;
      if (remaining <= available) return t + remaining;
      remaining -= available;
    }
    t = w.nextDay;
  }
  throw new Error('calendar has no working time within ten years');
}

/** Calendar time elapsed between two instants, in ms (for "responded in 25 min of business time"). */
export function calendarElapsedMs(cal: Calendar, from: number, to: number): number {
  if (to <= from) return 0;
  if (cal.kind === '7x24') return to - from;
  let total = 0;
  let t = from;
  for (let i = 0; i < MAX_DAYS && t < to; i++) {
    const w = windowOfDay(cal, t);
    const a = Math.max(t, w.open);
    const b = Math.min(to, w.close);
    if (b > a) total += b - a;
    t = w.nextDay;
  }
  return total;
}
