import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { startMemoryWatchdog } from '../../agent/memory-watchdog.js';

const MB = 1024 * 1024;

describe('the memory cap', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** RSS readings the test plays back, one per tick. */
  function readings(...mb: number[]) {
    let i = 0;
    return () => (mb[Math.min(i++, mb.length - 1)] ?? 0) * MB;
  }

  test('an agent that stays above the cap for three readings is stopped once, with the RSS it reached', () => {
    const exceeded: number[] = [];
    startMemoryWatchdog({ maxRssBytes: 96 * MB, everyMs: 1000, rss: readings(50, 97, 120, 130, 140, 150), onExceeded: (rss) => exceeded.push(rss) });
    vi.advanceTimersByTime(3000);
    expect(exceeded).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(exceeded).toEqual([130 * MB]);
    // Once: the agent is on its way out, the watchdog does not call again.
    vi.advanceTimersByTime(10_000);
    expect(exceeded).toHaveLength(1);
  });

  test('a peak that garbage collection gives back is not a leak: a reading under the cap starts the count again', () => {
    const exceeded: number[] = [];
    startMemoryWatchdog({ maxRssBytes: 96 * MB, everyMs: 1000, rss: readings(100, 110, 60, 100, 100, 60, 100, 100, 60), onExceeded: (rss) => exceeded.push(rss) });
    vi.advanceTimersByTime(9000);
    expect(exceeded).toEqual([]);
  });

  test('stop() ends the readings', () => {
    const rss = vi.fn(() => 200 * MB);
    const dog = startMemoryWatchdog({ maxRssBytes: 96 * MB, everyMs: 1000, rss, onExceeded: () => undefined });
    vi.advanceTimersByTime(1000);
    dog.stop();
    vi.advanceTimersByTime(5000);
    expect(rss).toHaveBeenCalledTimes(1);
  });
});
