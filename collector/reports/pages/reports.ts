import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { customerNames, listCustomers } from '../../db/customers.js';
import { PeriodSchema, type CalendarEntry } from '../holiday-calendar.js';
import { labels as reportLabels } from '../labels.js';
import { inspectionName } from '../render-html.js';
import { getReportRecord, listReports, loadReport, type ReportRecord } from '../report-store.js';
import { getContract, INSPECTION_HOLIDAYS } from '../../contracts/contract-store.js';
import type { DashEnv } from '../../page-kit/env.js';
import { formatTime } from '../../page-kit/format.js';
import type { Lang, Translate } from '../../page-kit/i18n/index.js';
import { calendarTable, holidayLabel, visibleCalendars, type CustomerCalendar } from './inspection-view.js';
import { page, type Html } from '../../page-kit/layout.js';
import { acceptancePageRoutes } from './acceptance-page.js';
import { acceptancesOf } from '../acceptance.js';

/** The inspection a customer's report is most likely wanted for: the earliest still to report on, else the latest done, else the next. */
function preferredInspection(entries: readonly CalendarEntry[]): string | undefined {
  return (
    entries.find((e) => e.status === 'overdue' || e.status === 'due')?.key ??
    entries.filter((e) => e.status === 'done').at(-1)?.key ??
    entries.find((e) => e.status === 'upcoming')?.key
  );
}

/** Words the client script shows (a refusal's prefix, "saved" after a remark), in the page language. */
function scriptLabels(t: Translate): string {
  return JSON.stringify({ remarkSaved: t('reports.remarkSaved'), error: t('common.error') });
}

const isNamedHoliday = (h: string): h is (typeof INSPECTION_HOLIDAYS)[number] => (INSPECTION_HOLIDAYS as readonly string[]).includes(h);

/**
 * "New Year 2027", "audit 2026-08-15" (a custom day by the name its contract gives it, else "Custom date
 * 2026-08-15"): the inspection a report is for, in the page language, as the report's cover and the calendar name it.
 */
function inspectionText(key: string | null, t: Translate, customName?: string): string {
  if (!key) return '';
  const custom = /^custom-(\d{4}-\d{2}-\d{2})$/.exec(key);
  if (custom) return `${customName || t('holiday.custom')} ${custom[1]}`;
  const m = /^(.*)-(\d{4})$/.exec(key);
  if (!m) return key;
  return `${isNamedHoliday(m[1]!) ? t(`holiday.${m[1]}` as const) : m[1]} ${m[2]}`;
}

/** The names contracts give their custom inspection days, by customer and key ("acme", "custom-2026-08-15" -> "audit"). */
function customInspectionNames(db: Db, customerIds: Iterable<string>): Map<string, string> {
  const names = new Map<string, string>();
  for (const id of customerIds) {
    for (const i of getContract(db, id).inspections) if (typeof i !== 'string' && i.name) names.set(`${id}/custom-${i.date}`, i.name);
  }
  return names;
}

/** One row of the list: what the report covers, its review state (a staff member may open a draft) and its downloads. */
function reportRow(r: ReportRecord, customerName: string, staff: boolean, t: Translate, lang: Lang, returnRemark = '', customName?: string): Html {
  const api = `/api/reports/${encodeURIComponent(r.id)}`;
  const signed = r.signedOffAt !== null;
  // Where a signed report stands with the customer: sent, accepted, or returned (back to the engineers).
  const answer = r.acceptedAt !== null ? 'accepted' : r.returnedAt !== null ? 'returned' : r.deliveredAt !== null ? 'delivered' : null;
  return html`<tr id="report-${r.id}" data-report="${r.id}" data-status="${signed ? 'signed-off' : 'draft'}"${answer ? html` data-answer="${answer}"` : ''}${answer === 'returned' ? html` class="returned"` : ''}>
    <td>${customerName}</td><td><a href="/reports/${encodeURIComponent(r.id)}">${inspectionText(r.inspectionKey, t, customName) || r.period}</a>${r.version > 1 ? html` <small>v${r.version}</small>` : ''}</td>
    <td>${r.windowFrom !== null && r.windowTo !== null ? `${formatTime(r.windowFrom, lang)} – ${formatTime(r.windowTo, lang)}` : r.period}</td>
    <td data-lang="${r.lang}">${r.lang === 'zh' ? '中文' : 'English'}</td><td>${formatTime(r.generatedAt, lang)}</td>
    <td>${signed
      ? html`<span class="badge insp-done">${t('reports.signedOffBy')} ${r.signedOffName ?? ''} · ${formatTime(r.signedOffAt, lang)}</span>${answer
          ? html` <a class="badge report-${answer}" href="/reports/${encodeURIComponent(r.id)}#report-answer">${t(`delivery.state.${answer}`)}</a>`
          : ''}${returnRemark ? html`<br><small class="return-remark">${returnRemark}</small>` : ''}`
      : html`<span class="badge insp-due">${t('reports.draft')}</span>${staff ? html` <a class="review-link" href="/reports?review=${encodeURIComponent(r.id)}#report-review">${t('reports.review')}</a>` : ''}`}</td>
    <td><a href="${api}/html">HTML</a> · <a href="${api}/pdf">PDF</a> · <a href="${api}/docx">${t('reports.docx')}</a> · <a href="${api}/json">JSON</a></td></tr>`;
}

