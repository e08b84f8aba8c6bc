import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { customerNames, listCustomers } from '../../db/customers.js';
import { listHosts, type Host } from '../../db/hosts.js';
import { resolveAssignment } from '../db-source.js';
import { defaultTemplateFor, type CheckTemplate } from '../builtin-templates.js';
import { getTemplate, hostTemplateIds, listTagAssignments } from '../template-store.js';
import { removeTemplateAndPush } from '../routes.js';
import type { DashEnv } from '../../page-kit/env.js';
import { csrfField, page } from '../../page-kit/layout.js';
import { pairTextAttr } from './param-fields.js';
import { checkBlockTemplates, checksEditor } from './check-blocks.js';
import { settingsNav } from '../../page-kit/settings-nav.js';

export interface TemplateEditDeps {
  db: Db;
  /** Send a host's new checks to its agent, if connected (AgentHub.pushConfig). */
  pushConfig(hostId: string): boolean;
  /** Hosts with a live agent connection. */
  connectedHostIds(): string[];
}

/** A host that runs the template now: how it gets it (tag names; '' = given to the host itself), and what it runs once the template is gone. */
interface AffectedHost {
  host: Host;
  via: string[];
  /** The other templates it keeps; empty: it falls back to its default template. */
  remaining: string[];
}

/**
 * Admin page for one user-defined check template: change its name, description and checks, choose the host
 * tags (per customer) it applies to, or delete it. The edit forms go from the client script to
 * PUT /api/templates/:id and PUT /api/templates/:id/tags, which validate and push the change to connected
 * agents, and whose error text the form shows. Deleting takes two steps that work without the script:
 * GET .../delete names what the delete affects (tags, hosts), and only its form's POST (CSRF token and a
 * `confirm` field naming the template) deletes; a POST without it is refused. Built-in templates have no such page.
 */
