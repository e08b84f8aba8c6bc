import type { CheckAssignment } from '../shared/assignment.js';
import type { CheckResult } from '../shared/check-result.js';
import { runAssignment, type CheckRuntime } from '../checks/run.js';

/**
 * Runs each assigned check on its own timer, so a slow or hung check never delays the others (its own
 * timeout turns it into UNKNOWN). First runs are spread over a few seconds (jitter) so a host's checks
 * and a fleet of agents restarting together do not all fire at once.
 */
export class Scheduler {
  private timers = new Map<string, NodeJS.Timeout>();
  private running = new Set<string>();
  private assignments: CheckAssignment[] = [];
  /** Set by stop(): a check still running then reports nothing (its agent may have closed its state folder). */
  private stopped = false;

  constructor(
    private readonly runtime: CheckRuntime,
    private readonly onResult: (r: CheckResult) => void,
    private readonly maxFirstDelayMs = 5000,
  ) {}

  /** Replace the assignment without a restart: unchanged checks keep their rhythm. */
  apply(next: readonly CheckAssignment[]): void {
    const key = (a: CheckAssignment) => JSON.stringify(a);
    const before = new Map(this.assignments.map((a) => [a.name, key(a)]));
    const nextNames = new Set(next.map((a) => a.name));
    for (const [name, t] of this.timers) {
      const changed = next.find((a) => a.name === name);
      if (!nextNames.has(name) || (changed && before.get(name) !== key(changed))) {
        clearTimeout(t);
        this.timers.delete(name);
      }
    }
    this.assignments = [...next];
    for (const a of next) if (!this.timers.has(a.name)) this.schedule(a, Math.random() * Math.min(this.maxFirstDelayMs, a.intervalSec * 1000));
  }

  private schedule(a: CheckAssignment, delayMs: number): void {
    const t = setTimeout(() => {
      // Next run is set before this one starts, so the rhythm does not drift by the check's duration.
      if (this.assignments.some((x) => x.name === a.name)) this.schedule(a, a.intervalSec * 1000);
      void this.runOne(a);
    }, delayMs);
    t.unref?.();
    this.timers.set(a.name, t);
  }

  private async runOne(a: CheckAssignment): Promise<CheckResult | undefined> {
    if (this.running.has(a.name)) return undefined; // still within its timeout from the last run
    this.running.add(a.name);
    try {
      const r = await runAssignment(a, this.runtime);
      if (!this.stopped) this.onResult(r);
      return r;
    } finally {
      this.running.delete(a.name);
    }
  }

  /** Run every assigned check now (inspection snapshot); resolves with the fresh results. */
  async runAll(): Promise<CheckResult[]> {
    const results = await Promise.all(this.assignments.map((a) => runAssignment(a, this.runtime)));
    return results;
  }

  current(): readonly CheckAssignment[] {
    return this.assignments;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.assignments = [];
  }
}
