import type { MetricsStore } from './store.js';

/**
 * A store whose init() may fail at start (InfluxDB not up yet) without stopping the collector: every
 * call first finishes the init, so writes fail as "unavailable" (agents keep spooling) until it is up.
 */
export function withLazyInit(inner: MetricsStore): MetricsStore & { ready(): boolean } {
  let initialised = false;
  let pending: Promise<void> | undefined;
  const ensure = async () => {
    if (initialised) return;
    pending ??= inner.init().then(
      () => {
        initialised = true;
      },
      (err: unknown) => {
        pending = undefined;
        throw err;
      },
    );
    await pending;
  };
  return {
    kind: inner.kind,
    ready: () => initialised,
    init: ensure,
    write: async (p) => (await ensure(), inner.write(p)),
    writeLines: async (l) => (await ensure(), inner.writeLines(l)),
    series: async (q) => (await ensure(), inner.series(q)),
    summary: async (q) => (await ensure(), inner.summary(q)),
    countPoints: async (q) => (await ensure(), inner.countPoints(q)),
    points: async (q) => (await ensure(), inner.points(q)),
    close: () => inner.close(),
  };
}
