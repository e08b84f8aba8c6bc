import type { Db } from '../db/database.js';
import type { CheckResultHead } from '../../shared/check-result.js';

/**
 * Results that say whether the collector could reach an agentless host at all. The poller sends
 * `ssh.reachable` (check id `remote.ssh`, see collector/remote/poller.ts) before the checks of an SSH host,
 * and "not run" UNKNOWN results for every check when the login fails. The ticket engine treats a non-OK
 * reachability result as the host being unreachable: one host ticket, check tickets held back.
 *
 * For SNMP devices it sends `snmp.reachable` (check id `remote.snmp`): sysUpTime asked before the checks.
 */
export const REACHABILITY_CHECKS: ReadonlyArray<{ name: string; checkId: string }> = [
  { name: 'ssh.reachable', checkId: 'remote.ssh' },
  { name: 'snmp.reachable', checkId: 'remote.snmp' },
];

export function isReachabilityResult(r: Pick<CheckResultHead, 'name' | 'checkId'>): boolean {
  return REACHABILITY_CHECKS.some((c) => c.name === r.name && c.checkId === r.checkId);
}

const FAILING_SQL = `SELECT EXISTS (SELECT 1 FROM alert_states WHERE host_id = ? AND last_status != 'OK' AND name IN (${REACHABILITY_CHECKS.map(
  (c) => `'${c.name}'`,
).join(', ')})) AS failing`;

/** The host's latest reachability result was not OK (the collector cannot log in to it now). */
export function reachabilityFailing(db: Db, hostId: string): boolean {
  return (db.prepare(FAILING_SQL).get(hostId) as { failing: number }).failing === 1;
}

/** Stable identity of a host's unreachable problem, shared by the silence rule and reachability results. */
export const hostProblemKey = (hostId: string): string => `host:${hostId}`;
