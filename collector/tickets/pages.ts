import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { listCustomers } from '../db/customers.js';
import { getUser } from '../db/users.js';
import { assignableStaff } from '../oncall/contacts.js';
import { SEVERITIES } from '../contracts/contract-store.js';
import { maintenanceNow, type MaintenanceNow } from '../maintenance/windows-now.js';
import {
  acknowledge,
  assign,
  comment,
  confirmClose,
  recordOnsite,
  reopen,
  resolve,
  startWork,
  updateReportFields,
  type ActionContext,
  type ActionResult,
} from './ticket-actions.js';
import { HOST_RETIRED_NOTE } from './host-retirement.js';
import { ACTIVE_STATES, findTicket, listEvents, listTickets, TICKET_STATES, type Ticket, type TicketEvent } from './ticket-store.js';
import type { DashEnv } from '../page-kit/env.js';
import { formatTime, parseLocalDateTime } from '../page-kit/format.js';
import type { Lang, MessageKey, Translate } from '../page-kit/i18n/index.js';
import { csrfField, page, postButton, type Html } from '../page-kit/layout.js';
import { slaCountdown } from './sla-countdown.js';
import { caseEventMessage, casePanel } from './case-pages.js';
import { ticketHeadline } from './headline.js';
import { listHeadlines, ticketListRow, waitingForCustomer } from './ticket-head.js';
import { getHost } from '../db/hosts.js';
import { thresholdsByCheck } from '../assignment/chart-thresholds.js';
import { renderCheckMessage } from '../../checks/messages.js';
import { CheckMessageSchema } from '../../shared/check-result.js';

const ListFilter = z.object({
  state: z.enum(TICKET_STATES).optional().catch(undefined),
  severity: z.enum(SEVERITIES).optional().catch(undefined),
  customer: z.string().max(100).optional().catch(undefined),
  breached: z.enum(['true', 'false']).optional().catch(undefined),
});

const ActionForm = z.object({
  note: z.string().max(4000).default(''),
  text: z.string().max(8000).default(''),
  /** A checkbox: the comment is for the customer too (their fault-handling report shows it). */
  public: z.literal('on').optional(),
  reason: z.string().max(4000).default(''),
  assigneeId: z.string().max(100).default(''),
  /** On-site arrival, datetime-local in the page's zone; empty = now. */
  at: z.string().max(40).default(''),
  cause: z.string().max(20000).optional(),
  actions: z.string().max(20000).optional(),
  prevention: z.string().max(20000).optional(),
});
type ActionFormData = z.infer<typeof ActionForm>;

/** A refusal the page itself makes (the form was incomplete), named by the text it shows. */
type FormRefusal = { ok: false; error: 'invalid'; message: string; key: MessageKey };
const refuse = (key: MessageKey): FormRefusal => ({ ok: false, error: 'invalid', message: key, key });

const ACTIONS: Record<string, (ctx: ActionContext, id: string, f: ActionFormData) => ActionResult | FormRefusal> = {
  acknowledge: (ctx, id, f) => acknowledge(ctx, id, f.note),
  start: (ctx, id, f) => startWork(ctx, id, f.note),
  assign: (ctx, id, f) => assign(ctx, id, f.assigneeId),
  comment: (ctx, id, f) => (f.text.trim() ? comment(ctx, id, f.text, f.public === 'on') : refuse('tickets.errEmptyComment')),
  resolve: (ctx, id, f) => resolve(ctx, id, f.note),
  onsite: (ctx, id, f) => {
    if (!f.at.trim()) return recordOnsite(ctx, id, { note: f.note });
    const at = parseLocalDateTime(f.at);
    return at === undefined ? refuse('tickets.errArrivalFormat') : recordOnsite(ctx, id, { at, note: f.note });
  },
  'confirm-close': (ctx, id, f) => confirmClose(ctx, id, f.note),
  reopen: (ctx, id, f) => (f.reason.trim() ? reopen(ctx, id, f.reason) : refuse('tickets.errNoReason')),
  report: (ctx, id, f) => updateReportFields(ctx, id, { cause: f.cause ?? '', actions: f.actions ?? '', prevention: f.prevention ?? '' }),
};

