// One host's templates and threshold overrides (PUT /api/hosts/:id/assignments): the ticked templates, and per
// check its override. The override's JSON box (under "Advanced") is what is sent; the threshold inputs above it
// write into it and show it, so either can be used. A warning level beyond the critical one is said at once.
import { jsonForm, parseJsonField } from './json-form.js';
import { blockProblem, readParams, showParams } from './param-form.js';

/** The override a check's JSON box holds ({} when empty; undefined when it is not JSON). */
function overrideOf(box: HTMLInputElement): Record<string, unknown> | undefined {
  if (!box.value.trim()) return {};
  try {
    const v = JSON.parse(box.value) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function startHostChecksForm(): void {
  const wired = jsonForm('assignment-form', (f) => {
    const templates = [...f.querySelectorAll<HTMLInputElement>('input[name="templates"]:checked')].map((el) => el.value);
    const overrides: Record<string, unknown> = {};
    f.querySelectorAll<HTMLInputElement>('input[name="override"]').forEach((el) => {
      if (el.value.trim()) overrides[el.getAttribute('data-check') ?? ''] = parseJsonField(el.value, el);
    });
    for (const block of f.querySelectorAll<HTMLElement>('fieldset.check-params')) {
      const problem = blockProblem(f, block, block.getAttribute('data-check') ?? '');
      if (problem) throw new Error(problem);
    }
    return { templates, overrides };
  });
  if (!wired) return;
  const form = wired.form;
  for (const block of form.querySelectorAll<HTMLElement>('fieldset.check-params')) {
    const box = block.querySelector<HTMLInputElement>('input[name="override"]');
    if (!box) continue;
    const check = block.getAttribute('data-check') ?? '';
    block.addEventListener('input', (ev) => {
      const target = ev.target as Element;
      if (!target.hasAttribute('data-param')) return;
      // The inputs change only their own parameters; whatever else the box holds stays.
      const params = readParams(block, overrideOf(box) ?? {});
      box.value = Object.keys(params).length ? JSON.stringify(params) : '';
      blockProblem(form, block, check);
    });
    box.addEventListener('input', () => {
      const params = overrideOf(box);
      if (params) showParams(block, params);
      blockProblem(form, block, check);
    });
  }
}
