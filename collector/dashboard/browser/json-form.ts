// Settings forms that talk JSON to the API (templates, assignments, agentless hosts, a channel's edit). The
// form names its request (data-api, data-method) and where to go once saved (data-done); the page module
// builds the body. The API validates; its refusal is shown as text in the form's .form-error box. A save the API
// describes (`saved`: what changed and where it takes effect, zh and en) is shown after the reload in the form's
// .form-saved box, in place of the page's plain "Done.".
import { goAfterSave, sendJson } from './common.js';

const SAVED_KEY = 'patrol.saved:';

/** The API's description of a save, in the page's language; undefined when the answer has none. */
function savedLines(answer: unknown): string[] | undefined {
  const saved = (answer as { saved?: { en?: unknown; zh?: unknown } } | null)?.saved;
  const lines = document.documentElement.lang.startsWith('zh') ? saved?.zh : saved?.en;
  return Array.isArray(lines) ? lines.map(String) : undefined;
}

/** Show what the last save of this form said (kept across the reload in sessionStorage, read once). */
function showSaved(form: HTMLFormElement): void {
  const box = form.querySelector<HTMLElement>('.form-saved');
  let lines: string[] = [];
  try {
    lines = JSON.parse(sessionStorage.getItem(SAVED_KEY + form.id) ?? '[]') as string[];
    sessionStorage.removeItem(SAVED_KEY + form.id);
  } catch {
    return;
  }
  if (!box || !Array.isArray(lines) || !lines.length) return;
  box.replaceChildren(...lines.map((l) => Object.assign(document.createElement('span'), { textContent: l })));
  box.hidden = false;
  document.querySelector('main > p.flash.done:not(#live-notice)')?.remove();
}

export interface JsonForm {
  form: HTMLFormElement;
  /** Show a refusal in the form. */
  fail(text: string): void;
}

/** Wire the form `id` if this page has it; `build` may throw (e.g. a box that is not JSON): its message is shown. */
export function jsonForm(id: string, build: (form: HTMLFormElement) => unknown): JsonForm | undefined {
  const form = document.getElementById(id);
  if (!(form instanceof HTMLFormElement)) return undefined;
  showSaved(form);
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
      (answer) => {
        const lines = savedLines(answer);
        try {
          if (lines) sessionStorage.setItem(SAVED_KEY + form.id, JSON.stringify(lines));
        } catch {
          // No storage (a private window's quota): the page's plain "Done." still shows.
        }
        goAfterSave(form.getAttribute('data-done') ?? location.href);
      },
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