/**
 * The refusal in the page language. The ticket actions answer in English for the API and the CLI; which
 * refusal it was follows from the action and the kind of error, so the page never shows their text.
 */
function refusalText(action: string, r: Exclude<ActionResult, { ok: true }> | FormRefusal, t: Translate, state: Ticket['state'] | undefined): string {
  if ('key' in r) return t(r.key);
  if (r.error === 'forbidden') return action === 'confirm-close' ? t('tickets.errCustomerOnly') : t('tickets.errStaffOnly');
  if (r.error === 'invalid') return action === 'assign' ? t('tickets.errAssignee') : action === 'onsite' ? t('tickets.errArrivalRange') : r.message;
  if (action === 'onsite' && state !== 'closed') return t('tickets.errOnsiteRecorded');
  return t('tickets.errState').replace('{state}', state ? t(`state.${state}`) : '-');
}

/** Every event kind the ticket engine, the actions and the notifier write (a test keeps this list complete). */
export const EVENT_KIND_LABELS: Record<string, MessageKey> = {
  opened: 'event.opened',
  result: 'event.result',
  severity: 'event.severity',
  escalated: 'event.escalated',
  acknowledged: 'event.acknowledged',
  onsite: 'event.onsite',
  in_progress: 'event.in_progress',
  assigned: 'event.assigned',
  comment: 'event.comment',
  recovered: 'event.recovered',
  resolved: 'event.resolved',
  closed: 'event.closed',
  reopened: 'event.reopened',
  'flapping-started': 'event.flapping-started',
  'flapping-stopped': 'event.flapping-stopped',
  'report-updated': 'event.report-updated',
  'notify-fallback': 'event.notify-fallback',
  'reopen-announced': 'event.reopen-announced',
  'closed-by-contract': 'event.closed-by-contract',
  'auto-close-notice': 'event.auto-close-notice',
  'customer-reminded': 'event.customer-reminded',
  'severity-changed': 'event.severity-changed',
  'severity-confirmed': 'event.severity-confirmed',
  'domain-set': 'event.domain-set',
  'onsite-needed': 'event.onsite-needed',
  rated: 'event.rated',
  'sla-stopped': 'event.sla-stopped',
};

/** Fixed texts the engine and the actions put on events themselves (not typed by anyone). */
const FIXED_MESSAGES: Record<string, MessageKey> = {
  'took the ticket': 'event.msg.tookTicket',
  'on site': 'event.msg.onSite',
  'confirmed by the customer': 'event.msg.confirmedByCustomer',
  'host retired': 'event.msg.hostRetired',
  [HOST_RETIRED_NOTE]: 'event.msg.hostRetiredNote',
  'host reporting again': 'event.msg.hostReportingAgain',
};
const NOTIFY_KINDS: Record<string, MessageKey> = {
  problem: 'notifyKind.problem',
  recovery: 'notifyKind.recovery',
  escalation: 'notifyKind.escalation',
  reopen: 'notifyKind.reopen',
  severity: 'notifyKind.severity',
};

const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);

/**
 * An event's message in the page language. What people typed, and check summaries, are shown as they are;
 * the sentences the collector writes itself (escalation, fallback, automatic close...) are rebuilt here
 * from the event's data in the page language.
 */
