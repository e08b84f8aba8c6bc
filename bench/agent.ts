/**
 * npm run bench:agent [-- --warmup 40 --window 60 --repeat 1 --sim-hours 24 --no-peers --no-write --compare DIR --node-flags '...']
 *
 * What the bundled agent costs a customer's server, side by side with the agents they know: the agent from
 * `npm run build:agent` run the way its systemd unit runs it (the unit's Node flags), enrolled to a local
 * collector and running linux-base; the same agent with the redis database template added; Debian's
 * prometheus-node-exporter, zabbix_agent2 and netdata (installed when missing and root, each with its own config
 * on a free loopback port); a bare Node process. All start together, idle for the warm-up, then one window:
 * RSS and PSS from /proc/PID/smaps_rollup (summed over the process tree), CPU from /proc/PID/stat.
 * Then where the agent's memory goes (smaps by mapping, V8's own figures from a probe preloaded into a twin
 * agent), and a day simulated at 60x speed to show that RSS does not grow. Writes its section of
 * docs/benchmarks.md between markers.
 */
import { execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAgent } from '../deploy/build-agent.js';
import { listCheckStates } from '../collector/db/check-states.js';
import { LINUX_BASE } from '../collector/assignment/linux-base.js';
import type { CheckAssignment } from '../shared/assignment.js';
import { machineLine } from './bench-report.js';
import { writeMarkedBlock } from './marked-section.js';
import { libraryCosts } from './agent-libraries.js';
import { CUSTOMER, cleanEnv, startBenchCollector, type BenchCollector } from './agent-collector.js';
import { cpuBetween, memoryMap, sampleTree, type MemoryMap, type TreeSample } from './agent-proc.js';
import {
  benchDir,
  childProcess,
  debianBinary,
  startNetdata,
  startNodeExporter,
  startRedis,
  startZabbixAgent2,
  waitFor,
  type BenchProcess,
  type BenchRedis,
} from './agent-peers.js';

