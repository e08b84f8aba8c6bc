// Check templates (the templates list's "new template" form, a template's edit page): name, description and
// checks as JSON go to /api/templates; "start from" copies another template's checks into the box; the tags
// form shows the chosen customer's current tags. In both check forms each check is a block of inputs (cloned from
// the page's <template> of its type) drawn from the JSON box under "Advanced" and writing back into it: the box
// is what is sent, so both ways of editing agree.
import { getJson, splitList, valueOf } from './common.js';
import { jsonForm, parseJsonField } from './json-form.js';
import { blockProblem, readParams, showParams } from './param-form.js';

interface CheckEntry {
  name: string;
  checkId: string;
  params?: Record<string, unknown>;
  intervalSec?: number;
  [other: string]: unknown;
}

const isEntries = (v: unknown): v is CheckEntry[] =>
  Array.isArray(v) && v.every((c) => c && typeof c === 'object' && typeof (c as CheckEntry).checkId === 'string');

/** A name for a newly added check: the type's last part (disk), numbered when taken (disk-2). */
function freshName(checks: readonly CheckEntry[], checkId: string): string {
  const stem = checkId.split('.').pop() || checkId;
  const taken = new Set(checks.map((c) => c.name));
  if (!taken.has(stem)) return stem;
  let i = 2;
  while (taken.has(`${stem}-${i}`)) i++;
  return `${stem}-${i}`;
}

/** Throws the first block's number out of bounds or warn/crit pair out of order, in the page's words. */
function blocksProblem(form: HTMLFormElement): void {
  for (const block of form.querySelectorAll('fieldset.check-block')) {
    const problem = blockProblem(form, block, block.querySelector<HTMLInputElement>('input[data-field="name"]')?.value ?? '');
    if (problem) throw new Error(problem);
  }
}

/** A template form's check blocks, kept in step with its JSON box. */
function startCheckBlocks(form: HTMLFormElement, box: HTMLTextAreaElement): void {
  const holder = form.querySelector<HTMLElement>('.check-blocks');
  const empty = form.querySelector<HTMLElement>('.check-blocks-empty');
  if (!holder) return;
  let checks: CheckEntry[] = [];
  try {
    const v = JSON.parse(box.value) as unknown;
    if (isEntries(v)) checks = v;
  } catch {
    // A box that is not JSON is said on save; there are no blocks to draw until it is.
  }

  const blockFor = (checkId: string): HTMLElement => {
    const tpl = document.querySelector<HTMLTemplateElement>(`#check-block-templates template[data-check-id="${CSS.escape(checkId)}"]`) ??
      document.querySelector<HTMLTemplateElement>('#check-block-templates template[data-check-id=""]');
    const el = (tpl?.content.firstElementChild?.cloneNode(true) as HTMLElement | undefined) ?? document.createElement('fieldset');
    const title = el.querySelector('.check-title');
    if (title && !title.textContent) title.textContent = checkId;
    return el;
  };

  const field = (block: Element, name: string) => block.querySelector<HTMLInputElement>(`input[data-field="${name}"]`);

  const draw = () => {
    holder.replaceChildren(
      ...checks.map((c, i) => {
        const block = blockFor(c.checkId);
        block.setAttribute('data-index', String(i));
        const name = field(block, 'name');
        if (name) name.value = c.name;
        const every = field(block, 'intervalSec');
        if (every) every.value = c.intervalSec === undefined ? '' : String(c.intervalSec);
        showParams(block, c.params ?? {});
        return block;
      }),
    );
    if (empty) empty.hidden = checks.length > 0;
    holder.querySelectorAll('fieldset.check-block').forEach((b) => blockProblem(form, b, field(b, 'name')?.value ?? ''));
  };
  const write = () => {
    box.value = JSON.stringify(checks, null, 2);
  };

  holder.addEventListener('input', (ev) => {
    const block = (ev.target as Element).closest('fieldset.check-block');
    const c = checks[Number(block?.getAttribute('data-index'))];
    if (!block || !c) return;
    c.name = field(block, 'name')?.value.trim() ?? c.name;
    const every = field(block, 'intervalSec')?.value.trim();
    if (every) c.intervalSec = Number(every);
    else delete c.intervalSec;
    c.params = readParams(block, c.params ?? {});
    write();
    blockProblem(form, block, c.name);
  });
  holder.addEventListener('click', (ev) => {
    const remove = (ev.target as Element).closest('button.remove-check');
    const i = Number(remove?.closest('fieldset.check-block')?.getAttribute('data-index'));
    if (!remove || !checks[i]) return;
    checks.splice(i, 1);
    write();
    draw();
  });
  box.addEventListener('input', () => {
    try {
      const v = JSON.parse(box.value) as unknown;
      if (!isEntries(v)) return;
      checks = v;
      draw();
    } catch {
      // Typing in the box: it is JSON again a few keys later.
    }
  });
  const pick = form.querySelector('select.add-check-id');
  form.querySelector('button.add-check-button')?.addEventListener('click', () => {
    if (!(pick instanceof HTMLSelectElement) || !pick.value) return;
    checks.push({ name: freshName(checks, pick.value), checkId: pick.value, params: {}, intervalSec: 60 });
    write();
    draw();
    holder.lastElementChild?.querySelector<HTMLInputElement>('input[data-field="name"]')?.focus();
  });
  draw();
}

function checksBox(form: HTMLFormElement): HTMLTextAreaElement {
  const box = form.elements.namedItem('checks');
  if (!(box instanceof HTMLTextAreaElement)) throw new Error('checks: the box is missing');
  return box;
}

export function startTemplateForms(): void {
  const created = jsonForm('template-form', (f) => {
    const checks = parseJsonField(checksBox(f).value, checksBox(f));
    blocksProblem(f);
    return { customerId: valueOf(f, 'customerId') || null, name: valueOf(f, 'name'), description: valueOf(f, 'description'), checks };
  });
  if (created) startCheckBlocks(created.form, checksBox(created.form));
  const copy = created?.form.querySelector<HTMLSelectElement>('select[data-copy-checks]');
  if (created && copy) {
    copy.addEventListener('change', () => {
      if (!copy.value) return;
      getJson<{ template: { checks: unknown } }>(`/api/templates/${encodeURIComponent(copy.value)}`)
        .then((b) => {
          checksBox(created.form).value = JSON.stringify(b.template.checks, null, 2);
          // The blocks follow the box as when it is typed in.
          checksBox(created.form).dispatchEvent(new Event('input'));
        })
        .catch((err: unknown) => created.fail(String(err instanceof Error ? err.message : err)));
    });
  }

  const edit = jsonForm('template-edit-form', (f) => {
    const checks = parseJsonField(checksBox(f).value, checksBox(f));
    blocksProblem(f);
    return { name: valueOf(f, 'name'), description: valueOf(f, 'description'), checks };
  });
  if (edit) startCheckBlocks(edit.form, checksBox(edit.form));

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
