/**
 * npm run bench:dashboard [-- --hosts 1000 --tickets 200 --runs 40]
 * Server time to render the dashboard overview (host cards grouped by customer with CPU / memory / disk figures
 * and six-hour sparklines from the metrics store, the problems panel with SLA countdowns, agents offline) for an
 * admin who sees every host, measured in-process (app.request: routing, queries, HTML) and over loopback HTTP;
 * also the first page after start (the figures read from the store), a figures refresh and the live-states
 * poll. Every host has six hours of one-minute CPU, memory and two file systems' points, as the linux-base
 * template writes them. Prints figures and rewrites the "Dashboard" section of docs/benchmarks.md.
 */
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadCollectorConfig } from '../collector/config.js';
import { startCollector } from '../collector/server.js';
import { dashboardPlugin } from '../collector/dashboard/plugin.js';
import { createSession } from '../collector/dashboard/sessions.js';
import { ensureCustomer } from '../collector/db/customers.js';
import { createHost, type Host } from '../collector/db/hosts.js';
import { findUserByName } from '../collector/db/users.js';
import { recordCheckResults } from '../collector/db/check-states.js';
import { openTicket } from '../collector/tickets/lifecycle.js';
import type { Status } from '../shared/status.js';
import type { Metric } from '../shared/metric.js';
import { HostFigures } from '../collector/dashboard/pages/overview-figures.js';
import { PROBLEMS_SHOWN } from '../collector/dashboard/pages/overview-problems.js';
import { cardsPerCustomer } from '../collector/dashboard/pages/overview.js';
import { tempDir } from './servers/temp-dir.js';
import { machineLine, writeBenchmarkSection } from './bench-report.js';

const { values } = parseArgs({
  options: { hosts: { type: 'string', default: '1000' }, tickets: { type: 'string', default: '200' }, runs: { type: 'string', default: '40' } },
});
const loadAtStart = loadavg()[0]!.toFixed(1);
const HOSTS = Number(values.hosts);
const TICKETS = Number(values.tickets);
const RUNS = Number(values.runs);
const CUSTOMERS = 20;
const CHECKS = ['system.cpu', 'system.memory', 'system.disk', 'system.network', 'system.load', 'system.uptime', 'system.clock', 'system.inventory'];

const dir = tempDir('bench-dashboard');
const collector = await startCollector({ config: loadCollectorConfig(undefined, { port: 0, dataDir: dir.path, tls: 'off' }), plugins: [dashboardPlugin] });
const { db } = collector;
const now = Date.now();

// A fixed pseudo-random sequence, so runs are comparable.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pickStatus = (): Status => {
  const r = rand();
  return r < 0.85 ? 'OK' : r < 0.93 ? 'WARNING' : r < 0.98 ? 'CRITICAL' : 'UNKNOWN';
};

const hosts: Host[] = [];
db.transaction(() => {
  for (let c = 0; c < CUSTOMERS; c++) ensureCustomer(db, `cust-${c}`, `Customer ${c} 有限公司`, now);
  for (let i = 0; i < HOSTS; i++) {
    const customerId = `cust-${i % CUSTOMERS}`;
    const h = createHost(db, { customerId, name: `host-${String(i).padStart(4, '0')}.example`, kind: 'agent', tags: [i % 3 ? 'linux' : 'db', `rack-${i % 10}`], now });
    hosts.push(h);
    if (i % 7 !== 0) db.prepare('UPDATE hosts SET connected = 1, last_seen_at = ? WHERE id = ?').run(now, h.id);
    recordCheckResults(
      db,
      h.id,
      customerId,
      CHECKS.map((name) => ({ name, checkId: name, status: pickStatus(), summary: `${name} summary text for ${h.name}`, startedAt: now - 30_000, durationMs: 3, metrics: [] })),
    );
  }
  for (let t = 0; t < TICKETS; t++) {
    const host = hosts[Math.floor(rand() * hosts.length)]!;
    openTicket(db, { host, kind: 'check', checkName: `bench.check-${t}`, checkId: 'system.disk', status: 'CRITICAL', summary: 'disk 95% used', severity: t % 4 === 0 ? 'P1' : 'P2', flapping: false, now: now - t * 60_000 });
  }
})();

// Six hours of points every 60 s (the linux-base interval): cpu, mem and disk on / and /var, through the store.
const POINTS_PER_SERIES = 360;
const writeStarted = performance.now();
let batch: Metric[] = [];
for (const [i, h] of hosts.entries()) {
  const tags = { customer: h.customerId, host: h.id };
  for (let k = 0; k < POINTS_PER_SERIES; k++) {
    const time = now - (POINTS_PER_SERIES - k) * 60_000;
    batch.push({ measurement: 'cpu', tags, fields: { usage_pct: 10 + ((i * 7 + k) % 80) }, time });
    batch.push({ measurement: 'mem', tags, fields: { used_pct: 40 + (i % 50) }, time });
    batch.push({ measurement: 'disk', tags: { ...tags, mount: '/' }, fields: { used_pct: 30 + (i % 60) }, time });
    batch.push({ measurement: 'disk', tags: { ...tags, mount: '/var' }, fields: { used_pct: 20 + (i % 40) }, time });
  }
  if (batch.length >= 40_000) {
    await collector.store.write(batch);
    batch = [];
  }
}
await collector.store.write(batch);
const writeMs = performance.now() - writeStarted;

const admin = findUserByName(db, 'admin')!;
const { sessionId } = createSession(db, admin.id, now);
const cookie = `patrol_session=${sessionId}`;

