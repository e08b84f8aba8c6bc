import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { smapsRollup } from './agent-proc.js';

/**
 * What each library the agent loads at start costs in resident memory, the way the agent loads it: bundled and
 * minified by esbuild, run with the agent's Node flags, beside the others. Each figure is the RSS of a process that
 * loads all of them minus the RSS of one that loads all but that one (shared Node built-ins such as http and tls
 * are then counted once, where they are really shared), median of a few runs.
 */

interface Library {
  name: string;
  /** Code that loads and uses it a little (as the agent does at start). */
  use: string;
}

const LIBRARIES: Library[] = [
  { name: 'zod', use: "import { z } from 'zod'; keep(z.object({ a: z.string().min(1), b: z.number().int() }).parse({ a: 'x', b: 1 }));" },
  { name: 'ws', use: "import WebSocket from 'ws'; keep(WebSocket);" },
  { name: 'pino', use: "import { pino } from 'pino'; keep(pino({ level: 'info' }, pino.destination({ dest: 2, sync: true })).child({ c: 1 }));" },
  { name: 'commander', use: "import { Command } from 'commander'; keep(new Command('x').option('--y <v>'));" },
  { name: 'systeminformation', use: "import si from 'systeminformation'; keep(si);" },
];

/** zod/mini, measured on its own against zod: what moving the agent's schemas to it would save. */
const ZOD_MINI: Library = { name: 'zod/mini', use: "import * as zm from 'zod/mini'; keep(zm.object({ a: zm.string().check(zm.minLength(1)), b: zm.number() }).parse({ a: 'x', b: 1 }));" };

const PRELUDE = 'const kept = []; const keep = (x) => kept.push(x);\n';
const IDLE = '\nsetInterval(() => {}, 1000);\n';

async function bundle(root: string, dir: string, name: string, parts: Library[]): Promise<string> {
  const file = join(dir, `${name.replace(/\W/g, '_')}.mjs`);
  await build({
    stdin: { contents: PRELUDE + parts.map((l) => l.use).join('\n') + IDLE, resolveDir: root, loader: 'ts', sourcefile: `${name}.ts` },
    absWorkingDir: root,
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    minify: true,
    logLevel: 'silent',
    external: ['bufferutil', 'utf-8-validate', 'osx-temperature-sensor', 'pino-pretty'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return file;
}

async function rssOf(file: string, flags: string[]): Promise<number> {
  const child = spawn(process.execPath, [...flags, file], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
  await new Promise((r) => setTimeout(r, 3000));
  const rss = smapsRollup(child.pid!)?.Rss ?? 0;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return rss;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

export interface LibraryCost {
  name: string;
  /** kB of RSS the library adds to a process that has the others loaded. */
  kb: number;
}

/** Marginal RSS of each library (and of zod/mini against zod), with the given Node flags. */
export async function libraryCosts(root: string, flags: string[], runs = 3): Promise<{ costs: LibraryCost[]; allKb: number; noneKb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'patrol-bench-libs-'));
  try {
    writeFileSync(join(dir, 'none.mjs'), IDLE);
    const files = {
      none: join(dir, 'none.mjs'),
      all: await bundle(root, dir, 'all', LIBRARIES),
      without: await Promise.all(LIBRARIES.map((l) => bundle(root, dir, `without-${l.name}`, LIBRARIES.filter((x) => x !== l)))),
      zodMini: await bundle(root, dir, 'zod-mini-instead', [ZOD_MINI, ...LIBRARIES.filter((l) => l.name !== 'zod')]),
    };
    const measure = async (f: string) => {
      const xs: number[] = [];
      for (let i = 0; i < runs; i++) xs.push(await rssOf(f, flags));
      return median(xs);
    };
    const allKb = await measure(files.all);
    const noneKb = await measure(files.none);
    const costs: LibraryCost[] = [];
    for (const [i, l] of LIBRARIES.entries()) costs.push({ name: l.name, kb: allKb - (await measure(files.without[i]!)) });
    const withMini = await measure(files.zodMini);
    const zodCost = costs.find((c) => c.name === 'zod')!.kb;
    costs.push({ name: 'zod/mini (instead of zod)', kb: zodCost - (allKb - withMini) });
    return { costs, allKb, noneKb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
