import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { getCustomer, listCustomers } from '../db/customers.js';
import { listHosts } from '../db/hosts.js';
import { addMaintenance, deleteMaintenance, listMaintenance, MaintenanceInputSchema, type MaintenanceInput } from './window-store.js';
import type { WeeklySlot } from '../../shared/zoned-time.js';
import type { DashEnv } from '../page-kit/env.js';
import { formatTime, formatWeeklySlot, parseLocalDateTime, TIME_ZONE, WEEKDAYS_SHOWN } from '../page-kit/format.js';
import type { MessageKey } from '../page-kit/i18n/index.js';
import { csrfField, page, postButton } from '../page-kit/layout.js';
import { adminSettingsRoutes, emptyState, primaryAction, settingsNav } from '../page-kit/settings-nav.js';

/** What a maintenance window covers: the fields both window forms share. */
const WindowTarget = z.object({
  customerId: z.string().min(1).max(100),
  scope: z.enum(['customer', 'host', 'tag']),
  hostId: z.string().max(100).default(''),
  tag: z.string().trim().max(100).default(''),
  reason: z.string().max(500).default(''),
});
const NewWindow = WindowTarget.extend({
  /** datetime-local values, read in the zone the pages show times in. */
  startsAt: z.string().max(40).default(''),
  endsAt: z.string().max(40).default(''),
});
const NewWeeklyWindow = WindowTarget.extend({
  /** Ticked weekday boxes, 0 = Sunday; one box arrives as a string, several as an array. */
  days: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.coerce.number().int().min(0).max(6)).max(7)),
  start: z.string().max(10).default(''),
  durationHours: z.coerce.number().int().min(0).max(24).catch(-1).default(0),
  durationMinutes: z.coerce.number().int().min(0).max(59).catch(-1).default(0),
});
/** 24 h: a slot whose end equals its start runs round the clock (calendar.ts: end <= start runs into the next day). */
const MAX_WEEKLY_MINUTES = 24 * 60;
const SCOPE_LABELS = { customer: 'settings.scopeCustomer', host: 'settings.scopeHost', tag: 'settings.scopeTag' } as const;

