import type { Db } from './database.js';
import type { Status } from '../../shared/status.js';
import { customerFilter, customerParam } from './tenancy.js';

/**
 * Worst check state per host, ranked in SQL (CRITICAL > WARNING > UNKNOWN > OK, as shared/status.ts) so that
 * 1,000 hosts x 8 checks is one grouped query, not 8,000 rows in JS. A host with no results yet is absent
 * (callers show it UNKNOWN). Reads check_states, which check-states.ts writes.
 */
export function worstStatusByHost(db: Db, customerIds: readonly string[] | undefined, onlyCustomer?: string): Map<string, Status> {
  const rows = db
    .prepare(
      `SELECT host_id AS hostId, MAX(CASE status WHEN 'CRITICAL' THEN 3 WHEN 'WARNING' THEN 2 WHEN 'UNKNOWN' THEN 1 ELSE 0 END) AS rank
       FROM check_states WHERE ${customerFilter('customer_id')} AND (@only IS NULL OR customer_id = @only) GROUP BY host_id`,
    )
    .all({ ...customerParam(customerIds), only: onlyCustomer ?? null }) as Array<{ hostId: string; rank: number }>;
  const byRank: Status[] = ['OK', 'UNKNOWN', 'WARNING', 'CRITICAL'];
  return new Map(rows.map((r) => [r.hostId, byRank[r.rank] ?? 'UNKNOWN']));
}

/** The current status of each of a host's checks (no tenancy: for callers that already know the host's customer). */
export function hostCheckStatuses(db: Db, hostId: string): Status[] {
  return (db.prepare('SELECT status FROM check_states WHERE host_id = ?').all(hostId) as Array<{ status: Status }>).map((r) => r.status);
}
