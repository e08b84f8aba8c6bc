/**
 * The agent's own memory cap (design.md: agents that grew to hundreds of MB, node_exporter#906, telegraf#942). An
 * agent uses about 50 MB (docs/benchmarks.md); one far above that is leaking, and the cure for a leak in the field is
 * a restart: the agent stops cleanly (its buffered results go to the disk spool) and the service manager starts it
 * again (systemd Restart=always; the crontab watchdog of start.sh). The systemd unit's MemoryMax sits above this
 * cap as the kernel's last word, for the agent and the programs its checks run together.
 */

/** Default cap: twice what a busy agent uses, so a replay or a large check output is not taken for a leak. */
export const DEFAULT_MAX_RSS_MB = 96;

export interface MemoryWatchdogOptions {
  maxRssBytes: number;
  /** How often RSS is read (default 30 s). */
  everyMs?: number;
  /** Readings in a row above the cap before it acts (default 3): a short peak that GC gives back is not a leak. */
  strikes?: number;
  /** Resident set size now (default process.memoryUsage.rss(), one read of /proc/self/statm). */
  rss?: () => number;
  /** Called once, when the cap was exceeded `strikes` readings in a row. */
  onExceeded(rssBytes: number): void;
}

export interface MemoryWatchdog {
  stop(): void;
}

export function startMemoryWatchdog(o: MemoryWatchdogOptions): MemoryWatchdog {
  const rss = o.rss ?? (() => process.memoryUsage.rss());
  const strikes = o.strikes ?? 3;
  let over = 0;
  const timer = setInterval(() => {
    const now = rss();
    over = now > o.maxRssBytes ? over + 1 : 0;
    if (over >= strikes) {
      clearInterval(timer);
      o.onExceeded(now);
    }
  }, o.everyMs ?? 30_000);
  // Never what keeps the process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
