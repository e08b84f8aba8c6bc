import fc from 'fast-check';
import type { z } from 'zod';

/**
 * fast-check values that a zod 4 schema accepts, read from the schema itself (its `_zod.def`), so the fuzz
 * follows shared/protocol.ts as it changes. Covers what the wire schemas use: objects, strings (lengths,
 * regexes), numbers (int, bounds), booleans, literals, enums, unions, arrays, records, optional, default and
 * pipes (transforms: the input side). Refinements are not read: a hint gives such a field its values.
 * Lengths are kept short (a frame of 5 results, strings up to 40 characters): mutations add the huge ones.
 */

interface ZodCheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  minimum?: number;
  maximum?: number;
  value?: number | bigint;
  inclusive?: boolean;
}
interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  values?: unknown[];
  entries?: Record<string, string | number>;
  checks?: Array<{ _zod: { def: ZodCheckDef } }>;
}

const defOf = (s: z.ZodType): ZodDef => (s as unknown as { _zod: { def: ZodDef } })._zod.def;
const checksOf = (d: ZodDef): ZodCheckDef[] => (d.checks ?? []).map((c) => c._zod.def);

/** A field's place in a frame, with `*` for any array index or record key: `results.*.lines`. */
export type FuzzPath = string;
/** Values to use instead of the schema's own at a path (undefined: derive from the schema). */
export type Hints = (path: FuzzPath) => fc.Arbitrary<unknown> | undefined;

const SHORT = 40;
const FEW = 5;

function lengthBounds(d: ZodDef): { min: number; max: number } {
  let min = 0;
  let max = Infinity;
  for (const c of checksOf(d)) {
    if (c.check === 'min_length' && c.minimum !== undefined) min = Math.max(min, c.minimum);
    if (c.check === 'max_length' && c.maximum !== undefined) max = Math.min(max, c.maximum);
    if (c.check === 'length_equals' && c.value !== undefined) min = max = Number(c.value);
  }
  return { min, max };
}

function numberArb(d: ZodDef): fc.Arbitrary<number> {
  let lo = -Number.MAX_VALUE;
  let hi = Number.MAX_VALUE;
  let int = false;
  for (const c of checksOf(d)) {
    if (c.check === 'number_format' && (c.format === 'safeint' || c.format === 'int32' || c.format === 'uint32')) int = true;
    if (c.check === 'greater_than' && c.value !== undefined) lo = Math.max(lo, Number(c.value) + (c.inclusive ? 0 : int ? 1 : Number.EPSILON));
    if (c.check === 'less_than' && c.value !== undefined) hi = Math.min(hi, Number(c.value) - (c.inclusive ? 0 : int ? 1 : Number.EPSILON));
  }
  if (int) {
    const min = BigInt(Math.max(lo, Number.MIN_SAFE_INTEGER));
    const max = BigInt(Math.min(hi, Number.MAX_SAFE_INTEGER));
    return fc.oneof(fc.bigInt({ min, max }).map(Number), fc.constantFrom(Number(min), Number(max)));
  }
  return fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
}

function stringArb(d: ZodDef): fc.Arbitrary<string> {
  const { min, max } = lengthBounds(d);
  const pattern = checksOf(d).find((c) => c.check === 'string_format' && c.pattern)?.pattern;
  const maxLength = Math.max(min, Math.min(max, SHORT));
  if (pattern) return fc.stringMatching(pattern, { size: 'xsmall' }).filter((s) => s.length >= min && s.length <= max);
  return fc.oneof(
    fc.string({ minLength: min, maxLength }),
    fc.string({ minLength: min, maxLength, unit: 'binary' }),
    fc.string({ minLength: min, maxLength, unit: 'grapheme' }),
  );
}

/** An arbitrary of values `schema` accepts (unless a hint says otherwise). */
export function arbitraryOf(schema: z.ZodType, hints: Hints = () => undefined, path: string[] = []): fc.Arbitrary<unknown> {
  const hinted = hints(path.join('.'));
  if (hinted) return hinted;
  const d = defOf(schema);
  switch (d.type) {
    case 'object': {
      const shape = d.shape ?? {};
      const arbs: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const [k, v] of Object.entries(shape)) {
        arbs[k] = arbitraryOf(v, hints, [...path, k]);
        const t = defOf(v).type;
        if (t !== 'optional' && t !== 'default') required.push(k);
      }
      return fc.record(arbs, { requiredKeys: required });
    }
    case 'string':
      return stringArb(d);
    case 'number':
      return numberArb(d);
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...(d.values ?? []));
    case 'enum':
      return fc.constantFrom(...Object.values(d.entries ?? {}));
    case 'union':
      return fc.oneof(...(d.options ?? []).map((o) => arbitraryOf(o, hints, path)));
    case 'array': {
      const { min, max } = lengthBounds(d);
      return fc.array(arbitraryOf(d.element!, hints, [...path, '*']), { minLength: min, maxLength: Math.max(min, Math.min(max, FEW)) });
    }
    case 'record':
      return fc.dictionary(arbitraryOf(d.keyType!, hints, [...path, '*key']) as fc.Arbitrary<string>, arbitraryOf(d.valueType!, hints, [...path, '*']), { maxKeys: FEW });
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
      return arbitraryOf(d.innerType!, hints, path);
    case 'pipe':
      return arbitraryOf(d.in!, hints, path);
    case 'unknown':
    case 'any':
      return fc.jsonValue({ maxDepth: 2 });
    default:
      throw new Error(`zod-arbitrary: no generator for zod type '${d.type}' at ${path.join('.') || '(root)'}`);
  }
}
