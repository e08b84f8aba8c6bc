import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { listCustomers } from '../../db/customers.js';
import type { DashEnv } from '../env.js';
import { calendarTable, visibleCalendars } from '../inspection-view.js';
import { page } from '../layout.js';

/** This quarter, like 2026Q4 (in the service company's zone, +08:00). */
function currentPeriod(now: number): string {
  const d = new Date(now + 8 * 3600_000);
  return `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/**
 * The reports page is a shell: the client script lists, generates and links reports through the reports
 * API (/api/reports, tenancy enforced there). When that API is not installed the page says so. Below the
 * list, the inspection calendar of each customer the user may see, rendered here from the same source.
 */
export function reportRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.get('/reports', (c) => {
    const t = c.get('t');
    const customers = listCustomers(deps.db, c.get('customerIds'));
    const staff = c.get('user').role !== 'customer';
    const body = html`
      ${staff
        ? html`<form class="filters" id="report-generate" data-api="/api/reports">
            <label>${t('common.customer')} <select name="customerId">${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select></label>
            <label>${t('reports.period')} <input name="period" value="${currentPeriod(deps.now())}" pattern="\\d{4}Q[1-4]" required></label>
            <label>Lang <select name="lang"><option value="zh">中文</option><option value="en">English</option></select></label>
            <button type="submit">${t('reports.generate')}</button></form>`
        : ''}
      <p class="flash error" id="reports-missing" hidden>${t('reports.missing')}</p>
      <table id="report-list" data-api="/api/reports">
        <thead><tr><th>${t('common.customer')}</th><th>${t('reports.period')}</th><th>Lang</th><th>${t('reports.generated')}</th><th>${t('tickets.download')}</th></tr></thead>
        <tbody></tbody></table>
      <h2>${t('inspections.title')}</h2>
      <div id="inspection-calendars">${visibleCalendars(deps.db, c.get('customerIds'), deps.now()).map((cal) => calendarTable(cal, t))}</div>`;
    return page(c, t('reports.title'), body);
  });
  return app;
}
