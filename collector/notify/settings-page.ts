import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { getCustomer, listCustomers } from '../db/customers.js';
import { ChannelInputSchema, channelCustomerProblem, createChannel, deleteChannel, getChannel, listChannels } from './channels.js';
import { sendTestMessage } from './notifier.js';
import { createLogger } from '../../shared/logger.js';
import type { DashEnv } from '../page-kit/env.js';
import { csrfField, page, postButton } from '../page-kit/layout.js';
import { adminOnly, emptyState, primaryAction, settingsNav } from '../page-kit/settings-nav.js';

const log = createLogger('dashboard.settings');

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
  const app = new Hono<DashEnv>();
  app.use(PATH, adminOnly);
  app.use(`${PATH}/*`, adminOnly);

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
              (ch) => html`<tr data-channel="${ch.id}"><td>${ch.name}</td><td>${ch.kind}</td><td>${ch.customerId ?? '*'}</td>
            <td>${ch.kind === 'email' ? html`${ch.config.host}:${ch.config.port} ${ch.config.user ?? ''} <small>${ch.hasPassword ? t('settings.passwordStored') : t('settings.noPassword')}</small>` : ''}${ch.kind === 'dingtalk' || ch.kind === 'feishu' ? html`<small>${ch.hasSecret ? t('settings.secretStored') : t('settings.noSecret')}</small>` : ''}</td>
            <td>${ch.enabled ? '' : 'off'}</td>
            <td><a class="button" data-edit-channel href="${PATH}/${ch.id}">${t('common.edit')}</a> ${postButton(c, `${PATH}/${ch.id}/test`, t('settings.sendTest'))} ${postButton(c, `${PATH}/${ch.id}/delete`, t('common.delete'), '', 'danger')}</td></tr>`,
            )}</tbody></table>`
          : emptyState('channels-empty', t('settings.noChannels'))}
        <h2>${t('settings.addChannel')}</h2>
        <form method="post" action="${PATH}" class="filters" id="channel-form">${csrfField(c)}
          <label>${t('common.name')} <input name="name" required></label>
          <label>${t('settings.kind')} <select name="kind"><option>webhook</option><option>wecom</option><option>dingtalk</option><option>feishu</option><option>slack</option></select></label>
          <label>${t('settings.webhookUrl')} <input name="url" type="url" required></label>
          <label>${t('common.customer')} ${customerSelect}</label>
          <button type="submit" class="primary">${t('common.add')}</button></form>
        <h3>${t('settings.emailChannel')}</h3>
        <form method="post" action="${PATH}/email" class="filters" id="email-channel-form">${csrfField(c)}
          <label>${t('common.name')} <input name="name" required></label>
          <label>${t('common.customer')} ${customerSelect}</label>
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
          <button type="submit" class="primary">${t('common.add')}</button></form>
      </section>`;
    return page(c, t('settings.channels'), body);
  });

  app.post(PATH, async (c) => {
    const f = NewWebhook.safeParse(await c.req.parseBody());
    if (!f.success) return fail(c, f.error.issues[0]?.message ?? 'invalid');
    const input = ChannelInputSchema.safeParse({ kind: f.data.kind, name: f.data.name, customerId: f.data.customerId || null, config: { url: f.data.url } });
    if (!input.success) return fail(c, input.error.issues[0]?.message ?? 'invalid');
    if (channelCustomerProblem(db, input.data.customerId)) return fail(c, `no customer ${input.data.customerId}`);
    createChannel(db, input.data, deps.now());
    return done(c);
  });

  app.post(`${PATH}/email`, async (c) => {
    const f = NewEmailChannel.safeParse(await c.req.parseBody());
    if (!f.success) return fail(c, f.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
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
    if (!input.success) return fail(c, input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (input.data.customerId && !getCustomer(db, input.data.customerId)) return fail(c, `no customer ${input.data.customerId}`);
    createChannel(db, input.data, deps.now());
    return done(c);
  });

  app.post(`${PATH}/:id/test`, async (c) => {
    if (!getChannel(db, c.req.param('id'))) return c.text('not found', 404);
    const r = await sendTestMessage(db, c.req.param('id'), deps.now());
    if (!r.ok) log.warn({ channel: c.req.param('id'), error: r.error }, 'test message failed');
    return r.ok ? done(c) : fail(c, `${c.get('t')('settings.testFailed')} ${r.error}`);
  });

  app.post(`${PATH}/:id/delete`, (c) => (deleteChannel(db, c.req.param('id')) ? done(c) : c.text('not found', 404)));
  return app;
}
