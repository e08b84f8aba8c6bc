import { MAX_SUMMARY_CHARS, cutSummary, type CheckMessage, type CheckMessagePart } from '../shared/check-result.js';
import { WORD_TEXTS } from './words.js';

/**
 * Check results as words: a key with values, rendered in zh or en by whoever shows it. The English text of a key
 * also makes the check's `summary` (the fallback for logs and old readers), through `say()`, so the two never
 * disagree.
 *
 * A text is a template:
 *   {name}            the value as it came (numbers are printed as the check rounded them)
 *   {name:1}          a number with 1 (0-3) decimals
 *   {name:kib} {name:mib} {name:gib}   bytes as KiB, MiB, GiB with 1 decimal; {name:mbit}: bit/s as Mbit/s, 2 decimals
 *   {name:dur}        seconds as "3d 4h" / "3天4小时"; {name:age}: seconds as "5 min", "2.0 h", "1.5 d"
 *   {name:time}       epoch ms: ISO in en, "YYYY-MM-DD HH:mm:ss" in the pages' zone in zh; {name:date}: the day
 *   {name:w}          a known word (status, role, socket error, ...) in the language, else the value as it came
 *   {name|one|other}  English plural: `one` when the value is 1
 *   {parts} {parts;}  the message's parts, each rendered, joined with ", " / "; " (zh "，" / "；")
 *   {?name}...{/name} the text inside only when the value is given (`{?parts}`: when there are parts)
 * A missing value makes the whole text unrenderable, and readers show the English summary instead.
 */

export type Lang = 'zh' | 'en';
export type MessageValue = string | number;
export type MessageValues = Record<string, MessageValue>;
export interface MessageText {
  en: string;
  zh: string;
}
export type MessageTexts = Record<string, MessageText>;

/** What a check says: the English sentence for the summary, and the message readers render. */
export interface Said {
  summary: string;
  message: CheckMessage;
}

/** The zone zh times are shown in, as the dashboard's (collector/page-kit/format.ts). */
const TIME_ZONE = process.env.PATROL_TIMEZONE ?? 'Asia/Shanghai';

class MissingValue extends Error {}

const SECTION = /\{\?(\w+)\}([\s\S]*?)\{\/\1\}/g;
const PLACEHOLDER = /\{(\w+)(?::(\w+)|\|([^|{}]*)\|([^|{}]*)|(;))?\}/g;

/** The names a template uses (placeholders and sections): en and zh of one key must use the same. */
export function placeholderNames(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(/\{\?(\w+)\}/g)) names.add(m[1]!);
  for (const m of template.matchAll(PLACEHOLDER)) names.add(m[1]!);
  return [...names].sort();
}

function given(v: MessageValue | undefined): v is MessageValue {
  return v !== undefined && v !== '';
}

/** Fill one template; throws MissingValue when a placeholder has no value or a part no text. */
function fill(lang: Lang, template: string, values: Readonly<MessageValues>, parts: readonly CheckMessagePart[], lookup: (key: string) => MessageText | undefined): string {
  const value = (name: string): MessageValue | undefined => (Object.hasOwn(values, name) ? values[name] : undefined);
  const withSections = template.replace(SECTION, (_whole, name: string, inner: string) => {
    const shown = name === 'parts' ? parts.length > 0 : given(value(name));
    return shown ? inner : '';
  });
  // One pass: a value's own braces are text, never read as a placeholder (values come from agents).
  return withSections.replace(PLACEHOLDER, (_whole, name: string, format: string | undefined, one: string | undefined, other: string | undefined, semi: string | undefined) => {
    if (name === 'parts') {
      const rendered = parts.map((p) => {
        const t = lookup(p.key);
        if (!t) throw new MissingValue(p.key);
        return fill(lang, t[lang], p.values, [], lookup);
      });
      const sep = semi ? (lang === 'zh' ? '；' : '; ') : lang === 'zh' ? '，' : ', ';
      return rendered.join(sep);
    }
    const v = value(name);
    if (v === undefined) throw new MissingValue(name);
    if (one !== undefined) return Number(v) === 1 ? one : (other ?? '');
    return formatValue(lang, v, format);
  });
}

