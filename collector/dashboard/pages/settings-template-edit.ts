import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { listCustomers } from '../../db/customers.js';
import { getTemplate, listTagAssignments } from '../../assignment/template-store.js';
import type { DashEnv } from '../env.js';
import { page } from '../layout.js';
import { settingsNav } from './settings-nav.js';

/**
 * Admin page for one user-defined check template: change its name, description and checks, choose the host
 * tags (per customer) it applies to, or delete it. Like /settings/checks it only reads; the forms go from the
 * client script to PUT/DELETE /api/templates/:id and PUT /api/templates/:id/tags, which validate and push the
 * change to connected agents, and whose error text the form shows. Built-in templates have no such page.
 */
export function settingsTemplateEditRoutes(deps: { db: Db }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();

  app.get('/settings/checks/templates/:id', (c) => {
    if (c.get('user').role !== 'admin') return c.text('not found', 404);
    const t = c.get('t');
    const ids = c.get('customerIds');
    const tp = getTemplate(db, c.req.param('id'), ids);
    if (!tp || tp.builtin) return c.text('not found', 404);
    // A customer's template applies only to that customer's hosts; a shared one to any customer's.
    const customers = listCustomers(db, ids).filter((cu) => tp.customerId === null || cu.id === tp.customerId);
    const tagsOf = (customerId: string) =>
      listTagAssignments(db, { customerIds: [customerId], templateId: tp.id })
        .map((a) => a.tag)
        .join(', ');
    const apiPath = `/api/templates/${encodeURIComponent(tp.id)}`;
    const back = `/settings/checks/templates/${encodeURIComponent(tp.id)}?done=1`;

    const body = html`${settingsNav(c, 'checks')}
      <section id="template-edit" data-template="${tp.id}"><h2>${t('checks.editTemplate')}: ${tp.name}</h2>
        <p><small>${t('common.customer')}: ${tp.customerId ? customers.find((cu) => cu.id === tp.customerId)?.name ?? tp.customerId : t('checks.shared')}</small></p>
        <form id="template-edit-form" class="stack json-form" data-api="${apiPath}" data-method="PUT" data-done="${back}#template-edit">
          <label>${t('common.name')} <input name="name" required maxlength="100" value="${tp.name}"></label>
          <label>${t('checks.description')} <input name="description" maxlength="1000" value="${tp.description}"></label>
          <label>${t('checks.checksJson')} <textarea name="checks" rows="12" spellcheck="false" required>${JSON.stringify(tp.checks, null, 2)}</textarea></label>
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="primary">${t('common.save')}</button>
        </form>
      </section>
      <section id="template-tags"><h2>${t('checks.assignTags')}</h2>
        <form id="template-tags-form" class="stack json-form" data-api="${apiPath}/tags" data-method="PUT" data-done="${back}#template-tags">
          <label>${t('common.customer')} <select name="customerId" data-tags-source>${customers.map(
            (cu) => html`<option value="${cu.id}" data-tags="${tagsOf(cu.id)}">${cu.name}</option>`,
          )}</select></label>
          <label>${t('checks.tagsFor')} <input name="tags" value="${customers[0] ? tagsOf(customers[0].id) : ''}" placeholder="db, linux"></label>
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="primary">${t('common.save')}</button>
        </form>
      </section>
      <section id="template-delete"><h2>${t('checks.deleteTemplate')}</h2>
        <form id="template-delete-form" class="json-form" data-api="${apiPath}" data-method="DELETE" data-done="/settings/checks?done=1#templates">
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="danger">${t('common.delete')}</button>
        </form>
      </section>`;
    return page(c, `${t('checks.editTemplate')}: ${tp.name}`, body);
  });
  return app;
}
