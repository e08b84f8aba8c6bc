import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Db } from '../../db/database.js';
import { customerNames, listCustomers } from '../../db/customers.js';
import { listTagAssignments, listTemplates } from '../template-store.js';
import type { DashEnv } from '../../page-kit/env.js';
import { isMessageKey, type Translate } from '../../page-kit/i18n/index.js';
import type { CheckTemplate } from '../builtin-templates.js';
import { page } from '../../page-kit/layout.js';
import { adminOnly, emptyState, primaryAction, settingsNav } from '../../page-kit/settings-nav.js';
import { pairTextAttr } from './param-fields.js';
import { checkBlockTemplates, checksEditor } from './check-blocks.js';

/** What the "new template" box starts with: one check, so the shape is plain to see. */
const EXAMPLE_CHECKS = JSON.stringify([{ name: 'disk', checkId: 'system.disk', params: { warnPct: 80, critPct: 90 }, intervalSec: 60 }], null, 2);

const PATH = '/settings/templates';

/**
 * Admin settings: the check templates (built-in and the company's own, with the host tags each is given to)
 * and the "new template" form. The page only reads; the form goes from the client script to POST
 * /api/templates, which validates the checks' parameters. A user template's own page edits or deletes it.
 */
export function templateListRoutes(deps: { db: Db }): Hono<DashEnv> {
  const { db } = deps;
  const app = new Hono<DashEnv>();
  app.use(PATH, adminOnly);

  app.get(PATH, (c) => {
    const t = c.get('t');
    const lang = c.get('lang');
    const ids = c.get('customerIds');
    const customers = listCustomers(db, ids);
    const customerName = customerNames(db, ids);
    const templates = listTemplates(db, ids);
    const tagsOf = new Map<string, string[]>();
    for (const ta of listTagAssignments(db, { customerIds: ids })) {
      tagsOf.set(ta.templateId, [...(tagsOf.get(ta.templateId) ?? []), `${customerName.get(ta.customerId) ?? ta.customerId}: ${ta.tag}`]);
    }
    const body = html`${settingsNav(c, 'templates')}
      <section id="templates">
        ${primaryAction('#template-form', t('settings.addTemplate'), 'template-add')}
        ${templates.length ? '' : emptyState('templates-empty', t('settings.noTemplates'))}
        <table id="template-list"${templates.length ? '' : ' hidden'}><thead><tr><th>${t('common.name')}</th><th>${t('common.customer')}</th><th>${t('checks.checks')}</th><th>${t('checks.byTag')}</th><th></th></tr></thead>
        <tbody>${templates.map(
          (tp) => html`<tr data-template="${tp.id}"><td>${tp.name}${tp.builtin ? html` <span class="tag">${t('checks.builtin')}</span>` : ''}<br><small>${builtinDescription(tp, t)}</small></td>
            <td>${tp.customerId ? customerName.get(tp.customerId) ?? tp.customerId : t('checks.shared')}</td>
            <td>${tp.checks.map((ch) => html`<div>${ch.name} <small>${ch.checkId} · ${ch.intervalSec}s ${Object.keys(ch.params).length ? JSON.stringify(ch.params) : ''}</small></div>`)}</td>
            <td>${(tagsOf.get(tp.id) ?? []).join(', ')}</td>
            <td>${tp.builtin ? '' : html`<a class="button" data-edit-template href="/settings/checks/templates/${tp.id}">${t('common.edit')}</a>`}</td></tr>`,
        )}</tbody></table>
        <h2>${t('checks.newTemplate')}</h2>
        <form id="template-form" class="stack json-form param-form" novalidate data-api="/api/templates" data-method="POST" data-done="${PATH}?done=1" data-pair-text="${pairTextAttr(lang, t)}">
          <label>${t('common.name')} <input name="name" required maxlength="100"></label>
          <label>${t('common.customer')} <select name="customerId"><option value="">${t('checks.shared')}</option>${customers.map((cu) => html`<option value="${cu.id}">${cu.name}</option>`)}</select></label>
          <label>${t('checks.description')} <input name="description" maxlength="1000"></label>
          <label>${t('checks.copyFrom')} <select name="copyFrom" data-copy-checks><option value="">-</option>${templates.map((tp) => html`<option value="${tp.id}">${tp.name}</option>`)}</select></label>
          ${checksEditor(t, lang, EXAMPLE_CHECKS, 'new-')}
          <p class="flash error form-error" role="alert" hidden></p>
          <button type="submit" class="primary">${t('common.add')}</button>
        </form>
        ${checkBlockTemplates(t, lang)}
      </section>`;
    return page(c, t('checks.templates'), body);
  });
  return app;
}

/** A built-in template's description in the page language (its stored text is English); a user's as typed. */
function builtinDescription(tp: CheckTemplate, t: Translate): string {
  const key = `builtinTemplate.${tp.id}`;
  return tp.builtin && isMessageKey(key) ? t(key) : tp.description;
}
