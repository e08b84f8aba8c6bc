import type { CheckAssignment } from '../../shared/assignment.js';

type ResultKey = Pick<CheckAssignment, 'name' | 'checkId'> & { startedAt: number };

const keyOf = (c: { name: string; checkId: string }) => `${c.name}\u0000${c.checkId}`;

/**
 * What each host's agent was told to run (its welcome and config frames), so results of anything else can be
 * refused: an agent may report only on the checks assigned to it. A check taken away stays acceptable for results
 * that started before the agent could know (plus the clock skew allowance): those were in its spool or in flight.
 * Kept in memory: after a collector restart only the assignment of the new welcome counts.
 */
export class AssignedChecks {
  /** Per host: assignment key -> when it was taken away (null: assigned now). */
  private readonly byHost = new Map<string, Map<string, number | null>>();

  constructor(private readonly opts: { clockSkewMs: number; keepRemovedMs: number }) {}

  /** The host's agent was just sent this assignment. */
  told(hostId: string, checks: readonly CheckAssignment[], now: number): void {
    const before = this.byHost.get(hostId);
    const next = new Map<string, number | null>(checks.map((c) => [keyOf(c), null]));
    for (const [k, removedAt] of before ?? []) {
      if (next.has(k)) continue;
      const at = removedAt ?? now;
      if (now - at <= this.opts.keepRemovedMs) next.set(k, at);
    }
    this.byHost.set(hostId, next);
  }

  /** May this host report this result? */
  allows(hostId: string, r: ResultKey): boolean {
    const removedAt = this.byHost.get(hostId)?.get(keyOf(r));
    if (removedAt === undefined) return false;
    return removedAt === null || r.startedAt <= removedAt + this.opts.clockSkewMs;
  }
}