function eventMessage(db: Db, e: TicketEvent, t: Translate, lang: Lang): string {
  const ofCase = caseEventMessage(e, t, lang);
  if (ofCase !== undefined) return ofCase;
  const fixed = FIXED_MESSAGES[e.message];
  if (fixed) return t(fixed);
  if (e.actorId !== null) {
    if (e.kind === 'assigned' && typeof e.data.to === 'string') {
      const to = getUser(db, e.data.to);
      return to ? to.displayName || to.username : '';
    }
    return e.message;
  }
  let m: RegExpExecArray | null;
  // A check's result the event kept as a message (key and values): shown in the page language.
  const said = CheckMessageSchema.safeParse(e.data.message);
  const result = (english: string) => (said.success ? renderCheckMessage(lang, said.data, english) : english);
  if ((m = /^still failing: ([\s\S]*)$/.exec(e.message))) return fill(t('event.msg.stillFailing'), { summary: result(m[1]!) });
  if ((m = /^host reachable again: ([\s\S]*)$/.exec(e.message))) return fill(t('event.msg.hostReachableAgain'), { summary: result(m[1]!) });
  if ((m = /^closed automatically (\d+) days after recovery \(contract\)$/.exec(e.message))) return fill(t('event.msg.autoClosed'), { days: m[1]! });
  if (e.kind === 'escalated' && (m = /^(L\d -> L\d): not acknowledged by (\S+)$/.exec(e.message))) {
    const deadline = Date.parse(m[2]!);
    return fill(t('event.msg.notAckedBy'), { tiers: m[1]!, time: Number.isNaN(deadline) ? m[2]! : formatTime(deadline, lang) });
  }
  if (e.kind === 'notify-fallback' && Array.isArray(e.data.emptyTiers) && Array.isArray(e.data.recipients)) {
    const kindKey = NOTIFY_KINDS[String(e.data.kind)];
    const values = {
      tiers: e.data.emptyTiers.map((k) => `L${String(k)}`).join(', '),
      kind: kindKey ? t(kindKey) : String(e.data.kind),
      to: typeof e.data.fromTier === 'number' ? `L${e.data.fromTier}` : t('event.msg.admins'),
      names: e.data.recipients.map(String).join(lang === 'zh' ? '、' : ', '),
    };
    if (e.data.recipients.length === 0) return fill(t('event.msg.fallbackNobody'), values);
    const noMail = e.message.endsWith('(none of them has an e-mail address)') ? t('event.msg.fallbackNoMail') : '';
    return fill(t('event.msg.fallback'), values) + noMail;
  }
  return result(e.message);
}

/** One timeline line: when, what (in the page language), who, and the message. */
function timelineItem(db: Db, e: TicketEvent, t: Translate, lang: Lang): Html {
  const label = EVENT_KIND_LABELS[e.kind];
  const actor = e.actorId === null && e.actorName === 'system' ? t('event.actorSystem') : e.actorName;
  const message = eventMessage(db, e, t, lang);
  return html`<li data-kind="${e.kind}"><time>${formatTime(e.at, lang)}</time> <b class="kind">${label ? t(label) : e.kind}</b> <span class="actor">${actor}</span>${message ? html`${lang === 'zh' ? '：' : ': '}<span class="msg">${message}</span>` : ''}</li>`;
}

/** "Maintenance now: host db01 until 11:00 (patching)", one line per window in force that the user may see. */
function maintenanceBanner(windows: readonly MaintenanceNow[], t: Translate, lang: Lang): Html | '' {
  if (windows.length === 0) return '';
  const scope = (m: MaintenanceNow) =>
    m.scope === 'host'
      ? html`${t('tickets.maintenanceHost')} <b>${m.hostName ?? m.hostId}</b>`
      : m.scope === 'tag'
        ? html`${t('tickets.maintenanceTag')} <b>${m.tag}</b> (${m.customerName})`
        : html`${t('tickets.maintenanceCustomer')} <b>${m.customerName}</b>`;
  return html`<ul class="flash done maintenance-now" id="maintenance-now" role="status">${windows.map(
    (m) => html`<li data-scope="${m.scope}">${t('tickets.maintenanceNow')}: ${scope(m)}${m.until === null ? '' : html` ${t('tickets.maintenanceUntil')} <time>${formatTime(m.until, lang)}</time>`}${m.reason ? html` · ${m.reason}` : ''}</li>`,
  )}</ul>`;
}

