/**
 * npm run bench:ingest [-- --agents 200 --seconds 20 --points 500]
 * N simulated agents stream batches over loopback to a collector (own process) backed by a real InfluxDB 1.x;
 * then the same number of points goes to the same InfluxDB as raw line protocol. Prints both rates and the ratio.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startInfluxDb } from '../test/helpers/influxdb.js';
import { freePort, waitFor } from '../test/helpers/ports.js';
import { tempDir } from '../test/helpers/temp-dir.js';
import { PROTOCOL_VERSION } from '../shared/protocol.js';
import { toLines } from '../collector/metrics/line-protocol.js';
import type { Metric } from '../shared/metric.js';
import { machineLine, writeBenchmarkSection } from './bench-report.js';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    points: { type: 'string', default: '500' },
    window: { type: 'string', default: '2' },
    'steady-seconds': { type: 'string', default: '30' },
    'steady-interval': { type: 'string', default: '10' },
    'steady-points': { type: 'string', default: '60' },
  },
});
const AGENTS = Number(values.agents);
const SECONDS = Number(values.seconds);
const POINTS_PER_BATCH = Number(values.points);
const WINDOW = Number(values.window);
// Steady phase: one batch per agent every 10 s of ~60 points, about what the linux-base checks produce.
const STEADY_SECONDS = Number(values['steady-seconds']);
const STEADY_INTERVAL = Number(values['steady-interval']);
const STEADY_POINTS = Number(values['steady-points']);

function procStats(pid: number): { rssBytes: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { rssBytes: rssKb * 1024, cpuMs: (ticks * 1000) / 100 };
}

/**
 * The JSON text of a batch's metrics with the time left as a placeholder: the load generator shares the two
 * cores with the collector and InfluxDB, so it must not spend them building 500 objects per send.
 */
const templates = new Map<number, string>();
function metricsJson(agent: number, batch: number, points: number): string {
  let tpl = templates.get(points);
  if (!tpl) {
    const out: Metric[] = [];
    for (let i = 0; i < points; i++) out.push({ measurement: 'bench', tags: { series: `s${i % 50}`, f: String(Math.floor(i / 50)) }, fields: { value: i }, time: 0 });
    tpl = JSON.stringify(out).replaceAll('"time":0', '"time":__T__');
    templates.set(points, tpl);
  }
  return tpl.replaceAll('__T__', String(1_700_000_000_000 + batch * 10_000 + agent)); // unique per agent and batch
}

const influx = await startInfluxDb();
const data = tempDir('bench-collector');
const port = await freePort();
const password = 'bench-password';
console.log(`InfluxDB ${influx.url}; starting collector on :${port}; ${AGENTS} agents x ${POINTS_PER_BATCH} points/batch, window ${WINDOW}, ${SECONDS}s`);
const collector = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []), 'bin/patrol-collector.js', 'start', '--data-dir', data.path, '--port', String(port)], {
  env: { ...process.env, PATROL_INFLUX_URL: influx.url, PATROL_INFLUX_DATABASE: 'bench', PATROL_ADMIN_PASSWORD: password, PATROL_LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
await waitFor(async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok, 'collector', 30_000);
const auth = { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`, 'content-type': 'application/json' };
await fetch(`${base}/api/customers`, { method: 'POST', headers: auth, body: JSON.stringify({ id: 'bench', name: 'Bench' }) });

// Enroll and connect every agent before the clock starts.
const agents: Array<{ ws: WebSocket; sent: Map<number, number>; batch: number }> = [];
for (let i = 0; i < AGENTS; i++) {
  const { token } = (await (await fetch(`${base}/api/enrollment-tokens`, { method: 'POST', headers: auth, body: JSON.stringify({ customerId: 'bench' }) })).json()) as { token: string };
  const creds = (await (await fetch(`${base}/api/enroll`, { method: 'POST', headers: auth, body: JSON.stringify({ token, hostname: `bench-${i}` }) })).json()) as { agentId: string; agentKey: string };
  const ws = new WebSocket(`ws://127.0.0.1:${port}/agent`, { headers: { authorization: `Bearer ${creds.agentKey}` } });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agentId: creds.agentId, version: 'bench', facts: { hostname: `bench-${i}` } }));
  await new Promise((r) => ws.once('message', r));
  agents.push({ ws, sent: new Map(), batch: 0 });
}
console.log(`${AGENTS} agents connected`);

interface PhaseResult {
  pointsPerSec: number;
  p50: number;
  p99: number;
  cpuPct: number;
  peakRssBytes: number;
  ackedPoints: number;
}

/**
 * One measured phase. 'max': each agent keeps `window` batches in flight (as fast as acks come back).
 * 'steady': each agent sends one batch every `intervalSec`, spread over the interval (what a fleet does).
 */
async function runPhase(o: { mode: 'max' | 'steady'; seconds: number; points: number; intervalSec: number }): Promise<PhaseResult> {
  const latencies: number[] = [];
  let ackedPoints = 0;
  let running = true;
  let peakRss = 0;
  const timers: NodeJS.Timeout[] = [];
  const before = procStats(collector.pid!);
  const t0 = performance.now();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, procStats(collector.pid!).rssBytes)), 500);
  const sendNext = (a: (typeof agents)[number], idx: number) => {
    if (!running) return;
    const seq = a.batch++;
    a.sent.set(seq, performance.now());
    a.ws.send(`{"type":"batch","seq":${seq},"results":[],"metrics":${metricsJson(idx, seq, o.points)}}`);
  };
  agents.forEach((a, idx) => {
    a.ws.removeAllListeners('message');
    a.ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string; seq: number; message?: string };
      if (f.type !== 'ack') return console.error('collector error:', f.message);
      if (running) latencies.push(performance.now() - a.sent.get(f.seq)!);
      a.sent.delete(f.seq);
      if (running) ackedPoints += o.points;
      if (o.mode === 'max') sendNext(a, idx);
    });
    if (o.mode === 'max') for (let w = 0; w < WINDOW; w++) sendNext(a, idx);
    else {
      const first = setTimeout(() => {
        sendNext(a, idx);
        timers.push(setInterval(() => sendNext(a, idx), o.intervalSec * 1000));
      }, (idx / agents.length) * o.intervalSec * 1000);
      timers.push(first);
    }
  });
  await new Promise((r) => setTimeout(r, o.seconds * 1000));
  running = false;
  timers.forEach((t) => clearInterval(t));
  const elapsedSec = (performance.now() - t0) / 1000;
  const after = procStats(collector.pid!);
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 3000)); // let in-flight batches finish
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    pointsPerSec: ackedPoints / elapsedSec,
    p50: pct(50),
    p99: pct(99),
    cpuPct: ((after.cpuMs - before.cpuMs) / 1000 / elapsedSec) * 100,
    peakRssBytes: peakRss,
    ackedPoints,
  };
}

