import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { listCustomers } from '../db/customers.js';
import { ChannelConfigError, getChannel, updateChannel } from './channels.js';
import { kindFields } from './channel-form.js';
import { kindOf, type KindView } from './kinds/index.js';
import { parseHeaderLines } from './kinds/webhook.js';
import type { DashEnv } from '../page-kit/env.js';
import { page } from '../page-kit/layout.js';
import { settingsNav } from '../page-kit/settings-nav.js';

const checked = (on: boolean) => (on ? html` checked` : '');
const selected = (on: boolean) => (on ? html` selected` : '');

/**
 * Admin page for one notification channel: name, on/off, customer, language and its kind's fields (kinds/<kind>.ts:
 * a URL or SMTP settings, a signing secret, a webhook's headers). The form goes from the client script to PATCH
 * /api/notification-channels/:id (which validates the merged config and answers with its error text). The stored secret (SMTP password or signing
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
    const kind = kindOf(ch.kind);
    const view: KindView<typeof ch.config> = { id: ch.id, config: ch.config, hasSecret: ch.hasSecret };
    const body = html`${settingsNav(c, 'general')}
      <section id="channel-edit" data-channel="${ch.id}"><h2>${t('settings.editChannel')}: ${ch.name}</h2>
        <p><small>${t('settings.kind')}: ${t(`channelKind.${ch.kind}`)}</small></p>
        <form id="channel-edit-form" class="stack json-form" data-kind="${ch.kind}" data-api="/api/notification-channels/${ch.id}" data-method="PATCH"
            data-done="/settings/channels/${ch.id}?done=1">
          <label>${t('common.name')} <input name="name" required maxlength="200" value="${ch.name}"></label>
          <label class="inline"><input type="checkbox" name="enabled"${checked(ch.enabled)}> ${t('settings.enabled')}</label>
          <label>${t('common.customer')} <select name="customerId"><option value=""${selected(ch.customerId === null)}>${t('common.allCustomers')}</option>${customers.map(
            (cu) => html`<option value="${cu.id}"${selected(cu.id === ch.customerId)}>${cu.name}</option>`,
          )}</select></label>
          <p><small>${t('settings.channelCustomerHint')}</small></p>
          ${kindFields(kind.fields, kind.secret, t, view)}
          <label>${t('settings.language')} <select name="lang"><option value="zh"${selected(ch.config.lang === 'zh')}>中文</option><option value="en"${selected(ch.config.lang === 'en')}>English</option></select></label>
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="primary">${t('common.save')}</button>
        </form>
        ${kind.editSection ? kind.editSection(c, view) : ''}
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
