// Reports page: the list is rendered by the server (filters are a GET form; a new customer choice applies at
// once). Here: generating a report (POST /api/reports, up to ~30 s: the button is disabled and says so, a
// refusal shows the API's reason, the new report is then shown in the list) and an engineer's review of a draft
// (each remark saved on its own; "Sign off" saves any remark still changed first).
import { dataJson, goAfterSave, HttpError, sendJson, valueOf } from './common.js';

/** Words the page needs in its language (collector/reports/pages/reports.ts). */
interface Labels {
  error?: string;
  remarkSaved?: string;
}

function showError(box: HTMLElement | null, labels: Labels, text: string): void {
  if (!box) return;
  box.textContent = text ? (labels.error ? `${labels.error} ` : '') + text : '';
  box.hidden = !text;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function filters(): void {
  const form = document.getElementById('report-filters');
  if (!(form instanceof HTMLFormElement)) return;
  form.querySelector('select[name="customer"]')?.addEventListener('change', () => form.requestSubmit());
}

function generateForm(labels: Labels): void {
  const form = document.getElementById('report-generate');
  if (!(form instanceof HTMLFormElement)) return;
  const button = document.getElementById('report-generate-button') as HTMLButtonElement | null;
  const busy = document.getElementById('report-generating');
  const errorBox = document.getElementById('report-error');
  const customer = form.querySelector<HTMLSelectElement>('select[name="customerId"]');
  const inspection = form.querySelector<HTMLSelectElement>('select[name="inspection"]');
  // The inspection list follows the chosen customer: the others' options are hidden; the preferred one is picked.
  const showInspections = () => {
    if (!customer || !inspection) return;
    let first: HTMLOptionElement | undefined;
    let preferred: HTMLOptionElement | undefined;
    for (const o of inspection.options) {
      const mine = o.getAttribute('data-customer') === customer.value;
      o.hidden = !mine;
      o.disabled = !mine;
      if (mine && !first) first = o;
      if (mine && o.getAttribute('data-default') === '1') preferred = o;
    }
    const sel = inspection.options[inspection.selectedIndex];
    if (!sel || sel.disabled) inspection.value = (preferred ?? first)?.value ?? '';
  };
  customer?.addEventListener('change', showInspections);
  showInspections();
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    showError(errorBox, labels, '');
    if (button) button.disabled = true;
    if (busy) busy.hidden = false;
    form.setAttribute('data-busy', '1');
    const body = { customerId: valueOf(form, 'customerId'), inspection: valueOf(form, 'inspection'), lang: valueOf(form, 'lang') };
    sendJson('POST', form.getAttribute('data-api') ?? '/api/reports', body).then(
      (made) => {
        // The list is the server's: a fresh page shows the new report in it and names it (data-generated).
        const id = (made as { id?: string }).id ?? '';
        const next = new URL(location.href);
        next.searchParams.set('generated', id);
        next.hash = '';
        location.href = next.href;
      },
      (err: unknown) => {
        if (err instanceof HttpError && err.status === 404) {
          const missing = document.getElementById('reports-missing');
          if (missing) missing.hidden = false;
        }
        showError(errorBox, labels, message(err));
        if (button) button.disabled = false;
        if (busy) busy.hidden = true;
        form.removeAttribute('data-busy');
      },
    );
  });
}

function review(labels: Labels): void {
  const panel = document.getElementById('report-review');
  if (!panel || panel.getAttribute('data-status') !== 'draft') return;
  const base = panel.getAttribute('data-api') ?? '';
  const reviewError = document.getElementById('review-error');
  const saveRemark = (area: HTMLTextAreaElement) => {
    const finding = area.getAttribute('data-finding') ?? '';
    const status = area.parentElement?.querySelector('.remark-status');
    return sendJson('PUT', `${base}/remarks/${encodeURIComponent(finding)}`, { remark: area.value }).then(() => {
      area.setAttribute('data-saved', area.value);
      if (status) status.textContent = labels.remarkSaved || 'saved';
    });
  };
  panel.querySelectorAll<HTMLButtonElement>('button.save-remark').forEach((btn) => {
    btn.addEventListener('click', () => {
      showError(reviewError, labels, '');
      const area = panel.querySelector<HTMLTextAreaElement>(`textarea[data-finding="${CSS.escape(btn.getAttribute('data-finding') ?? '')}"]`);
      if (!area) return;
      btn.disabled = true;
      saveRemark(area)
        .catch((err: unknown) => showError(reviewError, labels, message(err)))
        .then(() => {
          btn.disabled = false;
        });
    });
  });
  const signButton = document.getElementById('sign-off') as HTMLButtonElement | null;
  const note = document.getElementById('sign-off-note') as HTMLInputElement | null;
  signButton?.addEventListener('click', () => {
    showError(reviewError, labels, '');
    signButton.disabled = true;
    const changed = [...panel.querySelectorAll<HTMLTextAreaElement>('textarea[data-finding]')].filter((a) => a.value !== a.getAttribute('data-saved'));
    changed
      .reduce<Promise<unknown>>((p, a) => p.then(() => saveRemark(a)), Promise.resolve())
      .then(() => sendJson('POST', `${base}/sign-off`, { note: note?.value ?? '' }))
      .then(
        () => goAfterSave(`/reports?review=${encodeURIComponent(panel.getAttribute('data-report') ?? '')}#report-review`),
        (err: unknown) => {
          showError(reviewError, labels, message(err));
          signButton.disabled = false;
        },
      );
  });
}

export function startReportsPage(): void {
  const list = document.getElementById('report-list');
  if (!list) return;
  const labels = dataJson<Labels>(list, 'data-labels', {});
  filters();
  generateForm(labels);
  review(labels);
}
