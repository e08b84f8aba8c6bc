import { html } from 'hono/html';
import type { Db } from '../db/database.js';
import { getCustomer } from '../db/customers.js';
import { formatTime } from '../dashboard/format.js';
import type { Lang, Translate } from '../dashboard/i18n/index.js';
import type { Html } from '../dashboard/layout.js';
import type { Ticket, TicketEvent } from './ticket-store.js';

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