const steady = await runPhase({ mode: 'steady', seconds: STEADY_SECONDS, points: STEADY_POINTS, intervalSec: STEADY_INTERVAL });
console.log(`steady: ${Math.round(steady.pointsPerSec)} points/s, ack p50 ${steady.p50.toFixed(1)} ms p99 ${steady.p99.toFixed(1)} ms, collector CPU ${steady.cpuPct.toFixed(1)}%`);
const max = await runPhase({ mode: 'max', seconds: SECONDS, points: POINTS_PER_BATCH, intervalSec: 0 });
for (const a of agents) a.ws.close();
const ackedPoints = max.ackedPoints;
const collectorRate = max.pointsPerSec;

// The same number of points, as raw line protocol straight to the same InfluxDB (batches of 5,000, 4 in flight).
const total = Math.max(ackedPoints, 100_000);
const bodies: string[] = [];
for (let i = 0; i < total; i += 5000) {
  const pts: Metric[] = [];
  for (let j = 0; j < 5000; j++) pts.push({ measurement: 'raw', tags: { series: `s${j % 500}` }, fields: { value: j }, time: 1_600_000_000_000 + i + j });
  bodies.push(toLines(pts));
}
await fetch(`${influx.url}/query?q=${encodeURIComponent('CREATE DATABASE rawbench')}`, { method: 'POST' });
const r0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(`${influx.url}/write?db=rawbench&precision=ms`, { method: 'POST', body });
      if (res.status !== 204) throw new Error(`raw write failed ${res.status}`);
    }
  }),
);
const rawRate = (bodies.length * 5000) / ((performance.now() - r0) / 1000);

collector.kill('SIGTERM');
await new Promise((r) => collector.once('exit', r));
await influx.destroy();
data.remove();

const ratio = collectorRate / rawRate;
const rows = [
  ['agents', String(AGENTS)],
  [`steady: a batch of ${STEADY_POINTS} points per agent every ${STEADY_INTERVAL} s, for ${STEADY_SECONDS} s`, `${Math.round(steady.pointsPerSec).toLocaleString('en')} points/s stored`],
  ['steady: batch ack latency p50 / p99', `${steady.p50.toFixed(1)} ms / ${steady.p99.toFixed(1)} ms`],
  ['steady: collector CPU / RSS peak', `${steady.cpuPct.toFixed(1)}% of one core / ${(steady.peakRssBytes / 2 ** 20).toFixed(0)} MB`],
  [`max: ${POINTS_PER_BATCH} points per batch, ${WINDOW} batches in flight per agent, for ${SECONDS} s`, `${Math.round(collectorRate).toLocaleString('en')} points/s stored`],
  ['max: batch ack latency p50 / p99', `${max.p50.toFixed(1)} ms / ${max.p99.toFixed(1)} ms`],
  ['max: collector CPU / RSS peak', `${max.cpuPct.toFixed(0)}% of one core / ${(max.peakRssBytes / 2 ** 20).toFixed(0)} MB`],
  ['raw line protocol to the same InfluxDB', `${Math.round(rawRate).toLocaleString('en')} points/s`],
  ['max through the collector / raw', `${(ratio * 100).toFixed(0)}% (target >= 80%)`],
];
const READING = `Reading the figures: a fleet (the steady phase) costs the collector a few per cent of one core with acks in
milliseconds. At full speed the collector is bound by one core: every point is parsed, validated with zod (about a
quarter of its CPU in a profile), tagged and turned into line protocol, where the raw run only sends prepared text; and
on this machine InfluxDB and the load generator need the same two cores. The >= 80% target is not met here; the
ways left are cheaper per-point validation and spreading parsing over worker threads, which on two cores mostly
moves the contention.`;
const table = ['| figure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
console.log(`\n${table}\n`);
writeBenchmarkSection(
  'Ingest (npm run bench:ingest)',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machineLine()}; InfluxDB 1.6 (Debian), collector, load generator and InfluxDB share the two cores.\n\n${table}\n\n${READING}`,
);
process.exit(0);
