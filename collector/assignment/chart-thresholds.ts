import type { Db } from '../db/database.js';
import type { Host } from '../db/hosts.js';
import { resolveAssignment } from './db-source.js';
import { thresholdsOnly } from './param-visibility.js';
import { thresholds } from './effective-params.js';

/**
 * The warn/crit lines a chart of a host's figure draws: those of the check that judges the figure, as the host runs
 * it (the assigned parameters over the check's defaults). The host page and a ticket's page both draw them.
 */
export interface ChartThresholds {
  warn?: number;
  crit?: number;
}

/** The warn/crit pair of each check on the host (first assignment of a check type wins), by check id. */
export function thresholdsByCheck(db: Db, host: Host): Map<string, ChartThresholds> {
  const out = new Map<string, ChartThresholds>();
  let checks: Array<{ checkId: string; params: Record<string, unknown> }>;
  try {
    checks = resolveAssignment(db, host).checks;
  } catch {
    // A template that no longer parses must not take the host page down; the charts then go without lines.
    return out;
  }
  for (const ch of checks) {
    if (out.has(ch.checkId)) continue;
    const p = thresholds(ch.checkId, thresholdsOnly(ch.params));
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    out.set(ch.checkId, { warn: num(p.warnPct), crit: num(p.critPct) });
  }
  return out;
}
