/**
 * `npx tsx bench/rollup-closes.ts [--minutes 35] [--hosts 1000] [--speed 60]`: does each hourly rollup close add
 * memory, or only the first? The embedded store with its rollup writer, fed linux-base lines for N hosts, with a
 * clock running `speed` times fast (60: one hour a real minute), so a soak's many closes fit in minutes. Prints the
 * fake hour, RSS and the V8 heap every 30 s. Each host writes about 1.5 batches a fake hour (the cells of an hour are
 * fewer values than live data's, as many series).
 */
import { parseArgs } from 'node:util';
import { sqliteMetricsStore } from '../collector/metrics/sqlite-store.js';
import { withRollups } from '../collector/metrics/rollups.js';
import { tempDir } from './servers/temp-dir.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '35' }, hosts: { type: 'string', default: '1000' }, speed: { type: 'string', default: '60' } } });
const HOUR = 3_600_000;
const hosts = Number(values.hosts);
const speed = Number(values.speed);
const dir = tempDir('rollup-closes');
const t0 = Date.now();
const base = Math.floor(t0 / HOUR) * HOUR + HOUR; // the fake clock starts at an hour's beginning
const now = () => base + (Date.now() - t0) * speed;
const store = withRollups(sqliteMetricsStore({ path: `${dir.path}/metrics.db`, retentionDays: 30, now }), { path: `${dir.path}/metrics-rollups.db`, role: 'writer', now, tickMs: 2_000 });
await store.init();
let batches = 0;
const writer = setInterval(() => {
  void (async () => {
    for (let k = 0; k < 5; k++) {
      const h = batches++ % hosts;
      const t = now();
      const tag = `customer=c${h % 10},host=h${h}`;
      await store.writeLines([
        `cpu,${tag} usage_pct=${(t % 1000) / 10},user_pct=1,system_pct=2,iowait_pct=0,load1=0.5,load5=0.4,load15=0.3,cores=4i ${t}`,
        `mem,${tag} used_pct=${(t % 900) / 10},total_bytes=1000i,available_bytes=500i,used_bytes=500i,swap_used_pct=1 ${t}`,
        `disk,${tag},mount=/ used_pct=40.1,used_bytes=100i,total_bytes=1000i,free_bytes=900i,inodes_used_pct=3 ${t}`,
        `disk,${tag},mount=/data used_pct=60.1,used_bytes=100i,total_bytes=1000i,free_bytes=900i,inodes_used_pct=3 ${t}`,
        `net,${tag},iface=eth0 errors_per_sec=0,rx_bytes_per_sec=100,tx_bytes_per_sec=100,up=1i ${t}`,
      ]);
    }
  })();
}, 100);
const mb = (b: number) => Math.round(b / 1e6);
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  console.log(`${Math.round((Date.now() - t0) / 1000)} s  fake hour ${Math.floor((now() - base) / HOUR)}  rss ${mb(m.rss)} MB  heap used ${mb(m.heapUsed)} / total ${mb(m.heapTotal)} MB  external ${mb(m.external)} MB  batches ${batches}`);
}, 30_000);
setTimeout(
  () => {
    clearInterval(writer);
    clearInterval(sampler);
    void store.close().then(() => dir.remove());
  },
  Number(values.minutes) * 60_000,
);
