import { BatchFrameSchema, toWireBatch, type BatchFrame } from '../../shared/protocol.js';
import type { Logger } from '../../shared/logger.js';
import type { Db } from '../db/database.js';
import type { IngestedHost } from '../ingest/listener.js';

/** 5,000 rounds: about 80 minutes of 60 s rounds for 60 hosts, tens of MB at most in SQLite. */
export const DEFAULT_MAX_QUEUED_ROUNDS = 5_000;

export interface QueuedRound {
  id: number;
  host: IngestedHost;
  batch: BatchFrame;
  results: number;
  createdAt: number;
  attempts: number;
}

export interface ResultQueueStats {
  queuedRounds: number;
  queuedResults: number;
  /** Rounds dropped, oldest first, because the queue was full (counted since the database was made). */
  droppedRounds: number;
  droppedResults: number;
  /** Rounds the store refused as such (not "unavailable"): re-sending them could never succeed. */
  rejectedRounds: number;
  rejectedResults: number;
}

/**
 * The poller's retry queue in SQLite (table remote_result_queue): rounds of agentless hosts that the metrics
 * store could not take, kept in arrival order until they are stored. Bounded: past maxRounds the oldest go,
 * and every loss is counted (remote_result_losses) and logged.
 */
export class RemoteResultQueue {
  constructor(
    private readonly db: Db,
    private readonly opts: { maxRounds: number; log: Logger },
  ) {}

  enqueue(host: IngestedHost, batch: BatchFrame, now: number, error: string): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO remote_result_queue (host_id, customer_id, batch, results, created_at, last_error) VALUES (?, ?, ?, ?, ?, ?)')
        .run(host.hostId, host.customerId, JSON.stringify(toWireBatch(batch)), batch.results.length, now, error);
      const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM remote_result_queue').get() as { n: number };
      if (n <= this.opts.maxRounds) return;
      const oldest = this.db
        .prepare('SELECT id, host_id AS hostId, results, created_at AS createdAt FROM remote_result_queue ORDER BY id LIMIT ?')
        .all(n - this.opts.maxRounds) as Array<{ id: number; hostId: string; results: number; createdAt: number }>;
      const remove = this.db.prepare('DELETE FROM remote_result_queue WHERE id = ?');
      for (const o of oldest) remove.run(o.id);
      const results = oldest.reduce((sum, o) => sum + o.results, 0);
      this.db.prepare('UPDATE remote_result_losses SET dropped_rounds = dropped_rounds + ?, dropped_results = dropped_results + ? WHERE id = 1').run(oldest.length, results);
      this.opts.log.error(
        { droppedRounds: oldest.length, droppedResults: results, hosts: [...new Set(oldest.map((o) => o.hostId))], from: oldest[0]!.createdAt, limit: this.opts.maxRounds },
        'remote result queue full: oldest rounds dropped and lost',
      );
    })();
  }

  hasQueued(hostId: string): boolean {
    return this.db.prepare('SELECT 1 FROM remote_result_queue WHERE host_id = ? LIMIT 1').get(hostId) !== undefined;
  }

  /** The oldest rounds, in the order they were queued. */
  oldest(limit: number): QueuedRound[] {
    const rows = this.db
      .prepare(
        `SELECT id, host_id AS hostId, customer_id AS customerId, batch, results, created_at AS createdAt, attempts
         FROM remote_result_queue ORDER BY id LIMIT ?`,
      )
      .all(limit) as Array<{ id: number; hostId: string; customerId: string; batch: string; results: number; createdAt: number; attempts: number }>;
    const rounds: QueuedRound[] = [];
    for (const r of rows) {
      const round = { id: r.id, host: { hostId: r.hostId, customerId: r.customerId }, results: r.results, createdAt: r.createdAt, attempts: r.attempts };
      let parsed: ReturnType<typeof BatchFrameSchema.safeParse> | undefined;
      try {
        parsed = BatchFrameSchema.safeParse(JSON.parse(r.batch));
      } catch {
        parsed = undefined;
      }
      if (parsed?.success) rounds.push({ ...round, batch: parsed.data });
      else this.reject(round, `queued round unreadable: ${parsed?.error.issues[0]?.message ?? 'not JSON'}`);
    }
    return rounds;
  }

  /** Stored at last. */
  remove(id: number): void {
    this.db.prepare('DELETE FROM remote_result_queue WHERE id = ?').run(id);
  }

  /** Still not stored; stays at its place in the queue. */
  failed(id: number, error: string): void {
    this.db.prepare('UPDATE remote_result_queue SET attempts = attempts + 1, last_error = ? WHERE id = ?').run(error, id);
  }

  /** Refused by the store as such: taken out (it would block the queue forever), counted. */
  reject(round: Omit<QueuedRound, 'batch'>, error: string): void {
    this.db.transaction(() => {
      this.remove(round.id);
      this.db.prepare('UPDATE remote_result_losses SET rejected_rounds = rejected_rounds + 1, rejected_results = rejected_results + ? WHERE id = 1').run(round.results);
    })();
    this.opts.log.error({ host: round.host.hostId, queuedAt: round.createdAt, results: round.results, err: error }, 'queued remote round refused by the store; dropped');
  }

  stats(): ResultQueueStats {
    const q = this.db.prepare('SELECT COUNT(*) AS rounds, COALESCE(SUM(results), 0) AS results FROM remote_result_queue').get() as { rounds: number; results: number };
    const l = this.db.prepare('SELECT dropped_rounds, dropped_results, rejected_rounds, rejected_results FROM remote_result_losses WHERE id = 1').get() as {
      dropped_rounds: number;
      dropped_results: number;
      rejected_rounds: number;
      rejected_results: number;
    };
    return {
      queuedRounds: q.rounds,
      queuedResults: q.results,
      droppedRounds: l.dropped_rounds,
      droppedResults: l.dropped_results,
      rejectedRounds: l.rejected_rounds,
      rejectedResults: l.rejected_results,
    };
  }
}
