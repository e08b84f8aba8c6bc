// Patrol dashboard: one live stream (/live/events) for every tab of the collector in this browser.
// Why a SharedWorker: Chromium allows 6 HTTP/1.1 connections per host, and a stream per tab left the 7th tab
// unable even to load. The server still filters every event by the session's customers; this worker only
// passes on what that one stream says. Messages to a tab: {type: 'ready'|'host'|'ticket'|'logout'|'closed', data}.
'use strict';

var tabs = new Set(); // MessagePorts of the tabs listening now
var stream = null; // the EventSource, or null before the first tab and after logout/refusal
var streamSession = ''; // the session (its CSRF token, which every page carries) the stream was opened under
var ready = false;

function toTabs(type, data) {
  tabs.forEach(function (port) { port.postMessage({ type: type, data: data }); });
}

// The tabs are told, then forgotten: after a logout or a refusal they leave or poll, and never listen here again.
function endStream(type) {
  if (stream) stream.close();
  stream = null;
  ready = false;
  toTabs(type);
  tabs.clear();
}

function openStream(url, session) {
  var es = new EventSource(url);
  stream = es;
  streamSession = session;
  es.addEventListener('ready', function () { ready = true; toTabs('ready'); });
  es.addEventListener('host', function (m) { toTabs('host', m.data); });
  es.addEventListener('ticket', function (m) { toTabs('ticket', m.data); });
  es.addEventListener('logout', function () { endStream('logout'); });
  // EventSource retries network errors by itself (the server sends `ready` again once back); CLOSED means
  // the server (or a proxy) refused the stream.
  es.onerror = function () {
    if (es !== stream) return;
    ready = false;
    if (es.readyState === EventSource.CLOSED) endStream('closed');
  };
}

self.onconnect = function (ev) {
  var port = ev.ports[0];
  port.onmessage = function (m) {
    var msg = m.data || {};
    if (msg.type === 'hello') {
      // Every page's data-live is the same /live/events (no per-page parameters), so one stream serves all tabs.
      // A page of another session: the browser's cookie changed (logout, then a login, perhaps as someone else).
      // The stream still speaks for the old user, so it ends and the old session's tabs go to the login page.
      if (stream && msg.session !== streamSession) endStream('logout');
      tabs.add(port);
      if (!stream) openStream(msg.url, msg.session);
      else if (ready) port.postMessage({ type: 'ready' });
    } else if (msg.type === 'bye') {
      tabs.delete(port);
      // Nobody listens: give the connection back (the next page opens a fresh stream).
      if (tabs.size === 0 && stream) { stream.close(); stream = null; ready = false; }
    }
  };
};
