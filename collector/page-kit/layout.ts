import { html } from 'hono/html';
import type { Context } from 'hono';
import type { DashEnv } from './env.js';
import { CSRF_FIELD } from './env.js';
import type { Translate } from './i18n/index.js';

export type Html = ReturnType<typeof html>;

/** The hidden CSRF field every form of a logged-in page carries. */
export function csrfField(c: Context<DashEnv>): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${c.get('csrfToken')}">`;
}

/** A one-button form that POSTs to `action` (acknowledge, revoke, send test...). */
export function postButton(c: Context<DashEnv>, action: string, label: string, extra: Html | '' = '', cls = ''): Html {
  return html`<form method="post" action="${action}" class="inline">${csrfField(c)}${extra}<button type="submit" class="${cls}">${label}</button></form>`;
}

/** The flash line a redirect after a POST carries in ?done= or ?error=. */
function flash(c: Context<DashEnv>, t: Translate): Html | '' {
  const error = c.req.query('error');
  if (error) return html`<p class="flash error" role="alert">${t('common.error')} ${error}</p>`;
  if (c.req.query('done')) return html`<p class="flash done" role="status">${t('tickets.done')}</p>`;
  return '';
}

/** Ticket state names in the page language, for the client script to label a state a live event brings. */
function stateLabels(t: Translate): string {
  const states = ['open', 'acknowledged', 'in_progress', 'recovered', 'resolved', 'closed'] as const;
  return JSON.stringify(Object.fromEntries(states.map((s) => [s, t(`state.${s}`)])));
}

/** The page shell: head with the stylesheet and client script, top navigation, language toggle, logout. */
export function page(c: Context<DashEnv>, title: string, body: Html, opts: { scripts?: string[]; styles?: string[] } = {}): Response | Promise<Response> {
  const t = c.get('t');
  const lang = c.get('lang');
  const user = c.get('user');
  const here = c.req.path + (new URL(c.req.url).search || '');
  const other = lang === 'zh' ? 'en' : 'zh';
  const nav = user
    ? html`<nav class="top">
        <span class="brand">${t('app.name')}</span>
        <input type="checkbox" id="nav-toggle" class="nav-toggle"><label for="nav-toggle" class="nav-burger" title="${t('nav.menu')}">☰</label>
        <div class="nav-links">
        <a href="/" data-nav="overview">${t('nav.overview')}</a>
        <a href="/tickets" data-nav="tickets">${t('nav.tickets')}</a>
        <a href="/reports" data-nav="reports">${t('nav.reports')}</a>
        <a href="/service-reports" data-nav="service-reports">${t('nav.serviceReports')}</a>
        ${user.role !== 'customer' ? html`<a href="/agents" data-nav="agents">${t('nav.agents')}</a>` : ''}
        ${user.role !== 'customer' ? html`<a href="/mail-triage" data-nav="triage">${t('nav.triage')}</a>` : ''}
        ${user.role === 'admin' ? html`<a href="/settings" data-nav="settings">${t('nav.settings')}</a>` : ''}
        ${user.role === 'admin' ? html`<a href="/audit" data-nav="audit">${t('nav.audit')}</a>` : ''}
        <span class="spacer"></span>
        <a href="/lang/${other}?back=${encodeURIComponent(here)}" id="lang-toggle" lang="${other}">${t('nav.language')}</a>
        <span class="who" data-role="${user.role}">${user.displayName} (${t(`role.${user.role}`)})</span>
        <form method="post" action="/logout" class="inline">${csrfField(c)}<button type="submit" id="logout">${t('nav.logout')}</button></form>
        </div>
      </nav>`
    : html`<nav class="top"><span class="brand">${t('app.name')}</span><span class="spacer"></span>
        <a href="/lang/${other}?back=${encodeURIComponent(here)}" id="lang-toggle" lang="${other}">${t('nav.language')}</a></nav>`;
  return c.html(html`<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${user ? html`<meta name="csrf-token" content="${c.get('csrfToken')}">` : ''}
<title>${title} - ${t('app.name')}</title>
<link rel="stylesheet" href="/static/app.css">
${(opts.styles ?? []).map((s) => html`<link rel="stylesheet" href="${s}">`)}
${(opts.scripts ?? []).map((s) => html`<script src="${s}" defer></script>`)}
<script src="/static/app.js" defer></script>
</head>
<body${user ? html` data-live="/live/events" data-state-labels="${stateLabels(t)}"` : ''}>
${nav}
<main>
<h1>${title}</h1>
${flash(c, t)}
${user ? html`<p id="live-notice" class="flash done" role="status" hidden><a href="">${t('live.changed')}</a></p>` : ''}
${body}
</main>
</body>
</html>`);
}