function formatValue(lang: Lang, v: MessageValue, format: string | undefined): string {
  if (format === 'w') return word(lang, String(v));
  if (typeof v !== 'number') return v;
  switch (format) {
    case undefined:
      return String(v);
    case '0':
    case '1':
    case '2':
    case '3':
      return v.toFixed(Number(format));
    case 'kib':
      return (v / 1024).toFixed(1);
    case 'mib':
      return (v / 2 ** 20).toFixed(1);
    case 'gib':
      return (v / 2 ** 30).toFixed(1);
    case 'mbit':
      return (v / 1_000_000).toFixed(2);
    case 'dur':
      return duration(lang, v);
    case 'age':
      return age(lang, v);
    case 'time':
      return lang === 'zh' ? zhTime(v) : isoTime(v);
    case 'date':
      return isoTime(v).slice(0, 10);
    default:
      return String(v);
  }
}

function word(lang: Lang, v: string): string {
  const w = Object.hasOwn(WORD_TEXTS, v) ? (WORD_TEXTS as MessageTexts)[v] : undefined;
  return w ? w[lang] : v;
}

function duration(lang: Lang, sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  if (lang === 'zh') return d > 0 ? `${d}天${h}小时` : h > 0 ? `${h}小时${m}分钟` : `${m}分钟`;
  return d > 0 ? `${d}d ${h}h` : `${h}h ${m}m`;
}

function age(lang: Lang, sec: number): string {
  const [n, unit] = sec < 3600 ? [String(Math.round(sec / 60)), 0] : sec < 172800 ? [(sec / 3600).toFixed(1), 1] : [(sec / 86400).toFixed(1), 2];
  return `${n} ${(lang === 'zh' ? ['分钟', '小时', '天'] : ['min', 'h', 'd'])[unit]}`;
}

function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

let zhTimeFormat: Intl.DateTimeFormat | undefined;
function zhTime(ms: number): string {
  if (Number.isNaN(new Date(ms).getTime())) return String(ms);
  zhTimeFormat ??= new Intl.DateTimeFormat('sv-SE', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  // sv-SE prints "2026-12-04 08:05:00": the order Chinese readers expect, without a locale's words.
  return zhTimeFormat.format(ms);
}

/**
 * A message in a language with the given texts, or undefined when it cannot be rendered (unknown key, a value
 * missing). Plain text: callers escape it as they escape any check output.
 */
export function renderWith(lookup: (key: string) => MessageText | undefined, lang: Lang, message: CheckMessage): string | undefined {
  const t = lookup(message.key);
  if (!t) return undefined;
  try {
    return fill(lang, t[lang], message.values ?? {}, message.parts ?? [], lookup);
  } catch (err) {
    if (err instanceof MissingValue) return undefined;
    throw err;
  }
}

/** Values as the wire takes them: finite numbers, strings within the limit. */
function wireValues(values: Readonly<Record<string, MessageValue | null | undefined>>): MessageValues {
  const out: MessageValues = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null) continue;
    out[k] = typeof v === 'number' ? (Number.isFinite(v) ? v : String(v)) : v.length > MAX_SUMMARY_CHARS ? cutSummary(v) : v;
  }
  return out;
}

/** Values given to say(): null and undefined leave an optional section out. */
export type SayValues = Readonly<Record<string, MessageValue | null | undefined>>;

/** A part of a message (an item of a list), from a family's table. */
export function part<K extends string>(key: K, values: SayValues = {}): CheckMessagePart {
  return { key, values: wireValues(values) };
}

/**
 * The `say` of one family of texts: `say(key, values, parts)` gives the message and its English sentence. The
 * texts of parts come from the same table.
 */
export function sayer<T extends MessageTexts>(table: T): {
  say(key: keyof T & string, values?: SayValues, parts?: readonly CheckMessagePart[]): Said;
  part(key: keyof T & string, values?: SayValues): CheckMessagePart;
} {
  const lookup = (key: string) => (Object.hasOwn(table, key) ? table[key] : undefined);
  return {
    say(key, values = {}, parts = []) {
      const message: CheckMessage = { key, values: wireValues(values), ...(parts.length ? { parts: [...parts] } : {}) };
      const summary = renderWith(lookup, 'en', message);
      // A missing value is a bug in the check: the summary says which key, and the message still travels.
      return { summary: summary ?? `${key} (text incomplete)`, message };
    },
    part: (key, values) => part(key, values),
  };
}
