import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { listCustomers } from '../db/customers.js';
import type { DashEnv } from '../page-kit/env.js';
import { formatTime } from '../page-kit/format.js';
import { csrfField, page } from '../page-kit/layout.js';
import { adminSettingsRoutes, settingsNav } from '../page-kit/settings-nav.js';
import { getMailIntakeConfig, MailIntakeConfigSchema, setMailIntakeConfig, viewMailIntakeConfig, type MailIntakeView } from './config-store.js';
import { testImapConnection, type ConnectionTest } from './imap-client.js';
import { listMailDomains, MailDomainTakenError, setMailDomains } from './senders.js';

const PATH = '/settings/mail-intake';
const MB = 1024 * 1024;

const box = z.union([z.literal('on'), z.literal('')]).default('').transform((v) => v === 'on');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** The form as the browser sends it: checkboxes are 'on' or missing, sizes in MB, the interval in seconds. */
const SettingsForm = z.object({
  enabled: box,
  host: z.string().trim().min(1).max(255),
  port: int(1, 65535),
  tls: z.enum(['tls', 'starttls', 'plain']),
  tlsRejectUnauthorized: box,
  user: z.string().trim().min(1).max(320),
  password: z.string().max(1000).default(''),
  clearPassword: box,
  mailbox: z.string().trim().min(1).max(200),
  processedMailbox: z.string().trim().max(200).default(''),
  pollEverySec: int(5, 3600),
  maxFileMb: int(1, 100),
  maxMailMb: int(1, 200),
});
type Form = z.infer<typeof SettingsForm>;

function toConfig(f: Form) {
  return MailIntakeConfigSchema.parse({
    enabled: f.enabled,
    host: f.host,
    port: f.port,
    secure: f.tls === 'tls',
    requireTls: f.tls !== 'plain',
    tlsRejectUnauthorized: f.tlsRejectUnauthorized,
    user: f.user,
    mailbox: f.mailbox,
    processedMailbox: f.processedMailbox || null,
    pollEveryMs: f.pollEverySec * 1000,
    maxFileBytes: f.maxFileMb * MB,
    maxMailBytes: Math.max(f.maxMailMb * MB, 4096),
  });
}

const fail = (c: Context<DashEnv>, message: string) => c.redirect(`${PATH}?error=${encodeURIComponent(message)}`, 303);
const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

/**
 * Admin only: the support mailbox the collector reads cases from (mail-intake/poller.ts): server, TLS, login (the
 * password is sealed at rest and never shown back: left empty it is kept), folder, interval, size limits, and the
 * customers' mail domains; "test connection" logs in with what the form says and tells what it found. The same
 * store as PUT /api/mail-intake/config.
 */