const { values: args } = parseArgs({
  options: {
    warmup: { type: 'string', default: '40' },
    window: { type: 'string', default: '60' },
    repeat: { type: 'string', default: '1' },
    'sim-hours': { type: 'string', default: '24' },
    'no-peers': { type: 'boolean', default: false },
    /** Node flags for the agents instead of the unit's (e.g. --node-flags='' to see what --lite-mode costs in CPU). */
    'node-flags': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    /** Another unpacked bundle folder (an older build) measured in the same window, for a before/after. */
    compare: { type: 'string' },
  },
});
const WARMUP_SEC = Number(args.warmup);
const WINDOW_SEC = Number(args.window);
const REPEAT = Math.max(1, Number(args.repeat));
const SIM_HOURS = Number(args['sim-hours']);

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const PROBE = join(ROOT, 'bench', 'agent-heap-probe.mjs');
// PATROL_CHECK_: an agent reads no other PATROL_* name as a check's password.
const REDIS_PASSWORD_ENV = 'PATROL_CHECK_BENCH_REDIS_PASSWORD';
const log = (s: string) => console.error(`[bench:agent] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

/** The Node flags the systemd unit gives the agent: whatever stands between node and patrol-agent.mjs in ExecStart. */
function unitNodeFlags(bundleFolder: string): string[] {
  const unit = readFileSync(join(bundleFolder, 'patrol-agent.service'), 'utf8');
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.trim().split(/\s+/) ?? [];
  const entry = exec.findIndex((t) => t.endsWith('patrol-agent.mjs'));
  return entry > 1 ? exec.slice(1, entry) : [];
}

function debianVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' }).replace(/^\d+:/, '').replace(/[-+].*$/, '');
  } catch {
    return '?';
  }
}

interface AgentProcess extends BenchProcess {
  stateDir: string;
  logFile: string;
}

function spawnAgent(bundle: string, flags: string[], c: BenchCollector, name: string, opts: { env?: Record<string, string>; probeOut?: string } = {}): AgentProcess {
  const stateDir = benchDir(`agent-${name}`);
  const logFile = join(stateDir, 'agent.log');
  const out = openSync(logFile, 'a');
  const probe = opts.probeOut ? ['--import', PROBE] : [];
  const child = spawn(
    process.execPath,
    [...flags, ...probe, join(bundle, 'patrol-agent.mjs'), '--collector', c.wsUrl, '--state-dir', join(stateDir, 'state'), '--enroll', c.token(), '--name', name],
    { stdio: ['ignore', out, out], env: cleanEnv({ ...opts.env, ...(opts.probeOut ? { PATROL_BENCH_PROBE_OUT: opts.probeOut } : {}) }) },
  );
  return { ...childProcess(name, child, stateDir), stateDir, logFile };
}

/** The last lines an agent logged, for an error message (its folder is deleted when it stops). */
function tail(a: AgentProcess): string {
  return existsSync(a.logFile) ? readFileSync(a.logFile, 'utf8').trim().split('\n').slice(-8).join('\n') || '(empty log)' : '(no log)';
}

async function connected(c: BenchCollector, a: AgentProcess): Promise<string> {
  try {
    return await waitFor(() => c.hostId(a.name), `agent ${a.name} to connect`);
  } catch (err) {
    throw new Error(`${(err as Error).message}; its log:\n${tail(a)}`);
  }
}

async function assign(c: BenchCollector, hostId: string, body: unknown): Promise<void> {
  const r = await c.api('PUT', `/api/hosts/${hostId}/assignments`, body);
  if (r.status !== 200 || !r.json.pushedToAgent) throw new Error(`assignment for ${hostId} failed: ${r.status} ${JSON.stringify(r.json)}`);
}

/** What the V8 probe in the twin agent (and in a bare node) said. */
interface ProbeReport {
  memoryUsage: NodeJS.MemoryUsage;
  heapSpaces: Array<{ space_name: string; space_size: number; space_used_size: number; physical_space_size: number }>;
  heap: { total_physical_size: number; used_heap_size: number; malloced_memory: number; external_memory: number };
  code: { code_and_metadata_size: number; bytecode_and_metadata_size: number; external_script_source_size: number };
}

async function probe(pid: number, file: string): Promise<ProbeReport | undefined> {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  try {
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').length > 0, 'the heap probe', 5000);
    return JSON.parse(readFileSync(file, 'utf8')) as ProbeReport;
  } catch {
    return undefined;
  }
}

interface Row {
  label: string;
  rssKb: number;
  pssKb: number;
  peakRssKb: number;
  cpuMs: number;
  childCpuMs: number;
  schedMs: number;
  wakeups: number;
  processes: number;
}

interface SideBySide {
  rows: Row[];
  breakdown?: { map: MemoryMap; probe?: ProbeReport; bare?: ProbeReport; bareMap?: MemoryMap };
  checks: Record<string, string[]>;
}

/** One side-by-side window: every measured process starts together, warms up, then is sampled. */
async function sideBySide(bundle: string, flags: string[], peers: Record<string, string | undefined>, redisBin: string | undefined): Promise<SideBySide> {
  const c = await startBenchCollector();
  const procs: Array<{ label: string; p: BenchProcess }> = [];
  /** Started but not in the table: the probed twin and the probed bare node. */
  const helpers: BenchProcess[] = [];
  let redis: BenchRedis | undefined;
  const probeDir = benchDir('probe');
  try {
    if (redisBin) redis = await startRedis(redisBin);
    const base = spawnAgent(bundle, flags, c, 'bench-base');
    procs.push({ label: `Patrol agent (bundle, linux-base)`, p: base });
    const db = redis ? spawnAgent(bundle, flags, c, 'bench-db', { env: { [REDIS_PASSWORD_ENV]: redis.password } }) : undefined;
    if (db) procs.push({ label: 'Patrol agent (bundle, linux-base + redis template)', p: db });
    if (args.compare) {
      const folder = resolve(args.compare);
      const version = readFileSync(join(folder, 'VERSION'), 'utf8').trim();
      procs.push({ label: `Patrol agent ${version} (compared, linux-base)`, p: spawnAgent(folder, unitNodeFlags(folder), c, 'bench-compare') });
    }
    const twin = spawnAgent(bundle, flags, c, 'bench-probe', { probeOut: join(probeDir, 'agent.json') });
    helpers.push(twin);
    const bareChild = spawn(process.execPath, ['-e', 'setInterval(()=>{},1e3)'], { stdio: 'ignore', env: cleanEnv() });
    procs.push({ label: "bare `node -e 'setInterval(()=>{},1e3)'`", p: childProcess('bare-node', bareChild) });
    if (flags.length) {
      const bareFlags = spawn(process.execPath, [...flags, '-e', 'setInterval(()=>{},1e3)'], { stdio: 'ignore', env: cleanEnv() });
      procs.push({ label: `bare node with the unit's flags`, p: childProcess('bare-node-flags', bareFlags) });
    }
    // The breakdown's "bare node" runs with the unit's flags too, so the difference is the agent's own.
    const bareProbe = spawn(process.execPath, [...flags, '--import', PROBE, '-e', 'setInterval(()=>{},1e3)'], {
      stdio: 'ignore',
      env: cleanEnv({ PATROL_BENCH_PROBE_OUT: join(probeDir, 'bare.json') }),
    });
    const bareProbeProc = childProcess('bare-probe', bareProbe);
    helpers.push(bareProbeProc);
    if (peers.nodeExporter) procs.push({ label: `prometheus-node-exporter ${debianVersion('prometheus-node-exporter')}`, p: await startNodeExporter(peers.nodeExporter) });
    if (peers.zabbix) procs.push({ label: `zabbix_agent2 ${debianVersion('zabbix-agent2')}`, p: await startZabbixAgent2(peers.zabbix) });
    if (peers.netdata) procs.push({ label: `netdata ${debianVersion('netdata')}`, p: await startNetdata(peers.netdata) });
    const started = Date.now();

    await connected(c, base);
    await connected(c, twin);
    if (db && redis) {
      const id = await connected(c, db);
      await assign(c, id, { templates: ['linux-base', 'redis'], overrides: { 'db.redis': { port: redis.port, passwordEnv: REDIS_PASSWORD_ENV } } });
    }
    const warm = WARMUP_SEC * 1000 - (Date.now() - started);
    log(`warm-up ${WARMUP_SEC} s`);
    if (warm > 0) await sleep(warm);

    const first = new Map(procs.map(({ p }) => [p.pid, sampleTree(p.pid)]));
    const peak = new Map(procs.map(({ p }) => [p.pid, first.get(p.pid)!.rssKb]));
    log(`window ${WINDOW_SEC} s`);
    const windowEnd = Date.now() + WINDOW_SEC * 1000;
    let last = first;
    while (Date.now() < windowEnd) {
      await sleep(Math.min(5000, windowEnd - Date.now()));
      last = new Map(procs.map(({ p }) => [p.pid, sampleTree(p.pid)]));
      for (const [pid, s] of last) peak.set(pid, Math.max(peak.get(pid)!, s.rssKb));
    }
    const rows = procs.map(({ label, p }): Row => {
      const a = first.get(p.pid)!;
      const b: TreeSample = last.get(p.pid)!;
      const cpu = cpuBetween(a, b);
      return { label, rssKb: b.rssKb, pssKb: b.pssKb, peakRssKb: peak.get(p.pid)!, cpuMs: cpu.ownMs, childCpuMs: cpu.childrenMs, schedMs: cpu.schedMs, wakeups: cpu.wakeups, processes: b.pids.length };
    });

    // The agents must have worked the whole time, or their figures mean nothing.
    const checks: Record<string, string[]> = {};
    for (const a of [base, twin, ...(db ? [db] : [])]) {
      const hostId = c.hostId(a.name);
      if (!hostId) throw new Error(`agent ${a.name} is no longer connected; its log:\n${tail(a)}`);
      checks[a.name] = listCheckStates(c.collector.db, { hostId }).map((s) => `${s.name}=${s.status}${s.status === 'OK' ? '' : ` (${s.summary})`}`);
      const expected = [...LINUX_BASE.map((x) => x.name), ...(a === db ? ['db.redis'] : [])];
      const missing = expected.filter((n) => !checks[a.name]!.some((s) => s.startsWith(`${n}=`)));
      if (missing.length) throw new Error(`agent ${a.name} sent no result for ${missing.join(', ')}; its log:\n${tail(a)}`);
    }
    const map = memoryMap(twin.pid);
    const breakdown = map
      ? { map, probe: await probe(twin.pid, join(probeDir, 'agent.json')), bare: await probe(bareProbeProc.pid, join(probeDir, 'bare.json')), bareMap: memoryMap(bareProbeProc.pid) }
      : undefined;
    return { rows, breakdown, checks };
  } finally {
    for (const p of [...procs.map((x) => x.p), ...helpers]) await p.stop();
    await redis?.stop();
    await c.close();
    rmSync(probeDir, { recursive: true, force: true });
  }
}

