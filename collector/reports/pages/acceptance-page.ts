import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { getCustomer } from '../../db/customers.js';
import type { DashEnv } from '../../page-kit/env.js';
import { formatTime } from '../../page-kit/format.js';
import type { Lang, Translate } from '../../page-kit/i18n/index.js';
import { page, type Html } from '../../page-kit/layout.js';
import { acceptanceOf, type ReportAcceptance } from '../acceptance.js';
import { deliveryStatus, type ReportDeliveryStatus } from '../delivery-store.js';
import { labels as reportLabels } from '../labels.js';
import { inspectionName } from '../render-html.js';
import { getReportRecord, loadReport, newerVersionOf, type ReportRecord } from '../report-store.js';

/**
 * One report's page (/reports/:id), the link in the delivery mail: what the report is (window, version, health,
 * findings, sign-off, downloads), whether and when it reached the customer, and the customer's answer. A
 * customer user of that customer accepts it (签收) or returns it with a remark here; staff see the answer, a
 * return's remark, and can send the report again. Tenancy as the API: another customer's report, or a draft for
 * a customer user, is "not found".
 */

function deliverySection(d: ReportDeliveryStatus, staff: boolean, rec: ReportRecord, t: Translate, lang: Lang): Html {
  const latest = d.latest;
  const sending = latest && (latest.state === 'preparing' || latest.state === 'queued');
  const line = d.deliveredAt !== null
    ? html`<span class="badge report-delivered">${t('delivery.state.delivered')}</span> ${formatTime(d.deliveredAt, lang)}${staff && d.deliveredTo.length ? html` · ${t('delivery.deliveredTo')} ${d.deliveredTo.join(', ')}` : ''}`
    : html`<span class="badge insp-due">${t('delivery.notDelivered')}</span>`;
  // Staff see what the sending is doing: on its way, given up (and why), or nobody to send it to.
  const status = !staff || !latest
    ? ''
    : sending
      ? html`<p id="delivery-sending">${t('delivery.sending')}${latest.lastError ? html` <small class="muted">(${latest.lastError})</small>` : ''}</p>`
      : latest.state === 'failed'
        ? html`<p class="flash error" id="delivery-failed">${t('delivery.failed')}: ${latest.lastError ?? ''}</p>`
        : latest.state === 'no-recipients'
          ? html`<p class="flash error" id="delivery-no-recipients">${t('delivery.noRecipients')}</p>`
          : '';
  // Once the customer answered, this version is settled: a return is answered with a new version, not a resend.
  const again = staff && rec.signedOffAt !== null && !sending && rec.acceptedAt === null && rec.returnedAt === null
    ? html`<button type="button" id="delivery-send-again" data-api="/api/reports/${rec.id}/deliver">${t('delivery.sendAgain')}</button>`
    : '';
  return html`<section id="report-delivery" data-delivered="${d.deliveredAt !== null ? '1' : '0'}"><h2>${t('delivery.delivery')}</h2>
    <p>${line}</p>${status}${again}</section>`;
}

function answerSection(rec: ReportRecord, answer: ReportAcceptance | undefined, customer: boolean, newer: ReportRecord | undefined, t: Translate, lang: Lang): Html {
  const head = html`<h2>${t('delivery.answer')}</h2>`;
  if (answer) {
    const accepted = answer.decision === 'accepted';
    return html`<section id="report-answer" data-answer="${answer.decision}">${head}
      <p class="flash ${accepted ? 'done' : 'error'}" id="answer-given"><span class="badge report-${answer.decision}">${t(`delivery.state.${answer.decision}`)}</span>
        ${accepted ? t('delivery.acceptedBy') : t('delivery.returnedBy')} ${answer.userName} · ${formatTime(answer.decidedAt, lang)}</p>
      ${answer.remark ? html`<blockquote id="answer-remark">${answer.remark}</blockquote>` : ''}
      ${!accepted && !customer && !newer ? html`<p id="answer-regenerate">${t('delivery.regenerateHint')} <a href="/reports?customer=${encodeURIComponent(rec.customerId)}">${t('reports.generate')}</a></p>` : ''}
    </section>`;
  }
  if (rec.deliveredAt === null) return html`<section id="report-answer" data-answer="none">${head}<p>${t('delivery.waiting')} ${t('delivery.notYetAnswerable')}</p></section>`;
  if (!customer) return html`<section id="report-answer" data-answer="none">${head}<p id="answer-waiting">${t('delivery.waiting')}</p></section>`;
  return html`<section id="report-answer" data-answer="none" data-api="/api/reports/${rec.id}" data-labels="${JSON.stringify({ remarkRequired: t('delivery.remarkRequired'), error: t('common.error') })}">${head}
    <p><small>${t('delivery.acceptHint')}</small></p>
    <p><button type="button" id="report-accept" class="primary">${t('delivery.accept')}</button></p>
    <p><label for="return-remark">${t('delivery.returnRemark')}</label><br>
      <textarea id="return-remark" rows="3" cols="60" maxlength="4000"></textarea><br>
      <button type="button" id="report-return">${t('delivery.return')}</button> <small>${t('delivery.returnHint')}</small></p>
    <p class="flash error" id="answer-error" role="alert" hidden></p>
  </section>`;
}

