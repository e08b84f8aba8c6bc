/**
 * What one agent may send, and when its points may be dated. The defaults are generous for a real agent
 * (linux-base is a few points a second; a full 100 MB spool replays in a few minutes) and stop one agent from
 * taking more than a small share of the collector: see SECURITY.md.
 */
export interface IngestLimits {
  /** Frames per minute, sustained, and the burst allowed on top (a reconnect sends its window at once). */
  framesPerMin: number;
  framesBurst: number;
  /** Points (lines) per minute, sustained, and the burst; one batch may overdraw it (it must pass some time). */
  pointsPerMin: number;
  pointsBurst: number;
  /**
   * Over its rate, a frame waits up to this long for its tokens (a correct agent replaying its spool is slowed,
   * never refused); a longer wait is refused `rate-limited` with the time to wait.
   */
  maxPaceMs: number;
  /**
   * Frames of one agent waiting while its previous one is processed (one at a time per agent). The agent keeps
   * 4 batches in flight (docs/design-notes.md, item 7): twice that leaves room for a reconnect's overlap.
   */
  maxQueuedFrames: number;
  /** How far ahead of the collector's clock a time may be: the clock skew allowance. */
  clockSkewMs: number;
  /** How far back a time may be: what an agent's spool can hold after an outage. */
  maxBacklogMs: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  framesPerMin: 3000,
  framesBurst: 300,
  pointsPerMin: 600_000,
  pointsBurst: 60_000,
  maxPaceMs: 2000,
  maxQueuedFrames: 8,
  // 5 min: the Kerberos default for clock skew; a host further off is a finding (system.clock) before it is data.
  clockSkewMs: 5 * 60_000,
  // 7 days: the agent's spool (100 MB) holds about a week of one host's results at 60 s intervals.
  maxBacklogMs: 7 * 86_400_000,
};

/** The limits from the collector's settings (collector/config.ts); bursts are a tenth of a minute's allowance. */
export function ingestLimitsFromConfig(c: {
  agentFramesPerMin: number;
  agentPointsPerMin: number;
  agentClockSkewSec: number;
  agentMaxBacklogDays: number;
}): IngestLimits {
  return {
    ...DEFAULT_INGEST_LIMITS,
    framesPerMin: c.agentFramesPerMin,
    framesBurst: Math.max(8, Math.ceil(c.agentFramesPerMin / 10)),
    pointsPerMin: c.agentPointsPerMin,
    pointsBurst: Math.max(1, Math.ceil(c.agentPointsPerMin / 10)),
    clockSkewMs: c.agentClockSkewSec * 1000,
    maxBacklogMs: c.agentMaxBacklogDays * 86_400_000,
  };
}