interface SimSample {
  simHours: number;
  rssKb: number;
  pssKb: number;
  heapUsedBytes?: number;
}

/**
 * A day of linux-base in SIM_HOURS minutes: every interval divided by 60 (60 s checks every second, uptime every
 * 5 s, the daily inventory once per 24 min) and batches every second instead of every 10 s. So each check runs
 * as often as in SIM_HOURS hours and the agent sends 1/10 of that day's batches.
 */
async function simulateDay(bundle: string, flags: string[]): Promise<{ samples: SimSample[]; results: number; scheduled: number; cpuMs: number; childCpuMs: number }> {
  const c = await startBenchCollector(1);
  const probeDir = benchDir('sim-probe');
  const probeOut = join(probeDir, 'sim.json');
  const agent = spawnAgent(bundle, flags, c, 'bench-sim', { probeOut });
  try {
    const fast: CheckAssignment[] = LINUX_BASE.map((a) => ({ ...a, intervalSec: Math.max(1, Math.round(a.intervalSec / 60)) }));
    const t = await c.api('POST', '/api/templates', { customerId: CUSTOMER, name: 'linux-base-60x', description: 'linux-base, intervals / 60', checks: fast });
    if (t.status !== 201) throw new Error(`template: ${t.status} ${JSON.stringify(t.json)}`);
    const hostId = await connected(c, agent);
    await assign(c, hostId, { templates: [t.json.template.id] });
    const startedAt = Date.now();
    const samples: SimSample[] = [];
    const first = sampleTree(agent.pid);
    let last = first;
    const endAt = startedAt + SIM_HOURS * 60_000;
    let nextLog = 0;
    while (Date.now() < endAt) {
      await sleep(Math.min(15_000, Math.max(0, endAt - Date.now())));
      last = sampleTree(agent.pid);
      const p = await probe(agent.pid, probeOut);
      const simHours = (Date.now() - startedAt) / 60_000;
      samples.push({ simHours, rssKb: last.rssKb, pssKb: last.pssKb, heapUsedBytes: p?.memoryUsage.heapUsed });
      if (simHours >= nextLog) {
        log(`simulated ${simHours.toFixed(1)} h: RSS ${mb(last.rssKb)}, heap used ${p ? mb(p.memoryUsage.heapUsed / 1024) : '?'}, results ${c.resultsOf(agent.name)}`);
        nextLog += 2;
      }
    }
    const cpu = cpuBetween(first, last);
    if (!c.hostId(agent.name)) throw new Error(`the simulated agent lost its collector; its log:\n${tail(agent)}`);
    // First runs come within 5 s, then every interval: about this many were due.
    const seconds = (Date.now() - startedAt) / 1000;
    const scheduled = fast.reduce((n, a) => n + 1 + Math.floor(seconds / a.intervalSec), 0);
    return { samples, results: c.resultsOf(agent.name), scheduled, cpuMs: cpu.ownMs, childCpuMs: cpu.childrenMs };
  } finally {
    await agent.stop();
    await c.close();
    rmSync(probeDir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function breakdownTable(b: NonNullable<SideBySide['breakdown']>): string {
  const kb = (bytes: number) => bytes / 1024;
  const lines = ['| where | agent RSS | bare node RSS |', '| --- | --- | --- |'];
  const row = (what: string, agent: number | undefined, bare: number | undefined) =>
    lines.push(`| ${what} | ${agent === undefined ? '?' : mb(agent)} | ${bare === undefined ? '?' : mb(bare)} |`);
  const { map, probe: p, bare, bareMap } = b;
  row('node binary (text, read-only data; shared with every Node process: see PSS)', map.binary.rssKb, bareMap?.binary.rssKb);
  row('shared libraries (libc, libstdc++, ...)', map.libraries.rssKb, bareMap?.libraries.rssKb);
  const v8Physical = p ? kb(p.heap.total_physical_size) : undefined;
  const bareV8 = bare ? kb(bare.heap.total_physical_size) : undefined;
  row('V8 heap, resident (all spaces)', v8Physical, bareV8);
  if (p && bare) {
    row('&nbsp;&nbsp;of which live objects (heapUsed)', kb(p.memoryUsage.heapUsed), kb(bare.memoryUsage.heapUsed));
    row('&nbsp;&nbsp;of which bytecode and compiled code', kb(p.code.bytecode_and_metadata_size + p.code.code_and_metadata_size), kb(bare.code.bytecode_and_metadata_size + bare.code.code_and_metadata_size));
    row('&nbsp;&nbsp;of which JavaScript source text (external_script_source_size)', kb(p.code.external_script_source_size), kb(bare.code.external_script_source_size));
    const spaces = p.heapSpaces.filter((s) => s.physical_space_size > 512 * 1024).map((s) => `${s.space_name} ${mb(kb(s.physical_space_size))}`);
    lines.push(`| &nbsp;&nbsp;by space | ${spaces.join(', ')} | |`);
  }
  const rest = (m: MemoryMap | undefined, v8: number | undefined) => (m && v8 !== undefined ? m.anonymous.rssKb + m.mallocHeap.rssKb - v8 : undefined);
  row('malloc and other anonymous memory (Node and V8 C++ structures, thread stacks, buffers)', rest(map, v8Physical), rest(bareMap, bareV8));
  row('other mappings ([stack], files)', map.other.rssKb, bareMap?.other.rssKb);
  const total = (m: MemoryMap | undefined) => (m ? m.binary.rssKb + m.libraries.rssKb + m.mallocHeap.rssKb + m.anonymous.rssKb + m.other.rssKb : undefined);
  row('**total RSS**', total(map), total(bareMap));
  return lines.join('\n');
}

async function main(): Promise<void> {
  log('building the agent bundle (npm run build:agent)');
  const build = await buildAgent();
  const flags = args['node-flags'] !== undefined ? args['node-flags'].split(/\s+/).filter(Boolean) : unitNodeFlags(build.folder);
  log(`bundle ${build.folder}; unit flags: ${flags.join(' ') || '(none)'}`);
  const peers = args['no-peers']
    ? {}
    : {
        nodeExporter: debianBinary('prometheus-node-exporter', '/usr/bin/prometheus-node-exporter', log),
        zabbix: debianBinary('zabbix-agent2', '/usr/sbin/zabbix_agent2', log),
        netdata: debianBinary('netdata', '/usr/sbin/netdata', log),
      };
  const redisBin = debianBinary('redis-server', '/usr/bin/redis-server', log);

  const runs: SideBySide[] = [];
  for (let i = 0; i < REPEAT; i++) {
    log(`side-by-side run ${i + 1} of ${REPEAT}`);
    runs.push(await sideBySide(build.folder, flags, peers, redisBin));
  }
  // Per row, the median of the runs (each figure on its own).
  const rows: Row[] = runs[0]!.rows.map((r, i) => {
    const col = (k: keyof Omit<Row, 'label'>) => median(runs.map((x) => x.rows[i]![k]));
    return { label: r.label, rssKb: col('rssKb'), pssKb: col('pssKb'), peakRssKb: col('peakRssKb'), cpuMs: col('cpuMs'), childCpuMs: col('childCpuMs'), schedMs: col('schedMs'), wakeups: col('wakeups'), processes: col('processes') };
  });
  const perMin = 60 / WINDOW_SEC;
  const table = [
    `| agent | RSS | PSS | peak RSS | CPU per 60 s | same, scheduler's count | wake-ups per 60 s | its commands' CPU per 60 s | processes |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${mb(r.rssKb)} | ${mb(r.pssKb)} | ${mb(r.peakRssKb)} | ${Math.round(r.cpuMs * perMin)} ms | ${(r.schedMs * perMin).toFixed(1)} ms | ${Math.round(r.wakeups * perMin)} | ${Math.round(r.childCpuMs * perMin)} ms | ${r.processes} |`,
    ),
  ].join('\n');
  console.log(`\n${table}\n`);
  const last = runs[runs.length - 1]!;
  const breakdown = last.breakdown ? breakdownTable(last.breakdown) : '(no breakdown: the twin agent was gone)';
  console.log(`${breakdown}\n`);
  console.log(`checks seen by the collector: ${JSON.stringify(last.checks)}`);

  log('library costs (each bundled and minified, with the unit\'s flags)');
  const libs = await libraryCosts(ROOT, flags);
  const libText = [
    `What each library costs at start, bundled and minified as in the agent and run with the unit's flags: the RSS of a process`,
    `loading all of them (${mb(libs.allKb)}; an idle Node ${mb(libs.noneKb)}) minus that of one loading all but that one (median of 3):`,
    '',
    '| library | RSS it adds |',
    '| --- | --- |',
    ...libs.costs.map((c) => `| ${c.name} | ${mb(c.kb)} |`),
  ].join('\n');
  console.log(`\n${libText}\n`);

  const body = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machineLine()}; agent ${build.version}, Node flags from its unit: ${flags.length ? `\`${flags.join(' ')}\`` : 'none'}.`,
    `All processes started together, ${WARMUP_SEC} s warm-up, then a ${WINDOW_SEC} s window${REPEAT > 1 ? `; median of ${REPEAT} runs` : ''}. RSS/PSS at the end of the window`,
    `(summed over the process tree), CPU = utime + stime over the window; "its commands" = CPU of the programs it ran and waited for`,
    '(cutime + cstime). CPU resolution is 10 ms, and other work on this 2-core machine can add some. The scheduler\'s count is the time',
    'on a CPU of all threads from /proc/PID/task/*/schedstat (ns); wake-ups are their voluntary context switches (timers, I/O, blocking calls).',
    '',
    table,
    '',
    'Where the agent\'s memory goes (a twin agent with a V8 probe preloaded, beside a bare Node with the same probe and flags):',
    '',
    breakdown,
    '',
    libText,
  ].join('\n');
  if (!args['no-write']) {
    writeMarkedBlock(join(ROOT, 'docs', 'benchmarks.md'), 'bench:agent', 'Agent footprint (npm run bench:agent)', body);
    log('docs/benchmarks.md updated');
  }

  if (SIM_HOURS > 0) {
    log(`simulating ${SIM_HOURS} h of linux-base at 60x (${SIM_HOURS} minutes)`);
    const sim = await simulateDay(build.folder, flags);
    const at = (h: number) => sim.samples.reduce((best, s) => (Math.abs(s.simHours - h) < Math.abs(best.simHours - h) ? s : best));
    const marks = [1, ...[4, 8, 12, 16, 20, 24].filter((h) => h < SIM_HOURS), SIM_HOURS];
    const simTable = [
      '| simulated hours | RSS | PSS | V8 heap used |',
      '| --- | --- | --- | --- |',
      ...marks.map((h) => at(h)).map((s) => `| ${s.simHours.toFixed(1)} | ${mb(s.rssKb)} | ${mb(s.pssKb)} | ${s.heapUsedBytes ? mb(s.heapUsedBytes / 1024) : '?'} |`),
    ].join('\n');
    const peakSim = Math.max(...sim.samples.map((s) => s.rssKb));
    const simText = [
      `Measured ${new Date().toISOString().slice(0, 10)}, agent ${build.version}. ${SIM_HOURS} simulated hours at 60x speed (${SIM_HOURS} minutes): linux-base with every interval`,
      `divided by 60 (the 60 s checks every second, the daily inventory once), batches every second. ${sim.results.toLocaleString('en')} results reached the collector`,
      `of about ${sim.scheduled.toLocaleString('en')} due (a run still going when the next is due is skipped). RSS from simulated hour 1 to ${SIM_HOURS}:`,
      `${mb(at(1).rssKb)} -> ${mb(at(SIM_HOURS).rssKb)} (peak ${mb(peakSim)}); CPU ${(sim.cpuMs / 1000).toFixed(1)} s, or ${((sim.cpuMs / Math.max(1, sim.results)) * 1).toFixed(2)} ms per check result,`,
      `plus ${(sim.childCpuMs / 1000).toFixed(1)} s in the commands the checks ran.`,
      '',
      simTable,
    ].join('\n');
    console.log(`\n${simText}\n`);
    // A block of its own: a quick run with --sim-hours 0 leaves the last day's figures in place.
    if (!args['no-write']) {
      writeMarkedBlock(join(ROOT, 'docs', 'benchmarks.md'), 'bench:agent-day', 'Agent footprint over a simulated day (npm run bench:agent)', simText);
      log('docs/benchmarks.md updated (simulated day)');
    }
  }
}

await main();
process.exit(0);
