import type { CheckState } from '../../checks/define.js';
import type { Db } from '../db/database.js';

interface StateRow {
  name: string;
  state: string;
  last_run_at: number | null;
}

/**
 * What remotely run checks remember between runs (previous counters, boot time), one JSON object per
 * (host, check name) in SQLite, and when each last ran. A host's rows are read at the start of its round and
 * written at the end, so a collector restart keeps rates and intervals.
 */
export class RemoteCheckStates {
  constructor(private readonly db: Db) {}

  /**
   * When each check of the host last ran, counting only runs newer than the host's settings (remote_hosts.updated_at:
   * its access or an admin's allowances): a check that ran under settings changed since is due at once, so a
   * refusal from before an allowance does not stand until its interval comes round. A round records the moment it
   * read the settings as its run time, so a change that comes while it runs leaves its run older than the change.
   * Strictly newer: a change within the same millisecond as the read costs one extra run, never a stale result.
   */
  lastRuns(hostId: string): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT s.name, s.last_run_at FROM remote_check_state s JOIN remote_hosts h ON h.host_id = s.host_id
         WHERE s.host_id = ? AND s.last_run_at > h.updated_at`,
      )
      .all(hostId) as StateRow[];
    return new Map(rows.map((r) => [r.name, r.last_run_at!]));
  }

  /** The states of a host's checks as live objects for one round; `save` writes them back. */
  open(hostId: string): { stateFor(name: string): CheckState; save(ranAt: Map<string, number>): void } {
    const rows = this.db.prepare('SELECT name, state FROM remote_check_state WHERE host_id = ?').all(hostId) as StateRow[];
    const values = new Map<string, Record<string, unknown>>(rows.map((r) => [r.name, JSON.parse(r.state) as Record<string, unknown>]));
    const touched = new Set<string>();
    return {
      stateFor: (name) => ({
        get: <T>(key: string) => values.get(name)?.[key] as T | undefined,
        set: (key, value) => {
          const v = values.get(name) ?? {};
          // A JSON round trip, like the agent's on-disk state: a check must not rely on keeping live objects.
          v[key] = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
          values.set(name, v);
          touched.add(name);
        },
      }),
      save: (ranAt) => {
        const upsert = this.db.prepare(
          `INSERT INTO remote_check_state (host_id, name, state, last_run_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(host_id, name) DO UPDATE SET state = excluded.state, last_run_at = COALESCE(excluded.last_run_at, last_run_at)`,
        );
        this.db.transaction(() => {
          for (const name of new Set([...touched, ...ranAt.keys()])) {
            upsert.run(hostId, name, JSON.stringify(values.get(name) ?? {}), ranAt.get(name) ?? null);
          }
        })();
      },
    };
  }

  /** Forget checks no longer assigned, so a re-added check starts fresh rather than from a stale counter. */
  prune(hostId: string, keepNames: readonly string[]): void {
    this.db
      .prepare('DELETE FROM remote_check_state WHERE host_id = ? AND name NOT IN (SELECT value FROM json_each(?))')
      .run(hostId, JSON.stringify(keepNames));
  }
}
