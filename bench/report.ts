/**
 * `npm run bench:report`: 100 hosts x 90 days at 60-second intervals in a real InfluxDB 1.x, then one
 * quarterly report for the customer. Prints the write and report times and the peak memory of this
 * process while the report is built (target: under 60 s and 500 MB on the 2-core machine).
 *
 * Env: BENCH_HOSTS (100), BENCH_DAYS (90), BENCH_STEP_SEC (60).
 */
import { join } from 'node:path';
import { openDatabase } from '../collector/db/database.js';
import { ensureCustomer } from '../collector/db/customers.js';
import { createHost } from '../collector/db/hosts.js';
import { influx1MetricsStore } from '../collector/metrics/influx1-store.js';
import { generateReport } from '../collector/reports/generate.js';
import { loadReport } from '../collector/reports/report-store.js';
import { periodBounds } from '../collector/reports/calendar.js';
import { startInfluxDb } from '../test/helpers/influxdb.js';
import { tempDir } from '../test/helpers/temp-dir.js';
import { machineLine, writeBenchmarkSection } from './bench-report.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 100);
const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const STEP_SEC = Number(process.env.BENCH_STEP_SEC ?? 60);
const PERIOD = '2026Q3';
const DB = 'patrol';
const LINES_PER_POST = 10_000;
const IN_FLIGHT = 4;

const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

async function main() {
  const dir = tempDir('bench-report');
  const influx = await startInfluxDb();
  try {
    const store = influx1MetricsStore({ url: influx.url, database: DB });
    await store.init();
    const db = openDatabase(join(dir.path, 'patrol.db'));
    const { from } = periodBounds(PERIOD);
    ensureCustomer(db, 'bench', 'Bench Co', from - 86_400_000);
    const hosts = Array.from({ length: HOSTS }, (_, i) => createHost(db, { customerId: 'bench', name: `host-${String(i).padStart(3, '0')}`, kind: 'agent', now: from - 86_400_000 }));

    // Raw line protocol, several POSTs in flight (machine-notes.md: ~374k points/s that way).
    const stepsPerHost = Math.floor((DAYS * 86_400) / STEP_SEC);
    const totalLines = stepsPerHost * HOSTS * 3;
    console.log(`writing ${HOSTS} hosts x ${DAYS} days at ${STEP_SEC} s = ${(totalLines / 1e6).toFixed(1)} M lines (cpu, mem, disk) ...`);
    const writeStart = Date.now();
    let written = 0;
    const post = async (body: string) => {
      const res = await fetch(`${influx.url}/write?db=${DB}&precision=s`, { method: 'POST', body });
      if (res.status !== 204) throw new Error(`write failed ${res.status}: ${await res.text()}`);
    };
    const inFlight = new Set<Promise<void>>();
    let lines: string[] = [];
    const flush = async () => {
      if (!lines.length) return;
      const body = lines.join('\n');
      written += lines.length;
      lines = [];
      const p = post(body).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    };
    const t0 = Math.floor(from / 1000);
    // Time-major order (all hosts per step) is how live data arrives and what InfluxDB writes fastest.
    for (let s = 0; s < stepsPerHost; s++) {
      const ts = t0 + s * STEP_SEC;
      const day = (s * STEP_SEC) / 86_400;
      for (let h = 0; h < HOSTS; h++) {
        const tags = `customer=bench,host=${hosts[h]!.id}`;
        const cpu = 20 + ((s + h * 7) % 60);
        const disk = 40 + (h % 30) + day * (0.1 + (h % 5) * 0.1);
        lines.push(
          `cpu,${tags},check=system.cpu usage_pct=${cpu} ${ts}`,
          `mem,${tags},check=system.memory used_pct=${50 + (h % 40)},swap_used_pct=${h % 7} ${ts}`,
          `disk,${tags},check=system.disk,mount=/ used_pct=${disk.toFixed(3)},used_bytes=${Math.round(disk * 1e9)},total_bytes=100000000000 ${ts}`,
        );
        if (lines.length >= LINES_PER_POST) await flush();
      }
    }
    await flush();
    await Promise.all(inFlight);
    const writeSec = (Date.now() - writeStart) / 1000;
    console.log(`written ${written} lines in ${writeSec.toFixed(1)} s (${Math.round(written / writeSec)} lines/s)`);

    // Peak memory of this process while the report is built, sampled every 20 ms.
    global.gc?.();
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const reportStart = Date.now();
    const rec = await generateReport({ db, store, dataDir: dir.path, now: () => Date.now() }, { customerId: 'bench', period: PERIOD, lang: 'zh' });
    const reportSec = (Date.now() - reportStart) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const report = loadReport(db, rec);
    const disks = report.hosts.filter((h) => h.disks[0]?.daysUntilFull !== null).length;
    console.log(
      `report: ${report.hosts.length} hosts, ${report.findings.length} findings, ${disks} disks with a forecast, generated in ${reportSec.toFixed(1)} s; peak RSS ${mb(peakRss)} MB (process maxRSS incl. the write phase ${mb(process.resourceUsage().maxRSS * 1024)} MB)`,
    );
    console.log(JSON.stringify({ hosts: HOSTS, days: DAYS, stepSec: STEP_SEC, lines: written, writeSec, reportSec, peakRssMb: Number(mb(peakRss)) }));
    const fmt = (n: number) => n.toLocaleString('en-US');
    writeBenchmarkSection(
      'Reports (npm run bench:report)',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machineLine()}; InfluxDB 1.6 (Debian) on the same two cores.

| figure | value |
| --- | --- |
| hosts x days x interval | ${HOSTS} x ${DAYS} d x ${STEP_SEC} s |
| points in InfluxDB (cpu, mem, disk lines) | ${fmt(written)} lines |
| write (raw line protocol, ${IN_FLIGHT} POSTs in flight) | ${writeSec.toFixed(1)} s (${fmt(Math.round(written / writeSec))} lines/s) |
| report generation (all figures by aggregate InfluxQL, HTML rendered, stored) | ${reportSec.toFixed(1)} s (target < 60 s) |
| peak RSS of the process while generating | ${mb(peakRss)} MB (target < 500 MB) |
| hosts / findings / disks with a forecast | ${report.hosts.length} / ${report.findings.length} / ${disks} |`,
    );
    db.close();
    await store.close();
  } finally {
    await influx.destroy();
    dir.remove();
  }
}

await main();