export function settingsTemplateEditRoutes(deps: TemplateEditDeps): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();

  /** The user template of the URL, if the caller is an admin who may see it. */
  const editable = (c: Context<DashEnv>): CheckTemplate | undefined => {
    if (c.get('user').role !== 'admin') return undefined;
    const tp = getTemplate(db, c.req.param('id') ?? '', c.get('customerIds'));
    return tp && !tp.builtin ? tp : undefined;
  };

  /** Hosts (of customers the caller sees) that run the template now, directly or through a tag. */
  const affectedHosts = (tp: CheckTemplate, ids: string[] | undefined): AffectedHost[] => {
    const tagged = new Set(listTagAssignments(db, { customerIds: ids, templateId: tp.id }).map((a) => `${a.customerId}\n${a.tag}`));
    const hosts = listHosts(db, tp.customerId ? [tp.customerId] : ids).filter(
      (h) => h.tags.some((tag) => tagged.has(`${h.customerId}\n${tag}`)) || hostTemplateIds(db, h.id).includes(tp.id),
    );
    const out: AffectedHost[] = [];
    for (const host of hosts) {
      const resolved = resolveAssignment(db, host).templates;
      const mine = resolved.filter((r) => r.id === tp.id);
      if (!mine.length) continue;
      out.push({
        host,
        via: mine.map((r) => (r.via.kind === 'tag' ? r.via.tag : '')),
        remaining: resolved.filter((r) => r.id !== tp.id).map((r) => r.name),
      });
    }
    return out;
  };

  /** The confirmation step: what the template is, what the delete takes away, Delete and Cancel. */
  const confirmPage = (c: Context<DashEnv>, tp: CheckTemplate, refused: boolean) => {
    const t = c.get('t');
    const ids = c.get('customerIds');
    const customerName = customerNames(db, ids);
    const tags = listTagAssignments(db, { customerIds: ids, templateId: tp.id });
    const hosts = affectedHosts(tp, ids);
    const editPath = `/settings/checks/templates/${encodeURIComponent(tp.id)}`;
    const body = html`${settingsNav(c, 'templates')}
      ${refused ? html`<p class="flash error" role="alert" id="delete-refused">${t('checks.deleteNotConfirmed')}</p>` : ''}
      <section id="template-delete-confirm" data-template="${tp.id}">
        <p><strong id="delete-template-name">${tp.name}</strong><br><small>${t('common.customer')}: ${tp.customerId ? customerName.get(tp.customerId) ?? tp.customerId : t('checks.shared')} · ${t('checks.checks')}: ${tp.checks.map((ch) => ch.name).join(', ')}</small></p>
        <p>${t('checks.deleteConfirmText')}</p>
        <h3>${t('checks.byTag')}</h3>
        ${tags.length
          ? html`<ul id="delete-tags">${tags.map((a) => html`<li data-customer="${a.customerId}" data-tag="${a.tag}">${customerName.get(a.customerId) ?? a.customerId}: ${a.tag}</li>`)}</ul>`
          : html`<p id="delete-tags-none"><small>${t('common.none')}</small></p>`}
        <h3>${t('checks.deleteHostsTitle')}</h3>
        ${hosts.length
          ? html`<table id="delete-hosts"><thead><tr><th>${t('common.host')}</th><th>${t('common.customer')}</th><th>${t('checks.deleteVia')}</th><th>${t('checks.deleteAfter')}</th></tr></thead>
            <tbody>${hosts.map(
              (a) => html`<tr data-host-id="${a.host.id}"><td>${a.host.name}</td><td>${customerName.get(a.host.customerId) ?? a.host.customerId}</td>
                <td>${a.via.map((v) => (v ? `${t('common.tag')} ${v}` : t('checks.deleteViaHost'))).join(', ')}</td><td>${a.remaining.length ? a.remaining.join(', ') : `${t('checks.deleteDefault')}: ${getTemplate(db, defaultTemplateFor(a.host.kind))?.name ?? defaultTemplateFor(a.host.kind)}`}</td></tr>`,
            )}</tbody></table>`
          : html`<p id="delete-hosts-none"><small>${t('common.none')}</small></p>`}
        <form method="post" action="${editPath}/delete" id="template-delete-confirm-form" class="filters">${csrfField(c)}
          <input type="hidden" name="confirm" value="${tp.id}">
          <button type="submit" class="danger" id="template-delete-yes">${t('common.delete')}</button>
          <a class="button" id="template-delete-cancel" href="${editPath}">${t('common.cancel')}</a>
        </form>
      </section>`;
    return page(c, `${t('checks.deleteConfirmTitle')}: ${tp.name}`, body);
  };

  app.get('/settings/checks/templates/:id/delete', (c) => {
    const tp = editable(c);
    return tp ? confirmPage(c, tp, false) : c.text('not found', 404);
  });

  app.post('/settings/checks/templates/:id/delete', async (c) => {
    const tp = editable(c);
    if (!tp) return c.text('not found', 404);
    // The CSRF token was checked by requireCsrf; the confirm field says this template was confirmed on the page.
    const form = await c.req.parseBody();
    if (form.confirm !== tp.id) {
      c.status(400);
      return confirmPage(c, tp, true);
    }
    // As DELETE /api/templates/:id does: agents that ran it get their new checks at once.
    removeTemplateAndPush(deps, tp.id);
    return c.redirect('/settings/templates?done=1', 303);
  });

  app.get('/settings/checks/templates/:id', (c) => {
    const tp = editable(c);
    if (!tp) return c.text('not found', 404);
    const t = c.get('t');
    const lang = c.get('lang');
    const ids = c.get('customerIds');
    // A customer's template applies only to that customer's hosts; a shared one to any customer's.
    const customers = listCustomers(db, ids).filter((cu) => tp.customerId === null || cu.id === tp.customerId);
    const tagsOf = (customerId: string) =>
      listTagAssignments(db, { customerIds: [customerId], templateId: tp.id })
        .map((a) => a.tag)
        .join(', ');
    const apiPath = `/api/templates/${encodeURIComponent(tp.id)}`;
    const back = `/settings/checks/templates/${encodeURIComponent(tp.id)}?done=1`;

    const body = html`${settingsNav(c, 'templates')}
      <section id="template-edit" data-template="${tp.id}"><h2>${t('checks.editTemplate')}: ${tp.name}</h2>
        <p><small>${t('common.customer')}: ${tp.customerId ? customers.find((cu) => cu.id === tp.customerId)?.name ?? tp.customerId : t('checks.shared')}</small></p>
        <form id="template-edit-form" class="stack json-form param-form" novalidate data-api="${apiPath}" data-method="PUT" data-done="${back}#template-edit" data-pair-text="${pairTextAttr(lang, t)}">
          <p class="flash done form-saved" role="status" hidden></p>
          <label>${t('common.name')} <input name="name" required maxlength="100" value="${tp.name}"></label>
          <label>${t('checks.description')} <input name="description" maxlength="1000" value="${tp.description}"></label>
          ${checksEditor(t, lang, JSON.stringify(tp.checks, null, 2), '')}
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="primary">${t('common.save')}</button>
        </form>
        ${checkBlockTemplates(t, lang)}
      </section>
      <section id="template-tags"><h2>${t('checks.assignTags')}</h2>
        <form id="template-tags-form" class="stack json-form" data-api="${apiPath}/tags" data-method="PUT" data-done="${back}#template-tags">
          <p class="flash done form-saved" role="status" hidden></p>
          <label>${t('common.customer')} <select name="customerId" data-tags-source>${customers.map(
            (cu) => html`<option value="${cu.id}" data-tags="${tagsOf(cu.id)}">${cu.name}</option>`,
          )}</select></label>
          <label>${t('checks.tagsFor')} <input name="tags" value="${customers[0] ? tagsOf(customers[0].id) : ''}" placeholder="db, linux"></label>
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="primary">${t('common.save')}</button>
        </form>
      </section>
      <section id="template-delete"><h2>${t('checks.deleteTemplate')}</h2>
        <form id="template-delete-form" method="get" action="/settings/checks/templates/${encodeURIComponent(tp.id)}/delete">
          <p><small>${t('checks.deleteAsks')}</small></p>
          <button type="submit" class="danger">${t('common.delete')}…</button>
        </form>
      </section>`;
    return page(c, `${t('checks.editTemplate')}: ${tp.name}`, body);
  });
  return app;
}
