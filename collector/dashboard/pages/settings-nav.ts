import { html } from 'hono/html';
import type { Context } from 'hono';
import type { DashEnv } from '../env.js';
import type { Html } from '../layout.js';

/** The tabs of the admin settings: general (customers, channels, maintenance, contracts), checks and hosts, users. */
export function settingsNav(c: Context<DashEnv>, current: 'general' | 'checks' | 'users'): Html {
  const t = c.get('t');
  const tab = (id: typeof current, href: string, label: string) => html`<a href="${href}" data-tab="${id}"${id === current ? html` class="current"` : ''}>${label}</a>`;
  return html`<nav class="sub" id="settings-tabs">${tab('general', '/settings', t('settings.general'))} ${tab('checks', '/settings/checks', t('settings.checksTab'))} ${tab('users', '/settings/users', t('settings.users'))}</nav>`;
}
