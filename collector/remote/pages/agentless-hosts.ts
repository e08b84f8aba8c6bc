import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { customerNames, listCustomers } from '../../db/customers.js';
import { listRemoteHosts } from '../remote-hosts.js';
import type { DashEnv } from '../../page-kit/env.js';
import { page } from '../../page-kit/layout.js';
import { adminOnly, emptyState, primaryAction, settingsNav } from '../../page-kit/settings-nav.js';

const PATH = '/settings/agentless';

/**
 * Admin settings: the hosts checked over SSH or SNMP from the collector, and adding one. The page only reads;
 * the form goes from the client script to POST /api/hosts (see ../README.md). The key path, a pasted key and
 * the SNMP community are stored and never rendered.
 */
export function agentlessHostRoutes(deps: { db: Db }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();
  app.use(PATH, adminOnly);

  app.get(PATH, (c) => {
    const t = c.get('t');
    const ids = c.get('customerIds');
    const customers = listCustomers(db, ids);
    const customerName = customerNames(db, ids);
    const hosts = listRemoteHosts(db, ids);
    const body = html`${settingsNav(c, 'agentless')}
      <section id="agentless">
        ${primaryAction('#agentless-form', t('settings.addAgentless'), 'agentless-add')}
        ${hosts.length ? '' : emptyState('agentless-empty', t('settings.noAgentless'))}
        <table id="agentless-list"${hosts.length ? '' : ' hidden'}><thead><tr><th>${t('common.name')}</th><th>${t('common.customer')}</th><th>${t('settings.kind')}</th><th>${t('checks.address')}</th><th>${t('checks.user')}</th><th>${t('common.tag')}</th></tr></thead>
        <tbody>${hosts.map(
          ({ host, access }) => html`<tr data-host-id="${host.id}"><td><a href="/hosts/${host.id}">${host.name}</a></td><td>${customerName.get(host.customerId) ?? host.customerId}</td>
            <td>${access.kind}</td><td>${access.address}:${access.port}</td>
            <td>${access.kind === 'ssh' ? html`${access.user} <small>(${t('checks.keyStored')})</small>` : html`<small>${t('checks.communityStored')}</small>`}</td>
            <td>${host.tags.join(', ')}</td></tr>`,
        )}</tbody></table>
        <h2>${t('checks.addAgentless')}</h2>
        <form id="agentless-form" class="stack json-form" data-api="/api/hosts" data-method="POST" data-done="${PATH}?done=1">
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
    return page(c, t('checks.agentless'), body);
  });
  return app;
}
