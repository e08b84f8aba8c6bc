import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { DashEnv } from '../../page-kit/env.js';
import { page } from '../../page-kit/layout.js';

/** The page for an address nothing answers (or a record the user may not see): in the user's language, with the layout and a way home. */
export function notFoundPage(c: Context<DashEnv>): Response | Promise<Response> {
  const t = c.get('t');
  c.status(404);
  return page(c, t('notFound.title'), html`<section class="not-found" id="not-found">
      <p>${t('notFound.text')}</p>
      <p><a class="button primary" href="/">${t('notFound.home')}</a></p></section>`);
}

/** Mounted last behind the login: whatever no page took. /api/* never gets here (it answers JSON before). */
export function notFoundRoutes(): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.all('*', (c) => notFoundPage(c));
  return app;
}
