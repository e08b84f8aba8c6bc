// One host's templates and threshold overrides (PUT /api/hosts/:id/assignments): the ticked templates, and per
// check an override as JSON (empty: none).
import { jsonForm, parseJsonField } from './json-form.js';

export function startHostChecksForm(): void {
  jsonForm('assignment-form', (f) => {
    const templates = [...f.querySelectorAll<HTMLInputElement>('input[name="templates"]:checked')].map((el) => el.value);
    const overrides: Record<string, unknown> = {};
    f.querySelectorAll<HTMLInputElement>('input[name="override"]').forEach((el) => {
      if (el.value.trim()) overrides[el.getAttribute('data-check') ?? ''] = parseJsonField(el.value, el);
    });
    return { templates, overrides };
  });
}
