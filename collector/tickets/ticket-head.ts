import { html } from 'hono/html';
import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { formatTime } from '../page-kit/format.js';
import type { Lang, Translate } from '../page-kit/i18n/index.js';
import type { Html } from '../page-kit/layout.js';
import type { Ticket, TicketEvent } from './ticket-store.js';
import { getHost } from '../db/hosts.js';
import { slaCountdown } from './sla-countdown.js';
import { thresholdsByCheck } from '../assignment/chart-thresholds.js';
import { ticketHeadline, type HeadlineThresholds } from './headline.js';

const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);

/**
 * A solved ticket is closed only by the customer's confirmation (or the contract's automatic close): the page
 * says so plainly, with who solved it, since when it waits and whom it waits for. The customer reads it as
 * the step they are asked to take.
 */
export function waitingForCustomer(db: Db, tk: Ticket, events: readonly TicketEvent[], t: Translate, lang: Lang, forCustomer: boolean): Html | '' {
  if (tk.state !== 'resolved' && tk.state !== 'recovered') return '';
  const since = tk.state === 'resolved' ? (tk.resolvedAt ?? tk.updatedAt) : (tk.recoveredAt ?? tk.updatedAt);
  const solvedBy = [...events].reverse().find((e) => e.kind === tk.state);
  const who = tk.state === 'resolved' ? (solvedBy?.actorName ?? '-') : t('event.actorSystem');
  const customer = tk.caller?.name || getCustomer(db, tk.customerId)?.name || tk.customerId;
  const key = forCustomer ? 'tickets.waitingYou' : tk.state === 'resolved' ? 'tickets.waitingCustomer' : 'tickets.recoveredWaiting';
  return html`<p class="notice waiting" id="waiting-customer" role="status" data-since="${since}">${fill(t(key), { who, customer, since: formatTime(since, lang) })}</p>`;
}

/**
 * The ticket list's headlines: what crossed which threshold on which host, with each host's thresholds read
 * once per page (a list of 500 tickets touches few hosts).
 */
export function listHeadlines(db: Db, customerIds: readonly string[] | undefined, lang: Lang): (tk: Ticket) => string {
  const byHost = new Map<string, Map<string, HeadlineThresholds>>();
  return (tk) => {
    let limits = byHost.get(tk.hostId);
    if (!limits) {
      const host = tk.hostId ? getHost(db, tk.hostId, customerIds) : undefined;
      limits = host ? thresholdsByCheck(db, host) : new Map();
      byHost.set(tk.hostId, limits);
    }
    const headline = ticketHeadline(tk, lang, { thresholds: tk.checkId ? limits.get(tk.checkId) : undefined });
    return tk.hostName && tk.kind !== 'host-unreachable' ? `${tk.hostName} · ${headline}` : headline;
  };
}

/** One row of the ticket list (the overview's row, with the headline for a title). */
export function ticketListRow(tk: Ticket, now: number, t: Translate, lang: Lang, headline: (tk: Ticket) => string): Html {
  return html`<tr data-ticket="${tk.number}" class="sev-${tk.severity}">
    <td><a href="/tickets/${tk.number}">${tk.number}</a></td>
    <td>${tk.severity}</td>
    <td><span class="badge state-${tk.state}">${t(`state.${tk.state}`)}</span></td>
    <td>${headline(tk)}</td>
    <td class="when">${formatTime(tk.openedAt, lang)}</td>
    <td>${tk.state === 'closed' || tk.state === 'recovered' || tk.state === 'resolved' ? '' : slaCountdown(tk, now, t, lang)}</td>
  </tr>`;
}