/** The on-site facts row: when, who recorded it, and met/missed against the on-site due time. */
function onsiteCell(db: Db, tk: Ticket, t: Translate, lang: Lang): Html {
  if (tk.onsiteAt === null) return html`<td id="onsite" data-onsite="none">${t('tickets.onsiteNone')}</td>`;
  const by = tk.onsiteBy ? getUser(db, tk.onsiteBy) : undefined;
  const met = tk.sla.onsiteMet;
  return html`<td id="onsite" data-onsite="${met === false ? 'missed' : 'met'}" data-at="${tk.onsiteAt}">${formatTime(tk.onsiteAt, lang)}
    ${by ? html` · ${t('tickets.onsiteBy')} ${by.displayName || by.username}` : ''}
    <span class="badge onsite-${met === false ? 'missed' : 'met'}">${met === false ? t('tickets.onsiteMissed') : t('tickets.onsiteMet')}</span></td>`;
}

/**
 * What can be done now: one-click steps in a toolbar (the next step first and highlighted), and each step that
 * needs an input in its own small labelled form below it, so buttons and fields are never crammed into one row.
 */
function actionButtons(c: Context<DashEnv>, tk: Ticket, db: Db): Html {
  const t = c.get('t');
  const user = c.get('user');
  const staff = user.role !== 'customer';
  const base = `/tickets/${encodeURIComponent(tk.number)}`;
  const active = ACTIVE_STATES.includes(tk.state);
  const buttons: Html[] = [];
  const forms: Html[] = [];
  if (staff && tk.state === 'open') buttons.push(postButton(c, `${base}/acknowledge`, t('tickets.acknowledge'), '', 'primary'));
  if (staff && (tk.state === 'open' || tk.state === 'acknowledged')) buttons.push(postButton(c, `${base}/start`, t('tickets.start'), '', tk.state === 'acknowledged' ? 'primary' : ''));
  if (staff && (active || tk.state === 'recovered')) buttons.push(postButton(c, `${base}/resolve`, t('tickets.resolve'), '', tk.state === 'in_progress' || tk.state === 'recovered' ? 'primary' : ''));
  if (user.role === 'customer' && (tk.state === 'recovered' || tk.state === 'resolved')) {
    buttons.push(postButton(c, `${base}/confirm-close`, t('tickets.confirmClose'), '', 'primary'));
  }
  if (staff && active) {
    forms.push(html`<form method="post" action="${base}/assign" class="action-form">${csrfField(c)}
      <label>${t('tickets.assignee')} <select name="assigneeId">${assignableStaff(db, tk.customerId).map(
        (u) => html`<option value="${u.id}"${u.id === tk.assigneeId ? ' selected' : ''}>${u.name}</option>`,
      )}</select></label><button type="submit">${t('tickets.assign')}</button></form>`);
  }
  if (staff && tk.state !== 'closed' && tk.onsiteAt === null) {
    // Recorded once; the time field is for an arrival entered afterwards (empty: now), typed as every page writes a
    // time (the browser's date picker would show its own locale's order, e.g. mm/dd/yyyy with am/pm).
    forms.push(html`<form method="post" action="${base}/onsite" class="action-form" id="onsite-form">${csrfField(c)}
      <label>${t('tickets.onsiteTime')} <input type="text" name="at" inputmode="numeric" placeholder="YYYY-MM-DD HH:mm" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}" title="${t('tickets.onsiteTime')}"></label>
      <button type="submit">${t('tickets.onsiteRecord')}</button></form>`);
  }
  if (!active) {
    forms.push(html`<form method="post" action="${base}/reopen" class="action-form">${csrfField(c)}
      <label>${t('tickets.reason')} <input name="reason" placeholder="${t('tickets.reason')}" required></label><button type="submit">${t('tickets.reopen')}</button></form>`);
  }
  return html`<section class="actions" id="ticket-actions">
    ${buttons.length ? html`<div class="toolbar" role="toolbar">${buttons}</div>` : ''}
    ${forms.length ? html`<div class="action-forms">${forms}</div>` : ''}</section>`;
}