/** The generate form: the inspection list follows the chosen customer (the client hides the others' options). */
function generateForm(calendars: readonly CustomerCalendar[], t: Translate, generated: string | undefined): Html {
  return html`<form class="filters" id="report-generate" data-api="/api/reports"${generated ? html` data-generated="${generated}"` : ''}>
    <label>${t('common.customer')} <select name="customerId">${calendars.map((cal) => html`<option value="${cal.customer.id}">${cal.customer.name}</option>`)}</select></label>
    <label>${t('reports.inspection')} <select name="inspection" required>${calendars.map((cal) => {
      const preferred = preferredInspection(cal.entries);
      return cal.entries.map(
        (e) => html`<option value="${e.key}" data-customer="${cal.customer.id}" ${e.key === preferred ? html`data-default="1"` : ''}>${holidayLabel(e, t)} · ${e.inspectionDate} (${t(`inspections.status.${e.status}`)})</option>`,
      );
    })}</select></label>
    <label>${t('reports.lang')} <select name="lang"><option value="zh">中文</option><option value="en">English</option></select></label>
    <button type="submit" id="report-generate-button">${t('reports.generate')}</button>
    <span id="report-generating" role="status" hidden>${t('reports.generating')}</span>
  </form>
  <p class="flash error" id="report-error" role="alert" hidden></p>`;
}

/** An engineer's review of a draft: a remark per finding and the sign-off; a signed report shows who signed. */
function reviewPanel(db: Db, id: string, customerIds: string[] | undefined, lang: 'zh' | 'en', t: Translate): Html {
  const rec = getReportRecord(db, id, customerIds);
  if (!rec) return html`<section id="report-review"><p class="flash error" role="alert">${t('reports.notFound')}</p></section>`;
  const report = loadReport(db, rec);
  const c = report.cover;
  const risk = reportLabels(lang);
  const head = html`<h2>${t('reports.reviewTitle')}: ${c.customerName} · ${inspectionName(c, lang)}</h2>
    <p>${t('reports.window')}: <span id="review-window">${formatTime(c.periodFrom, lang)} – ${formatTime(c.periodTo, lang)}</span>${c.firstReport ? html` (${t('reports.first')})` : ''}
      · <a href="/api/reports/${rec.id}/html">HTML</a></p>`;
  if (report.signOff) {
    return html`<section id="report-review" data-report="${rec.id}" data-status="signed-off">${head}
      <p class="flash done" id="review-signed">${t('reports.signedOffNotice')} ${report.signOff.name} · ${formatTime(report.signOff.at, lang)}${report.signOff.note ? html` · ${report.signOff.note}` : ''}</p>
      ${report.findings.length
        ? html`<table><thead><tr><th>${t('reports.risk')}</th><th>${t('common.host')}</th><th>${t('reports.finding')}</th><th>${t('reports.remark')}</th></tr></thead><tbody>${report.findings.map(
            (f) => html`<tr data-finding="${f.id}"><td>${risk[f.risk]}</td><td>${f.hostName}</td><td>${f.title}</td><td>${f.remark ?? ''}</td></tr>`,
          )}</tbody></table>`
        : ''}
    </section>`;
  }
  return html`<section id="report-review" data-report="${rec.id}" data-status="draft" data-api="/api/reports/${rec.id}">${head}
    ${report.findings.length
      ? html`<table id="review-findings"><thead><tr><th>${t('reports.risk')}</th><th>${t('common.host')}</th><th>${t('reports.finding')}</th><th>${t('reports.recommendation')}</th><th>${t('reports.remark')}</th></tr></thead>
        <tbody>${report.findings.map(
          (f) => html`<tr data-finding="${f.id}"><td class="risk-${f.risk}">${risk[f.risk]}</td><td>${f.hostName}</td><td>${f.title}<br><small>${f.detail}</small></td><td>${f.recommendation}</td>
            <td><textarea rows="2" cols="40" maxlength="4000" data-finding="${f.id}" data-saved="${f.remark ?? ''}">${f.remark ?? ''}</textarea><br>
              <button type="button" class="save-remark" data-finding="${f.id}">${t('reports.saveRemark')}</button> <small class="remark-status" role="status"></small></td></tr>`,
        )}</tbody></table>`
      : html`<p>${t('reports.noFindings')}</p>`}
    <p><label>${t('reports.signOffNote')} <input id="sign-off-note" maxlength="4000" size="50"></label>
      <button type="button" id="sign-off" class="primary">${t('reports.signOff')}</button></p>
    <p><small>${t('reports.signOffHint')}</small></p>
    <p class="flash error" id="review-error" role="alert" hidden></p>
  </section>`;
}

