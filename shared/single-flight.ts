/**
 * One run per key at a time: a caller that asks while a run for its key is under way gets that run's promise
 * instead of starting a second one. For work whose result must be one (a PDF or Word file stamped with the time it
 * was made, asked for by a download and the delivery mailer at once) or whose second copy would only cost.
 */
export class SingleFlight<K, V> {
  private readonly pending = new Map<K, Promise<V>>();

  /** `fn`'s promise, shared with every caller for `key` until it settles. */
  run(key: K, fn: () => Promise<V>): Promise<V> {
    const under = this.pending.get(key);
    if (under) return under;
    const started = fn().finally(() => this.pending.delete(key));
    this.pending.set(key, started);
    return started;
  }

  /** The run under way for `key`, if any. */
  get(key: K): Promise<V> | undefined {
    return this.pending.get(key);
  }
}
