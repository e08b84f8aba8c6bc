import { Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { listCustomers } from '../db/customers.js';
import type { DashEnv } from '../page-kit/env.js';
import { formatTime } from '../page-kit/format.js';
import { csrfField, page } from '../page-kit/layout.js';
import { SEVERITIES } from '../contracts/contract-store.js';
import { assignTriage, discardTriage, listTriage } from './triage.js';

const AssignForm = z.object({ customerId: z.string().max(100).default(''), ticket: z.string().max(100).default(''), severity: z.enum(SEVERITIES).catch('P3') });
const DiscardForm = z.object({ reason: z.string().max(4000).default('') });

/** The triage list for staff: mails nobody could place, to assign to a customer (a new case) or a case, or discard. */
export function mailTriagePages(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();
  app.use('/mail-triage/*', async (c, next) => (c.get('user').role === 'customer' ? c.text('not found', 404) : next()));
  app.use('/mail-triage', async (c, next) => (c.get('user').role === 'customer' ? c.text('not found', 404) : next()));

  app.get('/mail-triage', (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const customers = listCustomers(db, c.get('customerIds'));
    const mails = listTriage(db, 'open');
    const body = html`<p>${t('triage.intro')}</p>
      ${mails.length === 0
        ? html`<p id="triage-empty">${t('common.none')}</p>`
        : html`<ul class="triage" id="triage-list">${mails.map(
            (m) => html`<li data-triage="${m.id}"><h2>${m.subject || '-'}</h2>
              <p><b>${m.fromName ? `${m.fromName} <${m.fromAddr}>` : m.fromAddr}</b> · <time>${formatTime(m.receivedAt, lang)}</time> · ${t('triage.reason')}: ${m.reason}</p>
              <pre class="text">${m.body.slice(0, 2000)}</pre>
              <form method="post" action="/mail-triage/${m.id}/assign" class="inline">${csrfField(c)}
                <select name="customerId" aria-label="${t('common.customer')}">${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select>
                <input name="ticket" placeholder="${t('triage.caseNumber')}" aria-label="${t('triage.caseNumber')}">
                <select name="severity" aria-label="${t('common.severity')}">${SEVERITIES.map((s) => html`<option value="${s}"${s === 'P3' ? ' selected' : ''}>${s}</option>`)}</select>
                <button type="submit" class="primary">${t('triage.assign')}</button></form>
              <form method="post" action="/mail-triage/${m.id}/discard" class="inline">${csrfField(c)}
                <input name="reason" required placeholder="${t('triage.discardReason')}"><button type="submit">${t('triage.discard')}</button></form>
            </li>`,
          )}</ul>`}`;
    return page(c, t('triage.title'), body);
  });

  app.post('/mail-triage/:id/assign', async (c) => {
    const f = AssignForm.safeParse(await c.req.parseBody());
    if (!f.success) return c.text('invalid form', 400);
    const r = assignTriage(db, c.req.param('id'), { customerId: f.data.customerId, severity: f.data.severity, ...(f.data.ticket.trim() ? { ticket: f.data.ticket.trim() } : {}) }, c.get('user'), c.get('customerIds'), deps.now());
    if (r.ok) return c.redirect(`/tickets/${encodeURIComponent(r.ticket.number)}?done=1`, 303);
    return c.redirect(`/mail-triage?error=${encodeURIComponent(c.get('t')('case.errRefused').replace('{message}', r.message))}`, 303);
  });

  app.post('/mail-triage/:id/discard', async (c) => {
    const f = DiscardForm.safeParse(await c.req.parseBody());
    if (!f.success) return c.text('invalid form', 400);
    const r = discardTriage(db, c.req.param('id'), f.data.reason, c.get('user'), deps.now());
    if (r.ok) return c.redirect('/mail-triage?done=1', 303);
    return c.redirect(`/mail-triage?error=${encodeURIComponent(r.error === 'invalid' ? c.get('t')('case.errReason') : c.get('t')('case.errRefused').replace('{message}', r.message))}`, 303);
  });
  return app;
}
