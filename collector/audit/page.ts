import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../db/database.js';
import type { DashEnv } from '../page-kit/env.js';
import { formatTime, parseLocalDateTime } from '../page-kit/format.js';
import { page } from '../page-kit/layout.js';
import type { MessageKey } from '../page-kit/i18n/index.js';
import { listAudit, type AuditAction } from './store.js';

const ACTIONS: AuditAction[] = ['change', 'login', 'login-failed', 'login-throttled', 'logout', 'cli'];
const PAGE_SIZE = 100;

/**
 * /audit: the audit log for admins (403 for everyone else), newest first, filtered by user, time range, path
 * prefix and action, 100 a page. Server-rendered: the filters are a GET form, paging a link.
 */
export function auditPageRoutes(deps: { db: Db }): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.get('/audit', (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    if (c.get('user').role !== 'admin') {
      c.status(403);
      return page(c, t('nav.audit'), html`<p class="flash error" role="alert">${t('common.forbidden')}</p>`);
    }
    const q = c.req.query();
    const user = q.user?.trim() || undefined;
    const from = q.from ? parseLocalDateTime(q.from) : undefined;
    const to = q.to ? parseLocalDateTime(q.to) : undefined;
    const path = q.path?.trim() || undefined;
    const action = ACTIONS.find((a) => a === q.action);
    const beforeNum = Number(q.before);
    const before = Number.isInteger(beforeNum) && beforeNum > 0 ? beforeNum : undefined;
    const { entries, next } = listAudit(deps.db, { user, from, to, pathPrefix: path, action, before, limit: PAGE_SIZE });

    const keep = new URLSearchParams();
    for (const [k, v] of Object.entries({ user, path, action, from: q.from, to: q.to })) if (v) keep.set(k, v);
    const olderHref = next === null ? undefined : `/audit?${new URLSearchParams([...keep, ['before', String(next)]])}`;
    const actionLabel = (a: AuditAction) => t(`audit.action.${a}` as MessageKey);

    // The time filters are typed as every page writes times (YYYY-MM-DD HH:mm, 24-hour): a datetime-local field would
    // show the browser's own format instead (mm/dd/yyyy with AM/PM in an American English browser).
    const body = html`<p>${t('audit.intro')}</p>
      <form method="get" action="/audit" class="filters" id="audit-filters">
        <label>${t('audit.user')} <input name="user" value="${user ?? ''}"></label>
        <label>${t('audit.from')} <input type="text" name="from" inputmode="numeric" placeholder="YYYY-MM-DD HH:mm" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}" value="${from !== undefined ? formatTime(from, lang) : ''}"></label>
        <label>${t('audit.to')} <input type="text" name="to" inputmode="numeric" placeholder="YYYY-MM-DD HH:mm" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}" value="${to !== undefined ? formatTime(to, lang) : ''}"></label>
        <label>${t('audit.path')} <input name="path" value="${path ?? ''}" placeholder="/api/templates"></label>
        <label>${t('audit.action')} <select name="action"><option value="">${t('common.any')}</option>${ACTIONS.map(
          (a) => html`<option value="${a}"${a === action ? ' selected' : ''}>${actionLabel(a)}</option>`,
        )}</select></label>
        <button type="submit">${t('common.filter')}</button>
      </form>
      ${entries.length === 0
        ? html`<p id="audit-empty">${t('audit.empty')}</p>`
        : html`<table id="audit-log"><thead><tr><th>${t('audit.time')}</th><th>${t('audit.user')}</th><th>${t('audit.action')}</th>
            <th>${t('audit.request')}</th><th>${t('audit.target')}</th><th>${t('audit.status')}</th><th>${t('audit.address')}</th><th>${t('audit.summary')}</th></tr></thead>
            <tbody>${entries.map(
              (e) => html`<tr data-audit-id="${e.id}" data-action="${e.action}">
                <td>${formatTime(e.at, lang)}</td>
                <td>${e.username}${e.role ? html` <small data-role="${e.role}">(${t(`role.${e.role}`)})</small>` : ''}</td>
                <td>${actionLabel(e.action)}</td>
                <td><code>${e.method} ${e.path}</code></td>
                <td>${e.targetId ?? ''}</td>
                <td>${e.status ?? ''}</td>
                <td>${e.address}</td>
                <td>${e.summary ? html`<code class="audit-summary">${e.summary}</code>` : ''}</td>
              </tr>`,
            )}</tbody></table>`}
      <p>${before !== undefined ? html`<a href="/audit?${keep.toString()}" id="audit-newest">${t('audit.newest')}</a> ` : ''}${
        olderHref ? html`<a href="${olderHref}" id="audit-older">${t('audit.older')}</a>` : ''
      }</p>`;
    return page(c, t('nav.audit'), body);
  });
  return app;
}
