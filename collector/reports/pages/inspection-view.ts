import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { listCustomers, type Customer } from '../../db/customers.js';
import type { CalendarEntry, InspectionStatus } from '../holiday-calendar.js';
import { customerInspectionCalendar, type InspectionCalendarEntry, type InspectionReportProgress } from '../customer-calendar.js';
import { INSPECTION_HOLIDAYS } from '../../contracts/contract-store.js';
import type { Translate } from '../../page-kit/i18n/index.js';
import type { Html } from '../../page-kit/layout.js';

/**
 * The inspection calendar (issue 6) as the reports page and the overview show it: the same entries
 * /api/reports/calendar answers, for the customers the user may see and no others.
 */
export interface CustomerCalendar {
  customer: Customer;
  entries: InspectionCalendarEntry[];
}

/** Every visible customer's calendar (optionally one customer of them), in customer-name order. */
export function visibleCalendars(db: Db, customerIds: readonly string[] | undefined, now: number, onlyCustomerId?: string, opts: { forCustomer?: boolean } = {}): CustomerCalendar[] {
  return listCustomers(db, customerIds)
    .filter((c) => !onlyCustomerId || c.id === onlyCustomerId)
    .map((customer) => ({ customer, entries: customerInspectionCalendar(db, customer.id, now, opts) }));
}

/** Inspections someone has to act on now: report still to sign off (due) or late (overdue); overdue first, each by report due date. */
export function actionable(calendars: readonly CustomerCalendar[]): Array<{ customer: Customer; entry: CalendarEntry }> {
  return calendars
    .flatMap((c) => c.entries.filter((e) => e.status === 'due' || e.status === 'overdue').map((entry) => ({ customer: c.customer, entry })))
    .sort((a, b) => (a.entry.status === b.entry.status ? a.entry.reportDueDate.localeCompare(b.entry.reportDueDate) : a.entry.status === 'overdue' ? -1 : 1));
}

const isNamedHoliday = (h: string): h is (typeof INSPECTION_HOLIDAYS)[number] => (INSPECTION_HOLIDAYS as readonly string[]).includes(h);

/** A named holiday in the page language; a custom inspection keeps the name the contract gave it. */
export function holidayLabel(e: CalendarEntry, t: Translate): string {
  if (isNamedHoliday(e.holiday)) return t(`holiday.${e.holiday}`);
  return e.holiday === 'custom' ? t('holiday.custom') : e.holiday;
}

export function statusBadge(status: InspectionStatus, t: Translate): Html {
  return html`<span class="badge insp-${status}">${t(`inspections.status.${status}`)}</span>`;
}

/**
 * Where the inspection's report stands with the customer (draft, signed, delivered, accepted, returned), linked to
 * the report's page, and "overdue" when it did not reach the customer within the contract's week.
 */
export function reportProgressCell(p: InspectionReportProgress, t: Translate, upcoming = false): Html {
  // Nothing is owed for an inspection still to come: a dash, not "not made yet".
  if (upcoming && p.state === 'none') return html`<span class="report-progress muted" data-report-state="none" data-overdue="0">–</span>`;
  const state = p.state === 'none' ? html`<span class="muted">${t('delivery.state.none')}</span>` : html`<a class="badge report-${p.state}" href="/reports/${p.reportId ?? ''}">${t(`delivery.state.${p.state}`)}</a>`;
  return html`<span class="report-progress" data-report-state="${p.state}" data-overdue="${p.overdue ? '1' : '0'}">${state}${p.overdue
    ? html` <span class="badge insp-overdue" title="${t('delivery.overdueHint')}">${p.deliveredAt === null ? t('delivery.overdue') : t('delivery.late')}</span>`
    : ''}</span>`;
}

/** One customer's calendar table on the reports page; overdue rows carry class "overdue" (highlighted). */
export function calendarTable(cal: CustomerCalendar, t: Translate): Html {
  return html`<section class="inspection-calendar" id="calendar-${cal.customer.id}" data-customer="${cal.customer.id}">
    <h3>${cal.customer.name}</h3>
    ${cal.entries.length
      ? html`<table><thead><tr><th>${t('inspections.date')}</th><th>${t('inspections.holiday')}</th><th>${t('inspections.holidayDate')}</th><th>${t('inspections.reportDue')}</th><th>${t('common.status')}</th><th>${t('delivery.reportColumn')}</th></tr></thead>
        <tbody>${cal.entries.map(
          (e) => html`<tr data-inspection="${e.key}" data-status="${e.status}" class="insp-row ${e.status}${e.report.overdue ? ' late' : ''}">
            <td>${e.inspectionDate}</td><td>${holidayLabel(e, t)}</td><td>${e.holidayDate}</td><td>${e.reportDueDate}</td>
            <td>${statusBadge(e.status, t)}${e.reportId ? html` <a href="/api/reports/${e.reportId}/html">${t('inspections.signedReport')}</a>` : ''}</td>
            <td>${reportProgressCell(e.report, t, e.status === 'upcoming')}</td></tr>`,
        )}</tbody></table>`
      : html`<p>${t('common.none')}</p>`}
  </section>`;
}

/** The overview's short list of due and overdue inspections (the first 20; the heading counts all). */
export function dueInspectionsList(items: ReturnType<typeof actionable>, t: Translate): Html {
  return html`<h2>${t('inspections.dueList')} (${items.length})</h2>
    ${items.length
      ? html`<ul id="inspections-due">${items.slice(0, 20).map(
          ({ customer, entry }) => html`<li data-inspection="${entry.key}" data-customer="${customer.id}" data-status="${entry.status}" class="insp-row ${entry.status}">
            ${statusBadge(entry.status, t)} <a href="/reports#calendar-${customer.id}">${customer.name}</a> · ${holidayLabel(entry, t)}
            <small>${t('inspections.date')} ${entry.inspectionDate} · ${t('inspections.reportDue')} ${entry.reportDueDate}</small></li>`,
        )}</ul>`
      : html`<p id="inspections-due-none">${t('common.none')}</p>`}`;
}
