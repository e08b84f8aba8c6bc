/**
 * Rules between a check's parameters that one field's schema cannot say: a warning level must come before the
 * critical one. Pairs are found by name (warnPct/critPct, swapWarnPct/swapCritPct, xidAgeWarn/xidAgeCrit), so a
 * new check's thresholds are covered without a line here; only pairs where a LOWER figure is worse (days a
 * certificate has left, a cache hit rate, a file's smallest size) are listed. Equal levels are allowed: the check
 * then goes straight to critical, which is a choice; a warning beyond the critical level never shows and is
 * almost always a typo (warn 95, crit 80). The collector refuses such a save (assignment/validate.ts) and the
 * settings forms say so before sending, both from this list.
 */
export interface ThresholdPair {
  warn: string;
  crit: string;
  /** 'below': lower is worse, so the warning level must be at or above the critical one. */
  worse: 'above' | 'below';
  /** A warning value that switches the warning stage off (system.file's warnMinBytes 0): never refused. */
  off?: number;
}

/** Pairs where lower is worse, by check id and the warning parameter's name. */
const LOWER_IS_WORSE: Readonly<Record<string, Readonly<Record<string, { off?: number }>>>> = {
  'network.http': { certWarnDays: {} },
  'db.mysql': { bufferPoolHitWarnPct: {} },
  'system.file': { warnMinBytes: { off: 0 } },
};

/** The crit partner's name of a warn parameter, or undefined for a name that is not a warning level. */
function critName(warn: string): string | undefined {
  if (warn.startsWith('warn')) return `crit${warn.slice(4)}`;
  if (warn.includes('Warn')) return warn.replace('Warn', 'Crit');
  return undefined;
}

/** The warn/crit pairs among a check's parameter names. */
export function thresholdPairs(checkId: string, names: readonly string[]): ThresholdPair[] {
  const out: ThresholdPair[] = [];
  for (const warn of names) {
    const crit = critName(warn);
    if (!crit || !names.includes(crit)) continue;
    const below = LOWER_IS_WORSE[checkId]?.[warn];
    out.push({ warn, crit, worse: below ? 'below' : 'above', ...(below?.off !== undefined ? { off: below.off } : {}) });
  }
  return out;
}

/** A pair in the wrong order, with the values that broke it. */
export interface PairViolation extends ThresholdPair {
  warnValue: number;
  critValue: number;
}

/** The first pair whose values (as the check runs them: defaults and assigned values merged) break the order. */
export function pairViolation(pairs: readonly ThresholdPair[], values: Readonly<Record<string, unknown>>): PairViolation | undefined {
  for (const p of pairs) {
    const w = values[p.warn];
    const c = values[p.crit];
    if (typeof w !== 'number' || typeof c !== 'number' || w === p.off) continue;
    if (p.worse === 'above' ? w > c : w < c) return { ...p, warnValue: w, critValue: c };
  }
  return undefined;
}

/**
 * The refusal's words, with {warn} {warnValue} {crit} {critValue} {check} to fill in: the server fills them for
 * its 400 answer, the settings page hands them to its script, which fills them before sending.
 */
export const PAIR_RULE_TEXT = {
  above: {
    en: '{check}: the warning level {warn} ({warnValue}) must not be above the critical level {crit} ({critValue})',
    zh: '{check}：警告阈值 {warn}（{warnValue}）不能高于严重阈值 {crit}（{critValue}）',
  },
  below: {
    en: '{check}: here a lower value is worse, so the warning level {warn} ({warnValue}) must not be below the critical level {crit} ({critValue})',
    zh: '{check}：此项数值越低越严重，警告阈值 {warn}（{warnValue}）不能低于严重阈值 {crit}（{critValue}）',
  },
} as const;

/** The message key of a refusal (the API's `key`), one per direction. */
export const PAIR_RULE_KEY = { above: 'params.warnAboveCrit', below: 'params.warnBelowCrit' } as const;

export function fillRuleText(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
