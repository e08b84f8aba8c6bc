import { z } from 'zod';

/**
 * Wall-clock arithmetic for SLA calendars, on-call shifts and maintenance windows. Contracts are written
 * in local time ("Mon-Fri 09:00-18:00 Beijing time"), so every rule here converts through an IANA zone.
 */

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

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

/** A weekly recurring slot; end <= start means it runs past midnight into the next day. */
export const WeeklySlotSchema = z.object({
  days: z.array(z.number().int().min(0).max(6)).min(1),
  start: HhMm,
  end: HhMm,
  timezone: z.string().default(DEFAULT_TIMEZONE),
});
export type WeeklySlot = z.infer<typeof WeeklySlotSchema>;

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function zonedParts(t: number, tz: string): ZonedParts & { second: number } {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(t))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? 'Sun'),
  };
}

/** Offset of the zone from UTC at instant t, in ms (Asia/Shanghai: +8 h). */
function zoneOffsetMs(t: number, tz: string): number {
  const p = zonedParts(t, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The instant at which the zone's wall clock shows this local time (day may overflow: it is normalised). */
export function zonedToUtc(year: number, month: number, day: number, hour: number, minute: number, tz: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - zoneOffsetMs(guess, tz);
  return guess - zoneOffsetMs(first, tz);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function isoDate(p: ZonedParts): string {
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Is the weekly slot running at instant t? */
export function weeklyActive(slot: WeeklySlot, t: number): boolean {
  const p = zonedParts(t, slot.timezone);
  const now = p.hour * 60 + p.minute;
  const start = minutesOf(slot.start);
  const end = minutesOf(slot.end);
  if (start < end) return slot.days.includes(p.weekday) && now >= start && now < end;
  const yesterday = (p.weekday + 6) % 7;
  return (slot.days.includes(p.weekday) && now >= start) || (slot.days.includes(yesterday) && now < end);
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
