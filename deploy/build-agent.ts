import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { z } from 'zod';
import { MIN_AGENT_NODE_VERSION, nodeVersionGuardSource } from './node-version.js';

/**
 * `npm run build:agent`: the agent as JavaScript files (patrol-agent.mjs and its chunks in lib/) plus its service
 * files, packed as dist/patrol-agent-<version>.tar.gz. The customer host needs only Node.js: no npm, no compiler,
 * no internet.
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
  /** First 10 hex digits of the SHA-256 of the bundle's files (patrol-agent.mjs and lib/, without the version, and the templates). */
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

/**
 * The Node.js flags the agent runs with: in the unit's ExecStart and start.sh's default (the build refuses templates
 * that disagree). --lite-mode: V8's interpreter only, about 8 MB less memory (docs/benchmarks.md).
 */
export const AGENT_NODE_FLAGS = ['--lite-mode', '--no-expose-wasm'] as const;

function templateFlagsProblem(): string | undefined {
  const flags = AGENT_NODE_FLAGS.join(' ');
  const unit = readFileSync(join(TEMPLATES, 'patrol-agent.service'), 'utf8');
  if (!unit.includes(`\nExecStart=/usr/bin/node ${flags} /opt/patrol-agent/${BUNDLE_ENTRY} `)) return `patrol-agent.service's ExecStart does not run node ${flags}`;
  if (!readFileSync(join(TEMPLATES, 'start.sh'), 'utf8').includes(`NODE_FLAGS=\${PATROL_NODE_FLAGS-"${flags}"}`)) return `start.sh's NODE_FLAGS are not "${flags}"`;
  return undefined;
}

/** Where the code chunks live inside the bundle folder, beside patrol-agent.mjs. */
export const BUNDLE_CHUNK_DIR = 'lib';

/**
 * The entry file: refuses an old Node.js in a sentence, then loads the agent. The agent itself is a chunk, imported
 * dynamically, because an ES module's static imports all run before its own first line: the guard has to run before
 * any code that an old Node.js could trip over.
 */
function entrySource(agentChunk: string): string {
  return [
    '#!/usr/bin/env node',
    `// Patrol agent ${VERSION_PLACEHOLDER}, bundled by deploy/build-agent.ts. Needs Node.js >= ${MIN_AGENT_NODE_VERSION}.`,
    '// The code is in lib/: each check (and its driver) is a chunk of its own, read only when that check is assigned.',
    nodeVersionGuardSource(),
    `await import(${JSON.stringify(`./${agentChunk}`)});`,
    '',
  ].join('\n');
}

/**
 * `await import('ioredis')` of a CommonJS package gives Node's namespace: default = module.exports, plus its named
 * exports (`const { Redis } = await import('ioredis')`). esbuild, splitting, makes the package a chunk that exports
 * default only, so the named ones would be undefined in the bundle alone. This plugin puts a small ES module in
 * between that re-exports the package's own property names, as Node would. ES packages pass untouched.
 */
function cjsNamedExports(): Plugin {
  const NAMESPACE = 'patrol-cjs-interop';
  return {
    name: 'patrol-cjs-named-exports',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind !== 'dynamic-import' || args.namespace === NAMESPACE) return undefined;
        if (args.path.startsWith('node:') || builtinModules.includes(args.path) || OPTIONAL_NATIVES.includes(args.path)) return undefined;
        let names: string[];
        try {
          const exported: unknown = createRequire(join(args.resolveDir, 'index.js'))(args.path);
          names = exported !== null && (typeof exported === 'object' || typeof exported === 'function') ? Object.keys(exported) : [];
        } catch {
          return undefined; // an ES package (require refuses it): esbuild keeps its named exports itself
        }
        const valid = names.filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n) && !RESERVED_WORDS.has(n));
        return { path: args.path, namespace: NAMESPACE, pluginData: { resolveDir: args.resolveDir, names: valid } };
      });
      b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const { resolveDir, names } = args.pluginData as { resolveDir: string; names: string[] };
        const spec = JSON.stringify(args.path);
        const named = names.length ? `export const { ${names.join(', ')} } = cjs;\n` : '';
        return { contents: `import cjs from ${spec};\nexport default cjs;\n${named}`, resolveDir, loader: 'js' };
      });
    },
  };
}

const RESERVED_WORDS = new Set(
  'await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield'.split(' '),
);

