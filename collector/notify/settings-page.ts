import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { getCustomer, listCustomers } from '../db/customers.js';
import { ChannelInputSchema, channelCustomerProblem, createChannel, deleteChannel, getChannel, listChannels } from './channels.js';
import { kindFields, secretNote } from './channel-form.js';
import { CHANNEL_KINDS, kindOf, URL_KINDS } from './kinds/index.js';
import { sendTestMessage } from './notifier.js';
import { createLogger } from '../../shared/logger.js';
import type { DashEnv } from '../page-kit/env.js';
import { csrfField, page, postButton } from '../page-kit/layout.js';
import { adminSettingsRoutes, emptyState, primaryAction, settingsNav } from '../page-kit/settings-nav.js';

const log = createLogger('dashboard.settings');

/** The URL kinds' create form; other kinds post their own form to /settings/channels/<kind> (kinds/<kind>.ts fromForm). */
const NewUrlChannel = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.string().max(40),
  url: z.string().max(2000),
  customerId: z.string().max(100).default(''),
});
/** What every form sends besides its kind's fields. */
const ChannelHead = z.object({ name: z.string().trim().min(1).max(200), customerId: z.string().max(100).default('') });
const issues = (err: z.ZodError) => err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

const PATH = '/settings/channels';
const done = (c: Context<DashEnv>) => c.redirect(`${PATH}?done=1`, 303);
const fail = (c: Context<DashEnv>, message: string) => c.redirect(`${PATH}?error=${encodeURIComponent(message)}`, 303);

/**
 * Admin only: notification channels (webhook and chat robots, SMTP), adding one, sending a test, deleting.
 * A channel's own page (/settings/channels/:id) edits it. Secrets (SMTP password, signing secret) are stored
 * and never rendered: the list says only whether one is stored.
 */
export function settingsChannelRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = adminSettingsRoutes(PATH);

  app.get(PATH, (c) => {
    const t = c.get('t');
    const customers = listCustomers(db);
    const channels = listChannels(db);
    const customerSelect = html`<select name="customerId"><option value="">-</option>${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select>`;
    const body = html`${settingsNav(c, 'channels')}
      <section id="channels">
        ${primaryAction('#channel-form', t('settings.addChannel'), 'channel-add')}
        ${channels.length
          ? html`<table id="channel-list"><tbody>${channels.map(
              (ch) => html`<tr data-channel="${ch.id}"><td>${ch.name}</td><td>${t(`channelKind.${ch.kind}`)}</td><td>${ch.customerId ?? '*'}</td>
            <td>${kindOf(ch.kind).listNote?.(ch.config as never) ?? ''} ${secretNote(kindOf(ch.kind).secret, ch.hasSecret, t)}</td>
            <td>${ch.enabled ? '' : 'off'}</td>
            <td><a class="button" data-edit-channel href="${PATH}/${ch.id}">${t('common.edit')}</a> ${postButton(c, `${PATH}/${ch.id}/test`, t('settings.sendTest'))} ${postButton(c, `${PATH}/${ch.id}/delete`, t('common.delete'), '', 'danger')}</td></tr>`,
            )}</tbody></table>`
          : emptyState('channels-empty', t('settings.noChannels'))}
        <h2>${t('settings.addChannel')}</h2>
        <form method="post" action="${PATH}" class="filters" id="channel-form">${csrfField(c)}
          <label>${t('common.name')} <input name="name" required></label>
          <label>${t('settings.kind')} <select name="kind">${URL_KINDS.map((k) => html`<option value="${k}">${t(`channelKind.${k}`)}</option>`)}</select></label>
          <label>${t('settings.webhookUrl')} <input name="url" type="url" required></label>
          <label>${t('common.customer')} ${customerSelect}</label>
          <button type="submit" class="primary">${t('common.add')}</button></form>
        ${CHANNEL_KINDS.filter((k) => k.form === 'own').map(
          (k) => html`<h3>${t(k.kind === 'email' ? 'settings.emailChannel' : 'settings.addChannel')}</h3>
        <form method="post" action="${PATH}/${k.kind}" class="filters" id="${k.kind}-channel-form">${csrfField(c)}
          <label>${t('common.name')} <input name="name" required></label>
          <label>${t('common.customer')} ${customerSelect}</label>
          ${kindFields(k.fields, k.secret, t)}
          <label>${t('settings.language')} <select name="lang"><option value="zh">中文</option><option value="en">English</option></select></label>
          <button type="submit" class="primary">${t('common.add')}</button></form>`,
        )}
      </section>`;
    return page(c, t('settings.channels'), body);
  });

  app.post(PATH, async (c) => {
    const f = NewUrlChannel.safeParse(await c.req.parseBody());
    if (!f.success) return fail(c, f.error.issues[0]?.message ?? 'invalid');
    if (!URL_KINDS.includes(f.data.kind as never)) return fail(c, `kind: not one of ${URL_KINDS.join(', ')}`);
    const input = ChannelInputSchema.safeParse({ kind: f.data.kind, name: f.data.name, customerId: f.data.customerId || null, config: { url: f.data.url } });
    if (!input.success) return fail(c, input.error.issues[0]?.message ?? 'invalid');
    if (channelCustomerProblem(db, input.data.customerId)) return fail(c, `no customer ${input.data.customerId}`);
    createChannel(db, input.data, deps.now());
    return done(c);
  });

  for (const kind of CHANNEL_KINDS.filter((k) => k.form === 'own')) {
    app.post(`${PATH}/${kind.kind}`, async (c) => {
      const form = Object.fromEntries(Object.entries(await c.req.parseBody()).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const head = ChannelHead.safeParse(form);
      if (!head.success) return fail(c, issues(head.error));
      let own: ReturnType<typeof kind.fromForm>;
      try {
        own = kind.fromForm(form);
      } catch (err) {
        if (err instanceof z.ZodError) return fail(c, issues(err));
        throw err;
      }
      const input = ChannelInputSchema.safeParse({ kind: kind.kind, name: head.data.name, customerId: head.data.customerId || null, ...own });
      if (!input.success) return fail(c, issues(input.error));
      if (input.data.customerId && !getCustomer(db, input.data.customerId)) return fail(c, `no customer ${input.data.customerId}`);
      createChannel(db, input.data, deps.now());
      return done(c);
    });
  }

  app.post(`${PATH}/:id/test`, async (c) => {
    if (!getChannel(db, c.req.param('id'))) return c.text('not found', 404);
    const r = await sendTestMessage(db, c.req.param('id'), deps.now());
    if (!r.ok) log.warn({ channel: c.req.param('id'), error: r.error }, 'test message failed');
    return r.ok ? done(c) : fail(c, `${c.get('t')('settings.testFailed')} ${r.error}`);
  });

  app.post(`${PATH}/:id/delete`, (c) => (deleteChannel(db, c.req.param('id')) ? done(c) : c.text('not found', 404)));
  return app;
}
