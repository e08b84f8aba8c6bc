// Live updates. A page listens to /live/events (SSE: only the user's customers reach it, the server decides);
// page modules subscribe here. All tabs share one stream through a SharedWorker (live-worker.ts): a stream per
// tab would hold one of Chromium's 6 connections per host, and a 7th tab could not load. Without SharedWorker
// the page opens its own EventSource. Polling is the fallback for a browser without EventSource or a stream
// the server refused; each page module says what it polls.

/** A host's worst state, and the checks of the batch that moved it (collector/dashboard/live/live-feed.ts). */
export interface HostEvent {
  type: 'host';
  hostId: string;
  status: string;
  connected?: boolean;
  /** `summary` is the English fallback; `text` the result in each page language (older collectors send no `text`). */
  checks?: Array<{ name: string; status: string; summary: string; text?: { zh: string; en: string } }>;
}

export interface TicketEvent {
  type: 'ticket';
  number: string;
  hostId: string;
  state: string;
  severity: string;
  kind: string;
}

type StreamEvent = 'ready' | 'host' | 'ticket' | 'logout' | 'closed';

const hostListeners: Array<(e: HostEvent) => void> = [];
const ticketListeners: Array<(e: TicketEvent) => void> = [];
const fallbackListeners: Array<() => void> = [];
let mode: 'none' | 'sse' | 'poll' = 'none';

export const onHost = (f: (e: HostEvent) => void) => void hostListeners.push(f);
export const onTicket = (f: (e: TicketEvent) => void) => void ticketListeners.push(f);
/** Called once when the page falls back to polling. */
export const onFallback = (f: () => void) => void fallbackListeners.push(f);

function setMode(m: typeof mode): void {
  mode = m;
  document.body.setAttribute('data-live-mode', m);
}

/** The pages that react to live events (a host tile or head, a ticket row or page) start the stream. */
export function pageListens(): boolean {
  return document.body.hasAttribute('data-live') && document.querySelector('#host-grid, #host-status, tr[data-ticket], #ticket-state') !== null;
}

export function startLive(): void {
  const url = document.body.getAttribute('data-live');
  const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
  const fallback = () => {
    if (mode === 'poll') return;
    setMode('poll');
    for (const f of fallbackListeners) f();
  };
  // This tab's own logout is on its way: the stream's "logout" (the session ended) can come before the logout's answer,
  // and going to the login page then would cut that request short. The answer takes the tab to the login page.
  let loggingOut = false;
  document.querySelector('form[action="/logout"]')?.addEventListener('submit', () => (loggingOut = true));
  // One stream event, from the worker or the page's own EventSource ('closed': the stream was refused).
  const onEvent = (type: StreamEvent, data?: string) => {
    if (type === 'ready') setMode('sse');
    else if (type === 'host') {
      const e = JSON.parse(data ?? '{}') as HostEvent;
      for (const f of hostListeners) f(e);
    } else if (type === 'ticket') {
      const e = JSON.parse(data ?? '{}') as TicketEvent;
      for (const f of ticketListeners) f(e);
    } else if (type === 'logout') {
      if (!loggingOut) location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
    } else if (type === 'closed') fallback();
  };
  if (!url || typeof window.EventSource !== 'function') {
    fallback();
    return;
  }
  if (typeof window.SharedWorker === 'function') {
    const worker = new SharedWorker('/static/live-worker.js');
    worker.port.onmessage = (m: MessageEvent<{ type: StreamEvent; data?: string }>) => onEvent(m.data.type, m.data.data);
    // The CSRF token names the session: a tab of another session makes the worker drop the old user's stream.
    worker.port.postMessage({ type: 'hello', url, session: csrf });
    window.addEventListener('pagehide', () => worker.port.postMessage({ type: 'bye' }));
    // Back from the back/forward cache the tab is no longer listening: a fresh load joins again.
    window.addEventListener('pageshow', (e) => {
      if (e.persisted) location.reload();
    });
    return;
  }
  const es = new EventSource(url);
  for (const type of ['ready', 'host', 'ticket', 'logout'] as const) {
    es.addEventListener(type, (m) => {
      if (type === 'logout') es.close();
      onEvent(type, (m as MessageEvent<string>).data);
    });
  }
  // EventSource retries network errors by itself; CLOSED means the server refused the stream.
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) onEvent('closed');
  };
}

/** "A change happened: reload to see it" (the layout's hidden notice). */
export function showLiveNotice(): void {
  const n = document.getElementById('live-notice');
  if (n) n.hidden = false;
}
