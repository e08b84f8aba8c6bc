// What every page module uses: the CSRF token, JSON requests with the API's error text, a fresh page after a
// save. Everything from the server is put into the page with textContent, never innerHTML, so host and check
// text stays text.

/** The session's CSRF token (every logged-in page carries it); API writes send it as X-CSRF-Token. */
export const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

/** A refused request: the API's reason as the message. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** What the API answers when it refuses (collector/http/params.ts and the routes' own refusals). */
interface ApiErrorBody {
  error?: string;
  errorZh?: string;
  message?: string;
  detail?: string;
  issues?: Array<{ path?: Array<string | number>; message: string }>;
}

export function apiErrorText(body: ApiErrorBody | null, status: number): string {
  if (!body) return `HTTP ${status}`;
  // Refusals that name a rule come in both languages (errorZh): show the page's.
  const zh = document.documentElement.lang.startsWith('zh');
  let text = (zh && body.errorZh) || body.error || body.message || `HTTP ${status}`;
  if (body.detail) text += `: ${body.detail}`;
  if (Array.isArray(body.issues)) text += `: ${body.issues.map((i) => `${(i.path ?? []).join('.')} ${i.message}`).join('; ')}`;
  return text;
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!r.ok) throw new HttpError(`HTTP ${r.status}`, r.status);
  return (await r.json()) as T;
}

/**
 * A JSON write to the API (it takes writes only as JSON, bodiless ones such as DELETE included). Resolves to
 * the answer's body ({} when it has none); a refusal rejects with an HttpError carrying the API's reason.
 */
export async function sendJson(method: string, url: string, body?: unknown): Promise<unknown> {
  const r = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.ok) return r.json().catch(() => ({}));
  const refusal = (await r.json().catch(() => null)) as ApiErrorBody | null;
  throw new HttpError(apiErrorText(refusal, r.status), r.status);
}

/** A fresh page after a save; when only the #fragment would change, the browser would not load it again. */
export function goAfterSave(done: string): void {
  const to = new URL(done, location.href);
  if (to.pathname === location.pathname && to.search === location.search) {
    location.hash = to.hash;
    location.reload();
  } else location.href = to.href;
}

const STATUSES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];

/** The colour class of a check status (app.css .st-*), replacing the one before. */
export function setStatusClass(el: Element, status: string): void {
  for (const s of STATUSES) el.classList.toggle(`st-${s}`, s === status);
}

/** A JSON attribute the server put on an element (labels, settings); `fallback` when it is missing or broken. */
export function dataJson<T>(el: Element, attr: string, fallback: T): T {
  try {
    return JSON.parse(el.getAttribute(attr) ?? '') as T;
  } catch {
    return fallback;
  }
}

/** A form control by name (input, select or textarea); undefined when the form has none of that name. */
export function control(form: HTMLFormElement, name: string): HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | undefined {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement ? el : undefined;
}

/** The value of a named control ('' when the form has none). */
export const valueOf = (form: HTMLFormElement, name: string): string => control(form, name)?.value ?? '';

/** Whether a named checkbox is ticked (false when the form has none). */
export function isChecked(form: HTMLFormElement, name: string): boolean {
  const el = control(form, name);
  return el instanceof HTMLInputElement && el.checked;
}

/** "a, b,,c" -> ['a', 'b', 'c'] */
export const splitList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