/**
 * The reports page: the list of reports (filtered by customer and quarter with a GET form), the generate form,
 * and an engineer's review of a draft (?review=ID: remarks per finding, sign-off); below, the inspection
 * calendar of each customer the user may see, from the same source. The list reads the report store as
 * /api/reports does: the user's customers only, and for customer users signed-off reports only. Generating,
 * remarks and sign-off go from the client script to /api/reports, which says so when it is not installed.
 */
export function reportPageRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.route('/', acceptancePageRoutes(deps));
  app.get('/reports', (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const customerIds = c.get('customerIds');
    const customers = listCustomers(deps.db, customerIds);
    const customerName = customerNames(deps.db, customerIds);
    const staff = c.get('user').role !== 'customer';
    const calendars = visibleCalendars(deps.db, customerIds, deps.now(), undefined, { forCustomer: !staff });
    const review = staff ? c.req.query('review') : undefined;
    const customer = c.req.query('customer') || undefined;
    const periodAsked = c.req.query('period')?.trim() || undefined;
    const period = periodAsked === undefined ? undefined : PeriodSchema.safeParse(periodAsked);
    const reports = period?.success === false ? [] : listReports(deps.db, { customerIds, customerId: customer, period: period?.data, signedOnly: !staff });
    // A report the customer returned shows their remark to the engineers right in the list.
    const returned = acceptancesOf(deps.db, reports.filter((r) => r.returnedAt !== null).map((r) => r.id));
    const customNames = customInspectionNames(deps.db, new Set(reports.map((r) => r.customerId)));
    // The report just made (the script comes back here with its id): named on the form, as the API answered it.
    const generatedId = staff ? c.req.query('generated') : undefined;
    const generated = generatedId ? getReportRecord(deps.db, generatedId, customerIds)?.id : undefined;
    const body = html`
      ${staff ? generateForm(calendars, t, generated) : ''}
      <form class="filters" id="report-filters" method="get" action="/reports">
        <label>${t('common.customer')} <select name="customer"><option value="">${t('common.allCustomers')}</option>${customers.map(
          (cu) => html`<option value="${cu.id}"${cu.id === customer ? ' selected' : ''}>${cu.name}</option>`,
        )}</select></label>
        <label>${t('reports.period')} <input name="period" value="${periodAsked ?? ''}" placeholder="${t('reports.anyPeriod')}" pattern="\\d{4}Q[1-4]" size="10"></label>
        <button type="submit">${t('common.filter')}</button>
      </form>
      ${period?.success === false ? html`<p class="flash error" role="alert">${t('common.error')} ${period.error.issues[0]?.message ?? ''}</p>` : ''}
      <p class="flash error" id="reports-missing" hidden>${t('reports.missing')}</p>
      <table id="report-list" data-loaded="${reports.length}" data-labels="${scriptLabels(t)}">
        <thead><tr><th>${t('common.customer')}</th><th>${t('reports.inspection')}</th><th>${t('reports.window')}</th><th>${t('reports.lang')}</th><th>${t('reports.generated')}</th><th>${t('reports.status')}</th><th>${t('tickets.download')}</th></tr></thead>
        <tbody>${reports.length
          ? reports.map((r) => reportRow(r, customerName.get(r.customerId) ?? r.customerId, staff, t, lang, returned.get(r.id)?.remark, customNames.get(`${r.customerId}/${r.inspectionKey}`)))
          : html`<tr><td colspan="7" id="report-list-empty">${t('reports.noneYet')}</td></tr>`}</tbody></table>
      ${review ? reviewPanel(deps.db, review, customerIds, lang, t) : ''}
      <h2>${t('inspections.title')}</h2>
      <div id="inspection-calendars">${calendars.map((cal) => calendarTable(cal, t))}</div>`;
    return page(c, t('reports.title'), body);
  });
  return app;
}
