// Settings forms that talk JSON to the API (templates, assignments, agentless hosts, a channel's edit). The
// form names its request (data-api, data-method) and where to go once saved (data-done); the page module
// builds the body. The API validates; its refusal is shown as text in the form's .form-error box.
import { goAfterSave, sendJson } from './common.js';

export interface JsonForm {
  form: HTMLFormElement;
  /** Show a refusal in the form. */
  fail(text: string): void;
}

/** Wire the form `id` if this page has it; `build` may throw (e.g. a box that is not JSON): its message is shown. */
export function jsonForm(id: string, build: (form: HTMLFormElement) => unknown): JsonForm | undefined {
  const form = document.getElementById(id);
  if (!(form instanceof HTMLFormElement)) return undefined;
  const errorBox = form.querySelector<HTMLElement>('.form-error');
  const fail = (text: string) => {
    if (!errorBox) return;
    errorBox.textContent = text;
    errorBox.hidden = false;
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (errorBox) errorBox.hidden = true;
    let body: unknown;
    try {
      body = build(form);
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
      return;
    }
    sendJson(form.getAttribute('data-method') || 'POST', form.getAttribute('data-api') ?? '', body === null ? undefined : body).then(
      () => goAfterSave(form.getAttribute('data-done') ?? location.href),
      (err: unknown) => fail(err instanceof Error ? err.message : String(err)),
    );
  });
  return { form, fail };
}

/** A box that must hold JSON; its name (or the check it is for) in the message when it does not. */
export function parseJsonField(text: string, el: Element): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${el.getAttribute('data-check') || el.getAttribute('name')}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}
