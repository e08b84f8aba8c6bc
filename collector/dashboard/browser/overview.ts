// Overview: the host cards take their colour from live events, or from polling /live/states every 10 s when
// the stream is not there. The search box narrows the cards as one types (the form still works without this
// script: every filter is a GET parameter the server applies); the selects reload the page at once.
import { dataJson, getJson, setStatusClass } from './common.js';
import { onFallback, onHost } from './live.js';

const STATUSES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];

function statusOf(cell: Element): string {
  return STATUSES.find((s) => cell.classList.contains(`st-${s}`)) ?? 'UNKNOWN';
}

/** A host's new status on its card: the name link's class (the card's colour follows it in CSS) and the words. */
function setCardStatus(grid: HTMLElement, cell: Element, status: string): void {
  setStatusClass(cell, status);
  const card = cell.closest('.card');
  if (!card) return;
  card.setAttribute('data-status', status);
  const words = dataJson<Record<string, string>>(grid, 'data-status-labels', {});
  const text = card.querySelector('.status-text');
  if (text && words[status]) text.textContent = words[status];
}

function pollStates(grid: HTMLElement): void {
  const poll = () => {
    getJson<{ states: Record<string, string> }>('/live/states')
      .then((body) => {
        grid.querySelectorAll('[data-host-id]').forEach((cell) => setCardStatus(grid, cell, body.states[cell.getAttribute('data-host-id') ?? ''] ?? 'UNKNOWN'));
        grid.setAttribute('data-updated', String(Date.now()));
      })
      .catch(() => {
        /* keep the last colours; the next poll retries */
      });
  };
  poll();
  setInterval(poll, 10000);
}

/** Show the cards that match the search box and status select; hide customers left without any. */
function applyFilter(grid: HTMLElement, form: HTMLFormElement): void {
  const q = (form.querySelector<HTMLInputElement>('#filter-q')?.value ?? '').trim().toLowerCase();
  const status = form.querySelector<HTMLSelectElement>('#filter-status')?.value ?? '';
  let shown = 0;
  grid.querySelectorAll<HTMLElement>('section.customer').forEach((section) => {
    const customerName = (section.querySelector('h2')?.textContent ?? '').toLowerCase();
    let inSection = 0;
    section.querySelectorAll<HTMLElement>('.card[data-card]').forEach((card) => {
      const cell = card.querySelector('.cell');
      const st = cell ? statusOf(cell) : 'UNKNOWN';
      const text = `${(cell?.textContent ?? '').toLowerCase()} ${(card.getAttribute('data-tags') ?? '').toLowerCase()} ${customerName}`;
      const ok = (!q || text.includes(q)) && (!status || (status === 'problem' ? st !== 'OK' : st === status));
      card.hidden = !ok;
      if (ok) inSection++;
    });
    section.hidden = inSection === 0;
    shown += inSection;
  });
  const labels = dataJson<{ one: string; many: string }>(grid, 'data-labels', { one: '{n}', many: '{n}' });
  const count = document.getElementById('host-count');
  if (count) {
    count.textContent = (shown === 1 ? labels.one : labels.many).replace('{n}', String(shown));
    count.setAttribute('data-count', String(shown));
  }
  const none = document.getElementById('filter-none');
  if (none) none.hidden = shown > 0 || grid.querySelector('.card') === null;
  // The address keeps the filter, so a reload or a shared link shows the same cards.
  const url = new URL(location.href);
  if (q) url.searchParams.set('q', q);
  else url.searchParams.delete('q');
  history.replaceState(null, '', url.pathname + url.search);
}

function startFilters(grid: HTMLElement): void {
  const form = document.getElementById('overview-filters');
  if (!(form instanceof HTMLFormElement)) return;
  const search = form.querySelector<HTMLInputElement>('#filter-q');
  // What the server already narrowed by: typing that widens it again needs the server.
  const serverQ = (new URL(location.href).searchParams.get('q') ?? '').trim().toLowerCase();
  let timer: number | undefined;
  search?.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    window.clearTimeout(timer);
    // Cards the server left out (a customer's "N more hosts") can only be searched by the server.
    if ((serverQ && !q.includes(serverQ)) || grid.querySelector('[data-more]')) timer = window.setTimeout(() => form.submit(), 400);
    else applyFilter(grid, form);
  });
  form.querySelectorAll('select').forEach((sel) => sel.addEventListener('change', () => form.submit()));
}

export function startOverview(): void {
  const grid = document.getElementById('host-grid');
  if (!grid) return;
  startFilters(grid);
  onHost((e) => {
    grid.querySelectorAll('[data-host-id]').forEach((cell) => {
      if (cell.getAttribute('data-host-id') === e.hostId) setCardStatus(grid, cell, e.status);
    });
    grid.setAttribute('data-updated', String(Date.now()));
  });
  onFallback(() => pollStates(grid));
}
