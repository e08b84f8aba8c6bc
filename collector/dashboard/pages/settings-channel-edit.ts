import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { listCustomers } from '../../db/customers.js';
import { getChannel, type ChannelView } from '../../notify/channels.js';
import type { DashEnv } from '../env.js';
import { page, type Html } from '../layout.js';
import type { Translate } from '../i18n/index.js';
import { settingsNav } from './settings-nav.js';

const checked = (on: boolean) => (on ? html` checked` : '');
const selected = (on: boolean) => (on ? html` selected` : '');

/**
 * Admin page for one notification channel: name, on/off, its URL or SMTP settings, and the DingTalk/Feishu
 * signing secret. The form goes from the client script to PATCH /api/notification-channels/:id (which
 * validates the merged config and answers with its error text). The stored secret (SMTP password or signing
 * secret) is never read here (getChannel leaves it out): the page only says whether one is stored, an empty
 * field keeps it, a typed one replaces it, and the "remove" box clears it. The customer select (all customers,
 * or one the admin sees) moves the channel: the PATCH checks the customer, and deliveries still queued for
 * the old customer are then not sent through it.
 */
export function settingsChannelEditRoutes(deps: { db: Db }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();

  app.get('/settings/channels/:id', (c) => {
    if (c.get('user').role !== 'admin') return c.text('not found', 404);
    const t = c.get('t');
    const ch = getChannel(db, c.req.param('id'));
    if (!ch) return c.text('not found', 404);
    const customers = listCustomers(db, c.get('customerIds'));
    const body = html`${settingsNav(c, 'general')}
      <section id="channel-edit" data-channel="${ch.id}"><h2>${t('settings.editChannel')}: ${ch.name}</h2>
        <p><small>${t('settings.kind')}: ${ch.kind}</small></p>
        <form id="channel-edit-form" class="stack json-form" data-kind="${ch.kind}" data-api="/api/notification-channels/${ch.id}" data-method="PATCH"
            data-done="/settings/channels/${ch.id}?done=1">
          <label>${t('common.name')} <input name="name" required maxlength="200" value="${ch.name}"></label>
          <label class="inline"><input type="checkbox" name="enabled"${checked(ch.enabled)}> ${t('settings.enabled')}</label>
          <label>${t('common.customer')} <select name="customerId"><option value=""${selected(ch.customerId === null)}>${t('common.allCustomers')}</option>${customers.map(
            (cu) => html`<option value="${cu.id}"${selected(cu.id === ch.customerId)}>${cu.name}</option>`,
          )}</select></label>
          <p><small>${t('settings.channelCustomerHint')}</small></p>
          ${ch.kind === 'email' ? emailFields(ch, t) : html`<label>${t('settings.webhookUrl')} <input name="url" type="url" required value="${ch.config.url}"></label>`}
          ${ch.kind === 'dingtalk' || ch.kind === 'feishu' ? secretFields(ch, t) : ''}
          <label>${t('settings.language')} <select name="lang"><option value="zh"${selected(ch.config.lang === 'zh')}>中文</option><option value="en"${selected(ch.config.lang === 'en')}>English</option></select></label>
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="primary">${t('common.save')}</button>
        </form>
      </section>`;
    return page(c, `${t('settings.editChannel')}: ${ch.name}`, body);
  });
  return app;
}

function emailFields(ch: Extract<ChannelView, { kind: 'email' }>, t: Translate): Html {
  const k = ch.config;
  return html`<label>${t('settings.smtpHost')} <input name="host" required value="${k.host}"></label>
    <label>${t('checks.port')} <input name="port" type="number" min="1" max="65535" value="${k.port}"></label>
    <label>${t('settings.smtpSecurity')} <select name="security"><option value="starttls"${selected(!k.secure)}>STARTTLS / plain (587, 25)</option><option value="tls"${selected(k.secure)}>TLS (465)</option></select></label>
    <label>${t('login.username')} <input name="user" autocomplete="off" value="${k.user ?? ''}"></label>
    <p id="password-state"><small>${ch.hasPassword ? t('settings.passwordStored') : t('settings.noPassword')}</small></p>
    <label>${t('settings.newPassword')} <input name="password" type="password" autocomplete="new-password" value=""></label>
    ${ch.hasPassword ? html`<label class="inline"><input type="checkbox" name="clearPassword"> ${t('settings.clearPassword')}</label>` : ''}
    <label>${t('settings.mailFrom')} <input name="from" required value="${k.from}"></label>
    <label>${t('settings.mailTo')} <input name="to" value="${k.to.join(', ')}"></label>
    <label class="inline"><input type="checkbox" name="notifyOnDuty"${checked(k.notifyOnDuty)}> ${t('settings.notifyOnDuty')}</label>
    <label class="inline"><input type="checkbox" name="verifyTls"${checked(k.tlsRejectUnauthorized)}> ${t('settings.verifyTls')}</label>
    <label class="inline"><input type="checkbox" name="requireTls"${checked(k.requireTls)}> ${t('settings.requireTls')}</label>`;
}

/** DingTalk "加签" / Feishu signature secret: like the SMTP password, never put into the page. */
function secretFields(ch: ChannelView, t: Translate): Html {
  return html`<p id="secret-state"><small>${ch.hasSecret ? t('settings.secretStored') : t('settings.noSecret')}</small></p>
    <label>${t('settings.newSecret')} <input name="secret" type="password" autocomplete="new-password" spellcheck="false" value=""></label>
    ${ch.hasSecret ? html`<label class="inline"><input type="checkbox" name="clearSecret"> ${t('settings.clearSecret')}</label>` : ''}`;
}
