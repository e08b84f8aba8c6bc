import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatZodError } from './protocol.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Load a config object: JSON file (optional) overlaid by environment values, validated by the schema.
 * `env` maps schema keys to environment variable names, so PATROL_* always wins over the file.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  opts: { file?: string; env?: Record<string, string>; overrides?: Record<string, unknown> },
): z.infer<S> {
  let fromFile: Record<string, unknown> = {};
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${opts.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('top level must be an object');
      fromFile = parsed as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`config file ${opts.file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [key, envName] of Object.entries(opts.env ?? {})) {
    const v = process.env[envName];
    if (v !== undefined && v !== '') fromEnv[key] = v;
  }
  const merged = { ...fromFile, ...fromEnv, ...stripUndefined(opts.overrides ?? {}) };
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration${opts.file ? ` (${opts.file} + environment)` : ''}: ${formatZodError(parsed.error)}`);
  }
  return parsed.data;
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
