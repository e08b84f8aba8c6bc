// Preloaded (node --import) into the collector by bench:soak and bench:fleet when PATROL_BENCH_LOOP_STATS names a
// file: every PATROL_BENCH_LOOP_STATS_MS (default 1000) it appends one JSON line with the event loop's delay over
// that interval (max, p99, mean in ms, from perf_hooks.monitorEventLoopDelay at 10-ms resolution), the loop's
// utilization (share of the interval spent running JavaScript/native work rather than waiting) and the process's
// CPU ms in it, the heap in use, and the garbage collector's longest pause and total time in it. A long delay with little CPU of our own means the process waited for a core
// (a busy machine); a long delay with the interval's CPU near its length means work of ours held the loop. Bench instrumentation only: the collector itself carries no such code.
// Plain JavaScript with no imports but node:, so it loads before tsx is registered.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const out = process.env.PATROL_BENCH_LOOP_STATS;
// Worker threads inherit --import: only the collector's own thread (the one that acks agents) is measured; a
// worker's loop waits on its reads by design.
if (out && isMainThread) {
  const everyMs = Number(process.env.PATROL_BENCH_LOOP_STATS_MS ?? 1000);
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  // Where the resident memory is: the JS heap in use and reserved, Buffers and other memory outside the heap.
  const memory = () => {
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
  };
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  // Garbage collection in the interval: the longest pause and the total (a stall with much of it is the heap's).
  let gcMax = 0;
  let gcTotal = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMax = Math.max(gcMax, e.duration);
      gcTotal += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    const eluNow = performance.eventLoopUtilization(elu);
    const cpuNow = process.cpuUsage(cpu);
    elu = performance.eventLoopUtilization();
    cpu = process.cpuUsage();
    const line = {
      at: Date.now(),
      maxMs: ms(h.max),
      p99Ms: ms(h.percentile(99)),
      meanMs: ms(h.mean),
      elu: Math.round(eluNow.utilization * 100) / 100,
      cpuMs: Math.round((cpuNow.user + cpuNow.system) / 1000),
      ...memory(),
      gcMaxMs: Math.round(gcMax),
      gcMs: Math.round(gcTotal),
    };
    gcMax = 0;
    gcTotal = 0;
    h.reset();
    appendFileSync(out, `${JSON.stringify(line)}\n`);
  }, everyMs).unref();
}
