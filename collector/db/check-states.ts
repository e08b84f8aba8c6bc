import type { Db } from './database.js';
import type { CheckResultHead } from '../../shared/check-result.js';
import type { Status } from '../../shared/status.js';
import { customerFilter, customerParam } from './tenancy.js';

export interface CheckStateRow {
  hostId: string;
  name: string;
  customerId: string;
  checkId: string;
  status: Status;
  summary: string;
  details: string | null;
  statusSince: number;
  lastRunAt: number;
}

/** Keep the latest result per (host, check); status_since moves only when the status changes. */
export function recordCheckResults(db: Db, hostId: string, customerId: string, results: readonly CheckResultHead[]): void {
  const upsert = db.prepare(`
    INSERT INTO check_states (host_id, name, customer_id, check_id, status, summary, details, status_since, last_run_at)
    VALUES (@hostId, @name, @customerId, @checkId, @status, @summary, @details, @at, @at)
    ON CONFLICT(host_id, name) DO UPDATE SET
      check_id = excluded.check_id,
      status_since = CASE WHEN check_states.status = excluded.status THEN check_states.status_since ELSE excluded.status_since END,
      status = excluded.status, summary = excluded.summary, details = excluded.details, last_run_at = excluded.last_run_at
    WHERE excluded.last_run_at >= check_states.last_run_at`);
  db.transaction(() => {
    for (const r of results) {
      upsert.run({ hostId, name: r.name, customerId, checkId: r.checkId, status: r.status, summary: r.summary, details: r.details ?? null, at: r.startedAt });
    }
  })();
}

export function listCheckStates(db: Db, opts: { hostId?: string; customerIds?: readonly string[] }): CheckStateRow[] {
  return db
    .prepare(
      `SELECT host_id AS hostId, name, customer_id AS customerId, check_id AS checkId, status, summary, details,
              status_since AS statusSince, last_run_at AS lastRunAt
       FROM check_states WHERE ${customerFilter('customer_id')} AND (@hostId IS NULL OR host_id = @hostId) ORDER BY host_id, name`,
    )
    .all({ ...customerParam(opts.customerIds), hostId: opts.hostId ?? null }) as CheckStateRow[];
}
