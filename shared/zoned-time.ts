import { z } from 'zod';

/**
 * Wall-clock time in an IANA zone: contracts, on-call shifts, maintenance windows and monthly reports are written in
 * local time ("Mon-Fri 09:00-18:00 Beijing time"), so every rule converts through the zone. Pure (Intl only), so any
 * side may use it; the SLA calendar (collector/contracts/sla-calendar.ts) is built on it.
 */

/** "HH:MM", 24-hour. */
export const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

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

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
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
