// Patrol dashboard client: countdowns, live host colours, host charts (uPlot), reports list.
// Served as a file because the CSP forbids inline script. Everything from the server is put in with
// textContent, never innerHTML, so host and check text stays text.
(function () {
  'use strict';
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  function countdownText(ms) {
    var sign = ms < 0 ? '-' : '';
    var min = Math.floor(Math.abs(ms) / 60000);
    var d = Math.floor(min / 1440), h = Math.floor((min % 1440) / 60), m = min % 60;
    if (d > 0) return sign + d + 'd ' + h + 'h';
    if (h > 0) return sign + h + 'h ' + String(m).padStart(2, '0') + 'm';
    return sign + m + 'm';
  }

  function tickCountdowns() {
    var now = Date.now();
    document.querySelectorAll('.countdown[data-due]').forEach(function (el) {
      var left = Number(el.getAttribute('data-due')) - now;
      var b = el.querySelector('b');
      if (b) b.textContent = countdownText(left);
      el.classList.toggle('overdue', left < 0);
    });
  }

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(function (r) {
      if (!r.ok) { var e = new Error('HTTP ' + r.status); e.status = r.status; throw e; }
      return r.json();
    });
  }

  var STATUSES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];
  function setStatusClass(el, st) {
    STATUSES.forEach(function (s) { el.classList.toggle('st-' + s, s === st); });
  }

  // Live updates. The page listens to /live/events (SSE: only the user's customers reach it, the server
  // decides); handlers[] are the page parts that react. All tabs share one stream through a SharedWorker
  // (live-worker.js): a stream per tab would hold one of Chromium's 6 connections per host, and a 7th tab
  // could not load. Without SharedWorker the page opens its own EventSource. Polling /live/states is the
  // fallback for a browser without EventSource or a stream the server refused.
  var live = { mode: 'none', onHost: [], onTicket: [] };

  function pollStates(grid) {
    function poll() {
      getJson('/live/states').then(function (body) {
        grid.querySelectorAll('[data-host-id]').forEach(function (cell) {
          setStatusClass(cell, body.states[cell.getAttribute('data-host-id')] || 'UNKNOWN');
        });
        grid.setAttribute('data-updated', String(Date.now()));
      }).catch(function () { /* keep the last colours; the next poll retries */ });
    }
    poll();
    setInterval(poll, 10000);
  }

  function setMode(mode) {
    live.mode = mode;
    document.body.setAttribute('data-live-mode', mode);
  }

  function startLive() {
    var url = document.body.getAttribute('data-live');
    var grid = document.getElementById('host-grid');
    var fallback = function () {
      if (live.mode === 'poll') return;
      setMode('poll');
      if (grid) pollStates(grid);
      live.onFallback && live.onFallback();
    };
    // One stream event, from the worker or the page's own EventSource ('closed': the stream was refused).
    var onEvent = function (type, data) {
      if (type === 'ready') setMode('sse');
      else if (type === 'host') { var h = JSON.parse(data); live.onHost.forEach(function (f) { f(h); }); }
      else if (type === 'ticket') { var t = JSON.parse(data); live.onTicket.forEach(function (f) { f(t); }); }
      else if (type === 'logout') location.href = '/login?next=' + encodeURIComponent(location.pathname);
      else if (type === 'closed') fallback();
    };
    if (!url || typeof window.EventSource !== 'function') { fallback(); return; }
    if (typeof window.SharedWorker === 'function') {
      var worker = new SharedWorker('/static/live-worker.js');
      worker.port.onmessage = function (m) { onEvent(m.data.type, m.data.data); };
      // The CSRF token names the session: a tab of another session makes the worker drop the old user's stream.
      worker.port.postMessage({ type: 'hello', url: url, session: csrf });
      window.addEventListener('pagehide', function () { worker.port.postMessage({ type: 'bye' }); });
      // Back from the back/forward cache the tab is no longer listening: a fresh load joins again.
      window.addEventListener('pageshow', function (e) { if (e.persisted) location.reload(); });
      return;
    }
    var es = new EventSource(url);
    ['ready', 'host', 'ticket', 'logout'].forEach(function (type) {
      es.addEventListener(type, function (m) {
        if (type === 'logout') es.close();
        onEvent(type, m.data);
      });
    });
    // EventSource retries network errors by itself; CLOSED means the server refused the stream.
    es.onerror = function () { if (es.readyState === EventSource.CLOSED) onEvent('closed'); };
  }

  function showLiveNotice() {
    var n = document.getElementById('live-notice');
    if (n) n.hidden = false;
  }

  function wireLiveHandlers() {
    var grid = document.getElementById('host-grid');
    if (grid) {
      live.onHost.push(function (e) {
        grid.querySelectorAll('[data-host-id]').forEach(function (cell) {
          if (cell.getAttribute('data-host-id') === e.hostId) setStatusClass(cell, e.status);
        });
        grid.setAttribute('data-updated', String(Date.now()));
      });
    }
    var head = document.getElementById('host-status');
    if (head) {
      var hostId = head.getAttribute('data-host-id');
      live.onHost.push(function (e) {
        if (e.hostId !== hostId) return;
        setStatusClass(head, e.status);
        head.textContent = e.status;
        (e.checks || []).forEach(function (ch) {
          document.querySelectorAll('#checks tr[data-check]').forEach(function (tr) {
            if (tr.getAttribute('data-check') !== ch.name) return;
            var badge = tr.querySelector('.badge');
            if (badge) { setStatusClass(badge, ch.status); badge.textContent = ch.status; }
            var out = tr.querySelector('td.output');
            if (out && out.firstChild && out.firstChild.nodeType === 3) out.firstChild.textContent = ch.summary;
          });
        });
      });
    }
    var labels = {};
    try { labels = JSON.parse(document.body.getAttribute('data-state-labels') || '{}'); } catch (err) { labels = {}; }
    var ticketPage = document.getElementById('ticket-state');
    live.onTicket.push(function (e) {
      var rows = document.querySelectorAll('tr[data-ticket]');
      var shown = false;
      rows.forEach(function (tr) {
        if (tr.getAttribute('data-ticket') !== e.number) return;
        shown = true;
        var badge = tr.querySelector('.badge');
        if (!badge) return;
        badge.className = 'badge state-' + e.state;
        badge.textContent = labels[e.state] || e.state;
        tr.setAttribute('data-live-state', e.state);
      });
      if (ticketPage && ticketPage.getAttribute('data-number') === e.number && ticketPage.getAttribute('data-state') !== e.state) showLiveNotice();
      // A ticket that is new to this list: say so (a reload shows it in its place).
      if (!shown && !ticketPage && (grid || rows.length) && e.kind === 'opened') showLiveNotice();
    });
  }

  var RANGE_SEC = { '1h': 3600, '24h': 86400, '7d': 7 * 86400, '90d': 90 * 86400 };
  var COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

  // Host page: one uPlot per figure; the series API aggregates into ~300 buckets per range.
  function hostCharts(box) {
    var hostId = box.getAttribute('data-host');
    var noData = box.getAttribute('data-no-data') || 'No data';
    var tz = box.getAttribute('data-tz');
    var range = '1h';
    var plots = {};

    function draw(fig) {
      var url = '/api/hosts/' + encodeURIComponent(hostId) + '/series?measurement=' + encodeURIComponent(fig.getAttribute('data-measurement')) +
        '&field=' + encodeURIComponent(fig.getAttribute('data-field')) + '&from=-' + range;
      var groupBy = fig.getAttribute('data-group-by');
      if (groupBy) url += '&groupBy=' + encodeURIComponent(groupBy);
      return getJson(url).then(function (body) {
        var times = {};
        body.series.forEach(function (s) { s.points.forEach(function (p) { times[p.time] = true; }); });
        var xs = Object.keys(times).map(Number).sort(function (a, b) { return a - b; });
        var index = {};
        xs.forEach(function (t, i) { index[t] = i; });
        var data = [xs.map(function (t) { return t / 1000; })];
        var series = [{}];
        var points = 0;
        body.series.forEach(function (s, n) {
          var ys = xs.map(function () { return null; });
          s.points.forEach(function (p) { ys[index[p.time]] = p.value; points++; });
          data.push(ys);
          var label = Object.keys(s.tags).map(function (k) { return s.tags[k]; }).join(' ') || fig.getAttribute('data-field');
          series.push({ label: label, stroke: COLOURS[n % COLOURS.length], width: 1.5, spanGaps: false });
        });
        var plotBox = fig.querySelector('.plot');
        if (plots[fig.id]) { plots[fig.id].destroy(); delete plots[fig.id]; }
        plotBox.textContent = '';
        fig.setAttribute('data-points', String(points));
        if (points === 0) {
          var p = document.createElement('p');
          p.className = 'no-data';
          p.textContent = noData;
          plotBox.appendChild(p);
          return;
        }
        var width = Math.max(300, plotBox.clientWidth || 600);
        // The x axis always spans the chosen window, so one point (a host that just joined) is not stretched over years.
        var xRange = [body.from / 1000, body.to / 1000];
        plots[fig.id] = new window.uPlot({ width: width, height: 180, series: series, scales: { x: { time: true, range: function () { return xRange; } } }, legend: { show: true },
          tzDate: tz ? function (ts) { return window.uPlot.tzDate(new Date(ts * 1e3), tz); } : undefined }, data, plotBox);
      }).catch(function (err) {
        fig.setAttribute('data-error', String(err.message || err));
      });
    }

    var boxes = document.querySelectorAll('.charts[data-host]');
    function drawAll() {
      return Promise.all(Array.prototype.map.call(document.querySelectorAll('.charts[data-host] figure.chart'), draw)).then(function () {
        boxes.forEach(function (b) { b.setAttribute('data-drawn', range); });
      });
    }

    // Check metrics: the picker names measurement|field|groupBy; the figure takes them and draws again.
    var picker = document.getElementById('metric-picker');
    if (picker) {
      picker.addEventListener('change', function () {
        var parts = picker.value.split('|');
        var fig = document.getElementById('chart-check-metric');
        fig.setAttribute('data-measurement', parts[0]);
        fig.setAttribute('data-field', parts[1]);
        fig.setAttribute('data-group-by', parts[2] || '');
        fig.removeAttribute('data-drawn-for');
        draw(fig).then(function () { fig.setAttribute('data-drawn-for', picker.value); });
      });
    }

    document.querySelectorAll('#ranges button[data-range]').forEach(function (btn) {
      btn.addEventListener('click', function () {
        range = btn.getAttribute('data-range');
        if (!RANGE_SEC[range]) range = '1h';
        document.querySelectorAll('#ranges button').forEach(function (b) { b.classList.toggle('active', b === btn); });
        drawAll();
      });
    });
    drawAll();
    // Live: a new result for this host redraws (at most every 10 s); without the stream, every 30 s.
    var lastDraw = Date.now();
    live.onHost.push(function (e) {
      if (e.hostId !== hostId || !e.checks || Date.now() - lastDraw < 10000) return;
      lastDraw = Date.now();
      drawAll();
    });
    live.onFallback = function () { setInterval(drawAll, 30000); };
  }

  function cell(tr, content) {
    var td = document.createElement('td');
    if (content instanceof Node) td.appendChild(content); else td.textContent = content == null ? '' : String(content);
    tr.appendChild(td);
  }

  function link(href, text) {
    var a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    return a;
  }

  // Reports: the list (with customer and period filters), the generate form and an engineer's review of a
  // draft (remarks, sign-off) talk to /api/reports; the API's error text is shown, a missing API is said.
  function reportsPage(table) {
    var api = table.getAttribute('data-api');
    var staff = table.getAttribute('data-staff') === '1';
    var tbody = table.querySelector('tbody');
    var L = {};
    try { L = JSON.parse(table.getAttribute('data-labels') || '{}'); } catch (err) { L = {}; }
    var filters = document.getElementById('report-filters');

    function send(method, url, body) {
      return fetch(url, {
        method: method, credentials: 'same-origin',
        headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      }).then(function (r) {
        if (r.ok) return r.json().catch(function () { return {}; });
        return r.json().catch(function () { return null; }).then(function (b) {
          var e = new Error(apiErrorText(b, r.status)); e.status = r.status; throw e;
        });
      });
    }
    function showError(box, text) {
      if (!box) return;
      box.textContent = text ? (L.error ? L.error + ' ' : '') + text : '';
      box.hidden = !text;
    }
    function inspectionText(key) {
      if (!key) return '';
      var custom = /^custom-(\d{4}-\d{2}-\d{2})$/.exec(key);
      if (custom) return ((L.holidays || {}).custom || 'custom') + ' ' + custom[1];
      var m = /^(.*)-(\d{4})$/.exec(key);
      return m ? ((L.holidays || {})[m[1]] || m[1]) + ' ' + m[2] : key;
    }
    // Times in the service company's zone (as the server-rendered pages show them), not the browser's.
    var tz = table.getAttribute('data-tz') || undefined;
    function when(ms) {
      if (!ms) return '';
      try { return new Date(ms).toLocaleString(undefined, { timeZone: tz }); } catch (err) { return new Date(ms).toLocaleString(); }
    }

    function load() {
      var q = [];
      if (filters) {
        if (filters.customer.value) q.push('customer=' + encodeURIComponent(filters.customer.value));
        if (filters.period.value.trim()) q.push('period=' + encodeURIComponent(filters.period.value.trim()));
      }
      table.removeAttribute('data-loaded');
      return getJson(api + (q.length ? '?' + q.join('&') : '')).then(function (body) {
        tbody.textContent = '';
        var reports = body.reports || [];
        reports.forEach(function (r) {
          var tr = document.createElement('tr');
          tr.setAttribute('data-report', r.id);
          tr.setAttribute('data-status', r.status || (r.signedOff ? 'signed-off' : 'draft'));
          cell(tr, r.customerName || r.customerId);
          cell(tr, inspectionText(r.inspectionKey) || r.period);
          cell(tr, r.window ? when(r.window.from) + ' – ' + when(r.window.to) : r.period);
          cell(tr, r.lang);
          cell(tr, when(r.generatedAt));
          var status = document.createElement('span');
          if (r.signedOff) {
            status.className = 'badge insp-done';
            status.textContent = (L.signedOffBy || 'signed off by') + ' ' + (r.signedOff.by || '') + ' · ' + when(r.signedOff.at);
          } else {
            status.className = 'badge insp-due';
            status.textContent = L.draft || 'draft';
          }
          var statusCell = document.createElement('span');
          statusCell.appendChild(status);
          if (staff && !r.signedOff) {
            statusCell.appendChild(document.createTextNode(' '));
            var review = link('/reports?review=' + encodeURIComponent(r.id) + '#report-review', L.review || 'Review');
            review.className = 'review-link';
            statusCell.appendChild(review);
          }
          cell(tr, statusCell);
          var links = document.createElement('span');
          links.appendChild(link(api + '/' + encodeURIComponent(r.id) + '/html', 'HTML'));
          links.appendChild(document.createTextNode(' · '));
          links.appendChild(link(api + '/' + encodeURIComponent(r.id) + '/pdf', 'PDF'));
          links.appendChild(document.createTextNode(' · '));
          links.appendChild(link(api + '/' + encodeURIComponent(r.id) + '/json', 'JSON'));
          cell(tr, links);
          tbody.appendChild(tr);
        });
        if (!reports.length) {
          var tr = document.createElement('tr');
          var td = document.createElement('td');
          td.colSpan = 7;
          td.textContent = L.none || '';
          tr.appendChild(td);
          tbody.appendChild(tr);
        }
        table.setAttribute('data-loaded', String(reports.length));
      }).catch(function (err) {
        if (err.status === 404) document.getElementById('reports-missing').hidden = false;
        table.setAttribute('data-loaded', 'error');
      });
    }

    if (filters) {
      filters.addEventListener('submit', function (ev) { ev.preventDefault(); load(); });
      filters.customer.addEventListener('change', load);
    }

    // Generating takes up to ~30 s: the button is disabled and says so meanwhile; a refusal shows the API's reason.
    var form = document.getElementById('report-generate');
    if (form) {
      var button = document.getElementById('report-generate-button');
      var busy = document.getElementById('report-generating');
      var errorBox = document.getElementById('report-error');
      var showInspections = function () {
        var first = null, preferred = null;
        Array.prototype.forEach.call(form.inspection.options, function (o) {
          var mine = o.getAttribute('data-customer') === form.customerId.value;
          o.hidden = !mine;
          o.disabled = !mine;
          if (mine && !first) first = o;
          if (mine && o.getAttribute('data-default') === '1') preferred = o;
        });
        var sel = form.inspection.options[form.inspection.selectedIndex];
        if (!sel || sel.disabled) form.inspection.value = (preferred || first || { value: '' }).value;
      };
      form.customerId.addEventListener('change', showInspections);
      showInspections();
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        showError(errorBox, '');
        button.disabled = true;
        busy.hidden = false;
        form.setAttribute('data-busy', '1');
        var body = { customerId: form.customerId.value, inspection: form.inspection.value, lang: form.lang.value };
        send('POST', form.getAttribute('data-api'), body).then(function (r) {
          form.setAttribute('data-generated', r.id || '');
          return load();
        }, function (err) {
          showError(errorBox, err.message);
        }).then(function () {
          button.disabled = false;
          busy.hidden = true;
          form.removeAttribute('data-busy');
        });
      });
    }

    // Review of a draft: each remark is saved on its own; "Sign off" saves any remark still changed first.
    var panel = document.getElementById('report-review');
    if (panel && panel.getAttribute('data-status') === 'draft') {
      var base = panel.getAttribute('data-api');
      var reviewError = document.getElementById('review-error');
      var saveRemark = function (area) {
        var finding = area.getAttribute('data-finding');
        var status = area.parentNode.querySelector('.remark-status');
        return send('PUT', base + '/remarks/' + encodeURIComponent(finding), { remark: area.value }).then(function () {
          area.setAttribute('data-saved', area.value);
          if (status) status.textContent = L.remarkSaved || 'saved';
        });
      };
      panel.querySelectorAll('button.save-remark').forEach(function (btn) {
        btn.addEventListener('click', function () {
          showError(reviewError, '');
          var area = panel.querySelector('textarea[data-finding="' + CSS.escape(btn.getAttribute('data-finding')) + '"]');
          btn.disabled = true;
          saveRemark(area).catch(function (err) { showError(reviewError, err.message); }).then(function () { btn.disabled = false; });
        });
      });
      var signButton = document.getElementById('sign-off');
      signButton.addEventListener('click', function () {
        showError(reviewError, '');
        signButton.disabled = true;
        var changed = Array.prototype.filter.call(panel.querySelectorAll('textarea[data-finding]'), function (a) { return a.value !== a.getAttribute('data-saved'); });
        changed.reduce(function (p, a) { return p.then(function () { return saveRemark(a); }); }, Promise.resolve()).then(function () {
          return send('POST', base + '/sign-off', { note: document.getElementById('sign-off-note').value });
        }).then(function () {
          goAfterSave('/reports?review=' + encodeURIComponent(panel.getAttribute('data-report')) + '#report-review');
        }, function (err) {
          showError(reviewError, err.message);
          signButton.disabled = false;
        });
      });
    }
    load();
  }

  // Settings forms that talk JSON to the existing API (templates, assignments, agentless hosts). The API
  // validates; its error is shown as text in the form.
  var JSON_BODIES = {
    'template-form': function (f) {
      return { customerId: f.customerId.value || null, name: f.name.value, description: f.description.value, checks: parseJsonField(f.checks.value, f.checks) };
    },
    'template-edit-form': function (f) {
      return { name: f.name.value, description: f.description.value, checks: parseJsonField(f.checks.value, f.checks) };
    },
    'template-tags-form': function (f) {
      return { customerId: f.customerId.value, tags: splitList(f.tags.value) };
    },
    // PATCH merges into the stored config. The secret (SMTP password, DingTalk/Feishu signing secret) is
    // never in the page: an empty field leaves the stored one alone (secret left out); the "remove" box
    // clears it (null); anything typed replaces it.
    'channel-edit-form': function (f) {
      // customerId: '' is "all customers" (null); the API refuses a customer that does not exist.
      var body = { name: f.name.value, enabled: f.enabled.checked, customerId: f.customerId.value || null, config: { lang: f.lang.value } };
      if (f.getAttribute('data-kind') === 'email') {
        body.config.host = f.host.value;
        body.config.port = Number(f.port.value || 587);
        body.config.secure = f.security.value === 'tls';
        body.config.user = f.user.value.trim();
        body.config.from = f.from.value.trim();
        body.config.to = f.to.value.split(/[,;\s]+/).map(function (s) { return s.trim(); }).filter(Boolean);
        body.config.notifyOnDuty = f.notifyOnDuty.checked;
        body.config.tlsRejectUnauthorized = f.verifyTls.checked;
        body.config.requireTls = f.requireTls.checked;
        if (f.password.value) body.secret = f.password.value;
        else if (f.clearPassword && f.clearPassword.checked) body.secret = null;
      } else {
        body.config.url = f.url.value;
        // DingTalk/Feishu: a pasted secret's stray spaces would only break the signature.
        if (f.secret) {
          var typed = f.secret.value.trim();
          if (typed) body.secret = typed;
          else if (f.clearSecret && f.clearSecret.checked) body.secret = null;
        }
      }
      return body;
    },
    'assignment-form': function (f) {
      var templates = [];
      f.querySelectorAll('input[name="templates"]:checked').forEach(function (el) { templates.push(el.value); });
      var overrides = {};
      f.querySelectorAll('input[name="override"]').forEach(function (el) {
        if (el.value.trim()) overrides[el.getAttribute('data-check')] = parseJsonField(el.value, el);
      });
      return { templates: templates, overrides: overrides };
    },
    'agentless-form': function (f) {
      var body = { kind: f.kind.value, customerId: f.customerId.value, name: f.name.value, address: f.address.value,
        tags: f.tags.value.split(',').map(function (s) { return s.trim(); }).filter(Boolean) };
      if (f.port.value) body.port = Number(f.port.value);
      if (body.kind === 'ssh') {
        body.user = f.user.value;
        // A pasted key is written into the customer's key folder; else a file already there is named.
        if (f.privateKey.value.trim()) body.privateKey = f.privateKey.value; else body.keyPath = f.keyPath.value;
        if (f.passphrase.value) body.passphrase = f.passphrase.value;
      } else { body.community = f.community.value; }
      return body;
    },
  };

  function splitList(text) {
    return text.split(',').map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function parseJsonField(text, el) {
    try { return JSON.parse(text); } catch (err) {
      var e = new Error((el.getAttribute('data-check') || el.name) + ': not valid JSON (' + err.message + ')');
      throw e;
    }
  }

  function apiErrorText(body, status) {
    if (!body) return 'HTTP ' + status;
    // Refusals that name a rule come in both languages (errorZh): show the page's.
    var zh = (document.documentElement.lang || '').indexOf('zh') === 0;
    var text = (zh && body.errorZh) || body.error || body.message || ('HTTP ' + status);
    if (body.detail) text += ': ' + body.detail;
    if (Array.isArray(body.issues)) text += ': ' + body.issues.map(function (i) { return (i.path || []).join('.') + ' ' + i.message; }).join('; ');
    return text;
  }

  // A fresh page after a save; when only the #fragment would change, the browser would not load it again.
  function goAfterSave(done) {
    var to = new URL(done, location.href);
    if (to.pathname === location.pathname && to.search === location.search) { location.hash = to.hash; location.reload(); } else location.href = to.href;
  }

  function jsonForm(form) {
    var build = JSON_BODIES[form.id];
    var errorBox = form.querySelector('.form-error');
    function fail(text) { errorBox.textContent = text; errorBox.hidden = false; }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      errorBox.hidden = true;
      var body;
      try { body = build(form); } catch (err) { fail(err.message); return; }
      // The API takes writes only as JSON, bodiless ones (DELETE) included.
      var headers = { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrf };
      fetch(form.getAttribute('data-api'), {
        method: form.getAttribute('data-method') || 'POST', credentials: 'same-origin',
        headers: headers,
        body: body === null ? undefined : JSON.stringify(body),
      }).then(function (r) {
        if (r.ok) { goAfterSave(form.getAttribute('data-done')); return; }
        return r.json().catch(function () { return null; }).then(function (b) { fail(apiErrorText(b, r.status)); });
      }).catch(function (err) { fail(String(err.message || err)); });
    });
    var copy = form.querySelector('select[data-copy-checks]');
    if (copy) {
      copy.addEventListener('change', function () {
        if (!copy.value) return;
        getJson('/api/templates/' + encodeURIComponent(copy.value)).then(function (b) {
          form.checks.value = JSON.stringify(b.template.checks, null, 2);
        }).catch(function (err) { fail(String(err.message || err)); });
      });
    }
    // Template tags: the list shown follows the chosen customer (each option carries its current tags).
    var tagSource = form.querySelector('select[data-tags-source]');
    if (tagSource) {
      tagSource.addEventListener('change', function () {
        var opt = tagSource.options[tagSource.selectedIndex];
        form.tags.value = opt ? opt.getAttribute('data-tags') || '' : '';
      });
    }
    var kind = form.querySelector('select[name="kind"]');
    if (kind && form.querySelector('label[data-kind]')) {
      var showKind = function () {
        form.querySelectorAll('label[data-kind]').forEach(function (l) { l.hidden = l.getAttribute('data-kind') !== kind.value; });
      };
      kind.addEventListener('change', showKind);
      showKind();
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    tickCountdowns();
    if (document.querySelector('.countdown')) setInterval(tickCountdowns, 1000);
    var charts = document.querySelector('.charts[data-host]');
    if (charts && window.uPlot) hostCharts(charts);
    var reports = document.getElementById('report-list');
    if (reports) reportsPage(reports);
    document.querySelectorAll('form.json-form').forEach(jsonForm);
    if (document.body.hasAttribute('data-live') && document.querySelector('#host-grid, #host-status, tr[data-ticket], #ticket-state')) {
      wireLiveHandlers();
      startLive();
    }
    var nav = document.querySelector('nav.top a[data-nav="' + (location.pathname.split('/')[1] || 'overview') + '"]');
    if (nav) nav.classList.add('current');
  });
})();
