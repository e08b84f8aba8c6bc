import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { customerNames, getCustomer, listCustomers } from '../db/customers.js';
import { createUser, findUserByName, getUserRecord, listUserRecords, setUserDisabled, updateUserRecord } from '../db/users.js';
import { SESSION_COOKIE, type DashEnv } from '../page-kit/env.js';
import { formatTime } from '../page-kit/format.js';
import { csrfField, page, postButton } from '../page-kit/layout.js';
import { adminSettingsRoutes, emptyState, primaryAction, settingsNav } from '../page-kit/settings-nav.js';

const NewUser = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9._@-]{1,100}$/, 'user name: letters, digits and . _ @ -'),
  password: z.string().min(10, 'password: at least 10 characters').max(1000),
  role: z.enum(['admin', 'engineer', 'customer']),
  customerId: z.string().max(100).default(''),
  serves: z.string().max(2000).default(''),
  displayName: z.string().max(200).default(''),
});

const UserForm = z.object({
  displayName: z.string().trim().max(200).default(''),
  role: z.enum(['admin', 'engineer', 'customer']),
  customerId: z.string().max(100).default(''),
  serves: z.array(z.string().max(100)).max(1000).default([]),
  password: z.string().max(1000).default(''),
});

const back = (c: Context<DashEnv>, id: string, message?: string) =>
  c.redirect(message ? `/settings/users/${id}?error=${encodeURIComponent(message)}` : `/settings/users/${id}?done=1`, 303);

/**
 * Admin only: every user (disabled ones too) and adding one; edit role, customer, the customers an engineer
 * serves and the password; disable and enable. An admin cannot disable or demote themselves (the last way in could go).
 */
