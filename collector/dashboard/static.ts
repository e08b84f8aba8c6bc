import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

interface StaticFile {
  body: string;
  type: string;
}

const JS = 'text/javascript; charset=utf-8';

/**
 * The browser code (browser/*.ts) bundled in memory with esbuild, once per process: app.js (every page's script,
 * browser/main.ts and the page modules it starts) and live-worker.js (the SharedWorker that gives all tabs one
 * live stream; a worker script must come from the page's origin). Built at start rather than by a build step
 * because the collector itself runs from its TypeScript sources (tsx): `npm ci && npm start` and the tests need
 * nothing else, and no built file can be older than the code beside it. It takes ~50 ms. esbuild does not
 * type-check: `npm run typecheck` does (browser/tsconfig.json, DOM types only).
 */
function bundleBrowserCode(): Record<string, StaticFile> {
  const out = buildSync({
    entryPoints: { app: here('./browser/main.ts'), 'live-worker': here('./browser/live-worker.ts') },
    bundle: true,
    write: false,
    outdir: 'bundle',
    format: 'iife',
    // Browsers of the last few years (engineers' laptops and phones); Chromium in the tests.
    target: 'es2020',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
  return Object.fromEntries(out.outputFiles.map((f) => [basename(f.path), { body: f.text, type: JS }]));
}

let files: Record<string, StaticFile> | undefined;

/** Built or read once: the client script and its live worker, the stylesheet and uPlot (the dashboard's only client library). */
function loadFiles(): Record<string, StaticFile> {
  files ??= {
    ...bundleBrowserCode(),
    'app.css': { body: readFileSync(here('./public/app.css'), 'utf8'), type: 'text/css; charset=utf-8' },
    'uPlot.iife.min.js': { body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'), type: JS },
    'uPlot.min.css': { body: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'), type: 'text/css; charset=utf-8' },
  };
  return files;
}

/** Browsers ask for it on every page; answering here keeps the request away from the login redirect. */
export function faviconRoute(): Hono {
  const app = new Hono();
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }));
  return app;
}

/** /static/*: public, cacheable for an hour (no user data in these files). */
export function staticRoutes(): Hono {
  const served = loadFiles();
  const app = new Hono();
  app.get('/:name', (c) => {
    const name = c.req.param('name');
    const f = Object.hasOwn(served, name) ? served[name] : undefined;
    if (!f) return c.text('not found', 404);
    return c.body(f.body, 200, { 'content-type': f.type, 'cache-control': 'public, max-age=3600' });
  });
  return app;
}
