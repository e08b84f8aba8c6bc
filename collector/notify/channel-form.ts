import { html } from 'hono/html';
import type { Translate } from '../page-kit/i18n/index.js';
import type { Html } from '../page-kit/layout.js';
import type { KindView, SecretSpec, SettingsField } from './kinds/index.js';

/**
 * A kind's settings fields (kinds/<kind>.ts `fields`) as form controls: empty with their initial values on the
 * create form, or filled from the stored config on the edit page. The secret is never put into a page: the edit
 * page says whether one is stored, an empty field keeps it, a typed one replaces it, the box clears it.
 */
export function kindFields<C>(fields: readonly (SettingsField<C> | 'secret')[], secret: SecretSpec | null, t: Translate, stored?: KindView<C>): Html {
  return html`${fields.map((f) => (f === 'secret' ? (secret ? secretControls(secret, t, stored) : '') : control(f, t, stored)))}`;
}

function control<C>(f: SettingsField<C>, t: Translate, stored?: KindView<C>): Html {
  const v = stored ? f.value(stored.config) : f.initial;
  if (f.input === 'checkbox') return html`<label class="inline"><input type="checkbox" name="${f.name}"${v === true ? html` checked` : ''}> ${t(f.label)}</label>`;
  if (f.input === 'select') {
    return html`<label>${t(f.label)} <select name="${f.name}">${(f.options ?? []).map(
      ([value, text]) => html`<option value="${value}"${value === v ? html` selected` : ''}>${text}</option>`,
    )}</select></label>`;
  }
  const input = html`<input name="${f.name}"${f.input === 'text' ? '' : html` type="${f.input}"`}${f.required ? html` required` : ''}${f.min === undefined ? '' : html` min="${f.min}"`}${f.max === undefined ? '' : html` max="${f.max}"`}${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : ''}${!stored && f.placeholder ? html` placeholder="${f.placeholder}"` : ''}${typeof v === 'string' ? html` value="${v}"` : ''}>`;
  return html`<label>${t(f.label)} ${input}</label>${stored && f.hint ? html`
    <p><small>${t(f.hint)}</small></p>` : ''}`;
}

function secretControls(s: SecretSpec, t: Translate, stored?: KindView<unknown>): Html {
  if (!stored) return html`<label>${t(s.createLabel)} <input name="${s.field}" type="password" autocomplete="new-password"></label>`;
  return html`<p id="${s.stateId}"><small>${stored.hasSecret ? t(s.stored) : t(s.none)}</small></p>
    <label>${t(s.newLabel)} <input name="${s.field}" type="password" autocomplete="new-password" spellcheck="false" value=""></label>
    ${stored.hasSecret ? html`<label class="inline"><input type="checkbox" name="${s.clearField}"> ${t(s.clear)}</label>` : ''}`;
}

/** The channel list's note on a stored secret: whether one is stored, never the value. */
export function secretNote(secret: SecretSpec | null, hasSecret: boolean, t: Translate): Html | '' {
  return secret ? html`<small>${hasSecret ? t(secret.stored) : t(secret.none)}</small>` : '';
}
