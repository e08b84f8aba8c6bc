import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { getCustomer, listCustomers } from '../../db/customers.js';
import type { DashEnv } from '../../page-kit/env.js';
import { formatTime } from '../../page-kit/format.js';
import type { MessageKey } from '../../page-kit/i18n/index.js';
import { csrfField, page, type Html } from '../../page-kit/layout.js';
import { emptyState, primaryAction, settingsNav } from '../../page-kit/settings-nav.js';
import { createLogger } from '../../../shared/logger.js';
import { checkLogo, logoDataUri, MAX_LOGO_BYTES } from '../logo.js';
import {
  CustomerReportProfileSchema,
  getCustomerReportProfile,
  getProviderIdentity,
  getProviderLogo,
  ProviderIdentitySchema,
  setCustomerReportProfile,
  setProviderIdentity,
  type ProviderIdentity,
} from '../provider-store.js';

const log = createLogger('reports.provider-page');
const PATH = '/settings/provider';

/** The identity's text fields, in form order, with their label keys (the same names as the API's JSON). */
const FIELDS = [
  ['companyName', 'provider.companyName'],
  ['companyNameEn', 'provider.companyNameEn'],
  ['address', 'provider.address'],
  ['addressEn', 'provider.addressEn'],
  ['hotline', 'provider.hotline'],
  ['email', 'provider.email'],
] as const satisfies ReadonlyArray<readonly [keyof ProviderIdentity, MessageKey]>;

const PROFILE_FIELDS = [
  ['contractNumber', 'provider.contractNumber'],
  ['contactName', 'provider.contactName'],
  ['contactPhone', 'provider.contactPhone'],
  ['contactEmail', 'provider.contactEmail'],
  ['reportEmails', 'provider.reportEmails'],
] as const satisfies ReadonlyArray<readonly [string, MessageKey]>;

type ChangedKey = (typeof FIELDS)[number][0] | (typeof PROFILE_FIELDS)[number][0] | 'logo' | 'logoRemoved';
const CHANGE_LABEL: Record<ChangedKey, MessageKey> = {
  ...(Object.fromEntries([...FIELDS, ...PROFILE_FIELDS]) as Record<(typeof FIELDS)[number][0] | (typeof PROFILE_FIELDS)[number][0], MessageKey>),
  logo: 'provider.logo',
  logoRemoved: 'provider.logoRemoved',
};
const isChangedKey = (k: string): k is ChangedKey => k in CHANGE_LABEL;

const text = (v: unknown) => (typeof v === 'string' ? v : '');
/** Report addresses are typed one per line (or separated by commas or spaces). */
const splitEmails = (v: string) => v.split(/[\s,;，；]+/).filter(Boolean);

/**
 * /settings/provider (issue 13, item 1): who issues the reports (company, logo, address, hotline, e-mail) and,
 * per customer, the contract number, contact and extra report addresses. Admins edit; engineers read (the
 * customers they serve only); customer users get the 404 of a page that does not exist. Plain forms (a
 * multipart one for the logo), so it works without the client script; the store is the API's.
 */
