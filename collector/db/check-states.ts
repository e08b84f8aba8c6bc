import type { Db } from './database.js';
import { CheckMessageSchema, type CheckMessage, type CheckResultHead } from '../../shared/check-result.js';
import type { Status } from '../../shared/status.js';
import { customerFilter, customerParam } from './tenancy.js';

export interface CheckStateRow {
  hostId: string;
  name: string;
  customerId: string;
  checkId: string;
  status: Status;
  summary: string;
  /** The summary as a message key with values (render with checks/messages.ts); absent from older agents. */
  message?: CheckMessage;
  details: string | null;
  statusSince: number;
  lastRunAt: number;
}

/** Keep the latest result per (host, check); status_since moves only when the status changes. */
export function recordCheckResults(db: Db, hostId: string, customerId: string, results: readonly CheckResultHead[]): void {
  const upsert = db.prepare(`
    INSERT INTO check_states (host_id, name, customer_id, check_id, status, summary, message_json, details, status_since, last_run_at)
    VALUES (@hostId, @name, @customerId, @checkId, @status, @summary, @messageJson, @details, @at, @at)
    ON CONFLICT(host_id, name) DO UPDATE SET
      check_id = excluded.check_id,
      status_since = CASE WHEN check_states.status = excluded.status THEN check_states.status_since ELSE excluded.status_since END,
      status = excluded.status, summary = excluded.summary, message_json = excluded.message_json, details = excluded.details, last_run_at = excluded.last_run_at
    WHERE excluded.last_run_at >= check_states.last_run_at`);
  db.transaction(() => {
    for (const r of results) {
      upsert.run({ hostId, name: r.name, customerId, checkId: r.checkId, status: r.status, summary: r.summary, messageJson: r.message ? JSON.stringify(r.message) : null, details: r.details ?? null, at: r.startedAt });
    }
  })();
}

export function listCheckStates(db: Db, opts: { hostId?: string; customerIds?: readonly string[] }): CheckStateRow[] {
  const rows = db
    .prepare(
      `SELECT host_id AS hostId, name, customer_id AS customerId, check_id AS checkId, status, summary, message_json AS messageJson, details,
              status_since AS statusSince, last_run_at AS lastRunAt
       FROM check_states WHERE ${customerFilter('customer_id')} AND (@hostId IS NULL OR host_id = @hostId) ORDER BY host_id, name`,
    )
    .all({ ...customerParam(opts.customerIds), hostId: opts.hostId ?? null }) as Array<Omit<CheckStateRow, 'message'> & { messageJson: string | null }>;
  return rows.map(({ messageJson, ...row }) => {
    const message = parseStoredMessage(messageJson);
    return message ? { ...row, message } : row;
  });
}

/** A stored message, checked again on the way out: a row written by a bug must not break a page. */
export function parseStoredMessage(json: string | null | undefined): CheckMessage | undefined {
  if (!json) return undefined;
  try {
    const parsed = CheckMessageSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
