import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);
const here = (name: string) => fileURLToPath(new URL(`./public/${name}`, import.meta.url));

interface StaticFile {
  body: string;
  type: string;
}

/** Read once at start: the client script and its live worker, the stylesheet and uPlot (the dashboard's only client library). */
function loadFiles(): Record<string, StaticFile> {
  return {
    'app.js': { body: readFileSync(here('app.js'), 'utf8'), type: 'text/javascript; charset=utf-8' },
    // The SharedWorker that gives all tabs one live stream; a worker script must come from the page's origin.
    'live-worker.js': { body: readFileSync(here('live-worker.js'), 'utf8'), type: 'text/javascript; charset=utf-8' },
    'app.css': { body: readFileSync(here('app.css'), 'utf8'), type: 'text/css; charset=utf-8' },
    'uPlot.iife.min.js': { body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'), type: 'text/javascript; charset=utf-8' },
    'uPlot.min.css': { body: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'), type: 'text/css; charset=utf-8' },
  };
}

/** Browsers ask for it on every page; answering here keeps the request away from the login redirect. */
export function faviconRoute(): Hono {
  const app = new Hono();
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=86400' }));
  return app;
}

/** /static/*: public, cacheable for an hour (no user data in these files). */
export function staticRoutes(): Hono {
  const files = loadFiles();
  const app = new Hono();
  app.get('/:name', (c) => {
    const f = files[c.req.param('name')];
    if (!f) return c.text('not found', 404);
    return c.body(f.body, 200, { 'content-type': f.type, 'cache-control': 'public, max-age=3600' });
  });
  return app;
}
