import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { listCustomers } from '../../db/customers.js';
import { getHost, listHosts, type Host } from '../../db/hosts.js';
import { resolveAssignment } from '../../assignment/db-source.js';
import { hostTemplateIds, listTagAssignments, listTemplates } from '../../assignment/template-store.js';
import { listRemoteHosts } from '../../remote/remote-hosts.js';
import type { DashEnv } from '../env.js';
import { page, type Html } from '../layout.js';
import type { Translate } from '../i18n/index.js';
import { settingsNav } from './settings-nav.js';

/** What the "new template" box starts with: one check, so the shape is plain to see. */
const EXAMPLE_CHECKS = JSON.stringify([{ name: 'disk', checkId: 'system.disk', params: { warnPct: 80, critPct: 90 }, intervalSec: 60 }], null, 2);

const json = (v: unknown) => JSON.stringify(v);

/**
 * Admin settings for checks: templates (list, create), which templates a host runs with its threshold
 * overrides, and agentless (SSH/SNMP) hosts. The page only reads; every change goes from the client script
 * to the existing API (/api/templates, /api/hosts/:id/assignments, /api/hosts), which validates the checks'
 * parameters and pushes the change to a connected agent. The key path and SNMP community are never rendered.
 */
export function settingsChecksRoutes(deps: { db: Db }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();

  app.get('/settings/checks', (c) => {
    if (c.get('user').role !== 'admin') return c.text('not found', 404);
    const t = c.get('t');
    const ids = c.get('customerIds');
    const customers = listCustomers(db, ids);
    const customerName = new Map(customers.map((cu) => [cu.id, cu.name]));
    const templates = listTemplates(db, ids);
    const tagsOf = new Map<string, string[]>();
    for (const ta of listTagAssignments(db, { customerIds: ids })) {
      tagsOf.set(ta.templateId, [...(tagsOf.get(ta.templateId) ?? []), `${customerName.get(ta.customerId) ?? ta.customerId}: ${ta.tag}`]);
    }
    const hosts = listHosts(db, ids);
    const selected = c.req.query('host') ? getHost(db, c.req.query('host')!, ids) : undefined;

    const body = html`${settingsNav(c, 'checks')}
      <section id="templates"><h2>${t('checks.templates')}</h2>
        <table id="template-list"><thead><tr><th>${t('common.name')}</th><th>${t('common.customer')}</th><th>${t('checks.checks')}</th><th>${t('checks.byTag')}</th><th></th></tr></thead>
        <tbody>${templates.map(
          (tp) => html`<tr data-template="${tp.id}"><td>${tp.name}${tp.builtin ? html` <span class="tag">${t('checks.builtin')}</span>` : ''}<br><small>${tp.description}</small></td>
            <td>${tp.customerId ? customerName.get(tp.customerId) ?? tp.customerId : t('checks.shared')}</td>
            <td>${tp.checks.map((ch) => html`<div>${ch.name} <small>${ch.checkId} · ${ch.intervalSec}s ${Object.keys(ch.params).length ? json(ch.params) : ''}</small></div>`)}</td>
            <td>${(tagsOf.get(tp.id) ?? []).join(', ')}</td>
            <td>${tp.builtin ? '' : html`<a class="button" data-edit-template href="/settings/checks/templates/${tp.id}">${t('common.edit')}</a>`}</td></tr>`,
        )}</tbody></table>
        <h3>${t('checks.newTemplate')}</h3>
        <form id="template-form" class="stack json-form" data-api="/api/templates" data-method="POST" data-done="/settings/checks?done=1#templates">
          <label>${t('common.name')} <input name="name" required maxlength="100"></label>
          <label>${t('common.customer')} <select name="customerId"><option value="">${t('checks.shared')}</option>${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select></label>
          <label>${t('checks.description')} <input name="description" maxlength="1000"></label>
          <label>${t('checks.copyFrom')} <select name="copyFrom" data-copy-checks><option value="">-</option>${templates.map((tp) => html`<option value="${tp.id}">${tp.name}</option>`)}</select></label>
          <label>${t('checks.checksJson')} <textarea name="checks" rows="8" spellcheck="false" required>${EXAMPLE_CHECKS}</textarea></label>
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="primary">${t('common.add')}</button>
        </form>
      </section>

      <section id="assignment"><h2>${t('checks.assignment')}</h2>
        <form method="get" action="/settings/checks" class="filters">
          <label>${t('common.host')} <select name="host" id="assignment-host">${customers.map(
            (cu) => html`<optgroup label="${cu.name}">${hosts
              .filter((h) => h.customerId === cu.id)
              .map((h) => html`<option value="${h.id}"${h.id === selected?.id ? ' selected' : ''}>${h.name}</option>`)}</optgroup>`,
          )}</select></label>
          <button type="submit">${t('checks.show')}</button>
        </form>
        ${selected ? assignmentForm(db, selected, t) : ''}
      </section>

      <section id="agentless"><h2>${t('checks.agentless')}</h2>
        <table id="agentless-list"><thead><tr><th>${t('common.name')}</th><th>${t('common.customer')}</th><th>${t('settings.kind')}</th><th>${t('checks.address')}</th><th>${t('checks.user')}</th><th>${t('common.tag')}</th></tr></thead>
        <tbody>${listRemoteHosts(db, ids).map(
          ({ host, access }) => html`<tr data-host-id="${host.id}"><td><a href="/hosts/${host.id}">${host.name}</a></td><td>${customerName.get(host.customerId) ?? host.customerId}</td>
            <td>${access.kind}</td><td>${access.address}:${access.port}</td>
            <td>${access.kind === 'ssh' ? html`${access.user} <small>(${t('checks.keyStored')})</small>` : html`<small>${t('checks.communityStored')}</small>`}</td>
            <td>${host.tags.join(', ')}</td></tr>`,
        )}</tbody></table>
        <h3>${t('checks.addAgentless')}</h3>
        <form id="agentless-form" class="stack json-form" data-api="/api/hosts" data-method="POST" data-done="/settings/checks?done=1#agentless">
          <label>${t('settings.kind')} <select name="kind"><option value="ssh">SSH</option><option value="snmp">SNMP v2c</option></select></label>
          <label>${t('common.customer')} <select name="customerId" required>${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select></label>
          <label>${t('common.name')} <input name="name" required maxlength="255"></label>
          <label>${t('checks.address')} <input name="address" required pattern="[A-Za-z0-9.:_\\-]+"></label>
          <label>${t('checks.port')} <input name="port" type="number" min="1" max="65535" placeholder="22 / 161"></label>
          <label data-kind="ssh">${t('checks.user')} <input name="user"></label>
          <label data-kind="ssh">${t('checks.keyPath')} <input name="keyPath" placeholder="id_ed25519" autocomplete="off"></label>
          <label data-kind="ssh">${t('checks.privateKey')} <textarea name="privateKey" rows="3" spellcheck="false" autocomplete="off" placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"></textarea></label>
          <label data-kind="ssh">${t('checks.passphrase')} <input name="passphrase" type="password" autocomplete="new-password"></label>
          <label data-kind="snmp">${t('checks.community')} <input name="community" type="password" autocomplete="new-password"></label>
          <label>${t('common.tag')} <input name="tags" placeholder="db, linux"></label>
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="primary">${t('common.add')}</button>
        </form>
      </section>`;
    return page(c, t('checks.title'), body);
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
      data-done="/settings/checks?host=${host.id}&done=1#assignment">
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
