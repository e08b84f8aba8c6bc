import type { Db } from '../db/database.js';
import type { Logger } from '../../shared/logger.js';

type AfterCommit = (err?: Error) => void;

/**
 * The patrol.db writes of one turn of the event loop in one SQLite transaction. Each ingested batch wrote its host's
 * last-seen time, its check states and its tickets' state in transactions of their own: three commits a batch, about
 * 0.15 ms of blocked event loop each here, which at 10,000 agents (1,000 batches a second) was half the loop's time
 * (bench:fleet). Batches that arrive together now share one commit, made at the end of the turn (setImmediate).
 *
 * `run()` begins the transaction if none is open; what other code writes in the same turn joins it (a
 * `db.transaction()` of theirs becomes a savepoint, which better-sqlite3 does by itself). Whoever must answer only
 * after the writes are committed (the ack of a batch) waits for `afterCommit()`, which also learns of a failed commit.
 */
export class TurnTransaction {
  private open = false;
  private after: AfterCommit[] = [];

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  /** Run `fn` inside this turn's transaction, beginning one when none is open. */
  run<T>(fn: () => T): T {
    if (!this.open && !this.db.inTransaction) {
      this.db.exec('BEGIN');
      this.open = true;
      setImmediate(() => this.commit());
    }
    return fn();
  }

  /** `fn` once this turn's writes are committed (at once when nothing is open); with the error when they were not. */
  afterCommit(fn: AfterCommit): void {
    if (this.open) this.after.push(fn);
    else fn();
  }

  /** Commit now (also before the database is closed). */
  commit(): void {
    if (!this.open) return;
    this.open = false;
    let failure: Error | undefined;
    if (!this.db.inTransaction) {
      // SQLite rolled the transaction back itself (a full disk, an I/O error): what it held is gone.
      failure = new Error('the turn transaction was rolled back by SQLite');
    } else {
      try {
        this.db.exec('COMMIT');
      } catch (err) {
        failure = err as Error;
        try {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
        } catch {
          // Nothing left to roll back.
        }
      }
    }
    if (failure) this.log.error({ err: failure.message }, 'ingest writes of one turn not committed; their batches are not acked');
    const after = this.after;
    this.after = [];
    for (const f of after) f(failure);
  }
}
