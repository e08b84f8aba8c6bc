import { z } from 'zod';

/** The Nagios status set; the numeric codes are the plugin exit codes. */
export const StatusSchema = z.enum(['OK', 'WARNING', 'CRITICAL', 'UNKNOWN']);
export type Status = z.infer<typeof StatusSchema>;

export const STATUS_EXIT_CODE: Record<Status, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

export function statusFromExitCode(code: number | null): Status {
  if (code === 0) return 'OK';
  if (code === 1) return 'WARNING';
  if (code === 2) return 'CRITICAL';
  return 'UNKNOWN';
}

/** Worst-of ordering used for host colours and report summaries: CRITICAL > WARNING > UNKNOWN > OK. */
const SEVERITY_RANK: Record<Status, number> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };

export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'OK';
  for (const s of statuses) if (SEVERITY_RANK[s] > SEVERITY_RANK[worst]) worst = s;
  return worst;
}

/** Status of a value against warn/crit thresholds where higher is worse. */
export function statusAbove(value: number, warn: number, crit: number): Status {
  if (value >= crit) return 'CRITICAL';
  if (value >= warn) return 'WARNING';
  return 'OK';
}

/** Status of a value against warn/crit thresholds where lower is worse. */
export function statusBelow(value: number, warn: number, crit: number): Status {
  if (value <= crit) return 'CRITICAL';
  if (value <= warn) return 'WARNING';
  return 'OK';
}
