import { html } from 'hono/html';
import type { Lang, Translate } from '../../page-kit/i18n/index.js';
import type { Html } from '../../page-kit/layout.js';
import { findCheck } from '../../../checks/index.js';
import { knownCheckIds } from '../../../checks/catalog.js';
import { paramDefaults, paramForm } from '../param-form.js';
import { paramGrid } from './param-fields.js';

/** Every check type, by its title in the page's language, for "add check". */
const CHECK_CHOICES = (lang: Lang) =>
  knownCheckIds()
    .map((id) => ({ id, title: findCheck(id)?.title[lang] ?? id }))
    .sort((a, b) => a.id.localeCompare(b.id));

/**
 * One block per check type, inert until the page's script (dashboard/browser/templates.ts) clones it for each check
 * of the template's JSON and for "add check": its name, how often it runs and every parameter over the check's
 * defaults. The last one, without a type, stands for a check type this collector does not know.
 */
export function checkBlockTemplates(t: Translate, lang: Lang): Html {
  const block = (id: string, body: Html) => html`<template data-check-id="${id}"><fieldset class="check-block" data-check-id="${id}" data-pairs="${JSON.stringify(paramForm(id)?.pairs ?? [])}">
      <legend><span class="check-title">${id ? `${findCheck(id)?.title[lang] ?? id} (${id})` : ''}</span></legend>
      <div class="check-head">
        <label>${t('params.checkName')} <input data-field="name" required maxlength="200" spellcheck="false"></label>
        <label>${t('params.every')} <input type="number" data-field="intervalSec" min="1" max="86400" step="1" placeholder="60" inputmode="numeric"></label>
        <button type="button" class="remove-check">${t('params.removeCheck')}</button>
      </div>
      ${body}
    </fieldset></template>`;
  return html`<div id="check-block-templates" hidden>${knownCheckIds().map((id) => {
    const form = paramForm(id);
    return block(id, form ? paramGrid(form, { value: {}, base: paramDefaults(id) }, t, lang) : html``);
  })}${block('', html`<p><small>${t('params.unknownCheck')}</small></p>`)}</div>`;
}

/**
 * A template's checks as blocks of fields (drawn by the page's script from the JSON box), "add check", and the JSON
 * box itself under "Advanced": what the form sends. `idPrefix` keeps the ids apart where a page has two such forms.
 * `addRow: false` leaves out "add check".
 */
export function checksEditor(t: Translate, lang: Lang, checksJson: string, idPrefix: string, opts: { addRow?: boolean } = {}): Html {
  return html`<div id="${idPrefix}template-checks" class="check-blocks"></div>
    <p id="${idPrefix}template-no-checks" class="empty check-blocks-empty" hidden>${t('params.noChecks')}</p>
    ${opts.addRow === false ? '' : html`<div class="add-check"><select id="${idPrefix}add-check-id" class="add-check-id" aria-label="${t('params.addCheck')}"><option value="">${t('params.chooseCheck')}</option>${CHECK_CHOICES(lang).map(
      (ch) => html`<option value="${ch.id}">${ch.title} (${ch.id})</option>`,
    )}</select><button type="button" id="${idPrefix}add-check" class="add-check-button">${t('params.addCheck')}</button></div>`}
    <details class="advanced"><summary>${t('params.advancedJson')}</summary>
      <label>${t('params.checksJson')} <textarea name="checks" rows="12" spellcheck="false">${checksJson}</textarea></label>
    </details>`;
}
