import type { Metric } from '../../shared/metric.js';
import { toLine } from '../../shared/line-protocol.js';
import type { MetricsStore } from './store.js';

interface Waiter {
  lines: readonly string[];
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Group commit: batches that arrive together (many agents) are written to the store in one request of up to
 * `maxPoints`, with up to `maxInFlight` requests at a time. Each caller's promise still resolves only when
 * the request that held its points succeeded, so "ack after durable" holds; a failed request fails exactly
 * the batches in it, and their agents re-send them.
 */
export function withGroupCommit<S extends MetricsStore>(inner: S, opts: { maxPoints?: number; maxInFlight?: number } = {}): S {
  const maxPoints = opts.maxPoints ?? 5000;
  const maxInFlight = opts.maxInFlight ?? 4;
  const queue: Waiter[] = [];
  let inFlight = 0;
  let scheduled = false;

  const drain = () => {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length) {
      const group: Waiter[] = [];
      let n = 0;
      while (queue.length && (n === 0 || n + queue[0]!.lines.length <= maxPoints)) {
        const w = queue.shift()!;
        group.push(w);
        n += w.lines.length;
      }
      inFlight++;
      const lines = group.length === 1 ? group[0]!.lines : group.flatMap((w) => w.lines);
      inner.writeLines(lines).then(
        () => group.forEach((w) => w.resolve()),
        (err: unknown) => group.forEach((w) => w.reject(err)),
      ).finally(() => {
        inFlight--;
        drain();
      });
    }
  };

  const writeLines = (lines: readonly string[]) => {
    if (!lines.length) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      queue.push({ lines, resolve, reject });
      // Wait one turn of the event loop so batches arriving together share a request.
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    });
  };

  return {
    ...inner,
    writeLines,
    write: (points: readonly Metric[]) => writeLines(points.map(toLine)),
  };
}
