import { html } from 'hono/html';
import type { Lang, Translate } from '../../page-kit/i18n/index.js';
import type { Html } from '../../page-kit/layout.js';
import { PAIR_RULE_TEXT } from '../../../checks/param-rules.js';
import type { CheckParamForm, ParamField } from '../param-form.js';

/**
 * The inputs of a check's parameters on a settings page, drawn from its form (param-form.ts). Each input names
 * its parameter and kind (data-param, data-kind) and carries the value the check runs with when it is left empty
 * (data-base, also the placeholder), so the page's script (dashboard/browser/param-form.ts) can read and write the
 * parameters as JSON and judge warn/crit order on the values in effect. The script keeps these inputs and the
 * "Advanced: JSON" box in step; what is sent is the JSON.
 */
export interface FieldValues {
  /** What is set here (a host's override, a template's parameter); empty input when undefined. */
  value: Record<string, unknown>;
  /** What runs when nothing is set here: the template's value or the check's default. */
  base: Record<string, unknown>;
  /** The template's value of a parameter, when there is a template under this (the host page). */
  template?: Record<string, unknown>;
}

const attr = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

function plain(v: unknown, f: ParamField, t: Translate, lang: Lang): string {
  if (typeof v === 'boolean') return v ? t('params.yes') : t('params.no');
  if (Array.isArray(v)) return v.join(', ');
  const unit = f.unitText?.[lang] ?? '';
  // A rate's unit sits on its number (1/s); others after a space (80 %).
  if (typeof v === 'number') return unit ? `${v}${unit.startsWith('/') ? '' : ' '}${unit}` : String(v);
  return attr(v);
}

/** "template 70 % · default 80 %", or "default 80 %", or "required". */
function hint(f: ParamField, vals: FieldValues, t: Translate, lang: Lang): string {
  const parts: string[] = [];
  const tv = vals.template?.[f.name];
  if (tv !== undefined && JSON.stringify(tv) !== JSON.stringify(f.defaultValue)) parts.push(`${t('params.template')} ${plain(tv, f, t, lang)}`);
  if (f.defaultValue !== undefined && !(Array.isArray(f.defaultValue) && f.defaultValue.length === 0)) parts.push(`${t('params.default')} ${plain(f.defaultValue, f, t, lang)}`);
  else if (f.required && tv === undefined) parts.push(t('params.required'));
  return parts.join(' · ');
}

function input(f: ParamField, vals: FieldValues, t: Translate, lang: Lang): Html {
  const v = vals.value[f.name];
  const base = vals.base[f.name];
  const common = html`data-param="${f.name}" data-kind="${f.kind}" data-base="${attr(base)}" aria-label="${f.label[lang]}"`;
  switch (f.kind) {
    case 'number':
      return html`<span class="param-input"><input type="number" ${common} step="${f.integer ? '1' : 'any'}"${f.minExclusive ? ' data-min-exclusive' : ''}${f.min !== undefined ? html` min="${f.min}"` : ''}${f.max !== undefined ? html` max="${f.max}"` : ''} value="${attr(v)}" placeholder="${attr(base)}" inputmode="decimal">${f.unitText?.[lang] ? html`<span class="unit">${f.unitText[lang]}</span>` : ''}</span>`;
    case 'boolean':
    case 'enum': {
      const options = f.kind === 'boolean' ? [['true', t('params.yes')], ['false', t('params.no')]] : (f.options ?? []).map((o) => [o, o]);
      const baseText = base === undefined ? '' : f.kind === 'boolean' ? (base ? t('params.yes') : t('params.no')) : String(base);
      return html`<select ${common}><option value="">${baseText ? `${t('params.default')}: ${baseText}` : '-'}</option>${options.map(
        ([val, text]) => html`<option value="${val}"${v !== undefined && String(v) === val ? ' selected' : ''}>${text}</option>`,
      )}</select>`;
    }
    case 'string':
      return html`<input type="text" ${common} value="${attr(v)}" placeholder="${attr(base)}" spellcheck="false">`;
    case 'list':
      return html`<input type="text" ${common} data-item="${f.itemKind ?? 'string'}" value="${Array.isArray(v) ? v.join(', ') : ''}" placeholder="${Array.isArray(base) ? base.join(', ') : ''}" spellcheck="false">`;
    default:
      return html`<small class="param-json">${t('params.inJson')}</small>`;
  }
}

/** One parameter: its label, its input (with unit) and what runs when it is left empty. */
export function paramField(f: ParamField, vals: FieldValues, t: Translate, lang: Lang): Html {
  const h = hint(f, vals, t, lang);
  return html`<label class="param param-${f.kind}" data-field="${f.name}"><span class="param-label">${f.label[lang]} <code>${f.name}</code></span>
    ${input(f, vals, t, lang)}${h ? html`<small class="param-hint">${h}</small>` : ''}</label>`;
}

/** The parameters of one check, warn/crit pairs first; `which` picks the fields a page offers. */
export function paramGrid(form: CheckParamForm, vals: FieldValues, t: Translate, lang: Lang, which: (f: ParamField) => boolean = () => true): Html {
  const inPair = new Set(form.pairs.flatMap((p) => [p.warn, p.crit]));
  const fields = form.fields.filter(which);
  const first = fields.filter((f) => inPair.has(f.name));
  const rest = fields.filter((f) => !inPair.has(f.name));
  return html`<div class="param-grid">${first.map((f) => paramField(f, vals, t, lang))}</div>
    ${rest.length
      ? first.length
        ? html`<details class="more-params"><summary>${t('params.otherParams')} (${rest.length})</summary><div class="param-grid">${rest.map((f) => paramField(f, vals, t, lang))}</div></details>`
        : html`<div class="param-grid">${rest.map((f) => paramField(f, vals, t, lang))}</div>`
      : ''}
    <p class="pair-error" role="alert" hidden></p>`;
}

/**
 * The words the script fills in, in the page's language: warn/crit order (checks/param-rules.ts, as the server
 * says it) and a number out of its schema's bounds. The form takes them as data-pair-text.
 */
export function pairTextAttr(lang: Lang, t: Translate): string {
  return JSON.stringify({ above: PAIR_RULE_TEXT.above[lang], below: PAIR_RULE_TEXT.below[lang], range: t('params.outOfRange') });
}
