import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { listCustomers, type Customer } from '../../db/customers.js';
import { listHosts, type Host } from '../../db/hosts.js';
import { worstStatus, type Status } from '../../../shared/status.js';
import { ACTIVE_STATES, listTickets, type Ticket } from '../../tickets/ticket-store.js';
import type { DashEnv } from '../env.js';
import { formatCountdown, formatTime } from '../format.js';
import type { Lang, Translate } from '../i18n/index.js';
import { actionable, dueInspectionsList, visibleCalendars } from '../../reports/pages/inspection-view.js';
import { page, type Html } from '../layout.js';
import { statusClass } from '../status-view.js';
import { worstStatusByHost } from '../../db/host-status.js';
import { awaitingCustomerSection, contractBanner } from '../../tickets/case-pages.js';

export interface OverviewFilter {
  customerId?: string;
  tag?: string;
}

export interface OverviewData {
  customers: Array<{ customer: Customer; worst: Status; hosts: Array<{ host: Host; status: Status }> }>;
  allTags: string[];
  openTickets: Ticket[];
  agentsOffline: Host[];
  hostCount: number;
  /** Inspections whose report is due or overdue, of the shown customers. */
  inspectionsDue: ReturnType<typeof actionable>;
}

/** Everything the overview shows, from a few queries, all filtered by the caller's customers. */
export function overviewData(db: Db, customerIds: readonly string[] | undefined, filter: OverviewFilter, now: number): OverviewData {
  const customers = listCustomers(db, customerIds);
  const hosts = listHosts(db, customerIds);
  const worst = worstStatusByHost(db, customerIds, filter.customerId);
  const allTags = [...new Set(hosts.flatMap((h) => h.tags))].sort();
  const shown = hosts.filter((h) => (!filter.customerId || h.customerId === filter.customerId) && (!filter.tag || h.tags.includes(filter.tag)));
  const byCustomer = new Map<string, Array<{ host: Host; status: Status }>>();
  for (const h of shown) {
    const entry = { host: h, status: worst.get(h.id) ?? ('UNKNOWN' as Status) };
    const list = byCustomer.get(h.customerId);
    if (list) list.push(entry);
    else byCustomer.set(h.customerId, [entry]);
  }
  const openTickets = listTickets(db, { customerIds, customerId: filter.customerId, state: ACTIVE_STATES, limit: 500, now });
  // Soonest response deadline first: the ticket an engineer must look at next is at the top.
  openTickets.sort((a, b) => (a.acknowledgedAt ? a.restoreDueAt : a.responseDueAt) - (b.acknowledgedAt ? b.restoreDueAt : b.responseDueAt));
  return {
    customers: customers
      .filter((c) => byCustomer.has(c.id))
      .map((c) => {
        const list = byCustomer.get(c.id)!;
        return { customer: c, worst: worstStatus(list.map((x) => x.status)), hosts: list };
      }),
    allTags,
    openTickets,
    agentsOffline: shown.filter((h) => h.kind === 'agent' && !h.connected),
    hostCount: shown.length,
    inspectionsDue: actionable(visibleCalendars(db, customerIds, now, filter.customerId)),
  };
}

/** A ticket's next deadline as a ticking countdown (the client script updates data-due every second). */
export function slaCountdown(tk: Ticket, now: number, t: Translate): Html {
  const due = tk.acknowledgedAt ? tk.restoreDueAt : tk.responseDueAt;
  const label = tk.acknowledgedAt ? t('overview.restoreDue') : t('overview.responseDue');
  return html`<span class="countdown${due < now ? ' overdue' : ''}" data-due="${due}">${label} <b>${formatCountdown(due, now)}</b></span>`;
}

export function ticketRow(tk: Ticket, now: number, t: Translate, lang: Lang): Html {
  return html`<tr data-ticket="${tk.number}" class="sev-${tk.severity}">
    <td><a href="/tickets/${tk.number}">${tk.number}</a></td>
    <td>${tk.severity}</td>
    <td><span class="badge state-${tk.state}">${t(`state.${tk.state}`)}</span></td>
    <td>${tk.title}</td>
    <td>${formatTime(tk.openedAt, lang)}</td>
    <td>${tk.state === 'closed' || tk.state === 'recovered' || tk.state === 'resolved' ? '' : slaCountdown(tk, now, t)}</td>
  </tr>`;
}

