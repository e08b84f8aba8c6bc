import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../db/database.js';
import { getCustomer, listCustomers } from '../db/customers.js';
import { ContractSchema, getContract, INSPECTION_HOLIDAYS, SEVERITIES, setContract } from './contract-store.js';
import type { DashEnv } from '../page-kit/env.js';
import { csrfField, page } from '../page-kit/layout.js';
import { adminSettingsRoutes, emptyState, primaryAction, settingsNav } from '../page-kit/settings-nav.js';

/** The contract's single numbers the form edits, with the bounds the contract schema sets (so the two never disagree). */
const CONTRACT_NUMBERS = (['openAfter', 'autoCloseDays', 'inspectionDaysBefore', 'flapHighPct', 'flapLowPct', 'reopenNotifyMin'] as const).map((field) => {
  const schema = ContractSchema.shape[field].unwrap();
  return [field, schema.minValue ?? 0, schema.maxValue ?? Number.MAX_SAFE_INTEGER] as const;
});

const PATH = '/settings/contracts';

/** Admin only: each customer's contract (SLA targets per severity, inspection calendar, ticket and flapping rules). */
export function settingsContractRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = adminSettingsRoutes(PATH);

  app.get(PATH, (c) => {
    const t = c.get('t');
    const customers = listCustomers(db);
    // Every customer has a contract (the defaults until saved): without customers there is nothing to edit yet.
    const body = html`${settingsNav(c, 'contracts')}
      <section id="contracts">
        ${customers.length
          ? customers.map((cu) => {
              const k = getContract(db, cu.id);
              return html`<form method="post" action="${PATH}/${cu.id}" class="contract" id="contract-${cu.id}">${csrfField(c)}
            <h3>${cu.name}</h3><p>${t('settings.targets')}</p>
            <table><tbody>${SEVERITIES.map(
              (s) => html`<tr><th>${s}</th>${(['respondMin', 'onsiteMin', 'restoreMin'] as const).map(
                (f) => html`<td><input name="${s}.${f}" type="number" min="1" value="${k.targets[s][f]}"></td>`,
              )}</tr>`,
            )}</tbody></table>
            <p>${t('settings.inspection')}: ${INSPECTION_HOLIDAYS.map(
              (h) => html`<label class="inline"><input type="checkbox" name="inspections" value="${h}"${k.inspections.includes(h) ? ' checked' : ''}> ${h}</label> `,
            )}</p>
            <p>${CONTRACT_NUMBERS.map(
              ([field, min, max]) => html`<label class="inline">${t(`settings.contract.${field}`)} <input name="${field}" type="number" min="${min}" max="${max}" value="${k[field]}"></label> `,
            )}</p>
            <button type="submit" class="primary">${t('common.save')}</button></form>`;
            })
          : html`${emptyState('contracts-empty', t('settings.noContracts'))}${primaryAction('/settings/customers#customer-form', t('settings.addCustomer'), 'contract-add-customer')}`}
      </section>`;
    return page(c, t('settings.contracts'), body);
  });

  app.post(`${PATH}/:customerId`, async (c) => {
    const id = c.req.param('customerId');
    if (!getCustomer(db, id)) return c.text('not found', 404);
    const body = await c.req.parseBody({ all: true });
    const current = getContract(db, id);
    const num = (k: string) => Number(typeof body[k] === 'string' ? body[k] : NaN);
    const targets = Object.fromEntries(
      SEVERITIES.map((s) => [s, { respondMin: num(`${s}.respondMin`), onsiteMin: num(`${s}.onsiteMin`), restoreMin: num(`${s}.restoreMin`) }]),
    );
    const raw = body.inspections;
    const inspections = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string');
    // A number left out of the form keeps its value; the schema checks ranges (and low flap mark < high).
    const numbers = Object.fromEntries(CONTRACT_NUMBERS.filter(([f]) => typeof body[f] === 'string' && body[f] !== '').map(([f]) => [f, num(f)]));
    const input = ContractSchema.safeParse({ ...current, targets, inspections, ...numbers });
    if (!input.success) return c.redirect(`${PATH}?error=${encodeURIComponent(input.error.issues[0]?.message ?? 'invalid')}`, 303);
    setContract(db, id, input.data, deps.now());
    return c.redirect(`${PATH}?done=1#contract-${id}`, 303);
  });
  return app;
}
