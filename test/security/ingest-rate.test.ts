import { describe, expect, test, vi } from 'vitest';
import { TokenBucket } from '../../collector/ingest/token-bucket.js';
import { AgentLane } from '../../collector/ingest/agent-lane.js';
import { DEFAULT_INGEST_LIMITS, ingestLimitsFromConfig } from '../../collector/ingest/limits.js';
import { createLogger } from '../../shared/logger.js';

describe("an agent's rate", () => {
  test('a bucket gives its burst, then its rate; a batch larger than the burst passes once and is paid for after', () => {
    const points = new TokenBucket(6000, 600, 0); // 100 points a second, 600 saved up
    expect(points.take(500, 0)).toBe(0);
    expect(points.take(1500, 0)).toBe(0); // 100 left: a big batch still passes, the bucket goes to -1400
    expect(points.take(1, 0)).toBe(14_010); // until one token is back
    expect(points.take(1, 14_010)).toBe(0);
    expect(points.take(1, 10_000_000)).toBe(0);
    expect(points.take(600, 10_000_000)).toBe(0); // the burst never grows past 600 however long it waited
    expect(points.take(1, 10_000_000)).toBeGreaterThan(0);
  });

  test('the lane paces a frame that needs a short wait and refuses one that would wait longer than maxPaceMs', async () => {
    const lane = new AgentLane({ ...DEFAULT_INGEST_LIMITS, maxPaceMs: 50 }, 0, createLogger('test'));
    const clock = () => performance.now();
    const bucket = new TokenBucket(60_000, 1, clock()); // 1 a ms, 1 saved up
    expect(await lane.pace(bucket, 1, clock)).toBe(0);
    const t0 = clock();
    expect(await lane.pace(bucket, 1, clock)).toBe(0); // waited about a ms for it
    expect(clock() - t0).toBeGreaterThanOrEqual(0.5);
    expect(await lane.pace(bucket, 500, clock)).toBe(0); // overdraws
    expect(await lane.pace(bucket, 1, clock)).toBeGreaterThan(50); // about 500 ms to wait: refused, with the time
  });

  test('the lane runs one frame at a time, in order, and refuses past its queue', async () => {
    const lane = new AgentLane({ ...DEFAULT_INGEST_LIMITS, maxQueuedFrames: 2 }, 0, createLogger('test'));
    const order: string[] = [];
    let running = 0;
    const job = (name: string) => async () => {
      running++;
      expect(running).toBe(1);
      await new Promise((r) => setTimeout(r, 5));
      order.push(name);
      running--;
    };
    expect(lane.enqueue(job('a'))).toBe(true); // starts at once
    expect(lane.enqueue(job('b'))).toBe(true);
    expect(lane.enqueue(job('c'))).toBe(true);
    expect(lane.enqueue(job('d'))).toBe(false); // two waiting already
    // Waited for, not timed: a loaded machine may take longer than three 5-ms jobs.
    await vi.waitFor(() => expect(order).toEqual(['a', 'b', 'c']));
    expect(lane.enqueue(job('e'))).toBe(true);
  });

  test('the settings make bursts of a tenth of a minute and keep the spool-sized window', () => {
    expect(ingestLimitsFromConfig({ agentFramesPerMin: 3000, agentPointsPerMin: 600_000, agentClockSkewSec: 300, agentMaxBacklogDays: 7 })).toEqual(DEFAULT_INGEST_LIMITS);
  });
});
