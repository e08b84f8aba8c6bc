import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { z } from 'zod';
import { MIN_AGENT_NODE_VERSION, nodeVersionGuardSource } from './node-version.js';

/**
 * `npm run build:agent`: the agent as ONE JavaScript file plus its service files, packed as
 * dist/patrol-agent-<version>.tar.gz. The customer host needs only Node.js: no npm, no compiler, no internet.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATES = join(ROOT, 'deploy', 'templates');

/** Files the tarball holds besides the bundle; all of them come from deploy/templates. */
export const BUNDLE_TEMPLATE_FILES = ['patrol-agent.service', 'agent.json.example', 'start.sh', 'stop.sh', 'uninstall.sh'] as const;
export const BUNDLE_ENTRY = 'patrol-agent.mjs';

/**
 * Optional native add-ons of our dependencies. Left out of the bundle and absent on the host, so each
 * library takes its pure-JavaScript path (ws: bufferutil/utf-8-validate; pg: pg-native; ...).
 */
const OPTIONAL_NATIVES = ['bufferutil', 'utf-8-validate', 'pg-native', 'cpu-features', 'osx-temperature-sensor', 'pino-pretty'];

export interface AgentBuildOptions {
  /**
   * Default: package.json's version with the bundle's content hash, `0.1.0+<10 hex>`, so any change to the agent
   * or its service files is a new version that `patrol deploy --upgrade` installs. Given: used as it is.
   */
  version?: string;
  /** The agent's entry point (default agent/cli.ts). Tests build a changed agent from a file that imports it. */
  entry?: string;
  /** Default: <repo>/dist. */
  outDir?: string;
}

export interface AgentBuild {
  version: string;
  /** First 10 hex digits of the SHA-256 of the bundle's files (patrol-agent.mjs without its version, and the templates). */
  contentHash: string;
  /** dist/patrol-agent-<version>.tar.gz */
  tarball: string;
  /** The unpacked folder the tarball was made from (dist/patrol-agent-<version>/). */
  folder: string;
}

const VersionSchema = z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]*$/, 'a version like 1.2.3 or 1.2.3-rc.1 (it becomes part of a file name)');

function packageVersion(): string {
  const pkg = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));
  return pkg.version;
}

/**
 * Stands for the version while the bundle is built and hashed, then is replaced by it: the hash depends on
 * the code only, and the version can carry the hash. A valid version itself, so the guard below can find it.
 */
const VERSION_PLACEHOLDER = '0.0.0-patrol-version-placeholder';

export async function buildAgent(opts: AgentBuildOptions = {}): Promise<AgentBuild> {
  if (opts.version !== undefined) VersionSchema.parse(opts.version);
  const outDir = resolve(opts.outDir ?? join(ROOT, 'dist'));

  const result = await build({
    entryPoints: [opts.entry ? resolve(opts.entry) : join(ROOT, 'agent', 'cli.ts')],
    outfile: join(outDir, BUNDLE_ENTRY),
    write: false,
    bundle: true,
    platform: 'node',
    // ESM: agent/cli.ts uses top-level await.
    format: 'esm',
    target: 'node18',
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    external: OPTIONAL_NATIVES,
    define: { __PATROL_VERSION__: JSON.stringify(VERSION_PLACEHOLDER) },
    banner: {
      js: [
        '#!/usr/bin/env node',
        `// Patrol agent ${VERSION_PLACEHOLDER}, bundled by deploy/build-agent.ts. Needs Node.js >= ${MIN_AGENT_NODE_VERSION}.`,
        nodeVersionGuardSource(),
        // Bundled CommonJS dependencies call require() for Node's built-ins; ESM output has none of its own.
        "import { createRequire as __patrolCreateRequire } from 'node:module';",
        'const require = __patrolCreateRequire(import.meta.url);',
      ].join('\n'),
    },
  });
  if (result.errors.length) throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
  const code = result.outputFiles?.[0]?.text;
  // Twice: the banner and the agent's own PATROL_VERSION. Fewer would ship an agent reporting a wrong version.
  if (code === undefined || code.split(VERSION_PLACEHOLDER).length - 1 < 2) throw new Error('esbuild output lacks the version the agent reports');

  const hash = createHash('sha256').update(code);
  for (const f of BUNDLE_TEMPLATE_FILES) hash.update(`\0${f}\0`).update(readFileSync(join(TEMPLATES, f)));
  const contentHash = hash.digest('hex').slice(0, 10);
  const version = VersionSchema.parse(opts.version ?? `${packageVersion()}+${contentHash}`);

  const name = `patrol-agent-${version}`;
  const folder = join(outDir, name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, BUNDLE_ENTRY), code.replaceAll(VERSION_PLACEHOLDER, version), { mode: 0o755 });
  chmodSync(join(folder, BUNDLE_ENTRY), 0o755);

  for (const f of BUNDLE_TEMPLATE_FILES) {
    copyFileSync(join(TEMPLATES, f), join(folder, f));
    chmodSync(join(folder, f), f.endsWith('.sh') ? 0o755 : 0o644);
  }
  writeFileSync(join(folder, 'VERSION'), `${version}\n`);

  const tarball = join(outDir, `${name}.tar.gz`);
  // The system tar: numeric root ownership so unpacking as root on the host gives root-owned files.
  execFileSync('tar', ['-czf', tarball, '--owner=0', '--group=0', '--numeric-owner', '-C', outDir, name], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { version, contentHash, tarball, folder };
}

// `tsx deploy/build-agent.ts [--version X] [--out-dir DIR]` (`npm run build:agent -- --version 1.2.3`)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const valueOf = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  try {
    const b = await buildAgent({ version: valueOf('--version'), outDir: valueOf('--out-dir') });
    console.log(`built ${b.tarball} (agent ${b.version}, Node.js >= ${MIN_AGENT_NODE_VERSION})`);
  } catch (err) {
    console.error(`build:agent: ${(err as Error).message}`);
    process.exit(1);
  }
}
