import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { listCustomers } from '../../db/customers.js';
import { getHost, listHosts, type Host } from '../../db/hosts.js';
import { resolveAssignment } from '../db-source.js';
import { hostTemplateIds, listTemplates } from '../template-store.js';
import type { DashEnv } from '../../page-kit/env.js';
import type { Translate } from '../../page-kit/i18n/index.js';
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
        ${selected ? assignmentForm(db, selected, t) : ''}
      </section>`;
    return page(c, t('settings.hostChecks'), body);
  });
  return app;
}

/** One host's templates (its own, by tag, or the default) and its checks with their effective parameters and override. */
function assignmentForm(db: Db, host: Host, t: Translate): Html {
  const resolved = resolveAssignment(db, host);
  const own = new Set(hostTemplateIds(db, host.id));
  const viaTag = resolved.templates.filter((tp) => tp.via.kind === 'tag');
  const usingDefault = resolved.templates.find((tp) => tp.via.kind === 'default');
  return html`<form id="assignment-form" class="stack json-form" data-api="/api/hosts/${host.id}/assignments" data-method="PUT"
      data-done="${PATH}?host=${host.id}&done=1#assignment">
    <h3>${host.name} <small>${host.kind}</small></h3>
    <fieldset><legend>${t('checks.hostTemplates')}</legend>
      ${listTemplates(db, [host.customerId]).map(
        // Without a list of its own the host runs its kind's default: shown ticked, so ticking another adds to it.
        (tp) => html`<label class="inline"><input type="checkbox" name="templates" value="${tp.id}"${own.has(tp.id) || (own.size === 0 && usingDefault?.id === tp.id) ? ' checked' : ''}> ${tp.name}</label> `,
      )}
      ${viaTag.length ? html`<p><small>${t('checks.viaTag')}: ${viaTag.map((tp) => `${tp.name} (${tp.via.kind === 'tag' ? tp.via.tag : ''})`).join(', ')}</small></p>` : ''}
      ${usingDefault ? html`<p><small>${t('checks.usingDefault')}: ${usingDefault.name}</small></p>` : ''}
    </fieldset>
    <table id="assigned-checks"><thead><tr><th>${t('host.check')}</th><th>${t('checks.params')}</th><th>${t('checks.override')}</th></tr></thead>
      <tbody>${resolved.checks.map(
        (ch) => html`<tr data-check="${ch.name}"><td>${ch.name}<br><small>${ch.checkId} · ${ch.intervalSec}s</small></td><td><code>${json(ch.params)}</code></td>
          <td><input name="override" data-check="${ch.name}" value="${resolved.overrides[ch.name] ? json(resolved.overrides[ch.name]) : ''}" placeholder='{"warnPct": 85}' spellcheck="false"></td></tr>`,
      )}</tbody></table>
    <p class="flash error form-error" role="alert" hidden></p>
    <button type="submit" class="primary">${t('common.save')}</button>
  </form>`;
}
