/**
 * npm run bench:fleet [-- --agents 1000[,5000,10000] --store sqlite|influxdb|both --seconds 120 --faults 20 --docs FILE]
 *
 * One collector (its own process) and N simulated agents on real WebSocket connections, each sending what a
 * linux-base agent sends every 10 s (bench/fleet/linux-base-batch.ts). Per N and metrics store it measures:
 * the connect storm after a collector restart (all N connecting at once), the collector's steady CPU, RSS and open
 * files, batch ack p50/p99, fault -> ticket and fault -> webhook (disk CRITICAL on a few hosts while the fleet
 * runs), and the dashboard overview while it runs. Writes its rows into the fleet table of docs/benchmarks.md.
 */
import './fleet/quiet-logs.js';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { startInfluxDb, type RunningInfluxDb } from './servers/influxdb.js';
import { freePort } from './servers/ports.js';
import { tempDir } from './servers/temp-dir.js';
import { machineLine } from './bench-report.js';
import { AgentSwarm, type ConnectStorm } from './fleet/agent-swarm.js';
import { OPEN_FILES, startCollectorProcess, type CollectorProcess } from './fleet/collector-process.js';
import { raiseOpenFiles } from './fleet/open-files.js';
import { cpuPct, percentile, procSample, type ProcSample } from './fleet/proc-stats.js';
import { upsertFleetRows } from './fleet/report.js';
import { seedFleet } from './fleet/seed.js';
import { startWebhookReceiver } from './fleet/webhook-receiver.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    store: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '120' },
    warmup: { type: 'string', default: '20' },
    faults: { type: 'string', default: '20' },
    'no-write': { type: 'boolean', default: false },
    /** Where the table goes (a run from a copy of the tree can write into the checkout's docs). */
    docs: { type: 'string', default: 'docs/benchmarks.md' },
  },
});
const SIZES = values.agents.split(',').map(Number);
const STORES = values.store === 'both' ? (['sqlite', 'influxdb'] as const) : ([values.store] as Array<'sqlite' | 'influxdb'>);
const STEADY_MS = Number(values.seconds) * 1000;
const WARMUP_MS = Number(values.warmup) * 1000;
const FAULTS = Number(values.faults);
const FAULT_AT_MS = 15_000;
const FLUSH_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmtMs = (v: number) => (Number.isNaN(v) ? 'n/a' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;

console.log(`open-files limit of the load generator: ${raiseOpenFiles()}`);

interface RunResult {
  agents: number;
  store: string;
  firstConnect: ConnectStorm;
  storm: ConnectStorm;
  /** Collector CPU time spent while the storm lasted. */
  stormCpuMs: number;
  cpuPct: number;
  /** Per cent of the steady window the collector was runnable but waited for a core (schedstat). */
  waitPct: number;
  heldBack: number;
  influxCpuPct?: number;
  generatorCpuPct: number;
  loopBusyPct: number;
  loopMaxDelayMs: number;
  rssEnd: number;
  rssPeak: number;
  openFiles: number;
  batchesPerSec: number;
  linesPerSec: number;
  ack: { p50: number; p99: number; max: number; n: number };
  toTicket: number[];
  toWebhook: number[];
  faultsMissing: number;
  dashboard: { p50: number; p95: number; n: number; kib: number; failures: string[] };
  errors: Map<string, number>;
  connectErrors: Map<string, number>;
  loadBefore: number;
  loadDuring: number;
  /** The open-files limit the collector got (OPEN_FILES asked; a container's hard limit can be lower). */
  collectorOpenFiles: number;
}

async function runOne(agents: number, store: 'sqlite' | 'influxdb'): Promise<RunResult> {
  const loadBefore = os.loadavg()[0]!;
  const receiver = await startWebhookReceiver();
  let influx: RunningInfluxDb | undefined;
  if (store === 'influxdb') influx = await startInfluxDb();
  const data = tempDir('fleet');
  const dataDir = join(data.path, 'data');
  const logFile = join(data.path, 'collector.log');
  let collector: CollectorProcess | undefined;
  let swarm: AgentSwarm | undefined;
  try {
    const t0 = performance.now();
    const seeded = seedFleet(join(dataDir, 'patrol.db'), { agents, customers: Math.max(10, Math.round(agents / 100)), webhookUrl: receiver.url });
    console.log(`[${agents} ${store}] seeded ${agents} enrolled hosts of ${seeded.customers.length} customers in ${fmtMs(performance.now() - t0)}`);
    const port = await freePort();
    const env: Record<string, string> = { PATROL_BATCH_INTERVAL_SEC: String(FLUSH_MS / 1000) };
    if (influx) Object.assign(env, { PATROL_INFLUX_URL: influx.url, PATROL_INFLUX_DATABASE: 'fleet' });
    const loopFile = join(data.path, 'loop-stats.jsonl');
    const start = () => startCollectorProcess({ dataDir, port, env, logFile, loopStatsFile: loopFile });

    collector = await start();
    swarm = new AgentSwarm(`ws://127.0.0.1:${port}/agent`, seeded.agents, FLUSH_MS);
    const firstConnect = await swarm.connectAll();
    console.log(`[${agents} ${store}] first start: ${agents - firstConnect.notConnected} connected in ${fmtMs(firstConnect.ms)} (${firstConnect.retries} retries)`);
    swarm.start();
    await sleep(WARMUP_MS);
    swarm.stop();
    await sleep(2000);

    // The restart: every agent loses its connection and comes back at once.
    swarm.expectDisconnect();
    await collector.stop();
    collector = await start();
    const stormBefore = procSample(collector.pid);
    const storm = await swarm.connectAll();
    const stormCpuMs = procSample(collector.pid).cpuMs - stormBefore.cpuMs;
    console.log(`[${agents} ${store}] after a restart: ${agents - storm.notConnected} connected in ${fmtMs(storm.ms)}, p50/p99 per agent ${fmtMs(percentile(storm.perAgentMs, 50))} / ${fmtMs(percentile(storm.perAgentMs, 99))}, ${storm.retries} retries, collector CPU ${fmtMs(stormCpuMs)} (${(stormCpuMs / agents).toFixed(2)} ms per agent)`);

    // Steady running, measured.
    const pid = collector.pid;
    const samples: ProcSample[] = [];
    const sampler = setInterval(() => samples.push(procSample(pid)), 1000);
    const before = procSample(pid);
    const influxBefore = influx?.pid() ? procSample(influx.pid()!) : undefined;
    const genBefore = process.cpuUsage();
    const tSteady = performance.now();
    const steadyFrom = Date.now();
    swarm.recording = true;
    swarm.start();

    // The dashboard overview, as an engineer keeps it open (one request at a time, every 2 s).
    const dash: number[] = [];
    let dashBytes = 0;
    const dashFailures: string[] = [];
    let dashRunning = true;
    const dashLoop = (async () => {
      while (dashRunning) {
        const t = performance.now();
        try {
          const res = await fetch(`${collector!.url}/`, { headers: { cookie: seeded.adminCookie } });
          const body = await res.text();
          if (res.status !== 200) throw new Error(`overview answered ${res.status}`);
          dash.push(performance.now() - t);
          dashBytes = body.length;
        } catch (err) {
          // A reused keep-alive connection the server closed meanwhile: counted, and the browser would retry.
          dashFailures.push((err as Error).message);
        }
        await sleep(2000);
      }
    })();

    // Faults: system.disk CRITICAL on a few hosts spread over the fleet; their tickets are watched in patrol.db.
    const faultIdx = Array.from({ length: Math.min(FAULTS, agents) }, (_, i) => Math.floor((i * agents) / Math.min(FAULTS, agents)));
    const faultHosts = new Set(faultIdx.map((i) => swarm!.hostIdOf(i)));
    const opened = new Map<string, { number: string; openedAt: number }>();
    const reader = new Database(join(dataDir, 'patrol.db'), { readonly: true });
    const findTickets = reader.prepare("SELECT host_id AS hostId, number, opened_at AS openedAt FROM tickets WHERE kind = 'check' AND check_name = 'system.disk'");
    const faultTimer = setTimeout(() => swarm!.injectDiskFault(faultIdx), FAULT_AT_MS);
    const ticketPoll = setInterval(() => {
      for (const t of findTickets.all() as Array<{ hostId: string; number: string; openedAt: number }>) if (faultHosts.has(t.hostId)) opened.set(t.hostId, t);
    }, 50);

    await sleep(STEADY_MS);
    const elapsed = performance.now() - tSteady;
    const after = procSample(pid);
    const influxAfter = influx?.pid() ? procSample(influx.pid()!) : undefined;
    const gen = process.cpuUsage(genBefore);
    swarm.recording = false;
    // The collector's event loop over the steady window: the share of time it was busy (a commit that waits on the
    // disk shows here, not in CPU time) and its longest delay.
    const loop = readFileSync(loopFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { at: number; maxMs: number; elu: number })
      .filter((l) => l.at > steadyFrom);
    clearInterval(sampler);
    const loadDuring = os.loadavg()[0]!;

    // Webhooks come after the notifier's coalescing window (60 s) and its tick (5 s): keep the fleet running.
    const deadline = Date.now() + 120_000;
    const allArrived = () => [...opened.values()].filter((t) => receiver.arrivedAt.has(t.number)).length >= faultHosts.size;
    while (!allArrived() && Date.now() < deadline) await sleep(500);
    dashRunning = false;
    await dashLoop;
    clearTimeout(faultTimer);
    clearInterval(ticketPoll);
    reader.close();
    swarm.stop();

    const toTicket: number[] = [];
    const toWebhook: number[] = [];
    for (const [hostId, t] of opened) {
      const sent = swarm.faultSentAt.get(hostId);
      if (sent === undefined) continue;
      toTicket.push(t.openedAt - sent);
      const arrived = receiver.arrivedAt.get(t.number);
      if (arrived !== undefined) toWebhook.push(arrived - sent);
    }
    const lat = [...swarm.latenciesMs].sort((a, b) => a - b);
    dash.sort((a, b) => a - b);
    return {
      agents,
      store,
      firstConnect,
      storm,
      stormCpuMs,
      cpuPct: cpuPct(before, after, elapsed),
      waitPct: ((after.runQueueWaitMs - before.runQueueWaitMs) / elapsed) * 100,
      heldBack: swarm.heldBack,
      influxCpuPct: influxBefore && influxAfter ? cpuPct(influxBefore, influxAfter, elapsed) : undefined,
      loopBusyPct: loop.length ? (loop.reduce((a, l) => a + l.elu, 0) / loop.length) * 100 : NaN,
      loopMaxDelayMs: Math.max(0, ...loop.map((l) => l.maxMs)),
      generatorCpuPct: ((gen.user + gen.system) / 1000 / elapsed) * 100,
      rssEnd: after.rssBytes,
      rssPeak: Math.max(...samples.map((s) => s.rssBytes), after.rssBytes),
      openFiles: after.openFiles,
      batchesPerSec: (swarm.batchesAcked / elapsed) * 1000,
      linesPerSec: (swarm.linesAcked / elapsed) * 1000,
      ack: { p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat[lat.length - 1] ?? NaN, n: lat.length },
      toTicket: toTicket.sort((a, b) => a - b),
      toWebhook: toWebhook.sort((a, b) => a - b),
      faultsMissing: faultHosts.size - toTicket.length,
      dashboard: { p50: percentile(dash, 50), p95: percentile(dash, 95), n: dash.length, kib: dashBytes / 1024, failures: dashFailures },
      errors: swarm.errors,
      connectErrors: swarm.connectErrors,
      loadBefore,
      loadDuring,
      collectorOpenFiles: collector.openFilesLimit,
    };
  } finally {
    swarm?.close();
    await collector?.stop();
    await influx?.destroy();
    await receiver.close();
    if (process.env.BENCH_KEEP) console.log(`kept ${data.path}`);
    else data.remove();
  }
}

const HEADER = [
  'agents',
  'store',
  'connect storm after restart (all at once; per-agent p99; retries; collector CPU)',
  'collector CPU (steady)',
  'collector RSS end / peak',
  'open files',
  'ack p50 / p99',
  'fault -> ticket p50 / p99',
  'fault -> webhook p50 / p99',
  'overview p50 / p95 (size)',
  'load avg (1 min) before / during',
];

const rows: string[][] = [];
let collectorLimit = OPEN_FILES;
for (const n of SIZES) {
  for (const store of STORES) {
    const r = await runOne(n, store);
    const row = [
      String(r.agents),
      r.store === 'sqlite' ? 'embedded' : 'InfluxDB 1.6',
      `${fmtMs(r.storm.ms)} (${fmtMs(percentile(r.storm.perAgentMs, 99))}; ${r.storm.retries}; CPU ${(r.stormCpuMs / r.agents).toFixed(2)} ms per agent)${r.storm.notConnected ? `, ${r.storm.notConnected} never connected` : ''}`,
      `${r.cpuPct.toFixed(0)}% of one core (${((r.cpuPct * 10) / r.batchesPerSec).toFixed(2)} ms per batch; event loop busy ${r.loopBusyPct.toFixed(0)}%; waited for a core ${r.waitPct.toFixed(0)}% of the time)`,
      `${mb(r.rssEnd)} / ${mb(r.rssPeak)}`,
      String(r.openFiles),
      `${fmtMs(r.ack.p50)} / ${fmtMs(r.ack.p99)}`,
      `${fmtMs(percentile(r.toTicket, 50))} / ${fmtMs(percentile(r.toTicket, 99))}${r.faultsMissing ? ` (${r.faultsMissing} of ${r.faultsMissing + r.toTicket.length} missing)` : ''}`,
      `${fmtMs(percentile(r.toWebhook, 50))} / ${fmtMs(percentile(r.toWebhook, 99))}`,
      `${fmtMs(r.dashboard.p50)} / ${fmtMs(r.dashboard.p95)} (${Math.round(r.dashboard.kib)} KiB)`,
      `${r.loadBefore.toFixed(1)} / ${r.loadDuring.toFixed(1)}`,
    ];
    rows.push(row);
    collectorLimit = Math.min(collectorLimit, r.collectorOpenFiles);
    console.log(`\n[${r.agents} ${r.store}] ${HEADER.map((h, i) => `${h}: ${row[i]}`).join('\n  ')}`);
    console.log(
      `  first start connect: ${fmtMs(r.firstConnect.ms)}; steady: ${r.batchesPerSec.toFixed(0)} batches/s, ${r.linesPerSec.toFixed(0)} lines/s acked (${r.ack.n} acks, max ${fmtMs(r.ack.max)}); longest event-loop delay ${fmtMs(r.loopMaxDelayMs)}; ${r.heldBack} flushes held back by agents with 4 batches unacked; ` +
        `generator CPU ${r.generatorCpuPct.toFixed(0)}%${r.influxCpuPct !== undefined ? `, influxd CPU ${r.influxCpuPct.toFixed(0)}%` : ''}; faults ${r.toTicket.length} tickets, ${r.toWebhook.length} webhooks; overview samples ${r.dashboard.n}${r.dashboard.failures.length ? ` (${r.dashboard.failures.length} failed: ${[...new Set(r.dashboard.failures)].join(', ')})` : ''}`,
    );
    if (r.connectErrors.size) console.log(`  failed connection attempts: ${[...r.connectErrors].map(([k, v]) => `${v} x ${k}`).join('; ')}`);
    if (r.errors.size) console.log(`  collector errors: ${[...r.errors].map(([k, v]) => `${v} x ${k}`).join('; ')}`);
  }
}

if (!values['no-write']) {
  const intro = `Measured on ${machineLine()}; collector (own process, open-files limit ${collectorLimit}${collectorLimit < OPEN_FILES ? `: ${OPEN_FILES} asked, the hard limit here` : ''}), load generator and InfluxDB share the two cores.
Each simulated agent sends a batch every 10 s with the linux-base results that came due (cpu, memory, disk, network every 60 s,
uptime every 300 s) and its own figures; ${FAULTS} hosts get system.disk CRITICAL twice (openAfter 2) while the fleet runs.`;
  upsertFleetRows(HEADER, rows, intro, values.docs);
  console.log(`\nrows written to ${values.docs}`);
}
process.exit(0);
