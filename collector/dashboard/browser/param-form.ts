// A check's parameter inputs (drawn by assignment/pages/param-fields.ts) read and written as a parameter object;
// numbers held to their schema's bounds and the warn/crit order judged on the values in effect, in the server's
// own words (checks/param-rules.ts) that the form carries in data-pair-text. The server refuses the same; this
// says it before sending.
import { dataJson } from './common.js';

/** The inputs of a block's parameters (not the JSON box, not a name or interval field). */
export function paramInputs(block: Element): Array<HTMLInputElement | HTMLSelectElement> {
  return [...block.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input[data-param], select[data-param]')];
}

/** An input's value as a parameter; undefined when it is empty (the template's value or the default then runs). */
export function readInput(el: HTMLInputElement | HTMLSelectElement): unknown {
  const text = el.value.trim();
  if (text === '') return undefined;
  switch (el.getAttribute('data-kind')) {
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'boolean':
      return text === 'true';
    case 'list': {
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return el.getAttribute('data-item') === 'number' ? items.map((s) => (Number.isFinite(Number(s)) ? Number(s) : s)) : items;
    }
    default:
      return text;
  }
}

/** Show a parameter's value in its input ('' when it is not set here). */
export function writeInput(el: HTMLInputElement | HTMLSelectElement, v: unknown): void {
  el.value = v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The parameters the inputs set, over `params` (which keeps what has no input: lists of objects, headers). */
export function readParams(block: Element, params: Record<string, unknown>): Record<string, unknown> {
  const out = { ...params };
  for (const el of paramInputs(block)) {
    const name = el.getAttribute('data-param') ?? '';
    const v = readInput(el);
    if (v === undefined) delete out[name];
    else out[name] = v;
  }
  return out;
}

export function showParams(block: Element, params: Record<string, unknown>): void {
  for (const el of paramInputs(block)) writeInput(el, params[el.getAttribute('data-param') ?? '']);
}

interface Pair {
  warn: string;
  crit: string;
  worse: 'above' | 'below';
  off?: number;
}

/** The value a parameter runs with: its input's, or else the one the input names as base (template or default). */
function inEffect(block: Element, name: string): number | undefined {
  const el = block.querySelector<HTMLInputElement>(`input[data-param="${CSS.escape(name)}"]`);
  if (!el) return undefined;
  const own = readInput(el);
  const v = own ?? (el.getAttribute('data-base') ? Number(el.getAttribute('data-base')) : undefined);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A number input's value outside its schema's bounds (min, max, data-min-exclusive), or not a number at all. */
function outOfRange(el: HTMLInputElement): string | undefined {
  const v = readInput(el);
  if (v === undefined) return undefined;
  const min = el.min === '' ? undefined : Number(el.min);
  const max = el.max === '' ? undefined : Number(el.max);
  const exclusive = el.hasAttribute('data-min-exclusive');
  const fine = typeof v === 'number' && (min === undefined || (exclusive ? v > min : v >= min)) && (max === undefined || v <= max);
  if (fine) return undefined;
  return `${min === undefined ? '' : exclusive ? `> ${min}` : `≥ ${min}`}${min !== undefined && max !== undefined ? ', ' : ''}${max === undefined ? '' : `≤ ${max}`}` || '-';
}

/**
 * The first number out of its bounds, else the first warn/crit pair in the wrong order, as the page's words; shown
 * in the block's .pair-error (and its inputs marked) or cleared. `check` names the check in the text. The form has
 * novalidate: this says it in the page's language, where the browser's own bubble would use the browser's.
 */
export function blockProblem(form: HTMLFormElement, block: Element, check: string): string | undefined {
  const texts = dataJson<{ above?: string; below?: string; range?: string }>(form, 'data-pair-text', {});
  const box = block.querySelector<HTMLElement>('.pair-error');
  let text: string | undefined;
  const bad: string[] = [];
  const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
  for (const el of block.querySelectorAll<HTMLInputElement>('input[data-kind="number"][data-param]')) {
    const range = outOfRange(el);
    if (!range) continue;
    const param = el.getAttribute('data-param') ?? '';
    text = fill(texts.range ?? '{param} {value}: {range}', { check, param, value: el.value.trim(), range });
    bad.push(param);
    break;
  }
  for (const p of text ? [] : dataJson<Pair[]>(block, 'data-pairs', [])) {
    const w = inEffect(block, p.warn);
    const c = inEffect(block, p.crit);
    if (w === undefined || c === undefined || w === p.off) continue;
    if (p.worse === 'above' ? w > c : w < c) {
      const values: Record<string, string> = { check, warn: p.warn, warnValue: String(w), crit: p.crit, critValue: String(c) };
      text = fill(texts[p.worse] ?? '{warn} {warnValue} / {crit} {critValue}', values);
      bad.push(p.warn, p.crit);
      break;
    }
  }
  for (const el of paramInputs(block)) {
    if (bad.includes(el.getAttribute('data-param') ?? '')) el.setAttribute('aria-invalid', 'true');
    else el.removeAttribute('aria-invalid');
  }
  if (box) {
    box.textContent = text ?? '';
    box.hidden = !text;
  }
  return text;
}
