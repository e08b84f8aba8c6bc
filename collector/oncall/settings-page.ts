import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { customerNames, getCustomer, listCustomers } from '../db/customers.js';
import { getUser, listUserRecords } from '../db/users.js';
import { addShift, deleteShift, listShifts, OncallShiftInputSchema, type OncallShift } from './rota-store.js';
import { DOMAINS } from './expert-domains.js';
import type { DashEnv } from '../page-kit/env.js';
import { formatTime, formatWeeklySlot, parseLocalDateTime, TIME_ZONE } from '../page-kit/format.js';
import type { Lang, Translate } from '../page-kit/i18n/index.js';
import { csrfField, page, postButton } from '../page-kit/layout.js';
import { adminSettingsRoutes, emptyState, primaryAction, settingsNav } from '../page-kit/settings-nav.js';

const PATH = '/settings/on-call';

/** The "add a shift" form: a fixed period (the end may stay open); weekly shifts come through /api/oncall. */
const NewShift = z.object({
  tier: z.enum(['1', '2', '3']).transform(Number),
  userId: z.string().min(1).max(100),
  customerId: z.string().max(100).default(''),
  domain: z.union([z.enum(DOMAINS), z.literal('')]).default(''),
  /** datetime-local values, read in the zone the pages show times in. */
  startsAt: z.string().max(40).default(''),
  endsAt: z.string().max(40).default(''),
});

const fail = (c: Context<DashEnv>, message: string) => c.redirect(`${PATH}?error=${encodeURIComponent(message)}`, 303);

function when(s: OncallShift, t: Translate, lang: Lang): string {
  const period = `${s.startsAt === null ? '' : formatTime(s.startsAt, lang)} – ${s.endsAt === null ? t('settings.shiftOpenEnd') : formatTime(s.endsAt, lang)}`;
  if (!s.weekly) return period;
  const weekly = formatWeeklySlot(s.weekly, t, lang);
  return s.startsAt === null && s.endsAt === null ? weekly : `${weekly}; ${period}`;
}

/**
 * Admin only: the on-call rota (who is on duty in which tier, for all customers or one, for every case or one
 * expert domain), adding a shift for a period and deleting one. The same store as /api/oncall, which also
 * takes weekly shifts.
 */
export function settingsOncallRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = adminSettingsRoutes(PATH);

  app.get(PATH, (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const customers = listCustomers(db);
    const customerName = customerNames(db);
    const staff = listUserRecords(db).filter((u) => u.disabledAt === null && u.role !== 'customer');
    const userName = new Map(listUserRecords(db).map((u) => [u.id, u.displayName || u.username]));
    const shifts = listShifts(db);
    const body = html`${settingsNav(c, 'on-call')}
      <section id="on-call">
        ${primaryAction('#shift-form', t('settings.addShift'), 'shift-add')}
        ${shifts.length
          ? html`<table id="shift-list"><thead><tr><th>${t('settings.tier')}</th><th>${t('settings.shiftUser')}</th><th>${t('common.customer')}</th><th>${t('case.domain')}</th><th>${t('settings.mwWhen')}</th><th></th></tr></thead>
            <tbody>${shifts.map(
              (s) => html`<tr data-shift="${s.id}"><td>L${s.tier}</td><td>${userName.get(s.userId) ?? s.userId}</td>
                <td>${s.customerId ? customerName.get(s.customerId) ?? s.customerId : t('common.allCustomers')}</td>
                <td>${s.domain ? t(`case.domain.${s.domain}`) : t('settings.domainAny')}</td><td>${when(s, t, lang)}</td>
                <td>${postButton(c, `${PATH}/${s.id}/delete`, t('common.delete'), '', 'danger')}</td></tr>`,
            )}</tbody></table>`
          : emptyState('shifts-empty', t('settings.noShifts'))}
        <h2>${t('settings.addShift')}</h2>
        <p>${t('settings.mwZoneHint').replace('{zone}', TIME_ZONE)}</p>
        <form method="post" action="${PATH}" class="filters" id="shift-form">${csrfField(c)}
          <label>${t('settings.tier')} <select name="tier"><option value="1">L1</option><option value="2">L2</option><option value="3">L3</option></select></label>
          <label>${t('settings.shiftUser')} <select name="userId" required>${staff.map((u) => html`<option value="${u.id}">${u.displayName || u.username} (${t(`role.${u.role}`)})</option>`)}</select></label>
          <label>${t('common.customer')} <select name="customerId"><option value="">${t('common.allCustomers')}</option>${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select></label>
          <label>${t('case.domain')} <select name="domain"><option value="">${t('settings.domainAny')}</option>${DOMAINS.map((d) => html`<option value="${d}">${t(`case.domain.${d}`)}</option>`)}</select></label>
          <label>${t('settings.starts')} <input name="startsAt" type="datetime-local" required></label>
          <label>${t('settings.ends')} <input name="endsAt" type="datetime-local"></label>
          <button type="submit" class="primary">${t('common.add')}</button></form>
      </section>`;
    return page(c, t('settings.oncall'), body);
  });

  app.post(PATH, async (c) => {
    const t = c.get('t');
    const f = NewShift.safeParse(await c.req.parseBody());
    if (!f.success) return fail(c, f.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const user = getUser(db, f.data.userId);
    if (!user || user.role === 'customer') return fail(c, t('settings.shiftErrUser'));
    if (f.data.customerId && !getCustomer(db, f.data.customerId)) return fail(c, `no customer ${f.data.customerId}`);
    // Typed as the page shows times: wall-clock time in PATROL_TIMEZONE, as the maintenance form reads it.
    const startsAt = parseLocalDateTime(f.data.startsAt);
    const endsAt = f.data.endsAt ? parseLocalDateTime(f.data.endsAt) : null;
    if (startsAt === undefined || endsAt === undefined) return fail(c, t('settings.mwErrTime'));
    const input = OncallShiftInputSchema.safeParse({
      tier: f.data.tier,
      userId: user.id,
      customerId: f.data.customerId || null,
      domain: f.data.domain || null,
      startsAt,
      endsAt,
    });
    if (!input.success) return fail(c, input.error.issues[0]?.message ?? 'invalid');
    addShift(db, input.data, deps.now());
    return c.redirect(`${PATH}?done=1`, 303);
  });

  app.post(`${PATH}/:id/delete`, (c) => (deleteShift(db, c.req.param('id')) ? c.redirect(`${PATH}?done=1`, 303) : c.text('not found', 404)));
  return app;
}
