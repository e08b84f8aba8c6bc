import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { ensureCustomer, getCustomer, listCustomers } from '../../db/customers.js';
import { listHosts } from '../../db/hosts.js';
import { createUser, findUserByName, listUserRecords } from '../../db/users.js';
import { ChannelInputSchema, channelCustomerProblem, createChannel, deleteChannel, getChannel, listChannels } from '../../notify/channels.js';
import { sendTestMessage } from '../../notify/notifier.js';
import { ContractSchema, getContract, INSPECTION_HOLIDAYS, SEVERITIES, setContract } from '../../contracts/contract-store.js';
import { addMaintenance, deleteMaintenance, listMaintenance, MaintenanceInputSchema, type MaintenanceInput } from '../../maintenance/window-store.js';
import type { WeeklySlot } from '../../contracts/sla-calendar.js';
import { createLogger } from '../../../shared/logger.js';
import type { DashEnv } from '../env.js';
import { formatTime, parseLocalDateTime, TIME_ZONE } from '../format.js';
import type { Lang, MessageKey, Translate } from '../i18n/index.js';
import { csrfField, page, postButton } from '../layout.js';
import { settingsNav } from './settings-nav.js';

const log = createLogger('dashboard.settings');

const NewCustomer = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'customer id: lower-case letters, digits and -'),
  name: z.string().trim().min(1).max(200),
});
const NewUser = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9._@-]{1,100}$/, 'user name: letters, digits and . _ @ -'),
  password: z.string().min(10, 'password: at least 10 characters').max(1000),
  role: z.enum(['admin', 'engineer', 'customer']),
  customerId: z.string().max(100).default(''),
  serves: z.string().max(2000).default(''),
  displayName: z.string().max(200).default(''),
});
const NewWebhook = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['webhook', 'wecom', 'dingtalk', 'feishu', 'slack']),
  url: z.string().max(2000),
  customerId: z.string().max(100).default(''),
});
const checkbox = z.preprocess((v) => v === 'on' || v === '1' || v === 'true', z.boolean());
/** The SMTP form; the password goes to the channel's secret and is never put back into a page. */
const NewEmailChannel = z.object({
  name: z.string().trim().min(1).max(200),
  customerId: z.string().max(100).default(''),
  host: z.string().trim().min(1).max(255),
  port: z.coerce.number().int().min(1).max(65535).default(587),
  security: z.enum(['starttls', 'tls']).default('starttls'),
  user: z.string().trim().max(320).default(''),
  password: z.string().max(1000).default(''),
  from: z.string().trim().min(3).max(320),
  to: z.string().max(4000).default(''),
  notifyOnDuty: checkbox,
  verifyTls: checkbox,
  requireTls: checkbox,
  lang: z.enum(['zh', 'en']).default('zh'),
});
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
/** Monday first, as a week is read here; 0 = Sunday as calendar.ts counts. */
const WEEKDAYS_SHOWN = [1, 2, 3, 4, 5, 6, 0] as const;
const SCOPE_LABELS = { customer: 'settings.scopeCustomer', host: 'settings.scopeHost', tag: 'settings.scopeTag' } as const;

/** The contract's single numbers the form edits: field, min, max (the schema in tickets/contracts.ts has the last word). */
const CONTRACT_NUMBERS = [
  ['openAfter', 1, 100],
  ['autoCloseDays', 1, 365],
  ['inspectionDaysBefore', 0, 90],
  ['flapHighPct', 1, 100],
  ['flapLowPct', 0, 99],
  ['reopenNotifyMin', 0, 1440],
] as const;

const errorRedirect = (c: Context<DashEnv>, message: string) => c.redirect(`/settings?error=${encodeURIComponent(message)}`, 303);
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** "every Mon, Wed 02:00-04:00 (Asia/Shanghai)" in the page language. */
function weeklyText(w: WeeklySlot, t: Translate, lang: Lang): string {
  const days = WEEKDAYS_SHOWN.filter((d) => w.days.includes(d)).map((d) => t(`weekday.${d}`));
  return `${t('settings.mwEvery')} ${days.join(lang === 'zh' ? '、' : ', ')} ${w.start}–${w.end} (${w.timezone})`;
}

