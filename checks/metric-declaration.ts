import type { FieldValue } from '../shared/metric.js';

/** How a field's number is read: the dashboard and reports format by it. */
export type FieldUnit = 'percent' | 'bytes' | 'bytes_per_sec' | 'seconds' | 'days' | 'count' | 'per_sec' | 'per_min' | 'boolean' | 'load' | 'epoch_sec' | 'text';

export interface FieldDeclaration {
  unit: FieldUnit;
  /** What the field means, for README tables and chart legends. */
  en: string;
  zh: string;
}

/**
 * A measurement a check writes: its name, its tags and its fields with unit and meaning. Checks write through
 * it and readers (reports, findings, dashboard charts) name fields through it, so a renamed field fails
 * type-checking instead of silently drawing an empty chart.
 */
export interface MeasurementDeclaration<F extends Record<string, FieldDeclaration>, T extends string> {
  readonly name: string;
  readonly tags: readonly T[];
  readonly fields: F;
  /** Field names as values: `MEM.field.used_pct` is the string 'used_pct', typed. */
  readonly field: { readonly [K in keyof F & string]: K };
}

/** The fields a check may write into a measurement: only declared names. */
export type FieldsOf<M> = M extends MeasurementDeclaration<infer F, string> ? { [K in keyof F & string]?: FieldValue } : never;
/** The tag names of a measurement. */
export type TagOf<M> = M extends MeasurementDeclaration<Record<string, FieldDeclaration>, infer T> ? T : never;

export function declareMeasurement<const F extends Record<string, FieldDeclaration>, const T extends string = never>(
  name: string,
  fields: F,
  tags: readonly T[] = [],
): MeasurementDeclaration<F, T> {
  const field = Object.fromEntries(Object.keys(fields).map((k) => [k, k])) as { [K in keyof F & string]: K };
  return { name, tags, fields, field };
}
