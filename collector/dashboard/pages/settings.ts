import { Hono } from 'hono';
import { html } from 'hono/html';
import type { DashEnv } from '../../page-kit/env.js';
import { page } from '../../page-kit/layout.js';
import { adminOnly, SETTINGS_PAGES, settingsNav } from '../../page-kit/settings-nav.js';

/**
 * Where the parts of the old all-in-one settings page (/settings#channels) and of /settings/checks went: old
 * links and bookmarks still arrive (the browser follows, as it alone sees the #fragment: browser/moved-anchors.ts).
 */
export const MOVED_SETTINGS_ANCHORS: Record<string, string> = {
  customers: '/settings/customers',
  users: '/settings/users',
  channels: '/settings/channels',
  maintenance: '/settings/maintenance',
  contracts: '/settings/contracts',
};

/**
 * Admin only: /settings, the index of the settings pages (each has its own URL and module: its room's settings-page.ts,
 * and the pages of the assignment and remote folders). The guard here covers every /settings path, as each
 * page's own does.
 */
export function settingsRoutes(): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.use('/settings/*', adminOnly);
  app.use('/settings', adminOnly);

  app.get('/settings', (c) => {
    const t = c.get('t');
    const body = html`${settingsNav(c, 'index')}
      <dl id="settings-index" class="index" data-moved-anchors="${JSON.stringify(MOVED_SETTINGS_ANCHORS)}">${SETTINGS_PAGES.map(
        (p) => html`<dt><a href="${p.href}" data-page="${p.id}">${t(p.label)}</a></dt><dd>${t(p.hint)}</dd>`,
      )}</dl>`;
    return page(c, t('settings.title'), body);
  });
  return app;
}
