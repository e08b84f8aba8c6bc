import { zonedToUtc, type WeeklySlot } from '../../shared/zoned-time.js';
import type { Lang, Translate } from './i18n/index.js';
import { formatCountdownMs, formatDateTime, formatValue, type Unit } from './units.js';

export { formatBytes, formatBitsPerSec, formatDuration, formatPercent, type Unit } from './units.js';

/** Times on pages are shown in the service company's zone (the SLA calendar's default), not the browser's. */
/** The zone every page shows times in (charts too), so an engineer and the customer read the same clock. */
export const TIME_ZONE = process.env.PATROL_TIMEZONE ?? 'Asia/Shanghai';

/**
 * One date format on every page, 24-hour: "2026-12-04 21:30" in zh and en (units.ts formatDateTime says why). The
 * charts use the same functions (page-kit/units.ts), so a page never mixes formats.
 */
export function formatTime(ms: number | null | undefined, lang: Lang): string {
  if (ms === null || ms === undefined) return '-';
  return formatDateTime(ms, lang, TIME_ZONE);
}

/** A figure by its unit in the page's language and zone: "23.5 GiB", "12 Mbit/s", "38 天 0 小时". */
export function formatFigure(unit: Unit, v: number, lang: Lang): string {
  return formatValue(unit, v, lang, TIME_ZONE);
}

/** en "12m", "3h 05m", "-4m" (negative: overdue), zh "12分钟", "3小时05分"; the client script keeps it ticking. */
export function formatCountdown(dueAt: number, now: number, lang: Lang): string {
  return formatCountdownMs(dueAt - now, lang);
}

const LOCAL = 'http://local.invalid';

/**
 * Only a path on this site may be a redirect target. Browsers read a Location loosely: they drop tabs and
 * newlines anywhere, take `\` for `/`, and treat `//host` as another site, so `/\t/evil.example` and
 * `/\evil.example` lead away. Any control character or backslash is refused outright; the rest is resolved as
 * a URL against a stand-in origin, must stay on it, and comes back re-serialised (percent-encoded, dot
 * segments gone) so that what the browser reads is what was checked.
 */
export function safeLocalPath(p: string | undefined, fallback = '/'): string {
  if (!p || !p.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(p)) return fallback;
  let u: URL;
  try {
    u = new URL(p, LOCAL);
  } catch {
    return fallback;
  }
  // "/.//evil.example" resolves to the path "//evil.example", which a browser would read as a host.
  if (u.origin !== LOCAL || u.pathname.startsWith('//')) return fallback;
  return u.pathname + u.search + u.hash;
}

/**
 * A typed time ("2026-03-02 11:05", or a datetime-local value "2026-03-02T11:05") read as wall-clock time in the zone the pages
 * show times in, so an engineer types the time as they read it on the page. undefined when malformed.
 */
export function parseLocalDateTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return undefined;
  return zonedToUtc(y, mo, d, h, mi, TIME_ZONE);
}

/** Monday first, as a week is read here; 0 = Sunday as the SLA calendar counts. */
export const WEEKDAYS_SHOWN = [1, 2, 3, 4, 5, 6, 0] as const;

/** A weekly slot (maintenance window, on-call shift): "every Mon, Wed 02:00–04:00 (Asia/Shanghai)" in the page language. */
export function formatWeeklySlot(w: WeeklySlot, t: Translate, lang: Lang): string {
  const days = WEEKDAYS_SHOWN.filter((d) => w.days.includes(d)).map((d) => t(`weekday.${d}`));
  return `${t('settings.mwEvery')} ${days.join(lang === 'zh' ? '、' : ', ')} ${w.start}–${w.end} (${w.timezone})`;
}