/**
 * CPU time of this process (user + system, ms): on a machine shared with other work the wall time measures the
 * queue for the cores as much as the page, while the CPU time a page costs does not depend on who else runs.
 */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function measure(what: string, run: () => Promise<Response>): Promise<{ p50: number; p95: number; max: number; bytes: number; cpuP50: number }> {
  let bytes = 0;
  for (let i = 0; i < 3; i++) await (await run()).text(); // warm-up: statement cache, JIT
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const c0 = cpuMs();
    const res = await run();
    const body = await res.text();
    times.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
    if (res.status !== 200) throw new Error(`${what}: HTTP ${res.status}`);
    bytes = Buffer.byteLength(body);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: times[times.length - 1]!, bytes, cpuP50: cpu[Math.floor(cpu.length / 2)]! };
}

// The first page after start reads the six hours of every host from the store (one query per metric).
const firstStarted = performance.now();
const firstCpu = cpuMs();
const first = await collector.app.request('/', { headers: { cookie } });
await first.text();
const firstMs = performance.now() - firstStarted;
const firstCpuMs = cpuMs() - firstCpu;
// A refresh (every 15 s while someone looks) reads only the last bucket or two; measured on a cache of its own.
const figures = new HostFigures(collector.store);
const fullCpu = cpuMs();
await figures.forHosts([], now);
const fullMs = cpuMs() - fullCpu;
const refreshCpu = cpuMs();
await figures.forHosts([], now + 16_000);
await figures.settled(); // the page that starts a refresh does not wait for it; the bench does
const refreshMs = cpuMs() - refreshCpu;

const inProcess = await measure('overview in-process', () => Promise.resolve(collector.app.request('/', { headers: { cookie } })));
const overHttp = await measure('overview over HTTP', () => fetch(`${collector.url}/`, { headers: { cookie } }));
const filtered = await measure('overview one customer', () => fetch(`${collector.url}/?customer=cust-3`, { headers: { cookie } }));
const live = await measure('live states', () => fetch(`${collector.url}/live/states`, { headers: { cookie } }));
const html = await (await collector.app.request('/', { headers: { cookie } })).text();
const cards = (html.match(/<article class="card"/g) ?? []).length;
const sparks = (html.match(/<svg class="spark"/g) ?? []).length;
const more = [...html.matchAll(/data-more="(\d+)"/g)].reduce((n, m) => n + Number(m[1]), 0);
const ticketRows = (html.match(/<tr data-ticket=/g) ?? []).length;
const rowsExpected = Math.min(TICKETS, PROBLEMS_SHOWN);
const cardsExpected = Math.min(HOSTS, CUSTOMERS * cardsPerCustomer(CUSTOMERS));
if (cards !== cardsExpected || cards + more !== HOSTS || ticketRows !== rowsExpected || sparks !== cards * 3) {
  throw new Error(`overview shows ${cards} cards (+${more} behind links), ${sparks} sparklines and ${ticketRows} problems, expected ${cardsExpected}, ${cardsExpected * 3} and ${rowsExpected}`);
}
const oneCustomer = await (await collector.app.request('/?customer=cust-3', { headers: { cookie } })).text();
const oneCustomerCards = (oneCustomer.match(/<article class="card"/g) ?? []).length;

const ms = (x: number) => `${x.toFixed(1)} ms`;
const rows: Array<[string, string]> = [
  ['hosts / customers / check states', `${HOSTS} / ${CUSTOMERS} / ${HOSTS * CHECKS.length}`],
  ['metric points (6 h, every 60 s: cpu, mem, 2 disks)', `${(HOSTS * POINTS_PER_SERIES * 4).toLocaleString('en')} (written in ${(writeMs / 1000).toFixed(1)} s)`],
  ['open tickets / problems listed', `${TICKETS} / ${rowsExpected}`],
  ['first overview after start (figures read: 3 metrics x 6 h), wall / CPU', `${ms(firstMs)} / ${ms(firstCpuMs)}`],
  ['figures CPU: full read / 15 s refresh (last 1-2 buckets)', `${ms(fullMs)} / ${ms(refreshMs)}`],
  ['host cards with figures / behind "N more" links', `${cards} / ${more}`],
  ['overview in-process p50 / p95 / max', `${ms(inProcess.p50)} / ${ms(inProcess.p95)} / ${ms(inProcess.max)}`],
  ['overview in-process CPU per page p50', ms(inProcess.cpuP50)],
  ['overview over loopback HTTP p50 / p95', `${ms(overHttp.p50)} / ${ms(overHttp.p95)}`],
  ['overview HTML size', `${(overHttp.bytes / 1024).toFixed(0)} KiB`],
  [`overview filtered to one customer (${oneCustomerCards} cards) p50 wall / CPU`, `${ms(filtered.p50)} / ${ms(filtered.cpuP50)}`],
  ['live states poll p50 (JSON)', `${ms(live.p50)} (${(live.bytes / 1024).toFixed(0)} KiB)`],
];
const table = ['| figure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
console.log(table);
writeBenchmarkSection(
  'Dashboard (npm run bench:dashboard)',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machineLine()}; embedded SQLite, admin session (sees every host), ${RUNS} runs after 3 warm-ups ` +
    `(the card figures are kept between pages and refreshed at most every 15 s, so the runs show the page with kept figures; the first page and a refresh are measured apart). ` +
    `Load average at the start ${loadAtStart} on ${cpus().length} cores: where other work shares the cores, the CPU figures are the cost of a page and the wall times include the wait for a core.\n\n${table}`,
);
await collector.close();
dir.remove();
