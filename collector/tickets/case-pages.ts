import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { customerNames, listCustomers } from '../db/customers.js';
import { listHosts } from '../db/hosts.js';
import type { DashEnv } from '../page-kit/env.js';
import { formatTime } from '../page-kit/format.js';
import type { Lang, MessageKey, Translate } from '../page-kit/i18n/index.js';
import { csrfField, page, type Html } from '../page-kit/layout.js';
import { SEVERITIES } from '../contracts/contract-store.js';
import { CASE_CHANNELS, DOMAINS } from './case-types.js';
import { changeSeverity, escalateToTier, getRating, markOnsiteNeeded, rateCase, setDomain } from './case-actions.js';
import { casesAwaitingCustomer } from './consent.js';
import { getContract } from '../contracts/contract-store.js';
import { contractState } from '../contracts/contract-terms.js';
import { openCase } from './open-case.js';
import { listHeadlines } from './ticket-head.js';
import type { Ticket, TicketEvent } from './ticket-store.js';
import type { ActionContext, ActionResult } from './ticket-actions.js';

/**
 * The dashboard side of cases: the "new case" form (staff for any customer they serve, a customer user for their
 * own company from the portal), the panel on a ticket page (how it came in, who called, the forms that steer it,
 * the customer's rating) and the overview's list of solved cases waiting for the customer.
 */

const NewCaseForm = z.object({
  customerId: z.string().max(100).default(''),
  channel: z.string().max(20).default('portal'),
  callerName: z.string().max(200).default(''),
  callerPhone: z.string().max(40).default(''),
  callerEmail: z.string().max(320).default(''),
  title: z.string().max(200).default(''),
  description: z.string().max(20_000).default(''),
  hostId: z.string().max(255).default(''),
  severity: z.string().max(4).default(''),
  domain: z.string().max(20).default(''),
  onsiteNeeded: z.string().max(10).default(''),
});

const SteerForm = z.object({
  tier: z.string().max(2).default(''),
  severity: z.string().max(4).default(''),
  domain: z.string().max(20).default(''),
  reason: z.string().max(4000).default(''),
  score: z.string().max(2).default(''),
  remark: z.string().max(4000).default(''),
});
type SteerFormData = z.infer<typeof SteerForm>;

const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);

/** A refusal as the page shows it: the English message of the action, inside a sentence in the page language. */
const refusal = (t: Translate, r: Exclude<ActionResult, { ok: true }>) => fill(t('case.errRefused'), { message: r.message });

const STEER: Record<string, (ctx: ActionContext, id: string, f: SteerFormData) => ActionResult | { ok: false; key: MessageKey }> = {
  escalate: (ctx, id, f) => (!f.reason.trim() ? { ok: false, key: 'case.errReason' } : escalateToTier(ctx, id, f.tier === '3' ? 3 : 2, f.reason)),
  severity: (ctx, id, f) =>
    !f.reason.trim() || !(SEVERITIES as readonly string[]).includes(f.severity) ? { ok: false, key: 'case.errReason' } : changeSeverity(ctx, id, f.severity as (typeof SEVERITIES)[number], f.reason),
  domain: (ctx, id, f) => ((DOMAINS as readonly string[]).includes(f.domain) ? setDomain(ctx, id, f.domain as (typeof DOMAINS)[number]) : { ok: false, key: 'case.errFields' }),
  'onsite-needed': (ctx, id, f) => markOnsiteNeeded(ctx, id, f.reason),
  rate: (ctx, id, f) => (/^[1-5]$/.test(f.score) ? rateCase(ctx, id, Number(f.score), f.remark) : { ok: false, key: 'case.errRating' }),
};

