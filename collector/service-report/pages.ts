import { Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { listCustomers } from '../db/customers.js';
import { DEFAULT_TIMEZONE, zonedParts } from '../../shared/zoned-time.js';
import type { DashEnv } from '../page-kit/env.js';
import { formatTime } from '../page-kit/format.js';
import { page } from '../page-kit/layout.js';
import { mailingStatesByMonth, type MonthlyMailingState } from './monthly-mail.js';

/** Months listed: the running one and up to two years back (older ones stay reachable through the API). */
const MONTHS_SHOWN = 24;
const Query = z.object({ customer: z.string().max(100).optional() });

function monthOf(t: number): { y: number; m: number } {
  const p = zonedParts(t, DEFAULT_TIMEZONE);
  return { y: p.year, m: p.month };
}

/** YYYY-MM from the running month back to the customer's first (Beijing months, as the report counts them). */
export function reportMonths(createdAt: number, now: number, max = MONTHS_SHOWN): string[] {
  const first = monthOf(createdAt);
  let { y, m } = monthOf(now);
  const out: string[] = [];
  while (out.length < max && (y > first.y || (y === first.y && m >= first.m))) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m -= 1;
    if (m === 0) (m = 12), (y -= 1);
  }
  return out;
}

/**
 * The monthly service reports (service-report/) of the customers a user may see: one row per month with the report
 * as web page, PDF, CSV and Excel (the /api/service-reports route, which holds each request to the caller's
 * customers), and when it was mailed on the 1st (the mailing record of monthly-mail.ts). The dashboard plugin mounts it.
 */
export function serviceReportPages(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.get('/service-reports', (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const customers = listCustomers(deps.db, c.get('customerIds'));
    const q = Query.safeParse(c.req.query());
    const chosen = customers.find((cu) => cu.id === (q.success ? q.data.customer : undefined)) ?? customers[0];
    const now = deps.now();
    const current = monthOf(now);
    const currentMonth = `${current.y}-${String(current.m).padStart(2, '0')}`;
    const mailed = chosen ? mailingStatesByMonth(deps.db, chosen.id) : new Map<string, MonthlyMailingState>();
    const link = (month: string, format: string, l: string = lang) => `/api/service-reports/${encodeURIComponent(chosen!.id)}/${month}?format=${format}&lang=${l}`;
    const body = html`<p>${t('sreport.intro')}</p>
      ${customers.length > 1
        ? html`<form method="get" action="/service-reports" class="inline" id="sreport-customer">
            <label>${t('common.customer')} <select name="customer">${customers.map((cu) => html`<option value="${cu.id}"${cu.id === chosen?.id ? ' selected' : ''}>${cu.name}</option>`)}</select></label>
            <button type="submit">${t('sreport.show')}</button></form>`
        : ''}
      ${!chosen
        ? html`<p class="empty" id="sreport-empty">${t('common.none')}</p>`
        : html`<h2>${chosen.name}</h2>
          <table id="sreport-months"><thead><tr><th>${t('sreport.month')}</th><th>${t('sreport.formats')}</th><th>${t('sreport.mailed')}</th></tr></thead>
          <tbody>${reportMonths(chosen.createdAt, now).map((month) => {
            const m = mailed.get(month);
            const recipients = m?.recipients ?? [];
            return html`<tr data-month="${month}"><td>${month}${month === currentMonth ? html` <span class="muted">(${t('sreport.soFar')})</span>` : ''}</td>
              <td><a href="${link(month, 'html')}">${t('sreport.html')}</a> · <a href="${link(month, 'pdf')}">PDF</a>
                (<a href="${link(month, 'pdf', lang === 'zh' ? 'en' : 'zh')}" lang="${lang === 'zh' ? 'en' : 'zh'}">${lang === 'zh' ? 'English' : '中文'}</a>)
                · <a href="${link(month, 'csv')}">CSV</a> · <a href="${link(month, 'xlsx')}">Excel</a></td>
              <td>${!m
                ? '-'
                : m.mailId === null
                  ? t('sreport.noRecipients')
                  : m.state === 'sent'
                    ? html`<time>${formatTime(m.sentAt ?? m.queuedAt, lang)}</time> · ${recipients.join(', ')}`
                    : html`<span class="${m.state === 'failed' ? 'crit' : 'warn'}">${t(m.state === 'failed' ? 'sreport.failed' : 'sreport.waiting')}</span>${m.lastError ? ` (${m.lastError})` : ''} · ${recipients.join(', ')}`}</td></tr>`;
          })}</tbody></table>`}`;
    return page(c, t('sreport.title'), body);
  });
  return app;
}
