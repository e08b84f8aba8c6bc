// Overview: the host tiles take their colour from live events, or from polling /live/states every 10 s when
// the stream is not there.
import { getJson, setStatusClass } from './common.js';
import { onFallback, onHost } from './live.js';

function pollStates(grid: HTMLElement): void {
  const poll = () => {
    getJson<{ states: Record<string, string> }>('/live/states')
      .then((body) => {
        grid.querySelectorAll('[data-host-id]').forEach((cell) => setStatusClass(cell, body.states[cell.getAttribute('data-host-id') ?? ''] ?? 'UNKNOWN'));
        grid.setAttribute('data-updated', String(Date.now()));
      })
      .catch(() => {
        /* keep the last colours; the next poll retries */
      });
  };
  poll();
  setInterval(poll, 10000);
}

export function startOverview(): void {
  const grid = document.getElementById('host-grid');
  if (!grid) return;
  onHost((e) => {
    grid.querySelectorAll('[data-host-id]').forEach((cell) => {
      if (cell.getAttribute('data-host-id') === e.hostId) setStatusClass(cell, e.status);
    });
    grid.setAttribute('data-updated', String(Date.now()));
  });
  onFallback(() => pollStates(grid));
}
