import type { Logger } from '../../shared/logger.js';
import { TokenBucket } from './token-bucket.js';
import type { IngestLimits } from './limits.js';

/**
 * One agent's frames, handled one at a time in the order they came (across its connections: a reconnect does not
 * get a second lane), with the agent's rate buckets. A correct agent has at most 4 batches in flight, so its
 * frames wait here for their turn; past `maxQueuedFrames` an agent is flooding and its frames are refused.
 */
export class AgentLane {
  readonly frames: TokenBucket;
  readonly points: TokenBucket;
  private readonly waiting: Array<() => Promise<void>> = [];
  private busy = false;

  constructor(
    private readonly limits: IngestLimits,
    monotonicNow: number,
    private readonly log: Logger,
  ) {
    this.frames = new TokenBucket(limits.framesPerMin, limits.framesBurst, monotonicNow);
    this.points = new TokenBucket(limits.pointsPerMin, limits.pointsBurst, monotonicNow);
  }

  /**
   * Take `n` tokens of a bucket, waiting for them when that takes at most `maxPaceMs`: resolves 0 once taken, or
   * the ms the agent should wait before sending again (nothing taken).
   */
  async pace(bucket: TokenBucket, n: number, monotonicNow: () => number): Promise<number> {
    for (;;) {
      const wait = bucket.take(n, monotonicNow());
      if (wait === 0) return 0;
      if (wait > this.limits.maxPaceMs) return wait;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Run `job` after the jobs before it; false (and nothing queued) when the queue is full. */
  enqueue(job: () => Promise<void>): boolean {
    if (this.waiting.length >= this.limits.maxQueuedFrames) return false;
    this.waiting.push(job);
    if (!this.busy) void this.run();
    return true;
  }

  private async run(): Promise<void> {
    this.busy = true;
    for (let job = this.waiting.shift(); job; job = this.waiting.shift()) {
      try {
        await job();
      } catch (err) {
        // A job answers its own frame; one that throws is a bug, and must not stop the agent's later frames.
        this.log.error({ err }, 'agent frame handling failed');
      }
    }
    this.busy = false;
  }
}
