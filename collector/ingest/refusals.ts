import type { Db } from '../db/database.js';
import type { Logger } from '../../shared/logger.js';

/** What the collector refuses from an agent, counted per agent (migration 070). */
export type RefusalKind = 'rateLimited' | 'unassignedResults' | 'futureBatches' | 'pastBatches' | 'badFrames';
export const REFUSAL_KINDS: readonly RefusalKind[] = ['rateLimited', 'unassignedResults', 'futureBatches', 'pastBatches', 'badFrames'];

const COLUMN: Record<RefusalKind, string> = {
  rateLimited: 'rate_limited',
  unassignedResults: 'unassigned_results',
  futureBatches: 'future_batches',
  pastBatches: 'past_batches',
  badFrames: 'bad_frames',
};

export type AgentRefusals = Record<RefusalKind, number> & { agentId: string; lastRefusedAt: number | null; lastReason: string | null };

interface Pending {
  counts: Record<RefusalKind, number>;
  lastAt: number;
  lastReason: string;
}

const zero = (): Record<RefusalKind, number> => ({ rateLimited: 0, unassignedResults: 0, futureBatches: 0, pastBatches: 0, badFrames: 0 });

/** Counts per agent, newest reason included; agents never refused are absent. */
export function listAgentRefusals(db: Db): Map<string, AgentRefusals> {
  const rows = db
    .prepare(
      `SELECT agent_id AS agentId, rate_limited AS rateLimited, unassigned_results AS unassignedResults, future_batches AS futureBatches,
              past_batches AS pastBatches, bad_frames AS badFrames, last_refused_at AS lastRefusedAt, last_reason AS lastReason FROM agent_refusals`,
    )
    .all() as AgentRefusals[];
  return new Map(rows.map((r) => [r.agentId, r]));
}

/**
 * Refusals, counted in memory and added to the agent_refusals table every `flushMs` (a flood of refused frames
 * is one UPDATE per agent per flush, not one per frame). Logging is throttled the same way: the first refusal of a
 * kind per agent per minute is logged, the rest are counted in the next line.
 */
export class RefusalCounter {
  private readonly pending = new Map<string, Pending>();
  private readonly loggedAt = new Map<string, { at: number; suppressed: number }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    private readonly flushMs = 5000,
  ) {}

  count(agentId: string, kind: RefusalKind, n: number, reason: string, log: Logger): void {
    let p = this.pending.get(agentId);
    if (!p) this.pending.set(agentId, (p = { counts: zero(), lastAt: 0, lastReason: '' }));
    p.counts[kind] += n;
    p.lastAt = this.now();
    p.lastReason = reason.slice(0, 500);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
    const key = `${agentId}\u0000${kind}`;
    const logged = this.loggedAt.get(key);
    if (logged && p.lastAt - logged.at < 60_000) {
      logged.suppressed += n;
      return;
    }
    log.warn({ refused: kind, count: n, alsoRefusedSinceLastLog: logged?.suppressed ?? 0, reason: p.lastReason }, 'refused from agent');
    this.loggedAt.set(key, { at: p.lastAt, suppressed: 0 });
  }

  /** Write what was counted since the last flush. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.size) return;
    const cols = REFUSAL_KINDS.map((k) => COLUMN[k]);
    const upsert = this.db.prepare(
      `INSERT INTO agent_refusals (agent_id, ${cols.join(', ')}, last_refused_at, last_reason)
       SELECT ?, ${cols.map(() => '?').join(', ')}, ?, ? WHERE EXISTS (SELECT 1 FROM agents WHERE id = ?)
       ON CONFLICT (agent_id) DO UPDATE SET ${cols.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
         last_refused_at = excluded.last_refused_at, last_reason = excluded.last_reason`,
    );
    const entries = [...this.pending];
    this.pending.clear();
    this.db.transaction(() => {
      for (const [agentId, p] of entries) upsert.run(agentId, ...REFUSAL_KINDS.map((k) => p.counts[k]), p.lastAt, p.lastReason, agentId);
    })();
  }

  close(): void {
    this.flush();
  }
}