/** Bundled CommonJS dependencies call require() for Node's built-ins; ESM output has none of its own. */
const CHUNK_BANNER = "import { createRequire as __patrolCreateRequire } from 'node:module';\nconst require = __patrolCreateRequire(import.meta.url);";

/**
 * A file with a character beyond Latin-1 (one em dash in a comment is enough) is held by V8 as UTF-16: twice its
 * size in memory for as long as the agent runs. esbuild escapes such characters in strings; this catches the rest.
 */
function wideCharacterProblem(files: ReadonlyArray<{ path: string; text: string }>): string | undefined {
  for (const f of files) {
    const i = f.text.search(/[^\u0000-\u00ff]/u);
    if (i >= 0) return `${f.path} holds the character ${JSON.stringify(f.text[i])} near ${JSON.stringify(f.text.slice(Math.max(0, i - 40), i + 10))}`;
  }
  return undefined;
}

export async function buildAgent(opts: AgentBuildOptions = {}): Promise<AgentBuild> {
  if (opts.version !== undefined) VersionSchema.parse(opts.version);
  const flagsProblem = templateFlagsProblem();
  if (flagsProblem) throw new Error(`deploy/templates: ${flagsProblem}`);
  const outDir = resolve(opts.outDir ?? join(ROOT, 'dist'));
  // esbuild writes nothing (write: false); outdir only names the files it returns.
  const staging = join(outDir, '.patrol-agent-build');

  const entry = opts.entry ? resolve(opts.entry) : join(ROOT, 'agent', 'cli.ts');
  const result = await build({
    entryPoints: { agent: entry },
    absWorkingDir: ROOT,
    outdir: staging,
    write: false,
    bundle: true,
    // Code splitting: every dynamic import() (a check in checks/catalog.ts, a database or SNMP driver) becomes a
    // chunk that is read only when it is first used. An agent running linux-base reads about a third of the code.
    splitting: true,
    entryNames: `${BUNDLE_CHUNK_DIR}/[name]-[hash]`,
    chunkNames: `${BUNDLE_CHUNK_DIR}/[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    // ESM: code splitting needs it, and agent/cli.ts uses top-level await.
    format: 'esm',
    target: 'node18',
    // V8 keeps the source text of every loaded file for as long as the agent runs: minified, it is about half.
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    external: OPTIONAL_NATIVES,
    define: { __PATROL_VERSION__: JSON.stringify(VERSION_PLACEHOLDER) },
    banner: { js: CHUNK_BANNER },
    plugins: [cjsNamedExports()],
  });
  if (result.errors.length) throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
  // Every import() target is an entry point of its own in the metafile; the agent is the one we gave.
  const entryInMeta = relative(ROOT, entry).split(sep).join('/');
  const agentOutput = Object.entries(result.metafile?.outputs ?? {}).find(([, o]) => o.entryPoint === entryInMeta)?.[0];
  if (!agentOutput) throw new Error('esbuild output lacks the agent entry');
  const chunks = (result.outputFiles ?? [])
    .map((f) => ({ path: relative(staging, f.path).split(sep).join('/'), text: f.text }))
    .filter((f) => f.path.endsWith('.mjs'))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const agentChunk = relative(staging, resolve(ROOT, agentOutput)).split(sep).join('/');
  const files = [{ path: BUNDLE_ENTRY, text: entrySource(agentChunk) }, ...chunks];
  // Twice: the entry's banner and the agent's own PATROL_VERSION. Fewer would ship an agent reporting a wrong version.
  const placeholders = files.reduce((n, f) => n + f.text.split(VERSION_PLACEHOLDER).length - 1, 0);
  if (placeholders < 2) throw new Error('esbuild output lacks the version the agent reports');
  const wide = wideCharacterProblem(files);
  if (wide) throw new Error(`the agent bundle must be Latin-1 text: ${wide}`);

  const hash = createHash('sha256');
  for (const f of files) hash.update(`\0${f.path}\0`).update(f.text);
  for (const f of BUNDLE_TEMPLATE_FILES) hash.update(`\0${f}\0`).update(readFileSync(join(TEMPLATES, f)));
  const contentHash = hash.digest('hex').slice(0, 10);
  const version = VersionSchema.parse(opts.version ?? `${packageVersion()}+${contentHash}`);

  const name = `patrol-agent-${version}`;
  const folder = join(outDir, name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  mkdirSync(join(folder, BUNDLE_CHUNK_DIR));
  for (const f of files) writeFileSync(join(folder, f.path), f.text.replaceAll(VERSION_PLACEHOLDER, version), { mode: 0o644 });
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
