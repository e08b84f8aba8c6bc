import { findCheck } from '../../checks/index.js';
import { paramLabel, paramUnit, unitText, type ParamLabel } from '../../checks/param-labels.js';
import { thresholdPairs, type ThresholdPair } from '../../checks/param-rules.js';

/**
 * A settings form for a check's parameters, read from its zod schema: what kind of input each parameter takes,
 * its default, its bounds and unit, and its label in zh and en. The host's checks page and a template's page draw
 * their fields from it, and the browser checks bounds and warn/crit order from it before sending; the server still
 * validates with the schema itself (validate.ts), so a form that is out of step can only be refused, never store
 * something wrong.
 */
export type ParamKind = 'number' | 'boolean' | 'enum' | 'string' | 'list' | 'json';

export interface ParamField {
  name: string;
  kind: ParamKind;
  label: ParamLabel;
  /** As the check would run without a value: the schema's default; undefined when it has none. */
  defaultValue?: unknown;
  /** The check cannot run without it (an address, a path): a template or the host must give it. */
  required: boolean;
  /** Bounds of a number; `minExclusive` for `.positive()` (0 itself is refused). */
  min?: number;
  max?: number;
  minExclusive?: boolean;
  integer?: boolean;
  /** Unit of a number ('' for a count), as stored; the form shows it in the page's language. */
  unit?: string;
  unitText?: ParamLabel;
  /** Choices of an enum. */
  options?: string[];
  /** Element kind of a list ('string' or 'number'): typed as a comma-separated line. */
  itemKind?: 'string' | 'number';
  /** A number or true/false: a threshold, which engineers may override and customers may see (param-visibility.ts). */
  threshold: boolean;
}

export interface CheckParamForm {
  checkId: string;
  fields: ParamField[];
  pairs: ThresholdPair[];
}

/** The parts of a zod v4 schema's definition the form reads (`schema._zod.def`); zod has no public introspection. */
interface ZodDefLike {
  type: string;
  innerType?: ZodLike;
  in?: ZodLike;
  element?: ZodLike;
  defaultValue?: unknown;
  checks?: Array<{ _zod: { def: { check: string; value?: unknown; inclusive?: boolean; format?: string } } }>;
  entries?: Record<string, string | number>;
  shape?: Record<string, ZodLike>;
}
interface ZodLike {
  _zod: { def: ZodDefLike };
}

const isZod = (v: unknown): v is ZodLike => typeof v === 'object' && v !== null && '_zod' in v;

/** A schema's core type with wrappers (default, optional, nullable, a refine's pipe) taken off. */
function unwrap(schema: ZodLike): { core: ZodLike; defaultValue?: unknown; optional: boolean } {
  let cur = schema;
  let defaultValue: unknown;
  let optional = false;
  for (let i = 0; i < 10; i++) {
    const d = cur._zod.def;
    if (d.type === 'default' || d.type === 'prefault') {
      if (defaultValue === undefined) defaultValue = typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue;
    } else if (d.type === 'optional' || d.type === 'nullable') optional = true;
    const next = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
    if (!next) break;
    cur = next;
  }
  return { core: cur, defaultValue, optional };
}

function numberBounds(core: ZodLike): Pick<ParamField, 'min' | 'max' | 'minExclusive' | 'integer'> {
  const out: Pick<ParamField, 'min' | 'max' | 'minExclusive' | 'integer'> = {};
  for (const c of core._zod.def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'number_format' && (d.format === 'safeint' || d.format === 'int32' || d.format === 'uint32')) out.integer = true;
    if (d.check === 'greater_than' && typeof d.value === 'number') {
      out.min = d.value;
      if (d.inclusive === false) out.minExclusive = true;
    }
    if (d.check === 'less_than' && typeof d.value === 'number') out.max = d.value;
  }
  return out;
}

function fieldOf(checkId: string, name: string, schema: ZodLike): ParamField {
  const { core, defaultValue, optional } = unwrap(schema);
  const d = core._zod.def;
  const label = paramLabel(checkId, name) ?? { en: name, zh: name };
  const base = { name, label, required: defaultValue === undefined && !optional, ...(defaultValue !== undefined ? { defaultValue } : {}) };
  switch (d.type) {
    case 'number': {
      const unit = paramUnit(name);
      return { ...base, kind: 'number', ...numberBounds(core), unit, unitText: { en: unitText(unit, 'en'), zh: unitText(unit, 'zh') }, threshold: true };
    }
    case 'boolean':
      return { ...base, kind: 'boolean', threshold: true };
    case 'enum':
      return { ...base, kind: 'enum', options: Object.values(d.entries ?? {}).map(String), threshold: false };
    case 'string':
      return { ...base, kind: 'string', threshold: false };
    case 'array': {
      const item = d.element ? unwrap(d.element).core._zod.def.type : '';
      if (item === 'string' || item === 'number') return { ...base, kind: 'list', itemKind: item, threshold: false };
      return { ...base, kind: 'json', threshold: false };
    }
    default:
      return { ...base, kind: 'json', threshold: false };
  }
}

const cache = new Map<string, CheckParamForm | undefined>();

/** The form of one check type; undefined for an unknown id. */
export function paramForm(checkId: string): CheckParamForm | undefined {
  if (cache.has(checkId)) return cache.get(checkId);
  const def = findCheck(checkId);
  let form: CheckParamForm | undefined;
  if (def) {
    const s = def.params as unknown;
    const shape = isZod(s) && s._zod.def.type === 'object' ? s._zod.def.shape ?? {} : {};
    const fields = Object.entries(shape).map(([name, f]) => fieldOf(checkId, name, f));
    form = { checkId, fields, pairs: thresholdPairs(checkId, fields.map((f) => f.name)) };
  }
  cache.set(checkId, form);
  return form;
}

/** Every parameter's default of a check, by name (what the check runs with when nothing is assigned). */
export function paramDefaults(checkId: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of paramForm(checkId)?.fields ?? []) if (f.defaultValue !== undefined) out[f.name] = f.defaultValue;
  return out;
}
