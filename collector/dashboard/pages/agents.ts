import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { createEnrollmentToken, listAgents, listEnrollmentTokens, revokeEnrollmentToken } from '../../db/agents.js';
import { revokeAgent } from '../../tickets/host-retirement.js';
import { getCustomer, listCustomers } from '../../db/customers.js';
import { listHosts } from '../../db/hosts.js';
import { listAgentRefusals, REFUSAL_KINDS, type AgentRefusals } from '../../ingest/refusals.js';
import type { DashEnv } from '../../page-kit/env.js';
import { formatTime } from '../../page-kit/format.js';
import { csrfField, page, postButton, type Html } from '../../page-kit/layout.js';

const NewToken = z.object({
  customerId: z.string().min(1).max(100),
  ttlHours: z.coerce.number().positive().max(24 * 30).default(24),
  note: z.string().max(200).default(''),
});

const isStaff = (c: Context<DashEnv>) => c.get('user').role !== 'customer';

/** Enrollment tokens (create, revoke) and agents (version, last seen, revoke key), for staff. */
export function agentRoutes(deps: { db: Db; now(): number; onAgentRevoked(agentId: string): void }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();

  function render(c: Context<DashEnv>, newToken?: string): Response | Promise<Response> {
    const t = c.get('t');
    const lang = c.get('lang');
    const ids = c.get('customerIds');
    const now = deps.now();
    // Revoked agents retired their hosts: still named here.
    const hosts = new Map(listHosts(db, ids, { includeRetiredSince: 0 }).map((h) => [h.id, h]));
    const customers = listCustomers(db, ids);
    const tokenState = (tk: ReturnType<typeof listEnrollmentTokens>[number]) =>
      tk.revokedAt ? t('agents.revoked') : tk.usedAt ? t('agents.used') : tk.expiresAt <= now ? t('agents.expired') : '';
    const refusals = listAgentRefusals(db);
    // Only the kinds that happened; the newest reason (the collector's own words, with the line) on hover.
    const refusedCell = (r: AgentRefusals | undefined) => {
      const kinds = r ? REFUSAL_KINDS.filter((k) => r[k] > 0) : [];
      if (!r || !kinds.length) return html`<td class="refused">-</td>`;
      return html`<td class="refused" title="${r.lastReason ?? ''}">${kinds.map((k, i) => html`${i ? ' · ' : ''}<span data-refused="${k}">${t(`agents.refused.${k}`)} ${r[k]}</span>`)}
        ${r.lastRefusedAt ? html`<br><small>${t('agents.refused.last')} ${formatTime(r.lastRefusedAt, lang)}</small>` : ''}</td>`;
    };
    const shown: Html | '' = newToken
      ? html`<p class="flash done" id="new-token">${t('agents.tokenOnce')} <code>${newToken}</code></p>`
      : '';
    const body = html`${shown}
      <h2>${t('agents.newToken')}</h2>
      <form method="post" action="/agents/tokens" class="filters" id="token-form">${csrfField(c)}
        <label>${t('common.customer')} <select name="customerId">${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select></label>
        <label>${t('agents.ttlHours')} <input name="ttlHours" type="number" min="1" max="720" value="24"></label>
        <label>${t('common.note')} <input name="note" maxlength="200"></label>
        <button type="submit">${t('common.add')}</button>
      </form>
      <h2>${t('agents.tokens')}</h2>
      <table id="tokens"><thead><tr><th>${t('common.customer')}</th><th>${t('common.note')}</th><th>${t('common.created')}</th><th>${t('agents.expires')}</th><th>${t('common.state')}</th><th></th></tr></thead>
      <tbody>${listEnrollmentTokens(db, ids).map(
        (tk) => html`<tr data-token="${tk.id}"><td>${getCustomer(db, tk.customerId)?.name ?? tk.customerId}</td><td>${tk.note}</td>
          <td>${formatTime(tk.createdAt, lang)}</td><td>${formatTime(tk.expiresAt, lang)}</td><td>${tokenState(tk)}</td>
          <td>${!tk.revokedAt && !tk.usedAt ? postButton(c, `/agents/tokens/${tk.id}/revoke`, t('agents.revoke')) : ''}</td></tr>`,
      )}</tbody></table>
      <h2>${t('agents.agents')}</h2>
      <table id="agents"><thead><tr><th>${t('common.host')}</th><th>${t('common.customer')}</th><th>${t('common.version')}</th><th>${t('common.lastSeen')}</th><th>${t('common.state')}</th><th title="${t('agents.refusedHint')}">${t('agents.refused')}</th><th></th></tr></thead>
      <tbody>${listAgents(db, ids).map((a) => {
        const h = hosts.get(a.hostId);
        return html`<tr data-agent="${a.id}"><td>${h ? html`<a href="/hosts/${h.id}">${h.name}</a>` : a.hostId}</td>
          <td>${getCustomer(db, a.customerId)?.name ?? a.customerId}</td><td>${h?.agentVersion ?? '-'}</td>
          <td>${h?.lastSeenAt ? formatTime(h.lastSeenAt, lang) : t('common.never')}</td>
          <td>${a.revokedAt ? t('agents.revoked') : h?.connected ? t('host.connected') : t('host.disconnected')}</td>
          ${refusedCell(refusals.get(a.id))}
          <td>${a.revokedAt ? '' : postButton(c, `/agents/${a.id}/revoke`, t('agents.revokeKey'), '', 'danger')}</td></tr>`;
      })}</tbody></table>`;
    return page(c, t('agents.title'), body);
  }

  app.get('/agents', (c) => (isStaff(c) ? render(c) : c.text('not found', 404)));

  app.post('/agents/tokens', async (c) => {
    if (!isStaff(c)) return c.text('not found', 404);
    const form = NewToken.safeParse(await c.req.parseBody());
    if (!form.success) return c.redirect(`/agents?error=${encodeURIComponent(form.error.issues[0]?.message ?? 'invalid')}`, 303);
    const ids = c.get('customerIds');
    if (!getCustomer(db, form.data.customerId) || (ids && !ids.includes(form.data.customerId))) return c.text('not found', 404);
    const { token } = createEnrollmentToken(db, form.data.customerId, deps.now(), { ttlMs: form.data.ttlHours * 3600_000, note: form.data.note });
    // Rendered straight into the POST's answer, never into a URL: the token is shown exactly once.
    return render(c, token);
  });

  app.post('/agents/tokens/:id/revoke', (c) => {
    if (!isStaff(c)) return c.text('not found', 404);
    if (!revokeEnrollmentToken(db, c.req.param('id'), deps.now(), c.get('customerIds'))) return c.text('not found', 404);
    return c.redirect('/agents?done=1', 303);
  });

  app.post('/agents/:id/revoke', (c) => {
    if (!isStaff(c)) return c.text('not found', 404);
    if (!revokeAgent(db, c.req.param('id'), deps.now(), c.get('customerIds'))) return c.text('not found', 404);
    deps.onAgentRevoked(c.req.param('id'));
    return c.redirect('/agents?done=1', 303);
  });
  return app;
}
