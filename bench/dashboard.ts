/**
 * npm run bench:dashboard [-- --hosts 1000 --tickets 200 --runs 40]
 * Server time to render the dashboard overview (customers and hosts grid, open tickets with SLA countdowns,
 * agents offline) for an admin who sees every host, measured in-process (app.request: routing, queries,
 * HTML) and over loopback HTTP; also the live-states poll. Prints figures and rewrites the "Dashboard"
 * section of docs/benchmarks.md.
 */
import { parseArgs } from 'node:util';
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
import { tempDir } from './servers/temp-dir.js';
import { machineLine, writeBenchmarkSection } from './bench-report.js';

const { values } = parseArgs({
  options: { hosts: { type: 'string', default: '1000' }, tickets: { type: 'string', default: '200' }, runs: { type: 'string', default: '40' } },
});
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

const admin = findUserByName(db, 'admin')!;
const { sessionId } = createSession(db, admin.id, now);
const cookie = `patrol_session=${sessionId}`;

async function measure(what: string, run: () => Promise<Response>): Promise<{ p50: number; p95: number; max: number; bytes: number }> {
  let bytes = 0;
  for (let i = 0; i < 3; i++) await (await run()).text(); // warm-up: statement cache, JIT
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await run();
    const body = await res.text();
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`${what}: HTTP ${res.status}`);
    bytes = Buffer.byteLength(body);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: times[times.length - 1]!, bytes };
}

const inProcess = await measure('overview in-process', () => Promise.resolve(collector.app.request('/', { headers: { cookie } })));
const overHttp = await measure('overview over HTTP', () => fetch(`${collector.url}/`, { headers: { cookie } }));
const filtered = await measure('overview one customer', () => fetch(`${collector.url}/?customer=cust-3`, { headers: { cookie } }));
const live = await measure('live states', () => fetch(`${collector.url}/live/states`, { headers: { cookie } }));
const html = await (await collector.app.request('/', { headers: { cookie } })).text();
const cells = (html.match(/class="cell /g) ?? []).length;
const ticketRows = (html.match(/<tr data-ticket=/g) ?? []).length;
if (cells !== HOSTS || ticketRows !== TICKETS) throw new Error(`overview shows ${cells} hosts and ${ticketRows} tickets, expected ${HOSTS} and ${TICKETS}`);

const ms = (x: number) => `${x.toFixed(1)} ms`;
const rows: Array<[string, string]> = [
  ['hosts / customers / check states', `${HOSTS} / ${CUSTOMERS} / ${HOSTS * CHECKS.length}`],
  ['open tickets shown', String(TICKETS)],
  ['overview in-process p50 / p95 / max', `${ms(inProcess.p50)} / ${ms(inProcess.p95)} / ${ms(inProcess.max)}`],
  ['overview over loopback HTTP p50 / p95', `${ms(overHttp.p50)} / ${ms(overHttp.p95)}`],
  ['overview HTML size', `${(overHttp.bytes / 1024).toFixed(0)} KiB`],
  ['overview filtered to one customer p50', ms(filtered.p50)],
  ['live states poll p50 (JSON)', `${ms(live.p50)} (${(live.bytes / 1024).toFixed(0)} KiB)`],
];
const table = ['| figure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
console.log(table);
writeBenchmarkSection(
  'Dashboard (npm run bench:dashboard)',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machineLine()}; embedded SQLite, admin session (sees every host), ${RUNS} runs after 3 warm-ups.\n\n${table}`,
);
await collector.close();
dir.remove();