export function ticketPages(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();

  app.get('/tickets', (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const now = deps.now();
    const ids = c.get('customerIds');
    const f = ListFilter.parse(c.req.query());
    const tickets = listTickets(db, {
      customerIds: ids,
      state: f.state ? [f.state] : undefined,
      severity: f.severity ? [f.severity] : undefined,
      customerId: f.customer || undefined,
      breached: f.breached === undefined ? undefined : f.breached === 'true',
      limit: 500,
      now,
    });
    const headlines = listHeadlines(db, ids, lang);
    const opt = (value: string, label: string, current: string | undefined) =>
      html`<option value="${value}"${value === (current ?? '') ? ' selected' : ''}>${label}</option>`;
    const body = html`${maintenanceBanner(maintenanceNow(db, now, ids), t, lang)}<form method="get" action="/tickets" class="filters">
        <label>${t('common.state')} <select name="state">${opt('', t('common.any'), f.state)}${TICKET_STATES.map((s) => opt(s, t(`state.${s}`), f.state))}</select></label>
        <label>${t('common.severity')} <select name="severity">${opt('', t('common.any'), f.severity)}${SEVERITIES.map((s) => opt(s, s, f.severity))}</select></label>
        <label>${t('common.customer')} <select name="customer">${opt('', t('common.allCustomers'), f.customer)}${listCustomers(db, ids).map((cu) => opt(cu.id, cu.name, f.customer))}</select></label>
        <label>${t('tickets.breached')} <select name="breached">${opt('', t('common.any'), f.breached)}${opt('true', t('common.yes'), f.breached)}${opt('false', t('common.no'), f.breached)}</select></label>
        <button type="submit">${t('common.filter')}</button>
        <a href="/tickets/new" class="button primary" id="new-case">${t('case.new')}</a>
      </form>
      <table class="tickets" id="ticket-list">
        <thead><tr><th>${t('tickets.number')}</th><th>${t('common.severity')}</th><th>${t('common.state')}</th><th>${t('tickets.titleCol')}</th><th>${t('tickets.opened')}</th><th>SLA</th></tr></thead>
        <tbody>${tickets.map((tk) => ticketListRow(tk, now, t, lang, headlines))}</tbody>
      </table>`;
    return page(c, t('tickets.title'), body);
  });

  app.get('/tickets/:id', (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const now = deps.now();
    const tk = findTicket(db, c.req.param('id'), { customerIds: c.get('customerIds'), now });
    if (!tk) {
      c.status(404);
      return page(c, t('common.notFound'), html``);
    }
    const staff = c.get('user').role !== 'customer';
    const events = listEvents(db, tk.id);
    const base = `/tickets/${encodeURIComponent(tk.number)}`;
    const body = html`
      <p class="ticket-head"><span class="badge state-${tk.state}" id="ticket-state" data-state="${tk.state}" data-number="${tk.number}">${t(`state.${tk.state}`)}</span>
        <span class="badge sev-${tk.severity}">${tk.severity}</span> L${tk.tier}
        ${tk.hostId ? html` · <a href="/hosts/${tk.hostId}">${tk.hostName}</a>` : ''}
        ${ACTIVE_STATES.includes(tk.state) ? html` · ${slaCountdown(tk, now, t, lang)}` : ''}
        ${tk.sla.breached ? html` · <span class="badge st-CRITICAL">${t('tickets.breached')}</span>` : ''}</p>
      <p class="summary">${renderCheckMessage(lang, tk.summaryMessage, tk.summary)}</p>
      <table class="facts"><tbody>
        <tr><th>${t('tickets.opened')}</th><td>${formatTime(tk.openedAt, lang)}</td></tr>
        <tr><th>${t('overview.responseDue')}</th><td>${formatTime(tk.responseDueAt, lang)}${tk.sla.responseNotApplicable ? html` · <span id="response-na">${t('tickets.responseNotApplicable')}</span>` : ''}</td></tr>
        <tr><th>${t('tickets.onsiteDue')}</th><td>${formatTime(tk.onsiteDueAt, lang)}</td></tr>
        <tr><th>${t('tickets.onsiteAt')}</th>${onsiteCell(db, tk, t, lang)}</tr>
        <tr><th>${t('overview.restoreDue')}</th><td>${formatTime(tk.restoreDueAt, lang)}</td></tr>
      </tbody></table>
      ${waitingForCustomer(db, tk, events, t, lang, c.get('user').role === 'customer')}
      ${actionButtons(c, tk, db)}
      ${casePanel(c, tk, db)}
      <h2>${t('tickets.timeline')}</h2>
      <ol class="timeline" id="timeline">${events.map((e) => timelineItem(db, e, t, lang))}</ol>
      <form method="post" action="${base}/comment" class="stack">${csrfField(c)}
        <textarea name="text" rows="3" required aria-label="${t('tickets.comment')}"></textarea>
        ${staff ? html`<label><input type="checkbox" name="public" value="on"> ${t('tickets.commentPublic')}</label>` : ''}
        <button type="submit">${t('tickets.comment')}</button></form>
      <h2>${t('tickets.report')}</h2>
      <p><a href="${base}/report?format=pdf&lang=${lang}" id="report-pdf">${t('tickets.download')} PDF</a> ·
         <a href="${base}/report?format=docx&lang=${lang}" id="report-docx">${t('tickets.download')} Word</a> ·
         <a href="${base}/report?format=html&lang=${lang}" id="report-html">${t('tickets.download')} HTML</a> ·
         <a href="${base}/report?format=md&lang=${lang}">${t('tickets.download')} Markdown</a></p>
      ${staff
        ? html`<form method="post" action="${base}/report" class="stack">${csrfField(c)}
            <label>${t('tickets.cause')}<textarea name="cause" rows="2">${tk.cause}</textarea></label>
            <label>${t('tickets.fixActions')}<textarea name="actions" rows="2">${tk.actions}</textarea></label>
            <label>${t('tickets.prevention')}<textarea name="prevention" rows="2">${tk.prevention}</textarea></label>
            <button type="submit">${t('common.save')}</button></form>`
        : ''}`;
    // The title says what crossed which threshold, in the page language; the stored title stays the ticket's identity.
    const host = tk.hostId ? getHost(db, tk.hostId, c.get('customerIds')) : undefined;
    const limits = host && tk.checkId ? thresholdsByCheck(db, host).get(tk.checkId) : undefined;
    return page(c, `${tk.number} ${ticketHeadline(tk, lang, { events, thresholds: limits })}`, body);
  });

  app.post('/tickets/:id/:action', async (c) => {
    const run = ACTIONS[c.req.param('action')];
    if (!run) return c.text('not found', 404);
    const form = ActionForm.safeParse(await c.req.parseBody());
    if (!form.success) return c.text('invalid form', 400);
    const id = c.req.param('id');
    const customerIds = c.get('customerIds');
    const r = run({ db, user: c.get('user'), customerIds, now: deps.now() }, id, form.data);
    if (!r.ok && r.error === 'not-found') return c.text('not found', 404);
    const back = `/tickets/${encodeURIComponent(r.ok ? r.ticket.number : id)}`;
    if (r.ok) return c.redirect(`${back}?done=1`, 303);
    const state = findTicket(db, id, { customerIds, now: deps.now() })?.state;
    return c.redirect(`${back}?error=${encodeURIComponent(refusalText(c.req.param('action'), r, c.get('t'), state))}`, 303);
  });
  return app;
}