export function providerPageRoutes(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();
  // Mounted before the settings index, whose admin-only guard covers /settings/*: engineers may read this one.
  const staffOnly = async (c: Context<DashEnv>, next: () => Promise<void>) => (c.get('user').role === 'customer' ? c.text('not found', 404) : next());
  const adminOnly = async (c: Context<DashEnv>, next: () => Promise<void>) => (c.get('user').role === 'admin' ? next() : c.text('not found', 404));
  app.use(PATH, staffOnly);
  app.use(`${PATH}/*`, staffOnly);
  const who = (c: Context<DashEnv>) => c.get('user').displayName || c.get('user').username;
  const back = (c: Context<DashEnv>, q: Record<string, string>, anchor = '') => c.redirect(`${PATH}?${new URLSearchParams(q).toString()}${anchor}`, 303);

  app.get(PATH, (c) => {
    const t = c.get('t');
    const admin = c.get('user').role === 'admin';
    const p = getProviderIdentity(db);
    const customers = listCustomers(db, c.get('customerIds'));
    const dis = admin ? '' : html` disabled`;
    const saved = (c.req.query('saved') ?? '').split(',').filter(isChangedKey);
    const forCustomer = c.req.query('for') ? getCustomer(db, c.req.query('for') ?? '') : undefined;
    const savedLine: Html | '' =
      c.req.query('saved') !== undefined
        ? html`<p class="flash done" role="status" id="provider-saved">${forCustomer ? `${forCustomer.name}: ` : ''}${saved.length ? `${t('provider.savedFields')} ${saved.map((k) => t(CHANGE_LABEL[k])).join(t('provider.listSep'))}. ` : `${t('provider.nothingChanged')} `}${saved.length ? t('provider.nextReport') : ''}</p>`
        : '';
    // Inline (img-src allows data:): a logo is at most 192 KiB, and an <img> never runs what an SVG might carry.
    const stored = getProviderLogo(db);
    const logoSrc = stored ? logoDataUri(stored) : '';
    const logoBlock = html`<div class="logo-preview" id="provider-logo">${
      p.logo
        ? html`<img src="${logoSrc}" alt="${t('provider.logo')}" height="64" id="provider-logo-img"> <span class="muted">${p.logo.mime === 'image/png' ? 'PNG' : 'SVG'}, ${Math.ceil(p.logo.bytes / 1024)} KiB</span>`
        : html`<span class="muted" id="provider-no-logo">${t('provider.noLogo')}</span>`
    }</div>`;
    const body = html`${admin ? settingsNav(c, 'provider') : ''}
      ${savedLine}
      <p class="muted">${t('provider.intro')}</p>
      ${admin ? '' : html`<p class="flash" id="provider-readonly">${t('provider.readOnly')}</p>`}
      ${p.updatedAt ? html`<p class="muted" id="provider-updated">${t('provider.lastSaved')} ${formatTime(p.updatedAt, c.get('lang'))} · ${p.updatedBy ?? ''}</p>` : ''}
      <section id="provider">
        <h2>${t('provider.identity')}</h2>
        ${p.updatedAt || !admin ? '' : emptyState('provider-empty', t('provider.emptyIdentity'))}
        <form method="post" action="${PATH}" enctype="multipart/form-data" class="stack" id="provider-form">${csrfField(c)}
          ${FIELDS.map(([f, label]) => html`<label>${t(label)} <input name="${f}" id="provider-${f}" type="${f === 'email' ? 'email' : 'text'}" value="${p[f]}" maxlength="${f.startsWith('address') ? 500 : 200}"${dis}></label>`)}
          <div>${t('provider.logo')} ${logoBlock}</div>
          ${admin
            ? html`<label>${t('provider.logoUpload')} <input type="file" name="logo" id="provider-logo-file" accept="image/png,image/svg+xml,.png,.svg" data-max-bytes="${MAX_LOGO_BYTES}" data-wrong-type="${t('provider.logoWrongType')}" data-too-big="${t('provider.logoTooBig').replace('{kib}', String(MAX_LOGO_BYTES / 1024))}"></label>
                <p class="flash error" role="alert" id="provider-logo-check" hidden></p>
                <img id="provider-logo-new" alt="${t('provider.logoNew')}" height="64" hidden>
                <p class="muted">${t('provider.logoHint').replace('{kib}', String(MAX_LOGO_BYTES / 1024))}</p>
                ${p.logo ? html`<label class="inline"><input type="checkbox" name="removeLogo" value="1" id="provider-remove-logo"> ${t('provider.removeLogo')}</label>` : ''}
                <button type="submit" class="primary" id="provider-save">${t('common.save')}</button>`
            : ''}
        </form>
      </section>
      <section id="provider-customers">
        <h2>${t('provider.customers')}</h2>
        <p class="muted">${t('provider.customersHint')}</p>
        ${customers.length
          ? html`<table id="provider-customer-table"><thead><tr><th>${t('common.customer')}</th>${PROFILE_FIELDS.map(([, l]) => html`<th>${t(l)}</th>`)}${admin ? html`<th></th>` : ''}</tr></thead><tbody>${customers.map((cu) => {
              const pr = getCustomerReportProfile(db, cu.id);
              const form = `profile-${cu.id}`;
              const cell = (f: (typeof PROFILE_FIELDS)[number][0]) => {
                const v = f === 'reportEmails' ? pr.reportEmails.join('\n') : pr[f];
                if (!admin) return html`<td data-field="${f}">${f === 'reportEmails' ? pr.reportEmails.map((e) => html`${e}<br>`) : v}</td>`;
                return f === 'reportEmails'
                  ? html`<td><textarea name="${f}" form="${form}" rows="2" aria-label="${t('provider.reportEmails')}">${v}</textarea></td>`
                  : html`<td><input name="${f}" form="${form}" type="${f === 'contactEmail' ? 'email' : 'text'}" value="${v}" aria-label="${t(PROFILE_FIELDS.find(([k]) => k === f)![1])}"></td>`;
              };
              return html`<tr id="customer-${cu.id}" data-customer="${cu.id}"><th>${cu.name}</th>${PROFILE_FIELDS.map(([f]) => cell(f))}${
                admin ? html`<td><form method="post" action="${PATH}/customers/${cu.id}" id="${form}">${csrfField(c)}<button type="submit">${t('common.save')}</button></form></td>` : ''
              }</tr>`;
            })}</tbody></table>`
          : html`${emptyState('provider-customers-empty', t(admin ? 'provider.noCustomers' : 'provider.noCustomersServed'))}${admin ? primaryAction('/settings/customers#customer-form', t('settings.addCustomer'), 'provider-add-customer') : ''}`}
      </section>`;
    return page(c, t('provider.title'), body);
  });

  app.post(PATH, adminOnly, async (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const body = await c.req.parseBody();
    const before = getProviderIdentity(db);
    const input = ProviderIdentitySchema.safeParse(Object.fromEntries(FIELDS.map(([f]) => [f, text(body[f])])));
    if (!input.success) {
      const issue = input.error.issues[0];
      const field = FIELDS.find(([f]) => f === issue?.path[0]);
      return back(c, { error: `${field ? t(field[1]) : ''} ${t('provider.invalid')}` });
    }
    let logo: Parameters<typeof setProviderIdentity>[2];
    const file = body.logo;
    if (file instanceof File && file.size > 0) {
      const checked = checkLogo(Buffer.from(await file.arrayBuffer()));
      if (!checked.ok) return back(c, { error: `${t('provider.logoRefused')} ${lang === 'zh' ? checked.zh : checked.en}` });
      logo = checked.logo;
    } else if (body.removeLogo === '1') logo = null;
    const after = setProviderIdentity(db, input.data, logo, who(c), deps.now());
    const changed: ChangedKey[] = FIELDS.map(([f]) => f).filter((f) => before[f] !== after[f]);
    if (logo) changed.push('logo');
    if (logo === null && before.logo) changed.push('logoRemoved');
    log.info({ by: who(c), changed }, 'provider identity saved from the settings page');
    return back(c, { saved: changed.join(',') });
  });

  app.post(`${PATH}/customers/:customerId`, adminOnly, async (c) => {
    const t = c.get('t');
    const id = c.req.param('customerId') ?? '';
    if (!getCustomer(db, id)) return c.text('not found', 404);
    const body = await c.req.parseBody();
    const before = getCustomerReportProfile(db, id);
    const input = CustomerReportProfileSchema.safeParse({
      contractNumber: text(body.contractNumber),
      contactName: text(body.contactName),
      contactPhone: text(body.contactPhone),
      contactEmail: text(body.contactEmail),
      reportEmails: splitEmails(text(body.reportEmails)),
    });
    if (!input.success) {
      const issue = input.error.issues[0];
      const field = PROFILE_FIELDS.find(([f]) => f === issue?.path[0]);
      return back(c, { error: `${getCustomer(db, id)?.name ?? id}: ${field ? t(field[1]) : ''} ${t('provider.invalid')}` }, `#customer-${id}`);
    }
    const after = setCustomerReportProfile(db, id, input.data, deps.now());
    const changed: ChangedKey[] = PROFILE_FIELDS.map(([f]) => f).filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
    log.info({ by: who(c), customerId: id, changed }, 'customer report profile saved from the settings page');
    return back(c, { saved: changed.join(','), for: id }, `#customer-${id}`);
  });
  return app;
}