function hostCell(host: Host, status: Status): Html {
  return html`<a class="cell ${statusClass(status)}" href="/hosts/${host.id}" data-host-id="${host.id}" title="${host.name} (${status})">${host.name}</a>`;
}

export function renderOverview(data: OverviewData, filter: OverviewFilter, ctx: { t: Translate; lang: Lang; now: number; customerOptions: Customer[] }): Html {
  const { t, lang, now } = ctx;
  return html`<form method="get" action="/" class="filters">
      <label>${t('common.customer')} <select name="customer" id="filter-customer">
        <option value="">${t('common.allCustomers')}</option>
        ${ctx.customerOptions.map((c) => html`<option value="${c.id}"${c.id === filter.customerId ? ' selected' : ''}>${c.name}</option>`)}
      </select></label>
      <label>${t('common.tag')} <select name="tag" id="filter-tag">
        <option value="">${t('common.allTags')}</option>
        ${data.allTags.map((tag) => html`<option value="${tag}"${tag === filter.tag ? ' selected' : ''}>${tag}</option>`)}
      </select></label>
      <button type="submit">${t('common.filter')}</button>
      <span class="count" id="host-count">${data.hostCount} ${t('overview.hostCount')}</span>
    </form>
    <div class="columns">
    <section class="grid-area" id="host-grid">
      ${data.customers.map(
        (c) => html`<section class="customer" data-customer="${c.customer.id}">
          <h2><span class="dot ${statusClass(c.worst)}"></span>${c.customer.name} <small>${c.hosts.length}</small></h2>
          <div class="grid">${c.hosts.map((h) => hostCell(h.host, h.status))}</div>
        </section>`,
      )}
    </section>
    <aside>
      <h2>${t('overview.openTickets')} (${data.openTickets.length})</h2>
      ${data.openTickets.length
        ? html`<table class="tickets" id="open-tickets"><tbody>${data.openTickets.slice(0, 200).map((tk) => ticketRow(tk, now, t, lang))}</tbody></table>`
        : html`<p>${t('common.none')}</p>`}
      <h2>${t('overview.agentsOffline')} (${data.agentsOffline.length})</h2>
      <ul id="agents-offline">${data.agentsOffline.map(
        (h) => html`<li><a href="/hosts/${h.id}">${h.name}</a> <small>${t('common.lastSeen')}: ${h.lastSeenAt ? formatTime(h.lastSeenAt, lang) : t('common.never')}</small></li>`,
      )}</ul>
      ${dueInspectionsList(data.inspectionsDue, t)}
    </aside>
    </div>`;
}

export function overviewRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.get('/', (c) => {
    const filter: OverviewFilter = { customerId: c.req.query('customer') || undefined, tag: c.req.query('tag') || undefined };
    const now = deps.now();
    const ids = c.get('customerIds');
    const data = overviewData(deps.db, ids, filter, now);
    const body = renderOverview(data, filter, { t: c.get('t'), lang: c.get('lang'), now, customerOptions: listCustomers(deps.db, ids) });
    // Solved cases wait for the customer's consent: first thing a customer user sees, below the grid for staff.
    const customerUser = c.get('user').role === 'customer';
    const waiting = awaitingCustomerSection(deps.db, ids, customerUser, c.get('t'), c.get('lang'), now);
    const banner = contractBanner(deps.db, ids, c.get('t'), now);
    return page(c, c.get('t')('overview.title'), customerUser ? html`${banner}${waiting}${body}` : html`${banner}${body}${waiting}`);
  });

  /** Live host colours for the overview's poll: id -> worst status, nothing else. */
  app.get('/live/states', (c) => {
    const states = Object.fromEntries(worstStatusByHost(deps.db, c.get('customerIds')));
    return c.json({ states }, 200, { 'cache-control': 'no-store' });
  });
  return app;
}
