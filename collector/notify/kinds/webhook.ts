import { html } from 'hono/html';
import { z } from 'zod';
import { csrfField, postButton } from '../../page-kit/layout.js';
import type { NotificationMessage } from '../message.js';
import { ChannelConfigError, HttpUrlSchema, LangSchema, type ChannelKind } from './kind.js';
import { postJson, unmaskUrlIn, URL_FIELD, urlFromForm, urlSecretsToRepeat, viewUrl } from './url.js';

/** A generic receiver: the whole message as JSON, with HTTP headers of the admin's choosing (Authorization, ...). */
const Config = z.object({ url: HttpUrlSchema, headers: z.record(z.string(), z.string().max(2000)).default({}), lang: LangSchema });
type Config = z.infer<typeof Config>;

/** A webhook header's value as list/get show it: only its name is told (headers carry tokens: Authorization). */
export const STORED_HEADER = '(stored)';

/** The JSON body of the generic webhook: everything, machine-readable. */
export function genericPayload(m: NotificationMessage): Record<string, unknown> {
  return {
    type: 'patrol.notification',
    version: 1,
    messageId: m.id,
    customer: { id: m.customerId, name: m.customerName },
    host: { id: m.hostId, name: m.hostName },
    tier: m.tier,
    items: m.items,
    recipients: m.recipients.map((r) => ({ userId: r.userId, name: r.name, email: r.email })),
    createdAt: new Date(m.createdAt).toISOString(),
  };
}

/**
 * Headers a PATCH sends: a value of STORED_HEADER keeps the stored value of that header (names match
 * case-insensitively, as in HTTP); anything else is the new value; headers left out are dropped, so `{}` clears.
 */
function keepStoredHeaders(sent: unknown, stored: Record<string, string>): unknown {
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) return sent; // the schema refuses it
  const storedByName = new Map(Object.entries(stored).map(([name, value]) => [name.toLowerCase(), value]));
  return Object.fromEntries(
    Object.entries(sent).map(([name, value]) => {
      if (value !== STORED_HEADER) return [name, value];
      const real = storedByName.get(name.toLowerCase());
      if (real === undefined) throw new ChannelConfigError(`headers.${name}: "${STORED_HEADER}" keeps a stored value, and none is stored for this header`);
      return [name, real];
    }),
  );
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** "Name: value" lines into headers, or the reason they are not. Empty lines are skipped. */
export function parseHeaderLines(text: string): Record<string, string> | string {
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

export const webhook: ChannelKind<'webhook', Config, z.input<typeof Config>> = {
  kind: 'webhook',
  schema: z.object({ kind: z.literal('webhook'), config: Config }),
  secret: null,
  form: 'url',
  fields: [URL_FIELD],
  fromForm: urlFromForm,
  format: genericPayload,
  send: (channel, m, ctx) => postJson(channel.config.url, genericPayload(m), channel.config.headers, ctx.timeoutMs),
  view: (config) => ({ ...viewUrl(config), headers: Object.fromEntries(Object.keys(config.headers).map((name) => [name, STORED_HEADER])) }),
  unmask(sent, stored) {
    const withUrl = unmaskUrlIn(sent, stored);
    return withUrl.headers === undefined ? withUrl : { ...withUrl, headers: keepStoredHeaders(withUrl.headers, stored.headers) };
  },
  /** A new URL also needs its headers given again (with their values, not STORED_HEADER; `{}` drops them). */
  secretsToRepeat: (current, next, patch) =>
    urlSecretsToRepeat(current, next, patch, () => {
      const sentHeaders = patch.config?.headers;
      const repeated = typeof sentHeaders === 'object' && sentHeaders !== null && !Object.values(sentHeaders).includes(STORED_HEADER);
      return Object.keys(current.config.headers).length > 0 && !repeated ? [`the headers (\`config.headers\` with their values, not "${STORED_HEADER}"; {} drops them)`] : [];
    }),
  /** The stored header names (never their values), a form replacing all of them and a button removing them. */
  editSection(c, ch) {
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
  },
};
