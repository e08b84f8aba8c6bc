// Patrol dashboard: one live stream (/live/events) for every tab of the collector in this browser.
// Why a SharedWorker: Chromium allows 6 HTTP/1.1 connections per host, and a stream per tab left the 7th tab
// unable even to load. The server still filters every event by the session's customers; this worker only
// passes on what that one stream says. Messages to a tab: {type: 'ready'|'host'|'ticket'|'logout'|'closed', data}.

/** The part of SharedWorkerGlobalScope used here (the DOM lib this folder is checked with has no worker scope). */
interface SharedWorkerScope {
  onconnect: ((ev: MessageEvent) => void) | null;
}

interface TabMessage {
  type?: 'hello' | 'bye';
  url?: string;
  session?: string;
}

export {};

const scope = self as unknown as SharedWorkerScope;
const tabs = new Set<MessagePort>(); // the tabs listening now
let stream: EventSource | null = null; // null before the first tab and after logout/refusal
let streamSession = ''; // the session (its CSRF token, which every page carries) the stream was opened under
let ready = false;

function toTabs(type: string, data?: string): void {
  for (const port of tabs) port.postMessage({ type, data });
}

// The tabs are told, then forgotten: after a logout or a refusal they leave or poll, and never listen here again.
function endStream(type: 'logout' | 'closed'): void {
  stream?.close();
  stream = null;
  ready = false;
  toTabs(type);
  tabs.clear();
}

function openStream(url: string, session: string): void {
  const es = new EventSource(url);
  stream = es;
  streamSession = session;
  es.addEventListener('ready', () => {
    ready = true;
    toTabs('ready');
  });
  es.addEventListener('host', (m) => toTabs('host', (m as MessageEvent<string>).data));
  es.addEventListener('ticket', (m) => toTabs('ticket', (m as MessageEvent<string>).data));
  es.addEventListener('logout', () => endStream('logout'));
  // EventSource retries network errors by itself (the server sends `ready` again once back); CLOSED means
  // the server (or a proxy) refused the stream.
  es.onerror = () => {
    if (es !== stream) return;
    ready = false;
    if (es.readyState === EventSource.CLOSED) endStream('closed');
  };
}

scope.onconnect = (ev) => {
  const port = ev.ports[0];
  if (!port) return;
  port.onmessage = (m: MessageEvent<TabMessage | null>) => {
    const msg = m.data ?? {};
    if (msg.type === 'hello') {
      // Every page's data-live is the same /live/events (no per-page parameters), so one stream serves all tabs.
      // A page of another session: the browser's cookie changed (logout, then a login, perhaps as someone else).
      // The stream still speaks for the old user, so it ends and the old session's tabs go to the login page.
      if (stream && msg.session !== streamSession) endStream('logout');
      tabs.add(port);
      if (!stream) openStream(msg.url ?? '/live/events', msg.session ?? '');
      else if (ready) port.postMessage({ type: 'ready' });
    } else if (msg.type === 'bye') {
      tabs.delete(port);
      // Nobody listens: give the connection back (the next page opens a fresh stream).
      if (tabs.size === 0 && stream) {
        stream.close();
        stream = null;
        ready = false;
      }
    }
  };
};