/** Admin only: customers, users, notification channels (send a test), maintenance windows, contracts. */
export function settingsRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();
  app.use('/settings/*', async (c, next) => (c.get('user').role === 'admin' ? next() : c.text('not found', 404)));
  app.use('/settings', async (c, next) => (c.get('user').role === 'admin' ? next() : c.text('not found', 404)));

  app.get('/settings', (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const customers = listCustomers(db);
    const users = listUserRecords(db).filter((u) => u.disabledAt === null);
    const hostNames = new Map(listHosts(db, undefined, { includeRetiredSince: 0 }).map((h) => [h.id, h.name]));
    const customerSelect = (name: string, withNone: boolean) =>
      html`<select name="${name}">${withNone ? html`<option value="">-</option>` : ''}${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select>`;
    const windowTargetFields = html`<label>${t('common.customer')} ${customerSelect('customerId', false)}</label>
          <label>${t('settings.scope')} <select name="scope">${(['customer', 'host', 'tag'] as const).map((s) => html`<option value="${s}">${t(SCOPE_LABELS[s])}</option>`)}</select></label>
          <label>${t('common.host')} <select name="hostId"><option value="">-</option>${[...hostNames].map(([id, name]) => html`<option value="${id}">${name}</option>`)}</select></label>
          <label>${t('common.tag')} <input name="tag" maxlength="100"></label>`;
    const body = html`${settingsNav(c, 'general')}
      <section id="customers"><h2>${t('settings.customers')}</h2>
        <table><tbody>${customers.map((cu) => html`<tr><td>${cu.id}</td><td>${cu.name}</td><td>${formatTime(cu.createdAt, lang)}</td></tr>`)}</tbody></table>
        <form method="post" action="/settings/customers" class="filters">${csrfField(c)}
          <label>${t('settings.customerId')} <input name="id" required pattern="[a-z0-9][a-z0-9-]*"></label>
          <label>${t('common.name')} <input name="name" required></label><button type="submit">${t('common.add')}</button></form>
      </section>
      <section id="users"><h2>${t('settings.users')}</h2>
        <table><tbody>${users.map((u) => html`<tr data-user="${u.username}"><td><a href="/settings/users/${u.id}">${u.username}</a></td><td>${u.displayName}</td><td>${u.role}</td><td>${u.customerId ?? ''}</td></tr>`)}</tbody></table>
        <form method="post" action="/settings/users" class="filters">${csrfField(c)}
          <label>${t('login.username')} <input name="username" required></label>
          <label>${t('common.name')} <input name="displayName"></label>
          <label>${t('login.password')} <input name="password" type="password" required minlength="10" autocomplete="new-password"></label>
          <label>${t('settings.role')} <select name="role"><option>engineer</option><option>customer</option><option>admin</option></select></label>
          <label>${t('common.customer')} ${customerSelect('customerId', true)}</label>
          <label>${t('settings.serves')} <input name="serves"></label>
          <button type="submit">${t('common.add')}</button></form>
      </section>
      <section id="channels"><h2>${t('settings.channels')}</h2>
        <table><tbody>${listChannels(db).map(
          (ch) => html`<tr data-channel="${ch.id}"><td>${ch.name}</td><td>${ch.kind}</td><td>${ch.customerId ?? '*'}</td>
            <td>${ch.kind === 'email' ? html`${ch.config.host}:${ch.config.port} ${ch.config.user ?? ''} <small>${ch.hasPassword ? t('settings.passwordStored') : t('settings.noPassword')}</small>` : ''}${ch.kind === 'dingtalk' || ch.kind === 'feishu' ? html`<small>${ch.hasSecret ? t('settings.secretStored') : t('settings.noSecret')}</small>` : ''}</td>
            <td>${ch.enabled ? '' : 'off'}</td>
            <td><a class="button" data-edit-channel href="/settings/channels/${ch.id}">${t('common.edit')}</a> ${postButton(c, `/settings/channels/${ch.id}/test`, t('settings.sendTest'))} ${postButton(c, `/settings/channels/${ch.id}/delete`, t('common.delete'), '', 'danger')}</td></tr>`,
        )}</tbody></table>
        <form method="post" action="/settings/channels" class="filters">${csrfField(c)}
          <label>${t('common.name')} <input name="name" required></label>
          <label>${t('settings.kind')} <select name="kind"><option>webhook</option><option>wecom</option><option>dingtalk</option><option>feishu</option><option>slack</option></select></label>
          <label>${t('settings.webhookUrl')} <input name="url" type="url" required></label>
          <label>${t('common.customer')} ${customerSelect('customerId', true)}</label>
          <button type="submit">${t('common.add')}</button></form>
        <h3>${t('settings.emailChannel')}</h3>
        <form method="post" action="/settings/channels/email" class="filters" id="email-channel-form">${csrfField(c)}
          <label>${t('common.name')} <input name="name" required></label>
          <label>${t('common.customer')} ${customerSelect('customerId', true)}</label>
          <label>${t('settings.smtpHost')} <input name="host" required></label>
          <label>${t('checks.port')} <input name="port" type="number" min="1" max="65535" value="587"></label>
          <label>${t('settings.smtpSecurity')} <select name="security"><option value="starttls">STARTTLS / plain (587, 25)</option><option value="tls">TLS (465)</option></select></label>
          <label>${t('login.username')} <input name="user" autocomplete="off"></label>
          <label>${t('login.password')} <input name="password" type="password" autocomplete="new-password"></label>
          <label>${t('settings.mailFrom')} <input name="from" required placeholder="patrol@example.com"></label>
          <label>${t('settings.mailTo')} <input name="to" placeholder="ops@example.com, noc@example.com"></label>
          <label class="inline"><input type="checkbox" name="notifyOnDuty" checked> ${t('settings.notifyOnDuty')}</label>
          <label class="inline"><input type="checkbox" name="verifyTls" checked> ${t('settings.verifyTls')}</label>
          <label class="inline"><input type="checkbox" name="requireTls" checked> ${t('settings.requireTls')}</label>
          <label>${t('settings.language')} <select name="lang"><option value="zh">中文</option><option value="en">English</option></select></label>
          <button type="submit">${t('common.add')}</button></form>
      </section>
      <section id="maintenance"><h2>${t('settings.maintenance')}</h2>
        <p>${t('settings.mwZoneHint').replace('{zone}', TIME_ZONE)}</p>
        <table id="maintenance-list"><tbody>${listMaintenance(db).map(
          (w) => html`<tr data-window="${w.id}"><td>${getCustomer(db, w.customerId)?.name ?? w.customerId}</td><td>${t(SCOPE_LABELS[w.scope])} ${w.hostId ? hostNames.get(w.hostId) ?? w.hostId : ''}${w.tag ?? ''}</td>
            <td>${w.weekly ? weeklyText(w.weekly, t, lang) : `${formatTime(w.startsAt, lang)} - ${formatTime(w.endsAt, lang)}`}</td><td>${w.reason}</td>
            <td>${postButton(c, `/settings/maintenance/${w.id}/delete`, t('common.delete'), '', 'danger')}</td></tr>`,
        )}</tbody></table>
        <h3>${t('settings.mwOnce')}</h3>
        <form method="post" action="/settings/maintenance" class="filters" id="maintenance-form">${csrfField(c)}
          ${windowTargetFields}
          <label>${t('settings.starts')} <input name="startsAt" type="datetime-local" required></label>
          <label>${t('settings.ends')} <input name="endsAt" type="datetime-local" required></label>
          <label>${t('tickets.reason')} <input name="reason" maxlength="500"></label>
          <button type="submit">${t('common.add')}</button></form>
        <h3>${t('settings.mwWeekly')}</h3>
        <form method="post" action="/settings/maintenance/weekly" class="filters" id="maintenance-weekly-form">${csrfField(c)}
          ${windowTargetFields}
          <span role="group" aria-label="${t('settings.mwWeekdays')}">${t('settings.mwWeekdays')} ${WEEKDAYS_SHOWN.map(
            (d) => html`<label class="inline"><input type="checkbox" name="days" value="${d}"> ${t(`weekday.${d}`)}</label> `,
          )}</span>
          <label>${t('settings.mwStartTime')} <input name="start" type="time" required></label>
          <label>${t('settings.mwDuration')} <input name="durationHours" type="number" min="0" max="24" value="1" aria-label="${t('settings.mwDuration')} (${t('settings.mwHours')})"> ${t('settings.mwHours')}</label>
          <label><input name="durationMinutes" type="number" min="0" max="59" value="0" aria-label="${t('settings.mwDuration')} (${t('settings.mwMinutes')})"> ${t('settings.mwMinutes')}</label>
          <label>${t('tickets.reason')} <input name="reason" maxlength="500"></label>
          <button type="submit">${t('common.add')}</button></form>
      </section>
      <section id="contracts"><h2>${t('settings.contracts')}</h2>
        ${customers.map((cu) => {
          const k = getContract(db, cu.id);
          return html`<form method="post" action="/settings/contracts/${cu.id}" class="contract">${csrfField(c)}
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
            <button type="submit">${t('common.save')}</button></form>`;
        })}
      </section>`;
    return page(c, t('settings.title'), body);
  });

  app.post('/settings/customers', async (c) => {
    const f = NewCustomer.safeParse(await c.req.parseBody());
    if (!f.success) return errorRedirect(c, f.error.issues[0]?.message ?? 'invalid');
    if (getCustomer(db, f.data.id)) return errorRedirect(c, `customer ${f.data.id} exists`);
    ensureCustomer(db, f.data.id, f.data.name, deps.now());
    return c.redirect('/settings?done=1#customers', 303);
  });

  app.post('/settings/users', async (c) => {
    const f = NewUser.safeParse(await c.req.parseBody());
    if (!f.success) return errorRedirect(c, f.error.issues[0]?.message ?? 'invalid');
    if (findUserByName(db, f.data.username)) return errorRedirect(c, `user ${f.data.username} exists`);
    if (f.data.role === 'customer' && !getCustomer(db, f.data.customerId)) return errorRedirect(c, 'a customer user needs a customer');
    const serves = f.data.serves.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = serves.find((id) => !getCustomer(db, id));
    if (unknown) return errorRedirect(c, `no customer ${unknown}`);
    createUser(db, {
      username: f.data.username,
      password: f.data.password,
      role: f.data.role,
      customerId: f.data.role === 'customer' ? f.data.customerId : undefined,
      displayName: f.data.displayName || undefined,
      serves: f.data.role === 'engineer' ? serves : [],
      now: deps.now(),
    });
    return c.redirect('/settings?done=1#users', 303);
  });

  app.post('/settings/channels', async (c) => {
    const f = NewWebhook.safeParse(await c.req.parseBody());
    if (!f.success) return errorRedirect(c, f.error.issues[0]?.message ?? 'invalid');
    const input = ChannelInputSchema.safeParse({ kind: f.data.kind, name: f.data.name, customerId: f.data.customerId || null, config: { url: f.data.url } });
    if (!input.success) return errorRedirect(c, input.error.issues[0]?.message ?? 'invalid');
    if (channelCustomerProblem(db, input.data.customerId)) return errorRedirect(c, `no customer ${input.data.customerId}`);
    createChannel(db, input.data, deps.now());
    return c.redirect('/settings?done=1#channels', 303);
  });

  app.post('/settings/channels/email', async (c) => {
    const f = NewEmailChannel.safeParse(await c.req.parseBody());
    if (!f.success) return errorRedirect(c, f.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const to = f.data.to.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean);
    const input = ChannelInputSchema.safeParse({
      kind: 'email',
      name: f.data.name,
      customerId: f.data.customerId || null,
      secret: f.data.password || null,
      config: {
        host: f.data.host,
        port: f.data.port,
        secure: f.data.security === 'tls',
        user: f.data.user || undefined,
        from: f.data.from,
        to,
        notifyOnDuty: f.data.notifyOnDuty,
        tlsRejectUnauthorized: f.data.verifyTls,
        requireTls: f.data.requireTls,
        lang: f.data.lang,
      },
    });
    if (!input.success) return errorRedirect(c, input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (input.data.customerId && !getCustomer(db, input.data.customerId)) return errorRedirect(c, `no customer ${input.data.customerId}`);
    createChannel(db, input.data, deps.now());
    return c.redirect('/settings?done=1#channels', 303);
  });

  app.post('/settings/channels/:id/test', async (c) => {
    if (!getChannel(db, c.req.param('id'))) return c.text('not found', 404);
    const r = await sendTestMessage(db, c.req.param('id'), deps.now());
    if (!r.ok) log.warn({ channel: c.req.param('id'), error: r.error }, 'test message failed');
    return r.ok ? c.redirect('/settings?done=1#channels', 303) : errorRedirect(c, `${c.get('t')('settings.testFailed')} ${r.error}`);
  });

  app.post('/settings/channels/:id/delete', (c) => (deleteChannel(db, c.req.param('id')) ? c.redirect('/settings?done=1#channels', 303) : c.text('not found', 404)));

  /** The window's target from either form, checked against this customer's hosts; a message key when it is not whole. */
  function windowTarget(f: z.infer<typeof WindowTarget>): Pick<MaintenanceInput, 'customerId' | 'scope' | 'hostId' | 'tag' | 'reason'> | MessageKey {
    if (f.scope === 'host' && !listHosts(db, [f.customerId]).some((h) => h.id === f.hostId)) return 'settings.mwErrHost';
    if (f.scope === 'tag' && !f.tag) return 'settings.mwErrTag';
    return { customerId: f.customerId, scope: f.scope, hostId: f.scope === 'host' ? f.hostId : null, tag: f.scope === 'tag' ? f.tag : null, reason: f.reason };
  }

  function saveWindow(c: Context<DashEnv>, candidate: MaintenanceInput): Response {
    const input = MaintenanceInputSchema.safeParse(candidate);
    if (!input.success) return errorRedirect(c, input.error.issues[0]?.message ?? 'invalid');
    if (!getCustomer(db, input.data.customerId)) return errorRedirect(c, `no customer ${input.data.customerId}`);
    addMaintenance(db, input.data, c.get('user').id, deps.now());
    return c.redirect('/settings?done=1#maintenance', 303);
  }

  app.post('/settings/maintenance', async (c) => {
    const t = c.get('t');
    const f = NewWindow.safeParse(await c.req.parseBody());
    if (!f.success) return errorRedirect(c, f.error.issues[0]?.message ?? 'invalid');
    const target = windowTarget(f.data);
    if (typeof target === 'string') return errorRedirect(c, t(target));
    // Typed as the page shows times: wall-clock time in PATROL_TIMEZONE, as the on-site arrival form reads it.
    const startsAt = parseLocalDateTime(f.data.startsAt);
    const endsAt = parseLocalDateTime(f.data.endsAt);
    if (startsAt === undefined || endsAt === undefined) return errorRedirect(c, t('settings.mwErrTime'));
    if (endsAt <= startsAt) return errorRedirect(c, t('settings.mwErrOrder'));
    return saveWindow(c, { ...target, startsAt, endsAt });
  });

  app.post('/settings/maintenance/weekly', async (c) => {
    const t = c.get('t');
    const f = NewWeeklyWindow.safeParse(await c.req.parseBody({ all: true }));
    if (!f.success) {
      const issue = f.error.issues[0];
      return errorRedirect(c, issue?.path[0] === 'days' ? t('settings.mwErrDays') : `${issue?.path.join('.')}: ${issue?.message ?? 'invalid'}`);
    }
    const target = windowTarget(f.data);
    if (typeof target === 'string') return errorRedirect(c, t(target));
    if (f.data.days.length === 0) return errorRedirect(c, t('settings.mwErrDays'));
    const start = /^([01]\d|2[0-3]):([0-5]\d)(?::\d\d)?$/.exec(f.data.start.trim());
    if (!start) return errorRedirect(c, t('settings.mwErrStart'));
    const { durationHours: h, durationMinutes: m } = f.data;
    const minutes = h * 60 + m;
    if (h < 0 || m < 0 || minutes < 1 || minutes > MAX_WEEKLY_MINUTES) return errorRedirect(c, t('settings.mwErrDuration'));
    const startMin = Number(start[1]) * 60 + Number(start[2]);
    // The slot is kept in the zone it was typed in, so it stays at 02:00 local even if PATROL_TIMEZONE changes later.
    const weekly: WeeklySlot = { days: [...new Set(f.data.days)].sort((a, b) => a - b), start: hhmm(startMin), end: hhmm((startMin + minutes) % 1440), timezone: TIME_ZONE };
    return saveWindow(c, { ...target, weekly });
  });

  app.post('/settings/maintenance/:id/delete', (c) =>
    deleteMaintenance(db, c.req.param('id')) ? c.redirect('/settings?done=1#maintenance', 303) : c.text('not found', 404),
  );

  app.post('/settings/contracts/:customerId', async (c) => {
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
    if (!input.success) return errorRedirect(c, input.error.issues[0]?.message ?? 'invalid');
    setContract(db, id, input.data, deps.now());
    return c.redirect('/settings?done=1#contracts', 303);
  });
  return app;
}