export function acceptancePageRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.get('/reports/:id', (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const customer = c.get('user').role === 'customer';
    const found = getReportRecord(deps.db, c.req.param('id'), c.get('customerIds'));
    const rec = found && (found.signedOffAt !== null || !customer) ? found : undefined;
    if (!rec) {
      c.status(404);
      return page(c, t('reports.notFound'), html`<p class="flash error" role="alert">${t('reports.notFound')}</p>`);
    }
    const report = loadReport(deps.db, rec);
    const cover = report.cover;
    const risk = reportLabels(lang);
    const api = `/api/reports/${encodeURIComponent(rec.id)}`;
    const newer = newerVersionOf(deps.db, rec);
    const shownNewer = newer && (newer.signedOffAt !== null || !customer) ? newer : undefined;
    const byRisk = report.summary.findingsByRisk;
    const title = `${t('delivery.pageTitle')} · ${getCustomer(deps.db, rec.customerId)?.name ?? rec.customerId} · ${inspectionName(cover, lang)}`;
    const body = html`
      <p><a href="/reports">← ${t('reports.title')}</a></p>
      <section id="report-summary" data-report="${rec.id}" data-version="${rec.version}">
        ${shownNewer ? html`<p class="flash" id="report-newer">${t('delivery.newerVersion')} <a href="/reports/${shownNewer.id}">${t('delivery.version')} ${shownNewer.version}</a></p>` : ''}
        <dl class="facts">
          <dt>${t('reports.window')}</dt><dd>${formatTime(cover.periodFrom, lang)} – ${formatTime(cover.periodTo, lang)}</dd>
          <dt>${t('delivery.version')}</dt><dd>${rec.version} · ${rec.lang === 'zh' ? '中文' : 'English'}</dd>
          <dt>${t('delivery.healthScore')}</dt><dd>${report.summary.healthScore}</dd>
          <dt>${t('delivery.findings')}</dt><dd>${risk.high} ${byRisk.high} · ${risk.medium} ${byRisk.medium} · ${risk.low} ${byRisk.low}</dd>
          <dt>${t('delivery.signedOff')}</dt><dd id="report-signed">${report.signOff ? `${report.signOff.name} · ${formatTime(report.signOff.at, lang)}` : html`<span class="badge insp-due">${t('reports.draft')}</span> <a href="/reports?review=${encodeURIComponent(rec.id)}#report-review">${t('reports.review')}</a>`}</dd>
          <dt>${t('tickets.download')}</dt><dd><a href="${api}/pdf">PDF</a> · <a href="${api}/docx">${t('reports.docx')}</a> · <a href="${api}/html">HTML</a> · <a href="${api}/json">JSON</a></dd>
        </dl>
      </section>
      ${rec.signedOffAt !== null ? deliverySection(deliveryStatus(deps.db, rec.id), !customer, rec, t, lang) : ''}
      ${rec.signedOffAt !== null ? answerSection(rec, acceptanceOf(deps.db, rec.id), customer, shownNewer, t, lang) : ''}
      ${report.findings.length
        ? html`<h2>${t('delivery.findings')}</h2><table id="report-findings"><thead><tr><th>${t('reports.risk')}</th><th>${t('common.host')}</th><th>${t('reports.finding')}</th><th>${t('reports.recommendation')}</th></tr></thead>
          <tbody>${report.findings.map((f) => html`<tr><td class="risk-${f.risk}">${risk[f.risk]}</td><td>${f.hostName}</td><td>${f.title}</td><td>${f.recommendation}</td></tr>`)}</tbody></table>`
        : html`<p>${t('reports.noFindings')}</p>`}`;
    return page(c, title, body);
  });
  return app;
}
