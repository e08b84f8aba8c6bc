// Preloaded (node --import) into one agent of bench:agent, never into the agent that is measured for the table:
// on SIGUSR2 it writes what V8 and Node say about the process's memory to $PATROL_BENCH_PROBE_OUT, so the
// benchmark can say where each MB goes. Plain JavaScript with no imports but node:, a few kB.
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';

const out = process.env.PATROL_BENCH_PROBE_OUT;
if (out) {
  process.on('SIGUSR2', () => {
    writeFileSync(
      out,
      JSON.stringify({
        memoryUsage: process.memoryUsage(),
        heapSpaces: v8.getHeapSpaceStatistics(),
        heap: v8.getHeapStatistics(),
        code: v8.getHeapCodeStatistics(),
      }),
    );
  });
}
