import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { listCustomers } from '../../db/customers.js';
import { getHost, listHosts, type Host } from '../../db/hosts.js';
import { resolveAssignment } from '../db-source.js';
import { hostTemplateIds, listTemplates } from '../template-store.js';
import type { DashEnv } from '../../page-kit/env.js';
import type { Lang, Translate } from '../../page-kit/i18n/index.js';
import type { CheckAssignment } from '../../../shared/assignment.js';
import { findCheck } from '../../../checks/index.js';
import { paramDefaults, paramForm } from '../param-form.js';
import { paramGrid, pairTextAttr } from './param-fields.js';
import { page, type Html } from '../../page-kit/layout.js';
import { adminOnly, emptyState, settingsNav } from '../../page-kit/settings-nav.js';

const PATH = '/settings/checks';

/** This page held templates and agentless hosts too: old links to those parts land on their own pages. */
const MOVED_ANCHORS = { templates: '/settings/templates', agentless: '/settings/agentless' };

const json = (v: unknown) => JSON.stringify(v);

/**
 * Admin settings for one host's checks: which templates it runs (its own, by tag, or its kind's default) and
 * its threshold overrides. The page only reads; the form goes from the client script to PUT
 * /api/hosts/:id/assignments, which validates the parameters and pushes the change to a connected agent.
 */
export function hostChecksRoutes(deps: { db: Db }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();
  app.use(PATH, adminOnly);

  app.get(PATH, (c) => {
    const t = c.get('t');
    const ids = c.get('customerIds');
    const customers = listCustomers(db, ids);
    const hosts = listHosts(db, ids);
    const selected = c.req.query('host') ? getHost(db, c.req.query('host')!, ids) : undefined;
    const body = html`${settingsNav(c, 'checks')}
      <section id="assignment" data-moved-anchors="${json(MOVED_ANCHORS)}"><h2>${t('checks.assignment')}</h2>
        ${hosts.length
          ? html`<form method="get" action="${PATH}" class="filters">
          <label>${t('common.host')} <select name="host" id="assignment-host">${customers.map(
            (cu) => html`<optgroup label="${cu.name}">${hosts
              .filter((h) => h.customerId === cu.id)
              .map((h) => html`<option value="${h.id}"${h.id === selected?.id ? ' selected' : ''}>${h.name}</option>`)}</optgroup>`,
          )}</select></label>
          <button type="submit" class="primary">${t('checks.show')}</button>
        </form>`
          : emptyState('host-checks-empty', t('settings.noHostsForChecks'))}
        ${selected ? assignmentForm(db, selected, t, c.get('lang')) : ''}
      </section>`;
    return page(c, t('settings.hostChecks'), body);
  });
  return app;
}

/** One host's templates (its own, by tag, or the default) and per check its parameters as a form over its override. */
function assignmentForm(db: Db, host: Host, t: Translate, lang: Lang): Html {
  const resolved = resolveAssignment(db, host);
  // What each check runs with before this host's override: the template's parameters.
  const fromTemplates = new Map(resolveAssignment(db, host, { overrides: {} }).checks.map((ch) => [ch.name, ch.params]));
  const own = new Set(hostTemplateIds(db, host.id));
  const viaTag = resolved.templates.filter((tp) => tp.via.kind === 'tag');
  const usingDefault = resolved.templates.find((tp) => tp.via.kind === 'default');
  return html`<form id="assignment-form" class="stack json-form param-form" novalidate data-api="/api/hosts/${host.id}/assignments" data-method="PUT"
      data-done="${PATH}?host=${host.id}&done=1#assignment" data-pair-text="${pairTextAttr(lang, t)}">
    <h3>${host.name} <small>${t(`params.hostKind.${host.kind}`)}</small></h3>
    <p class="flash done form-saved" role="status" hidden></p>
    <fieldset><legend>${t('checks.hostTemplates')}</legend>
      ${listTemplates(db, [host.customerId]).map(
        // Without a list of its own the host runs its kind's default: shown ticked, so ticking another adds to it.
        (tp) => html`<label class="inline"><input type="checkbox" name="templates" value="${tp.id}"${own.has(tp.id) || (own.size === 0 && usingDefault?.id === tp.id) ? ' checked' : ''}> ${tp.name}</label> `,
      )}
      ${viaTag.length ? html`<p><small>${t('checks.viaTag')}: ${viaTag.map((tp) => `${tp.name} (${tp.via.kind === 'tag' ? tp.via.tag : ''})`).join(', ')}</small></p>` : ''}
      ${usingDefault ? html`<p><small>${t('checks.usingDefault')}: ${usingDefault.name}</small></p>` : ''}
    </fieldset>
    <div id="assigned-checks">${resolved.checks.map((ch) => checkRow(ch, fromTemplates.get(ch.name) ?? {}, resolved.overrides[ch.name], t, lang))}</div>
    <p class="flash error form-error" role="alert" hidden></p>
    <button type="submit" class="primary">${t('common.save')}</button>
  </form>`;
}

/**
 * One check of the host: its thresholds (numbers and switches: what an override may set) as inputs over the
 * template's values, and the override as JSON under "Advanced" for the rest.
 */
function checkRow(ch: CheckAssignment, templateParams: Record<string, unknown>, override: Record<string, unknown> | undefined, t: Translate, lang: Lang): Html {
  const form = paramForm(ch.checkId);
  const base = { ...paramDefaults(ch.checkId), ...templateParams };
  const title = findCheck(ch.checkId)?.title[lang];
  return html`<fieldset class="check-params" data-check="${ch.name}" data-check-id="${ch.checkId}" data-pairs="${json(form?.pairs ?? [])}">
    <legend>${ch.name} <small>${title && title !== ch.name ? `${title} · ` : ''}${ch.name !== ch.checkId ? `${ch.checkId} · ` : ''}${ch.intervalSec}s</small></legend>
    ${form ? paramGrid(form, { value: override ?? {}, base, template: templateParams }, t, lang, (f) => f.threshold) : html`<p><small>${t('params.unknownCheck')}</small></p>`}
    <details class="advanced"><summary>${t('params.advancedJson')}</summary>
      <label>${t('params.overrideJson')} <input name="override" data-check="${ch.name}" value="${override ? json(override) : ''}" placeholder='{"warnPct": 85}' spellcheck="false"></label>
      <p><small>${t('params.inEffect')}: <code>${json({ ...paramDefaults(ch.checkId), ...ch.params })}</code></small></p>
    </details>
  </fieldset>`;
}
