import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { casesAwaitingCustomer } from '../../tickets/consent.js';
import type { Ticket } from '../../tickets/ticket-store.js';
import { listReports, type ReportRecord } from '../../reports/report-store.js';
import { holidayLabel, visibleCalendars } from '../../reports/pages/inspection-view.js';
import type { CalendarEntry } from '../../reports/holiday-calendar.js';
import type { Customer } from '../../db/customers.js';
import { formatTime } from '../../page-kit/format.js';
import type { Lang, Translate } from '../../page-kit/i18n/index.js';
import type { Html } from '../../page-kit/layout.js';
import { whatCrossed } from './overview-problems.js';

export interface CustomerActions {
  /** Solved cases the customer has to confirm (or reopen) on the case page. */
  toConfirm: Ticket[];
  /** The next inspection of each visible customer that is not done yet. */
  nextInspections: Array<{ customer: Customer; entry: CalendarEntry }>;
  /** Delivered reports (the newest version of each) the customer has not accepted or returned yet. */
  toAccept: ReportRecord[];
}

/**
 * A report waits for the customer once it is signed off and delivered to them (only then can it be accepted or
 * returned, reports/acceptance.ts), until they answered it either way.
 */
const waitsForAnswer = (r: ReportRecord) => r.signedOffAt !== null && r.deliveredAt !== null && r.acceptedAt === null && r.returnedAt === null;

export function customerActions(db: Db, customerIds: readonly string[] | undefined, now: number): CustomerActions {
  const nextInspections = visibleCalendars(db, customerIds, now).flatMap((cal) => {
    const next = cal.entries.filter((e) => e.status !== 'done').sort((a, b) => a.inspectionDate.localeCompare(b.inspectionDate))[0];
    return next ? [{ customer: cal.customer, entry: next }] : [];
  });
  return {
    toConfirm: casesAwaitingCustomer(db, customerIds, now),
    nextInspections,
    toAccept: listReports(db, { customerIds, signedOnly: true }).filter(waitsForAnswer).slice(0, 20),
  };
}

const count = (xs: CustomerActions) => xs.toConfirm.length + xs.toAccept.length;

/** "What waits for you": every item a button that leads to where it is done. */
export function customerActionPanel(a: CustomerActions, t: Translate, lang: Lang): Html {
  const inspection = ({ customer, entry }: CustomerActions['nextInspections'][number]) =>
    html`<a class="action-button inspection" href="/reports#calendar-${customer.id}" data-inspection="${entry.key}">
      <span class="action-kind">${t('overview.nextInspection')}</span>
      <span class="action-title">${entry.inspectionDate} · ${holidayLabel(entry, t)}</span>
      <small>${customer.name}${entry.status === 'overdue' || entry.status === 'due' ? html` · ${t(`inspections.status.${entry.status}`)}` : ''}</small></a>`;
  return html`<section class="panel actions" id="customer-actions" data-waiting="${count(a)}">
    <h2>${t('overview.waitingForYou')} <span class="count">${count(a)}</span></h2>
    <div class="action-list">
      ${a.toConfirm.length ? html`<h3>${t('case.awaiting')} (${a.toConfirm.length})</h3>` : ''}
      ${a.toConfirm.map(
        (tk) => html`<a class="action-button primary confirm" href="/tickets/${tk.number}" data-ticket="${tk.number}">
          <span class="action-kind">${t('overview.confirmCase')}</span>
          <span class="action-title">${tk.hostName ? `${tk.hostName} · ` : ''}${whatCrossed(tk, t, lang)}</span>
          <small>${tk.number} · ${t('overview.solvedAt')} ${formatTime(tk.resolvedAt ?? tk.recoveredAt ?? tk.updatedAt, lang)}</small></a>`,
      )}
      ${a.toAccept.map(
        (r) => html`<a class="action-button primary accept" href="/reports/${r.id}" data-report="${r.id}">
          <span class="action-kind">${t('overview.acceptReport')}</span>
          <span class="action-title">${r.period} · v${r.version} · ${r.lang === 'zh' ? '中文' : 'English'}</span>
          <small>${t('overview.deliveredAt')} ${formatTime(r.deliveredAt, lang)}</small></a>`,
      )}
      ${count(a) === 0 ? html`<p class="empty-state ok" id="actions-none">${t('overview.nothingWaits')}</p>` : ''}
      ${a.nextInspections.map(inspection)}
    </div>
  </section>`;
}