function newCaseForm(c: Context<DashEnv>, db: Db): Html {
  const t = c.get('t');
  const user = c.get('user');
  const customer = user.role === 'customer';
  const ids = c.get('customerIds');
  const customers = listCustomers(db, ids);
  const hosts = listHosts(db, ids);
  const names = customerNames(db, ids);
  return html`<p>${customer ? t('case.introCustomer') : t('case.intro')}</p>
    <form method="post" action="/tickets/new" class="stack" id="new-case-form">${csrfField(c)}
      ${customer
        ? html`<input type="hidden" name="customerId" value="${user.customerId ?? ''}"><input type="hidden" name="channel" value="portal">`
        : html`<label>${t('common.customer')} <select name="customerId" required>${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select></label>
          <label>${t('case.channel')} <select name="channel">${CASE_CHANNELS.filter((ch) => ch !== 'monitoring').map((ch) => html`<option value="${ch}">${t(`case.channel.${ch}`)}</option>`)}</select></label>`}
      <label>${t('case.callerName')} <input name="callerName" required maxlength="200" value="${customer ? user.displayName || user.username : ''}"></label>
      <label>${t('case.callerPhone')} <input name="callerPhone" maxlength="40"></label>
      <label>${t('case.callerEmail')} <input name="callerEmail" type="email" maxlength="320"></label>
      <label>${t('case.title')} <input name="title" required maxlength="200"></label>
      <label>${t('case.description')} <textarea name="description" rows="5"></textarea></label>
      <label>${t('case.host')} <select name="hostId"><option value="">${t('case.noHost')}</option>${hosts.map(
        (h) => html`<option value="${h.id}">${customer ? h.name : `${names.get(h.customerId) ?? h.customerId} / ${h.name}`}</option>`,
      )}</select></label>
      <label>${customer ? t('case.severityProposed') : t('case.severity')} <select name="severity"${customer ? '' : ' required'}>
        ${customer ? html`<option value="">-</option>` : ''}${SEVERITIES.map((s) => html`<option value="${s}"${s === 'P3' ? ' selected' : ''}>${s}</option>`)}</select></label>
      ${customer
        ? ''
        : html`<label>${t('case.domain')} <select name="domain"><option value="">${t('case.noDomain')}</option>${DOMAINS.map((d) => html`<option value="${d}">${t(`case.domain.${d}`)}</option>`)}</select></label>
          <label class="check"><input type="checkbox" name="onsiteNeeded" value="1"> ${t('case.onsiteNeeded')}</label>`}
      <button type="submit" class="primary">${t('case.submit')}</button>
    </form>`;
}

/** What a case adds to its ticket page: channel, caller, description, domain, the staff's steering forms, the rating. */
export function casePanel(c: Context<DashEnv>, tk: Ticket, db: Db): Html {
  const t = c.get('t');
  const lang = c.get('lang');
  const user = c.get('user');
  const staff = user.role !== 'customer';
  const base = `/tickets/${encodeURIComponent(tk.number)}`;
  const rating = getRating(db, tk.id);
  const caller = tk.caller ? [tk.caller.name, tk.caller.phone, tk.caller.email].filter(Boolean).join(' · ') : '';
  const facts = html`<table class="facts" id="case-facts"><tbody>
      <tr><th>${t('case.channel')}</th><td data-channel="${tk.channel}">${t(`case.channel.${tk.channel}`)}</td></tr>
      ${caller ? html`<tr><th>${t('case.caller')}</th><td id="case-caller">${caller}</td></tr>` : ''}
      ${tk.description ? html`<tr><th>${t('case.description')}</th><td class="text" style="white-space:pre-wrap">${tk.description}</td></tr>` : ''}
      ${tk.domain ? html`<tr><th>${t('case.domain')}</th><td>${t(`case.domain.${tk.domain}`)}</td></tr>` : ''}
      ${tk.slaStopped ? html`<tr><th>${t('case.sla')}</th><td id="sla-stopped" data-reason="${tk.slaStopped}">${t(`case.slaStopped.${tk.slaStopped}`)}</td></tr>` : ''}
      ${tk.severityProposed ? html`<tr><th>${t('case.severity')}</th><td id="severity-proposed">${tk.severity} · ${t('case.proposedBadge')}</td></tr>` : ''}
      ${rating ? html`<tr><th>${t('case.rating')}</th><td id="case-rating" data-score="${rating.score}">${'★'.repeat(rating.score)}${'☆'.repeat(5 - rating.score)} ${rating.score}/5${rating.remark ? html` · ${rating.remark}` : ''} <small>${t('case.ratedBy')} ${rating.ratedByName}, ${formatTime(rating.ratedAt, lang)}</small></td></tr>` : ''}
    </tbody></table>`;
  const steer =
    staff && tk.state !== 'closed'
      ? html`<details class="steer" id="case-steer"${tk.severityProposed ? ' open' : ''}><summary>${t('case.steer')}</summary>
          ${tk.tier < 3
            ? html`<form method="post" action="${base}/escalate" class="inline">${csrfField(c)}<label>${t('case.escalateTo')} <select name="tier">${[2, 3].filter((n) => n > tk.tier).map((n) => html`<option value="${n}">L${n}</option>`)}</select></label>
              <input name="reason" required placeholder="${t('case.reason')}"><button type="submit">${t('case.escalate')}</button></form>`
            : ''}
          <form method="post" action="${base}/severity" class="inline">${csrfField(c)}<select name="severity" aria-label="${t('case.severity')}">${SEVERITIES.map((s) => html`<option value="${s}"${s === tk.severity ? ' selected' : ''}>${s}</option>`)}</select>
            <input name="reason" required placeholder="${t('case.reason')}"><button type="submit">${tk.severityProposed ? t('case.confirmSeverity') : t('case.changeSeverity')}</button></form>
          <form method="post" action="${base}/domain" class="inline">${csrfField(c)}<select name="domain" aria-label="${t('case.domain')}">${DOMAINS.map((d) => html`<option value="${d}"${d === tk.domain ? ' selected' : ''}>${t(`case.domain.${d}`)}</option>`)}</select>
            <button type="submit">${t('case.setDomain')}</button></form>
          ${tk.onsiteNeeded ? '' : html`<form method="post" action="${base}/onsite-needed" class="inline">${csrfField(c)}<input name="reason" placeholder="${t('case.reason')}"><button type="submit">${t('case.markOnsite')}</button></form>`}
        </details>`
      : '';
  const rate =
    user.role === 'customer' && user.customerId === tk.customerId && tk.state === 'closed' && !rating
      ? html`<form method="post" action="${base}/rate" class="stack" id="rating-form">${csrfField(c)}<h2>${t('case.rate')}</h2>
          <fieldset class="inline">${[1, 2, 3, 4, 5].map((n) => html`<label><input type="radio" name="score" value="${n}" required> ${n}</label> `)}</fieldset>
          <label>${t('case.remark')} <textarea name="remark" rows="2"></textarea></label>
          <button type="submit" class="primary">${t('case.submitRating')}</button></form>`
      : '';
  return html`${facts}${steer}${rate}`;
}

/** Solved cases waiting for the customer, for the overview (the customer's own, or every visible one for staff). */
export function awaitingCustomerSection(db: Db, customerIds: readonly string[] | undefined, customerOnly: boolean, t: Translate, lang: Lang, now: number): Html | '' {
  const waiting = casesAwaitingCustomer(db, customerIds, now);
  if (waiting.length === 0 && !customerOnly) return '';
  // What was solved as the ticket list says it ("web-1 · 内存使用率 96.2% ≥ 95%（严重）"), not the stored "web-1: system.memory".
  const headline = listHeadlines(db, customerIds, lang);
  return html`<h2>${customerOnly ? t('case.awaiting') : t('case.awaitingStaff')} (${waiting.length})</h2>
    ${waiting.length
      ? html`<ul id="awaiting-customer">${waiting.map(
          (tk) => html`<li data-ticket="${tk.number}"><a href="/tickets/${tk.number}">${tk.number}</a> ${headline(tk)} <small>${formatTime(tk.resolvedAt ?? tk.recoveredAt ?? tk.updatedAt, lang)}</small></li>`,
        )}</ul>`
      : html`<p>${t('common.none')}</p>`}`;
}

/** "The contract ends on ... (N days left)" or "... has ended" for every visible customer whose contract is within 30 days of its end or past it. */
export function contractBanner(db: Db, customerIds: readonly string[] | undefined, t: Translate, now: number): Html | '' {
  const lines = listCustomers(db, customerIds).flatMap((cu) => {
    const c = getContract(db, cu.id);
    const s = contractState(c, now);
    if (!c.endsOn || !(s.ending || s.state === 'expired')) return [];
    const text = fill(t(s.state === 'expired' ? 'contract.expired' : 'contract.ending'), { customer: cu.name, date: c.endsOn, days: String(s.daysLeft ?? '') });
    return [html`<li data-customer="${cu.id}" data-contract="${s.state === 'expired' ? 'expired' : 'ending'}">${text}</li>`];
  });
  return lines.length ? html`<ul class="flash error" id="contract-banner" role="status">${lines}</ul>` : '';
}

/** Event messages the case code writes itself, in the page language; undefined for anything else. */
export function caseEventMessage(e: TicketEvent, t: Translate, lang: Lang): string | undefined {
  if (e.actorId !== null) return undefined;
  if (e.kind === 'closed-by-contract' && typeof e.data.days === 'number') return fill(t('event.msg.closedByContract'), { days: String(e.data.days) });
  if (e.kind === 'auto-close-notice' && typeof e.data.closesAt === 'number') return fill(t('event.msg.autoCloseNotice'), { time: formatTime(e.data.closesAt, lang) });
  if (e.kind === 'customer-reminded') return t('event.msg.customerReminded');
  if (e.kind === 'sla-stopped' && (e.data.reason === 'contract-expired' || e.data.reason === 'contract-not-started' || e.data.reason === 'host-not-covered')) return t(`case.slaStopped.${e.data.reason}`);
  if (e.kind === 'escalated' && (e.data.target === 'restore' || e.data.target === 'onsite') && typeof e.data.dueAt === 'number') {
    return fill(t('event.msg.targetAtRisk'), { tiers: `L${String(e.data.from)} -> L${String(e.data.to)}`, target: t(`case.target.${e.data.target}`), time: formatTime(e.data.dueAt, lang) });
  }
  return undefined;
}

export function casePages(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();

  app.get('/tickets/new', (c) => page(c, c.get('t')('case.newTitle'), newCaseForm(c, db)));

  app.post('/tickets/new', async (c) => {
    const t = c.get('t');
    const f = NewCaseForm.safeParse(await c.req.parseBody());
    if (!f.success) return c.text('invalid form', 400);
    const v = f.data;
    const user = c.get('user');
    const r = openCase(
      { db, user, customerIds: c.get('customerIds'), now: deps.now() },
      {
        customerId: user.role === 'customer' ? (user.customerId ?? '') : v.customerId,
        channel: (user.role === 'customer' ? 'portal' : v.channel) as (typeof CASE_CHANNELS)[number],
        caller: { name: v.callerName, ...(v.callerPhone.trim() ? { phone: v.callerPhone } : {}), ...(v.callerEmail.trim() ? { email: v.callerEmail.trim() } : {}) },
        title: v.title,
        description: v.description,
        ...(v.hostId ? { hostId: v.hostId } : {}),
        ...(v.severity ? { severity: v.severity as (typeof SEVERITIES)[number] } : {}),
        ...(v.domain ? { domain: v.domain as (typeof DOMAINS)[number] } : {}),
        onsiteNeeded: v.onsiteNeeded !== '',
      },
    );
    if (r.ok) return c.redirect(`/tickets/${encodeURIComponent(r.ticket.number)}?done=1`, 303);
    const message = r.message.startsWith('hostId') ? t('case.errHost') : r.error === 'invalid' ? t('case.errFields') : refusal(t, r);
    return c.redirect(`/tickets/new?error=${encodeURIComponent(message)}`, 303);
  });

  app.post('/tickets/:id/:action{escalate|severity|domain|onsite-needed|rate}', async (c) => {
    const run = STEER[c.req.param('action')];
    const f = SteerForm.safeParse(await c.req.parseBody());
    if (!run || !f.success) return c.text('invalid form', 400);
    const id = c.req.param('id');
    const r = run({ db, user: c.get('user'), customerIds: c.get('customerIds'), now: deps.now() }, id, f.data);
    if ('key' in r) return c.redirect(`/tickets/${encodeURIComponent(id)}?error=${encodeURIComponent(c.get('t')(r.key))}`, 303);
    if (!r.ok && r.error === 'not-found') return c.text('not found', 404);
    const back = `/tickets/${encodeURIComponent(r.ok ? r.ticket.number : id)}`;
    return c.redirect(r.ok ? `${back}?done=1` : `${back}?error=${encodeURIComponent(refusal(c.get('t'), r))}`, 303);
  });
  return app;
}
