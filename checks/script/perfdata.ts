/**
 * The Nagios plugin output protocol: first line summary, long output after it, and performance data
 * `'label'=value[UOM];[warn];[crit];[min];[max]` after a `|` on the first line and after the first `|`
 * of the long output (all later lines are perfdata then). See the Nagios Plugin Development Guidelines
 * and the monitoring-plugins sources (perfdata()/fperfdata() in lib/utils_base.c).
 */

/** Units after normalisation: seconds, bytes, percent, counter, none, or the plugin's own unit kept as is. */
export type NormalisedUnit = 's' | 'B' | '%' | 'c' | '' | string;

export interface PerfdataItem {
  label: string;
  /** null when the plugin printed `U` (value could not be determined). */
  value: number | null;
  /** The unit as normalised: ms/us become s, KB..TB become B. */
  unit: NormalisedUnit;
  /** The unit the plugin printed. */
  rawUnit: string;
  warn: number | null;
  crit: number | null;
  min: number | null;
  max: number | null;
}

export interface PluginOutput {
  summary: string;
  /** Lines after the first, without perfdata; '' when there are none. */
  longOutput: string;
  perfdata: PerfdataItem[];
  /** Perfdata tokens that did not parse, for a log line (a broken plugin should not lose the rest). */
  badPerfdata: string[];
}

/** Seconds per unit; `us` and `µs` both appear in the wild. */
const TIME_FACTORS: Record<string, number> = { s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };

/**
 * Bytes per unit. The plugins of monitoring-plugins print MB meaning 2^20 (check_disk, check_swap), so
 * the K/M/G/T prefixes are binary here, like Nagios graphers (PNP4Nagios) read them.
 */
const BYTE_FACTORS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
  pb: 1024 ** 5,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Split full plugin stdout into summary, long output and perfdata. */
export function parsePluginOutput(stdout: string): PluginOutput {
  const lines = stdout.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const [first = '', ...rest] = lines;
  const perfTexts: string[] = [];
  const bar = first.indexOf('|');
  const summary = (bar >= 0 ? first.slice(0, bar) : first).trim();
  if (bar >= 0) perfTexts.push(first.slice(bar + 1));
  const longLines: string[] = [];
  let inPerf = false;
  for (const line of rest) {
    if (inPerf) {
      perfTexts.push(line);
      continue;
    }
    const i = line.indexOf('|');
    if (i >= 0) {
      if (line.slice(0, i).trim()) longLines.push(line.slice(0, i).trimEnd());
      perfTexts.push(line.slice(i + 1));
      inPerf = true;
    } else {
      longLines.push(line);
    }
  }
  const perfdata: PerfdataItem[] = [];
  const badPerfdata: string[] = [];
  for (const text of perfTexts) {
    const parsed = parsePerfdata(text);
    perfdata.push(...parsed.items);
    badPerfdata.push(...parsed.bad);
  }
  return { summary, longOutput: longLines.join('\n').trim(), perfdata, badPerfdata };
}

/** Parse one perfdata string with any number of space-separated items. */
export function parsePerfdata(text: string): { items: PerfdataItem[]; bad: string[] } {
  const items: PerfdataItem[] = [];
  const bad: string[] = [];
  for (const token of tokenize(text)) {
    const item = parseItem(token);
    if (item) items.push(item);
    else bad.push(token.raw);
  }
  return { items, bad };
}

interface Token {
  label: string;
  rest: string;
  raw: string;
}

/** Items are split on whitespace, except inside a quoted label, where '' stands for one quote. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let label = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= n) break;
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            label += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        label += text[i];
        i++;
      }
    } else {
      while (i < n && text[i] !== '=' && !/\s/.test(text[i]!)) label += text[i++];
    }
    let rest = '';
    if (text[i] === '=') {
      i++;
      while (i < n && !/\s/.test(text[i]!)) rest += text[i++];
    } else {
      // No '=' right after the label: a broken item; skip to the next blank.
      while (i < n && !/\s/.test(text[i]!)) i++;
      tokens.push({ label: '', rest: '', raw: text.slice(start, i) });
      continue;
    }
    tokens.push({ label, rest, raw: text.slice(start, i) });
  }
  return tokens;
}

const VALUE_RE = /^(U|[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)([^;\d.+-][^;]*)?$/;

function parseItem(t: Token): PerfdataItem | null {
  if (!t.label) return null;
  const [valueText = '', warnText, critText, minText, maxText] = t.rest.split(';');
  const m = VALUE_RE.exec(valueText);
  if (!m) return null;
  const rawUnit = m[2] ?? '';
  const { unit, factor } = normaliseUnit(rawUnit);
  const scaled = (x: number | null) => (x === null ? null : x * factor);
  return {
    label: t.label,
    value: m[1] === 'U' ? null : scaled(Number(m[1])),
    unit,
    rawUnit,
    warn: scaled(parseThreshold(warnText)),
    crit: scaled(parseThreshold(critText)),
    min: scaled(parseNumber(minText)),
    max: scaled(parseNumber(maxText)),
  };
}

export function normaliseUnit(raw: string): { unit: NormalisedUnit; factor: number } {
  if (raw === '' || raw === '%' || raw === 'c') return { unit: raw, factor: 1 };
  const t = TIME_FACTORS[raw];
  if (t !== undefined) return { unit: 's', factor: t };
  const b = BYTE_FACTORS[raw.toLowerCase()];
  if (b !== undefined) return { unit: 'B', factor: b };
  return { unit: raw, factor: 1 };
}

function parseNumber(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
}

/**
 * A threshold may be a Nagios range (`10`, `10:`, `~:10`, `10:20`, `@10:20`). A metric field holds one
 * number, so keep the bound that is crossed first on the way up: the end when there is one, else the start.
 */
export function parseThreshold(text: string | undefined): number | null {
  if (text === undefined) return null;
  const s = text.trim().replace(/^@/, '');
  if (s === '') return null;
  const colon = s.indexOf(':');
  if (colon < 0) return parseNumber(s);
  const end = parseNumber(s.slice(colon + 1));
  if (end !== null) return end;
  const start = s.slice(0, colon);
  return start === '~' ? null : parseNumber(start);
}
