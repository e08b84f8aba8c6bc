import { html } from 'hono/html';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { DashEnv } from './env.js';
import type { MessageKey } from './i18n/index.js';
import type { Html } from './layout.js';

/**
 * The admin settings, one page each (issue 14): the tabs every settings page shows, in this order. Pages of a
 * feature's own folder (templates and host checks in assignment/, agentless hosts in remote/) use them too.
 */
export const SETTINGS_PAGES = [
  { id: 'customers', href: '/settings/customers', label: 'settings.customers', hint: 'settings.customersHint' },
  { id: 'users', href: '/settings/users', label: 'settings.users', hint: 'settings.usersHint' },
  { id: 'contracts', href: '/settings/contracts', label: 'settings.contracts', hint: 'settings.contractsHint' },
  { id: 'provider', href: '/settings/provider', label: 'provider.tab', hint: 'provider.hint' },
  { id: 'on-call', href: '/settings/on-call', label: 'settings.oncall', hint: 'settings.oncallHint' },
  { id: 'channels', href: '/settings/channels', label: 'settings.channels', hint: 'settings.channelsHint' },
  { id: 'mail-intake', href: '/settings/mail-intake', label: 'mailIntake.title', hint: 'mailIntake.hint' },
  { id: 'maintenance', href: '/settings/maintenance', label: 'settings.maintenance', hint: 'settings.maintenanceHint' },
  { id: 'templates', href: '/settings/templates', label: 'checks.templates', hint: 'settings.templatesHint' },
  { id: 'checks', href: '/settings/checks', label: 'settings.hostChecks', hint: 'settings.hostChecksHint' },
  { id: 'agentless', href: '/settings/agentless', label: 'checks.agentless', hint: 'settings.agentlessHint' },
] as const satisfies ReadonlyArray<{ id: string; href: string; label: MessageKey; hint: MessageKey }>;

export type SettingsPageId = (typeof SETTINGS_PAGES)[number]['id'];

/**
 * The settings tabs, the current one marked. 'general' was the page that held customers, users, channels,
 * maintenance and contracts; pages that still name it (a channel's edit page) belong under channels.
 */
export function settingsNav(c: Context<DashEnv>, current: SettingsPageId | 'general' | 'index'): Html {
  const t = c.get('t');
  const here = current === 'general' ? 'channels' : current;
  return html`<nav class="sub" id="settings-tabs">${SETTINGS_PAGES.map(
    (p) => html`<a href="${p.href}" data-tab="${p.id}"${p.id === here ? html` class="current" aria-current="page"` : ''}>${t(p.label)}</a> `,
  )}</nav>`;
}

/** Settings are for admins: anyone else gets the same 404 as for a page that does not exist. */
export const adminOnly: MiddlewareHandler<DashEnv> = async (c, next) => (c.get('user').role === 'admin' ? next() : c.text('not found', 404));

/** The routes of an admin-only settings page: `path` and everything under it answer adminOnly first. */
export function adminSettingsRoutes(path: string): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.use(path, adminOnly);
  app.use(`${path}/*`, adminOnly);
  return app;
}

/** A list page's primary action: a button-like link, usually to the page's own "add" form. */
export function primaryAction(href: string, label: string, id: string): Html {
  return html`<p class="actions"><a class="button primary" id="${id}" href="${href}">${label}</a></p>`;
}

/** What a list says when it has nothing in it yet (instead of an empty table). */
export function emptyState(id: string, text: string): Html {
  return html`<p class="empty" id="${id}">${text}</p>`;
}
