import type { Status } from '../../shared/status.js';
import type { Criticality } from '../db/hosts.js';
import type { Severity } from '../contracts/contract-store.js';

/**
 * Severity from the check status and how much the host matters to the customer. A CRITICAL on a
 * critical or high host is a P1 (the contract's "system fault"); a WARNING is never worse than P2.
 */
const TABLE: Record<Exclude<Status, 'OK'>, Record<Criticality, Severity>> = {
  CRITICAL: { critical: 'P1', high: 'P1', normal: 'P2', low: 'P3' },
  WARNING: { critical: 'P2', high: 'P3', normal: 'P3', low: 'P4' },
  UNKNOWN: { critical: 'P3', high: 'P3', normal: 'P4', low: 'P4' },
};

export function severityOf(status: Exclude<Status, 'OK'>, criticality: Criticality): Severity {
  return TABLE[status][criticality];
}

/** P1 is the most severe: a lower rank number is worse. */
export function isMoreSevere(a: Severity, b: Severity): boolean {
  return Number(a.slice(1)) < Number(b.slice(1));
}
