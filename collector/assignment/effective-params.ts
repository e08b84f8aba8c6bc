import { findCheck } from '../../checks/index.js';

/** A check's numbers and switches as it runs them (what reports state as 检查标准 and charts draw as lines). */
export type EffectiveParams = Record<string, number | boolean | undefined>;

/**
 * The thresholds a check runs with: each parameter's default (field by field, since a check with a required
 * address has no defaults as a whole), then the assigned numbers and true/false values.
 */
export function thresholds(checkId: string, assigned: Readonly<Record<string, unknown>>): EffectiveParams {
  const schema = findCheck(checkId)?.params as { shape?: Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }> } | undefined;
  const base: Record<string, unknown> = {};
  for (const [k, field] of Object.entries(schema?.shape ?? {})) {
    const d = field.safeParse(undefined);
    if (d.success && d.data !== undefined) base[k] = d.data;
  }
  const out: EffectiveParams = {};
  for (const [k, v] of Object.entries({ ...base, ...assigned })) if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}