export function settingsUserRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = adminSettingsRoutes('/settings/users');

  app.get('/settings/users', (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const customers = listCustomers(db);
    const names = customerNames(db);
    const users = listUserRecords(db);
    const body = html`${settingsNav(c, 'users')}
      <section id="users">
      ${primaryAction('#user-new-form', t('settings.addUser'), 'user-add')}
      ${users.length ? '' : emptyState('users-empty', t('settings.noUsers'))}
      <table id="user-list"${users.length ? '' : ' hidden'}><thead><tr><th>${t('login.username')}</th><th>${t('common.name')}</th><th>${t('settings.role')}</th><th>${t('common.customer')}</th><th>${t('common.created')}</th><th></th></tr></thead>
      <tbody>${users.map(
        (u) => html`<tr data-user="${u.username}"${u.disabledAt ? html` class="disabled"` : ''}>
          <td><a href="/settings/users/${u.id}">${u.username}</a></td><td>${u.displayName}</td><td>${t(`role.${u.role}`)}</td>
          <td>${u.role === 'customer' ? names.get(u.customerId ?? '') ?? u.customerId : u.serves.map((id) => names.get(id) ?? id).join(', ')}</td>
          <td>${formatTime(u.createdAt, lang)}</td><td>${u.disabledAt ? html`<span class="badge">${t('users.disabled')}</span>` : ''}</td></tr>`,
      )}</tbody></table>
      <h2>${t('settings.addUser')}</h2>
      <form method="post" action="/settings/users" class="filters" id="user-new-form">${csrfField(c)}
        <label>${t('login.username')} <input name="username" required></label>
        <label>${t('common.name')} <input name="displayName"></label>
        <label>${t('login.password')} <input name="password" type="password" required minlength="10" autocomplete="new-password"></label>
        <label>${t('settings.role')} <select name="role">${(['engineer', 'customer', 'admin'] as const).map((r) => html`<option value="${r}">${t(`role.${r}`)}</option>`)}</select></label>
        <label>${t('common.customer')} <select name="customerId"><option value="">-</option>${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select></label>
        <label>${t('settings.serves')} <input name="serves"></label>
        <button type="submit" class="primary">${t('common.add')}</button></form>
      </section>`;
    return page(c, t('settings.users'), body);
  });

  app.post('/settings/users', async (c) => {
    const fail = (message: string) => c.redirect(`/settings/users?error=${encodeURIComponent(message)}`, 303);
    const f = NewUser.safeParse(await c.req.parseBody());
    if (!f.success) return fail(f.error.issues[0]?.message ?? 'invalid');
    if (findUserByName(db, f.data.username)) return fail(`user ${f.data.username} exists`);
    if (f.data.role === 'customer' && !getCustomer(db, f.data.customerId)) return fail('a customer user needs a customer');
    const serves = f.data.serves.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = serves.find((id) => !getCustomer(db, id));
    if (unknown) return fail(`no customer ${unknown}`);
    createUser(db, {
      username: f.data.username,
      password: f.data.password,
      role: f.data.role,
      customerId: f.data.role === 'customer' ? f.data.customerId : undefined,
      displayName: f.data.displayName || undefined,
      serves: f.data.role === 'engineer' ? serves : [],
      now: deps.now(),
    });
    return c.redirect('/settings/users?done=1', 303);
  });

  app.get('/settings/users/:id', (c) => {
    const t = c.get('t');
    const u = getUserRecord(db, c.req.param('id'));
    if (!u) return c.text('not found', 404);
    const customers = listCustomers(db);
    const self = u.id === c.get('user').id;
    const body = html`${settingsNav(c, 'users')}
      <p id="user-status">${u.username} · ${u.disabledAt ? html`<span class="badge" data-disabled="1">${t('users.disabled')}</span>` : html`<span class="badge">${t('users.active')}</span>`}</p>
      <form method="post" action="/settings/users/${u.id}" class="stack" id="user-form">${csrfField(c)}
        <label>${t('common.name')} <input name="displayName" value="${u.displayName}"></label>
        <label>${t('settings.role')} <select name="role">${(['engineer', 'customer', 'admin'] as const).map(
          (r) => html`<option value="${r}"${r === u.role ? ' selected' : ''}>${r}</option>`,
        )}</select></label>
        <label>${t('users.customerOfUser')} <select name="customerId"><option value="">-</option>${customers.map(
          (cu) => html`<option value="${cu.id}"${cu.id === u.customerId ? ' selected' : ''}>${cu.name}</option>`,
        )}</select></label>
        <fieldset id="serves"><legend>${t('users.serves')}</legend>${customers.map(
          (cu) => html`<label class="inline"><input type="checkbox" name="serves" value="${cu.id}"${u.serves.includes(cu.id) ? ' checked' : ''}> ${cu.name}</label> `,
        )}</fieldset>
        <label>${t('users.newPassword')} <input name="password" type="password" autocomplete="new-password" minlength="10"></label>
        <button type="submit" class="primary">${t('common.save')}</button>
      </form>
      <div id="user-disable">${self
        ? html`<small>${t('users.notSelf')}</small>`
        : u.disabledAt
          ? postButton(c, `/settings/users/${u.id}/enable`, t('users.enable'))
          : postButton(c, `/settings/users/${u.id}/disable`, t('users.disable'), '', 'danger')}</div>`;
    return page(c, `${t('users.edit')}: ${u.username}`, body);
  });

  app.post('/settings/users/:id', async (c) => {
    const u = getUserRecord(db, c.req.param('id'));
    if (!u) return c.text('not found', 404);
    const raw = await c.req.parseBody({ all: true });
    const serves = raw.serves === undefined ? [] : (Array.isArray(raw.serves) ? raw.serves : [raw.serves]).filter((v): v is string => typeof v === 'string');
    const f = UserForm.safeParse({ ...raw, serves });
    if (!f.success) return back(c, u.id, f.error.issues[0]?.message ?? 'invalid');
    const d = f.data;
    if (u.id === c.get('user').id && d.role !== 'admin') return back(c, u.id, 'you cannot take away your own admin role');
    if (d.role === 'customer' && !getCustomer(db, d.customerId)) return back(c, u.id, 'a customer user needs a customer');
    const unknown = d.serves.find((id) => !getCustomer(db, id));
    if (unknown) return back(c, u.id, `no customer ${unknown}`);
    if (d.password && d.password.length < 10) return back(c, u.id, 'password: at least 10 characters');
    updateUserRecord(db, u.id, {
      displayName: d.displayName || u.username,
      role: d.role,
      customerId: d.customerId || null,
      serves: d.serves,
      newPassword: d.password,
      // An admin changing their own password stays logged in here; their other sessions end.
      keepSessionId: u.id === c.get('user').id ? getCookie(c, SESSION_COOKIE) : undefined,
    });
    return back(c, u.id);
  });

  for (const action of ['disable', 'enable'] as const) {
    app.post(`/settings/users/:id/${action}`, (c) => {
      const u = getUserRecord(db, c.req.param('id'));
      if (!u) return c.text('not found', 404);
      if (u.id === c.get('user').id) return back(c, u.id, 'you cannot disable yourself');
      setUserDisabled(db, u.id, action === 'disable', deps.now());
      return back(c, u.id);
    });
  }
  return app;
}
