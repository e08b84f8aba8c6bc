import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { listCustomers } from '../db/customers.js';
import { ChannelConfigError, getChannel, updateChannel, type ChannelView } from './channels.js';
import type { DashEnv } from '../page-kit/env.js';
import { csrfField, page, postButton, type Html } from '../page-kit/layout.js';
import type { Translate } from '../page-kit/i18n/index.js';
import { settingsNav } from '../page-kit/settings-nav.js';

const checked = (on: boolean) => (on ? html` checked` : '');
const selected = (on: boolean) => (on ? html` selected` : '');

/**
 * Admin page for one notification channel: name, on/off, its URL or SMTP settings, and the DingTalk/Feishu
 * signing secret. The form goes from the client script to PATCH /api/notification-channels/:id (which
 * validates the merged config and answers with its error text). The stored secret (SMTP password or signing
 * secret) is never read here (getChannel leaves it out): the page only says whether one is stored, an empty
 * field keeps it, a typed one replaces it, and the "remove" box clears it. The customer select (all customers,
 * or one the admin sees) moves the channel: the PATCH checks the customer, and deliveries still queued for
 * the old customer are then not sent through it. A generic webhook's HTTP headers (Authorization and such) are
 * write-only too: the page lists their names, a plain form replaces them all and a button removes them. URLs
 * come with their tokens masked (getChannel); sent back unchanged, the PATCH keeps the stored URL.
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
          ${ch.kind === 'email'
            ? emailFields(ch, t)
            : html`<label>${t('settings.webhookUrl')} <input name="url" type="url" required value="${ch.config.url}"></label>
                <p><small>${t('settings.urlMasked')}</small></p>`}
          ${ch.kind === 'dingtalk' || ch.kind === 'feishu' ? secretFields(ch, t) : ''}
          <label>${t('settings.language')} <select name="lang"><option value="zh"${selected(ch.config.lang === 'zh')}>中文</option><option value="en"${selected(ch.config.lang === 'en')}>English</option></select></label>
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="primary">${t('common.save')}</button>
        </form>
        ${ch.kind === 'webhook' ? headerFields(c, ch) : ''}
      </section>`;
    return page(c, `${t('settings.editChannel')}: ${ch.name}`, body);
  });

  app.post('/settings/channels/:id/headers', async (c) => {
    if (c.get('user').role !== 'admin') return c.text('not found', 404);
    const id = c.req.param('id');
    const ch = getChannel(db, id);
    if (!ch || ch.kind !== 'webhook') return c.text('not found', 404);
    const back = (error?: string) => c.redirect(`/settings/channels/${id}?${error ? `error=${encodeURIComponent(error)}` : 'done=1'}`, 303);
    const form = HeadersForm.safeParse(await c.req.parseBody());
    if (!form.success) return back(form.error.issues[0]?.message ?? 'invalid');
    const headers = form.data.clear ? {} : parseHeaderLines(form.data.headers);
    if (typeof headers === 'string') return back(headers);
    try {
      updateChannel(db, id, { config: { headers } });
    } catch (err) {
      if (err instanceof ChannelConfigError || err instanceof z.ZodError) return back(err instanceof z.ZodError ? (err.issues[0]?.message ?? 'invalid') : err.message);
      throw err;
    }
    return back();
  });
  return app;
}

const HeadersForm = z.object({ headers: z.string().max(20_000).default(''), clear: z.string().optional() });

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** "Name: value" lines into headers, or the reason they are not. Empty lines are skipped. */
function parseHeaderLines(text: string): Record<string, string> | string {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    const value = colon < 0 ? '' : line.slice(colon + 1).trim();
    // The line is not echoed back: it may hold the very token this page never shows.
    if (!HEADER_NAME.test(name) || !value) return 'each header line is "Name: value"';
    if (value.length > 2000) return `header ${name}: value longer than 2000 characters`;
    headers[name] = value;
  }
  if (Object.keys(headers).length === 0) return 'no header typed; "Remove all headers" clears them';
  return headers;
}

/** The stored header names (never their values), a form replacing all of them and a button removing them. */
function headerFields(c: Context<DashEnv>, ch: Extract<ChannelView, { kind: 'webhook' }>): Html {
  const t = c.get('t');
  const names = Object.keys(ch.config.headers);
  return html`<section id="channel-headers"><h3>${t('settings.webhookHeaders')}</h3>
    ${names.length
      ? html`<p><small>${t('settings.headersStored')}</small></p><ul id="header-names">${names.map((n) => html`<li>${n}</li>`)}</ul>`
      : html`<p id="header-names-none"><small>${t('settings.noHeaders')}</small></p>`}
    <form method="post" action="/settings/channels/${ch.id}/headers" class="stack" id="channel-headers-form">${csrfField(c)}
      <label>${t('settings.newHeaders')} <textarea name="headers" rows="3" autocomplete="off" spellcheck="false" placeholder="Authorization: Bearer …"></textarea></label>
      <button type="submit">${t('settings.replaceHeaders')}</button>
    </form>
    ${names.length ? postButton(c, `/settings/channels/${ch.id}/headers`, t('settings.clearHeaders'), html`<input type="hidden" name="clear" value="1">`, 'danger') : ''}
  </section>`;
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
