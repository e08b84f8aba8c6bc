import type { Metric } from '../../shared/metric.js';
import { toLine } from '../../shared/line-protocol.js';
import { createLogger } from '../../shared/logger.js';
import { MetricsRejectedError, type MetricsStore } from './store.js';

const log = createLogger('metrics.group-commit');

interface Waiter {
  lines: readonly string[];
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Group commit: batches that arrive together (many agents) are written to the store in one request of up to
 * `maxPoints`, with up to `maxInFlight` requests at a time. Each caller's promise still resolves only when
 * the request that held its points succeeded, so "ack after durable" holds.
 * A request the store refuses for its points (MetricsRejectedError: InfluxDB's 400, which also keeps whatever it
 * could) is written again batch by batch, so only the batch at fault fails and every other agent's batch in it is
 * stored and acked; a store that is down fails the whole request, and the agents re-send.
 */
export function withGroupCommit<S extends MetricsStore>(inner: S, opts: { maxPoints?: number; maxInFlight?: number } = {}): S {
  const maxPoints = opts.maxPoints ?? 5000;
  const maxInFlight = opts.maxInFlight ?? 4;
  const queue: Waiter[] = [];
  let inFlight = 0;
  let scheduled = false;

  const settle = (w: Waiter, p: Promise<void>) => p.then(w.resolve, w.reject);

  const writeGroup = async (group: Waiter[]): Promise<void> => {
    if (group.length === 1) return settle(group[0]!, inner.writeLines(group[0]!.lines));
    try {
      await inner.writeLines(group.flatMap((w) => w.lines));
      for (const w of group) w.resolve();
    } catch (err) {
      if (!(err instanceof MetricsRejectedError)) {
        for (const w of group) w.reject(err);
        return;
      }
      // The wire check should leave nothing for the store to refuse; if something still got through, find whose.
      log.warn({ batches: group.length, err: err.message }, 'store refused a group write; writing its batches one by one');
      for (const w of group) await settle(w, inner.writeLines(w.lines));
    }
  };

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
      void writeGroup(group).finally(() => {
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