const PATH = '/settings/maintenance';
const fail = (c: Context<DashEnv>, message: string) => c.redirect(`${PATH}?error=${encodeURIComponent(message)}`, 303);
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Admin only: maintenance windows (one-off and weekly) of a customer, a host or a tag; adding and deleting them. */
export function settingsMaintenanceRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = adminSettingsRoutes(PATH);

  app.get(PATH, (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const customers = listCustomers(db);
    const hostNames = new Map(listHosts(db, undefined, { includeRetiredSince: 0 }).map((h) => [h.id, h.name]));
    const windows = listMaintenance(db);
    const windowTargetFields = html`<label>${t('common.customer')} <select name="customerId">${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select></label>
          <label>${t('settings.scope')} <select name="scope">${(['customer', 'host', 'tag'] as const).map((s) => html`<option value="${s}">${t(SCOPE_LABELS[s])}</option>`)}</select></label>
          <label>${t('common.host')} <select name="hostId"><option value="">-</option>${[...hostNames].map(([id, name]) => html`<option value="${id}">${name}</option>`)}</select></label>
          <label>${t('common.tag')} <input name="tag" maxlength="100"></label>`;
    const body = html`${settingsNav(c, 'maintenance')}
      <section id="maintenance">
        ${primaryAction('#maintenance-form', t('settings.addWindow'), 'maintenance-add')}
        <p>${t('settings.mwZoneHint').replace('{zone}', TIME_ZONE)}</p>
        ${windows.length ? '' : emptyState('maintenance-empty', t('settings.noMaintenance'))}
        <table id="maintenance-list"${windows.length ? '' : ' hidden'}><tbody>${windows.map(
          (w) => html`<tr data-window="${w.id}"><td>${getCustomer(db, w.customerId)?.name ?? w.customerId}</td><td>${t(SCOPE_LABELS[w.scope])} ${w.hostId ? hostNames.get(w.hostId) ?? w.hostId : ''}${w.tag ?? ''}</td>
            <td>${w.weekly ? formatWeeklySlot(w.weekly, t, lang) : `${formatTime(w.startsAt, lang)} - ${formatTime(w.endsAt, lang)}`}</td><td>${w.reason}</td>
            <td>${postButton(c, `${PATH}/${w.id}/delete`, t('common.delete'), '', 'danger')}</td></tr>`,
        )}</tbody></table>
        <h3>${t('settings.mwOnce')}</h3>
        <form method="post" action="${PATH}" class="filters" id="maintenance-form">${csrfField(c)}
          ${windowTargetFields}
          <label>${t('settings.starts')} <input name="startsAt" type="datetime-local" required></label>
          <label>${t('settings.ends')} <input name="endsAt" type="datetime-local" required></label>
          <label>${t('tickets.reason')} <input name="reason" maxlength="500"></label>
          <button type="submit" class="primary">${t('common.add')}</button></form>
        <h3>${t('settings.mwWeekly')}</h3>
        <form method="post" action="${PATH}/weekly" class="filters" id="maintenance-weekly-form">${csrfField(c)}
          ${windowTargetFields}
          <span role="group" aria-label="${t('settings.mwWeekdays')}">${t('settings.mwWeekdays')} ${WEEKDAYS_SHOWN.map(
            (d) => html`<label class="inline"><input type="checkbox" name="days" value="${d}"> ${t(`weekday.${d}`)}</label> `,
          )}</span>
          <label>${t('settings.mwStartTime')} <input name="start" type="time" required></label>
          <label>${t('settings.mwDuration')} <input name="durationHours" type="number" min="0" max="24" value="1" aria-label="${t('settings.mwDuration')} (${t('settings.mwHours')})"> ${t('settings.mwHours')}</label>
          <label><input name="durationMinutes" type="number" min="0" max="59" value="0" aria-label="${t('settings.mwDuration')} (${t('settings.mwMinutes')})"> ${t('settings.mwMinutes')}</label>
          <label>${t('tickets.reason')} <input name="reason" maxlength="500"></label>
          <button type="submit" class="primary">${t('common.add')}</button></form>
      </section>`;
    return page(c, t('settings.maintenance'), body);
  });

  /** The window's target from either form, checked against this customer's hosts; a message key when it is not whole. */
  function windowTarget(f: z.infer<typeof WindowTarget>): Pick<MaintenanceInput, 'customerId' | 'scope' | 'hostId' | 'tag' | 'reason'> | MessageKey {
    if (f.scope === 'host' && !listHosts(db, [f.customerId]).some((h) => h.id === f.hostId)) return 'settings.mwErrHost';
    if (f.scope === 'tag' && !f.tag) return 'settings.mwErrTag';
    return { customerId: f.customerId, scope: f.scope, hostId: f.scope === 'host' ? f.hostId : null, tag: f.scope === 'tag' ? f.tag : null, reason: f.reason };
  }

  function saveWindow(c: Context<DashEnv>, candidate: MaintenanceInput): Response {
    const input = MaintenanceInputSchema.safeParse(candidate);
    if (!input.success) return fail(c, input.error.issues[0]?.message ?? 'invalid');
    if (!getCustomer(db, input.data.customerId)) return fail(c, `no customer ${input.data.customerId}`);
    addMaintenance(db, input.data, c.get('user').id, deps.now());
    return c.redirect(`${PATH}?done=1`, 303);
  }

  app.post(PATH, async (c) => {
    const t = c.get('t');
    const f = NewWindow.safeParse(await c.req.parseBody());
    if (!f.success) return fail(c, f.error.issues[0]?.message ?? 'invalid');
    const target = windowTarget(f.data);
    if (typeof target === 'string') return fail(c, t(target));
    // Typed as the page shows times: wall-clock time in PATROL_TIMEZONE, as the on-site arrival form reads it.
    const startsAt = parseLocalDateTime(f.data.startsAt);
    const endsAt = parseLocalDateTime(f.data.endsAt);
    if (startsAt === undefined || endsAt === undefined) return fail(c, t('settings.mwErrTime'));
    if (endsAt <= startsAt) return fail(c, t('settings.mwErrOrder'));
    return saveWindow(c, { ...target, startsAt, endsAt });
  });

  app.post(`${PATH}/weekly`, async (c) => {
    const t = c.get('t');
    const f = NewWeeklyWindow.safeParse(await c.req.parseBody({ all: true }));
    if (!f.success) {
      const issue = f.error.issues[0];
      return fail(c, issue?.path[0] === 'days' ? t('settings.mwErrDays') : `${issue?.path.join('.')}: ${issue?.message ?? 'invalid'}`);
    }
    const target = windowTarget(f.data);
    if (typeof target === 'string') return fail(c, t(target));
    if (f.data.days.length === 0) return fail(c, t('settings.mwErrDays'));
    const start = /^([01]\d|2[0-3]):([0-5]\d)(?::\d\d)?$/.exec(f.data.start.trim());
    if (!start) return fail(c, t('settings.mwErrStart'));
    const { durationHours: h, durationMinutes: m } = f.data;
    const minutes = h * 60 + m;
    if (h < 0 || m < 0 || minutes < 1 || minutes > MAX_WEEKLY_MINUTES) return fail(c, t('settings.mwErrDuration'));
    const startMin = Number(start[1]) * 60 + Number(start[2]);
    // The slot is kept in the zone it was typed in, so it stays at 02:00 local even if PATROL_TIMEZONE changes later.
    const weekly: WeeklySlot = { days: [...new Set(f.data.days)].sort((a, b) => a - b), start: hhmm(startMin), end: hhmm((startMin + minutes) % 1440), timezone: TIME_ZONE };
    return saveWindow(c, { ...target, weekly });
  });

  app.post(`${PATH}/:id/delete`, (c) => (deleteMaintenance(db, c.req.param('id')) ? c.redirect(`${PATH}?done=1`, 303) : c.text('not found', 404)));
  return app;
}
