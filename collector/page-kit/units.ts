// Numbers and times as a reader expects them, shared by the server pages (../format.ts) and the charts in the
// browser: no DOM and no Node here, so esbuild can bundle it and the server can import it.

export type UnitLang = 'zh' | 'en';

/** How a figure is read; the same names as checks/metric-declaration.ts FieldUnit. */
export type Unit = 'percent' | 'bytes' | 'bytes_per_sec' | 'seconds' | 'days' | 'count' | 'per_sec' | 'per_min' | 'boolean' | 'load' | 'epoch_sec' | 'text';

/** At most 3 significant digits, no trailing ".0": 0.75, 12.3, 123, 1234. */
function short(v: number): string {
  const abs = Math.abs(v);
  const digits = abs >= 100 || abs === 0 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(v.toFixed(digits)));
}

function scaled(v: number, base: number, units: readonly string[]): string {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= base && i < units.length - 1) {
    x /= base;
    i++;
  }
  return `${short(x)} ${units[i]}`;
}

/** Sizes in binary units, as `free -h` and `df -h` show them: 25276203008 -> "23.5 GiB". */
export function formatBytes(bytes: number): string {
  return scaled(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']);
}

/** Network rates in bits per second, as links are rated: 1250000 B/s -> "10 Mbit/s". */
export function formatBitsPerSec(bytesPerSec: number): string {
  return scaled(bytesPerSec * 8, 1000, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s']);
}

export function formatPercent(pct: number): string {
  return `${short(pct)}%`;
}

// Chinese writes a count and its unit without spaces ("3天4小时"), as the check messages do (checks/message-text.ts).
const DURATION_WORDS = {
  zh: { d: '天', h: '小时', m: '分钟', s: '秒', sep: '' },
  en: { d: ' d', h: ' h', m: ' min', s: ' s', sep: ' ' },
} as const;

/** A length of time in its two largest units: "38天0小时" / "38 d 0 h", "5 h 3 min", "42 s". */
export function formatDuration(seconds: number, lang: UnitLang): string {
  const w = DURATION_WORDS[lang];
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}${w.d}${w.sep}${h}${w.h}`;
  if (h > 0) return `${h}${w.h}${w.sep}${m}${w.m}`;
  if (m > 0) return `${m}${w.m}`;
  return `${s}${w.s}`;
}

const partsCache = new Map<string, Intl.DateTimeFormat>();

function dateParts(ms: number, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  let f = partsCache.get(timeZone);
  if (!f) {
    // hourCycle h23: midnight is 00, never 24, and never a 12-hour clock whatever the locale.
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    partsCache.set(timeZone, f);
  }
  const out = { year: '', month: '', day: '', hour: '', minute: '' };
  for (const p of f.formatToParts(ms)) if (p.type in out) out[p.type as keyof typeof out] = p.value;
  return out;
}

/**
 * A moment as every page shows it, 24-hour in the service company's zone, in one shape for both languages:
 * "2026-12-04 21:30". Year first reads the same to a British and an American engineer (04/12 is April to one and
 * December to the other), and it is the shape the time fields take when typed (format.ts parseLocalDateTime).
 * `lang` stays in the signature so a language can get its own shape again in one place.
 */
export function formatDateTime(ms: number, _lang: UnitLang, timeZone: string): string {
  const p = dateParts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** A chart's time axis label: the time within a day, the day (and time) over longer spans; same order as formatDateTime. */
export function formatAxisTime(ms: number, spanMs: number, _lang: UnitLang, timeZone: string): string {
  const p = dateParts(ms, timeZone);
  const day = `${p.month}-${p.day}`;
  if (spanMs <= 26 * 3600_000) return `${p.hour}:${p.minute}`;
  if (spanMs <= 8 * 86400_000) return `${day} ${p.hour}:${p.minute}`;
  return day;
}

const COUNTDOWN_WORDS = {
  zh: { d: '天', h: '小时', m: '分钟', hm: '分', sep: '' },
  en: { d: 'd', h: 'h', m: 'm', hm: 'm', sep: ' ' },
} as const;

/**
 * Time left until a deadline (negative: overdue), whole minutes, its two largest units: zh "3天4小时", "3小时05分",
 * "-4分钟"; en "3d 4h", "3h 05m", "-4m". The server renders it once (format.ts formatCountdown) and the browser
 * keeps it ticking (browser/countdowns.ts) with this same function, so the two never disagree.
 */
export function formatCountdownMs(ms: number, lang: UnitLang): string {
  const w = COUNTDOWN_WORDS[lang];
  const sign = ms < 0 ? '-' : '';
  const totalMin = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  if (d > 0) return `${sign}${d}${w.d}${w.sep}${h}${w.h}`;
  if (h > 0) return `${sign}${h}${w.h}${w.sep}${String(m).padStart(2, '0')}${w.hm}`;
  return `${sign}${m}${w.m}`;
}

/** Any figure by its unit (what the metric declarations say), for chart axes, legends and fact tables. */
export function formatValue(unit: Unit, v: number, lang: UnitLang, timeZone = 'Asia/Shanghai'): string {
  switch (unit) {
    case 'percent':
      return formatPercent(v);
    case 'bytes':
      return formatBytes(v);
    case 'bytes_per_sec':
      return formatBitsPerSec(v);
    case 'seconds':
      return formatDuration(v, lang);
    case 'days':
      return lang === 'zh' ? `${short(v)}天` : `${short(v)} d`;
    case 'per_sec':
      return `${short(v)}/s`;
    case 'per_min':
      return lang === 'zh' ? `${short(v)}/分钟` : `${short(v)}/min`;
    case 'boolean':
      return v ? (lang === 'zh' ? '是' : 'yes') : lang === 'zh' ? '否' : 'no';
    case 'epoch_sec':
      return formatDateTime(v * 1000, lang, timeZone);
    default:
      return short(v);
  }
}
