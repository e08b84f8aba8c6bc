/**
 * `tsx bench/agent-profile.ts [--minutes 10] [--out DIR] [--interval-us 1000] [--bundle DIR] [--node-flags '...']`
 *
 * Where an idle agent's CPU goes: the agent with linux-base, streaming to a local collector as bench:agent sets it
 * up, run under `node --cpu-prof` for a while and stopped cleanly (the profile is written on exit), then summarised
 * (bench/agent-cpu-profile.ts). By default the agent is bundled the way `npm run build:agent` bundles it (split
 * chunks, ES modules) but not minified, so the profile names our functions; `--bundle DIR` profiles a built bundle
 * as it ships instead. Also prints the agent's CPU from /proc over the same span, which includes the profiler's own
 * cost.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { AGENT_NODE_FLAGS } from '../deploy/build-agent.js';
import { startBenchCollector, cleanEnv } from './agent-collector.js';
import { benchDir, childProcess, waitFor } from './agent-peers.js';
import { cpuTimes } from './agent-proc.js';
import { formatSummary, summarizeProfile } from './agent-cpu-profile.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '60' },
    out: { type: 'string', default: '/tmp/patrol-agent-profile' },
    'interval-us': { type: 'string', default: '1000' },
    bundle: { type: 'string' },
    'node-flags': { type: 'string' },
  },
});
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const OUT = resolve(args.out!);
const log = (s: string) => console.error(`[agent-profile] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** agent/cli.ts bundled as build:agent does (split ES modules for Node 18+), but readable. */
async function readableBundle(dir: string): Promise<string> {
  const result = await build({
    entryPoints: { agent: join(ROOT, 'agent', 'cli.ts') },
    absWorkingDir: ROOT,
    outdir: dir,
    bundle: true,
    splitting: true,
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    target: 'node18',
    minify: false,
    logLevel: 'silent',
    external: ['bufferutil', 'utf-8-validate', 'pg-native', 'cpu-features', 'osx-temperature-sensor', 'pino-pretty'],
    define: { __PATROL_VERSION__: JSON.stringify('0.0.0-profile') },
    banner: { js: "import { createRequire as __patrolCreateRequire } from 'node:module';\nconst require = __patrolCreateRequire(import.meta.url);" },
  });
  if (result.errors.length) throw new Error(result.errors.map((e) => e.text).join('; '));
  return join(dir, 'agent.mjs');
}

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const entry = args.bundle ? join(resolve(args.bundle), 'patrol-agent.mjs') : await readableBundle(join(OUT, 'bundle'));
  const flags = args['node-flags'] !== undefined ? args['node-flags'].split(/\s+/).filter(Boolean) : [...AGENT_NODE_FLAGS];
  const c = await startBenchCollector();
  const spawnedAt = Date.now();
  const stateDir = benchDir('agent-profile');
  const out = openSync(join(OUT, 'agent.log'), 'a');
  const child = spawn(
    process.execPath,
    [...flags, '--cpu-prof', '--cpu-prof-dir', OUT, '--cpu-prof-name', 'agent.cpuprofile', '--cpu-prof-interval', args['interval-us']!, entry, '--collector', c.wsUrl, '--state-dir', join(stateDir, 'state'), '--enroll', c.token(), '--name', 'profiled'],
    { stdio: ['ignore', out, out], env: cleanEnv() },
  );
  const agent = childProcess('profiled', child, stateDir);
  try {
    await waitFor(() => c.hostId('profiled'), 'the agent to connect');
    const connectedAfterSec = (Date.now() - spawnedAt) / 1000;
    const warmupSec = Number(args.warmup);
    const minutes = Number(args.minutes);
    log(`connected; warm-up ${warmupSec} s, then ${minutes} min`);
    await sleep(warmupSec * 1000);
    const a = cpuTimes(agent.pid)!;
    await sleep(minutes * 60_000);
    const b = cpuTimes(agent.pid)!;
    log(`/proc over the window: ${((b.ownMs - a.ownMs) / minutes).toFixed(1)} ms own CPU a minute (profiler included), ${((b.childrenMs - a.childrenMs) / minutes).toFixed(1)} ms in its commands; results received ${c.resultsOf('profiled')}`);
    await agent.stop();
    const file = readdirSync(OUT).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no profile in ${OUT}: did the agent exit cleanly? see ${join(OUT, 'agent.log')}`);
    console.log(formatSummary(summarizeProfile(JSON.parse(readFileSync(join(OUT, file), 'utf8')), connectedAfterSec + warmupSec)));
    log(`profile: ${join(OUT, file)} (open in Chrome DevTools or summarise with tsx bench/agent-cpu-profile.ts)`);
  } finally {
    await agent.stop();
    await c.close();
  }
}

await main();
process.exit(0);
