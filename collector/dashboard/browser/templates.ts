// Check templates (the templates list's "new template" form, a template's edit page): name, description and
// checks as JSON go to /api/templates; "start from" copies another template's checks into the box; the tags
// form shows the chosen customer's current tags.
import { getJson, splitList, valueOf } from './common.js';
import { jsonForm, parseJsonField } from './json-form.js';

function checksBox(form: HTMLFormElement): HTMLTextAreaElement {
  const box = form.elements.namedItem('checks');
  if (!(box instanceof HTMLTextAreaElement)) throw new Error('checks: the box is missing');
  return box;
}

export function startTemplateForms(): void {
  const created = jsonForm('template-form', (f) => ({
    customerId: valueOf(f, 'customerId') || null,
    name: valueOf(f, 'name'),
    description: valueOf(f, 'description'),
    checks: parseJsonField(checksBox(f).value, checksBox(f)),
  }));
  const copy = created?.form.querySelector<HTMLSelectElement>('select[data-copy-checks]');
  if (created && copy) {
    copy.addEventListener('change', () => {
      if (!copy.value) return;
      getJson<{ template: { checks: unknown } }>(`/api/templates/${encodeURIComponent(copy.value)}`)
        .then((b) => {
          checksBox(created.form).value = JSON.stringify(b.template.checks, null, 2);
        })
        .catch((err: unknown) => created.fail(String(err instanceof Error ? err.message : err)));
    });
  }

  jsonForm('template-edit-form', (f) => ({ name: valueOf(f, 'name'), description: valueOf(f, 'description'), checks: parseJsonField(checksBox(f).value, checksBox(f)) }));

  const tags = jsonForm('template-tags-form', (f) => ({ customerId: valueOf(f, 'customerId'), tags: splitList(valueOf(f, 'tags')) }));
  // The list shown follows the chosen customer (each option carries its current tags).
  const source = tags?.form.querySelector<HTMLSelectElement>('select[data-tags-source]');
  const box = tags?.form.elements.namedItem('tags');
  if (source && (box instanceof HTMLInputElement || box instanceof HTMLTextAreaElement)) {
    source.addEventListener('change', () => {
      box.value = source.options[source.selectedIndex]?.getAttribute('data-tags') ?? '';
    });
  }
}
