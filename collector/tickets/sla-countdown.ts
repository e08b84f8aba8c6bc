import { html } from 'hono/html';
import { formatCountdown } from '../page-kit/format.js';
import type { Lang, Translate } from '../page-kit/i18n/index.js';
import type { Html } from '../page-kit/layout.js';
import type { Ticket } from './ticket-store.js';

/** A ticket's next deadline as a ticking countdown (the client script updates data-due every second). */
export function slaCountdown(tk: Ticket, now: number, t: Translate, lang: Lang): Html {
  const due = tk.acknowledgedAt ? tk.restoreDueAt : tk.responseDueAt;
  const label = tk.acknowledgedAt ? t('overview.restoreDue') : t('overview.responseDue');
  return html`<span class="countdown${due < now ? ' overdue' : ''}" data-due="${due}">${label} <b>${formatCountdown(due, now, lang)}</b></span>`;
}
