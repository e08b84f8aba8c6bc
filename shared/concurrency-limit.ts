/**
 * A counting semaphore: at most `max` holders at once, the rest wait in arrival order. The remote poller uses
 * one to touch only so many hosts at a time, each SSH connection one to stay under sshd's MaxSessions, and the
 * password check one to keep a core free for the event loop.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error(`concurrency limit must be at least 1, got ${max}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` stays counted for it.
      if (next) next();
      else this.active--;
    }
  }

  get inUse(): number {
    return this.active;
  }
}
