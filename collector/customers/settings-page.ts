import { Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { ensureCustomer, getCustomer, listCustomers } from '../db/customers.js';
import type { DashEnv } from '../page-kit/env.js';
import { formatTime } from '../page-kit/format.js';
import { csrfField, page } from '../page-kit/layout.js';
import { adminSettingsRoutes, emptyState, primaryAction, settingsNav } from '../page-kit/settings-nav.js';

const NewCustomer = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'customer id: lower-case letters, digits and -'),
  name: z.string().trim().min(1).max(200),
});

const PATH = '/settings/customers';

/** Admin only: the customers (the service company's clients), and adding one. */
export function settingsCustomerRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = adminSettingsRoutes(PATH);

  app.get(PATH, (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const customers = listCustomers(db);
    const body = html`${settingsNav(c, 'customers')}
      <section id="customers">
        ${primaryAction('#customer-form', t('settings.addCustomer'), 'customer-add')}
        ${customers.length
          ? html`<table id="customer-list"><thead><tr><th>${t('settings.customerId')}</th><th>${t('common.name')}</th><th>${t('common.created')}</th></tr></thead>
            <tbody>${customers.map((cu) => html`<tr data-customer="${cu.id}"><td>${cu.id}</td><td>${cu.name}</td><td>${formatTime(cu.createdAt, lang)}</td></tr>`)}</tbody></table>`
          : emptyState('customers-empty', t('settings.noCustomers'))}
        <h2>${t('settings.addCustomer')}</h2>
        <form method="post" action="${PATH}" class="filters" id="customer-form">${csrfField(c)}
          <label>${t('settings.customerId')} <input name="id" required pattern="[a-z0-9][a-z0-9\\-]*" maxlength="63"></label>
          <label>${t('common.name')} <input name="name" required></label><button type="submit" class="primary">${t('common.add')}</button></form>
      </section>`;
    return page(c, t('settings.customers'), body);
  });

  app.post(PATH, async (c) => {
    const back = (message: string) => c.redirect(`${PATH}?error=${encodeURIComponent(message)}`, 303);
    const f = NewCustomer.safeParse(await c.req.parseBody());
    if (!f.success) return back(f.error.issues[0]?.message ?? 'invalid');
    if (getCustomer(db, f.data.id)) return back(`customer ${f.data.id} exists`);
    ensureCustomer(db, f.data.id, f.data.name, deps.now());
    return c.redirect(`${PATH}?done=1`, 303);
  });
  return app;
}
