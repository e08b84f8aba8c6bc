import { html } from 'hono/html';
import { SEVERITIES } from '../../contracts/contract-store.js';
import type { Ticket } from '../../tickets/ticket-store.js';
import { renderCheckMessage } from '../../../checks/messages.js';
import { checkTitle } from '../../../checks/titles.js';
import { formatCountdown } from '../../page-kit/format.js';
import type { Lang, Translate } from '../../page-kit/i18n/index.js';
import type { Html } from '../../page-kit/layout.js';

/** How many problems the panel lists; the rest are one click away on the tickets page. */
export const PROBLEMS_SHOWN = 50;

/**
 * Problems as Zabbix's Problems widget orders them: most severe first (P1 before P4), and within one severity the
 * oldest first, since it has waited longest and its SLA deadline is nearest.
 */
export function sortProblems(tickets: readonly Ticket[]): Ticket[] {
  const rank = (tk: Ticket) => SEVERITIES.indexOf(tk.severity);
  return [...tickets].sort((a, b) => rank(a) - rank(b) || a.openedAt - b.openedAt || a.number.localeCompare(b.number));
}

/** "3h 05m" since `since`: the same shape as the countdowns, so a row reads the same way across. */
export const formatAge = (since: number, now: number, lang: Lang) => formatCountdown(now + Math.max(0, now - since), now, lang);

/** What crossed: the check's name and its result in the page language; a case opened by a person keeps its title. */
export function whatCrossed(tk: Ticket, t: Translate, lang: Lang): Html {
  if (tk.kind === 'manual') return html`${tk.title}`;
  if (tk.kind === 'host-unreachable') return html`${t('overview.unreachable')}`;
  const name = (tk.checkId && checkTitle(tk.checkId, lang)) || tk.checkName || tk.title;
  const result = renderCheckMessage(lang, tk.summaryMessage, tk.summary);
  return html`<b>${name}</b>${result ? html` <span class="result">${result}</span>` : ''}`;
}

/** The next SLA deadline: response until acknowledged, then restore. Nothing when no SLA clock runs. */
function deadline(tk: Ticket, now: number, t: Translate, lang: Lang): Html {
  if (tk.slaStopped) return html`<span class="no-sla">${t('overview.noSla')}</span>`;
  const due = tk.acknowledgedAt ? tk.restoreDueAt : tk.responseDueAt;
  const label = tk.acknowledgedAt ? t('overview.restoreDue') : t('overview.responseDue');
  return html`<span class="countdown${due < now ? ' overdue' : ''}" data-due="${due}" title="${label}"><small>${label}</small> <b>${formatCountdown(due, now, lang)}</b></span>`;
}

function problemRow(tk: Ticket, now: number, t: Translate, lang: Lang): Html {
  // The state badge is the row's first .badge: the live script relabels it (browser/tickets.ts).
  return html`<tr data-ticket="${tk.number}" data-severity="${tk.severity}" class="sev-${tk.severity}">
    <td class="sev"><span class="sev-pill sev-${tk.severity}" title="${t(`overview.severity.${tk.severity}`)}">${tk.severity}</span></td>
    <td class="what">
      <a href="/tickets/${tk.number}" class="problem-link">${whatCrossed(tk, t, lang)}</a>
      <div class="meta">${tk.hostId ? html`<a href="/hosts/${tk.hostId}" class="host">${tk.hostName}</a>` : html`<span class="host">${t('overview.noHost')}</span>`}
        · <span class="badge state-${tk.state}">${t(`state.${tk.state}`)}</span> · <a href="/tickets/${tk.number}" class="number">${tk.number}</a></div>
    </td>
    <td class="age" title="${t('overview.age')}">${formatAge(tk.openedAt, now, lang)}</td>
    <td class="due">${deadline(tk, now, t, lang)}</td>
  </tr>`;
}

/** The problems panel: open tickets by severity and age with their SLA countdowns; each row leads to its ticket. */
export function problemsPanel(tickets: readonly Ticket[], now: number, t: Translate, lang: Lang): Html {
  const sorted = sortProblems(tickets);
  const bySeverity = SEVERITIES.map((s) => ({ s, n: sorted.filter((tk) => tk.severity === s).length })).filter((x) => x.n > 0);
  return html`<section class="panel problems" id="problems">
    <h2>${t('overview.problems')} <span class="count">${sorted.length}</span>
      ${bySeverity.map((x) => html`<span class="sev-pill sev-${x.s}" data-severity-count="${x.s}">${x.s} ${x.n}</span>`)}</h2>
    ${sorted.length
      ? html`<table class="tickets problems-table" id="open-tickets">
          <thead><tr><th>${t('common.severity')}</th><th>${t('overview.problem')}</th><th>${t('overview.age')}</th><th>${t('overview.sla')}</th></tr></thead>
          <tbody>${sorted.slice(0, PROBLEMS_SHOWN).map((tk) => problemRow(tk, now, t, lang))}</tbody></table>
        ${sorted.length > PROBLEMS_SHOWN ? html`<p class="more"><a href="/tickets">${t('overview.allProblems')} (${sorted.length})</a></p>` : ''}`
      : html`<div class="empty-state ok" id="problems-none"><p>${t('overview.noProblems')}</p></div>`}
  </section>`;
}