export function mailIntakeSettingsPages(deps: { db: Db; now(): number }): Hono<DashEnv> {
  const { db } = deps;
  const app = adminSettingsRoutes(PATH);

  const render = (c: Context<DashEnv>, tested?: ConnectionTest) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const v: Partial<MailIntakeView> = viewMailIntakeConfig(db) ?? {};
    const tls = v.secure === false ? (v.requireTls === false ? 'plain' : 'starttls') : 'tls';
    const domains = listMailDomains(db);
    const customers = listCustomers(db);
    const checked = (on: boolean | undefined) => (on ? html` checked` : '');
    const result = !tested
      ? ''
      : tested.ok
        ? html`<div class="flash done" role="status" id="test-result"><p><b>${t('mailIntake.testOk')}</b> ${tested.tls ? t('mailIntake.testTls') : t('mailIntake.testPlain')}</p>
            <p>${tested.folder.found
              ? t('mailIntake.testFolder').replace('{folder}', tested.folder.name).replace('{messages}', String(tested.folder.messages ?? '-')).replace('{unseen}', String(tested.folder.unseen ?? '-'))
              : t('mailIntake.testNoFolder').replace('{folder}', tested.folder.name)}</p>
            <p>${t('mailIntake.testFolders')} ${tested.folders.join(', ') || '-'}</p></div>`
        : html`<p class="flash error" role="alert" id="test-result">${t('mailIntake.testFailed')} ${tested.error}</p>`;
    const body = html`${settingsNav(c, 'mail-intake')}
      <p>${t('mailIntake.intro')}</p>
      ${result}
      <form method="post" action="${PATH}" id="mail-intake-form" class="stack">${csrfField(c)}
        <fieldset><legend>${t('mailIntake.server')}</legend>
          <label><input type="checkbox" name="enabled" value="on"${checked(v.enabled)}> ${t('mailIntake.enabled')}</label>
          <label>${t('mailIntake.host')} <input name="host" required maxlength="255" value="${v.host ?? ''}" placeholder="imap.example.com"></label>
          <label>${t('mailIntake.port')} <input name="port" type="number" min="1" max="65535" required value="${v.port ?? 993}"></label>
          <label>${t('mailIntake.tls')} <select name="tls">
            <option value="tls"${tls === 'tls' ? ' selected' : ''}>${t('mailIntake.tlsImplicit')}</option>
            <option value="starttls"${tls === 'starttls' ? ' selected' : ''}>${t('mailIntake.tlsStarttls')}</option>
            <option value="plain"${tls === 'plain' ? ' selected' : ''}>${t('mailIntake.tlsPlain')}</option></select></label>
          <label><input type="checkbox" name="tlsRejectUnauthorized" value="on"${checked(v.tlsRejectUnauthorized ?? true)}> ${t('mailIntake.verifyCert')}</label>
        </fieldset>
        <fieldset><legend>${t('mailIntake.login')}</legend>
          <label>${t('mailIntake.user')} <input name="user" required maxlength="320" autocomplete="off" value="${v.user ?? ''}"></label>
          <label>${t('mailIntake.password')} <input name="password" type="password" autocomplete="new-password" maxlength="1000" value=""
            placeholder="${v.hasPassword ? t('mailIntake.passwordKept') : t('mailIntake.passwordNone')}"></label>
          ${v.hasPassword ? html`<label><input type="checkbox" name="clearPassword" value="on"> ${t('mailIntake.clearPassword')}</label>` : ''}
        </fieldset>
        <fieldset><legend>${t('mailIntake.reading')}</legend>
          <label>${t('mailIntake.folder')} <input name="mailbox" required maxlength="200" value="${v.mailbox ?? 'INBOX'}"></label>
          <label>${t('mailIntake.processedFolder')} <input name="processedMailbox" maxlength="200" value="${v.processedMailbox ?? ''}"></label>
          <label>${t('mailIntake.pollEvery')} <input name="pollEverySec" type="number" min="5" max="3600" required value="${Math.round((v.pollEveryMs ?? 60_000) / 1000)}"></label>
          <label>${t('mailIntake.maxFile')} <input name="maxFileMb" type="number" min="1" max="100" required value="${Math.max(1, Math.round((v.maxFileBytes ?? 10 * MB) / MB))}"></label>
          <label>${t('mailIntake.maxMail')} <input name="maxMailMb" type="number" min="1" max="200" required value="${Math.max(1, Math.round((v.maxMailBytes ?? 25 * MB) / MB))}"></label>
        </fieldset>
        <p class="actions"><button type="submit" class="primary" id="mail-intake-save">${t('common.save')}</button>
          <button type="submit" formaction="${PATH}/test" id="mail-intake-test">${t('mailIntake.test')}</button></p>
        ${v.updatedAt ? html`<p class="muted">${t('mailIntake.updated')} <time>${formatTime(v.updatedAt, lang)}</time></p>` : ''}
      </form>
      <h2>${t('mailIntake.domains')}</h2>
      <p>${t('mailIntake.domainsIntro')}</p>
      <table id="mail-domains"><thead><tr><th>${t('common.customer')}</th><th>${t('mailIntake.domainList')}</th><th></th></tr></thead><tbody>
        ${customers.map(
          (cu) => html`<tr data-customer="${cu.id}"><td>${cu.name}</td><td colspan="2"><form method="post" action="${PATH}/domains/${encodeURIComponent(cu.id)}" class="inline">${csrfField(c)}
            <input name="domains" size="40" maxlength="2000" aria-label="${t('mailIntake.domainList')} ${cu.name}" placeholder="example.com.cn, example.cn"
              value="${domains.filter((d) => d.customerId === cu.id).map((d) => d.domain).join(', ')}">
            <button type="submit">${t('common.save')}</button></form></td></tr>`,
        )}</tbody></table>`;
    return page(c, t('mailIntake.title'), body);
  };

  app.get(PATH, (c) => render(c));

  app.post(PATH, async (c) => {
    const f = SettingsForm.safeParse(await c.req.parseBody());
    if (!f.success) return fail(c, issues(f.error));
    try {
      const password = f.data.clearPassword ? null : f.data.password ? f.data.password : undefined;
      setMailIntakeConfig(db, { ...toConfig(f.data), ...(password === undefined ? {} : { password }) }, deps.now());
    } catch (err) {
      return fail(c, err instanceof z.ZodError ? issues(err) : (err as Error).message);
    }
    return c.redirect(`${PATH}?done=1`, 303);
  });

  /** Log in with the form's settings (the stored password when the field is empty); nothing is saved. */
  app.post(`${PATH}/test`, async (c) => {
    const f = SettingsForm.safeParse(await c.req.parseBody());
    if (!f.success) return fail(c, issues(f.error));
    const stored = getMailIntakeConfig(db)?.password ?? null;
    const password = f.data.clearPassword ? null : f.data.password || stored;
    return render(c, await testImapConnection({ ...toConfig(f.data), password }));
  });

  app.post(`${PATH}/domains/:customerId`, async (c) => {
    const f = z.object({ domains: z.string().max(2000).default('') }).safeParse(await c.req.parseBody());
    if (!f.success) return fail(c, issues(f.error));
    const list = f.data.domains.split(/[\s,;]+/).filter(Boolean);
    try {
      setMailDomains(db, c.req.param('customerId'), list, deps.now());
    } catch (err) {
      if (err instanceof MailDomainTakenError) return fail(c, err.message);
      if (err instanceof z.ZodError) return fail(c, issues(err));
      return c.text('not found', 404);
    }
    return c.redirect(`${PATH}?done=1`, 303);
  });
  return app;
}
