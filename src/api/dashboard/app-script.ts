// The dashboard's application script, as browser JavaScript in a string (inlined into the
// page). It polls the API next to the page (`…/dashboard` → `…/summary`, `…/alerts`,
// `…/health`), keeps a bounded ring of points per series, and redraws. Text from the API
// only ever reaches the DOM through `textContent`. A `#token=…` in the URL is kept in
// sessionStorage and sent as `Authorization: Bearer …`.
export const APP_JS = `
var config = JSON.parse(document.getElementById('perfkit-config').textContent);
var base = location.pathname.replace(/\\/dashboard\\/?$/, '');
var MAX_POINTS = 900;
var token = (function () {
  var match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  try {
    if (match) {
      sessionStorage.setItem('perfkit-token', decodeURIComponent(match[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem('perfkit-token');
  } catch (e) { return match ? decodeURIComponent(match[1]) : null; }
})();
var series = {};
function push(name, t, v) {
  if (v === null || v === undefined || !isFinite(v)) return;
  var list = series[name] || (series[name] = []);
  if (list.length > 0 && list[list.length - 1].t > t) {
    // A backfilled point older than the live ones: keep the list in time order.
    list.push({ t: t, v: v });
    list.sort(function (a, b) { return a.t - b.t; });
  } else {
    list.push({ t: t, v: v });
  }
  if (list.length > MAX_POINTS) list.shift();
}
function $(id) { return document.getElementById(id); }
function fmtMs(v) { return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v >= 10 ? v.toFixed(0) + ' ms' : v.toFixed(1) + ' ms'; }
function fmtNum(v) {
  var a = Math.abs(v);
  if (a >= 1000) return (v / 1000).toFixed(1) + 'k';
  if (a >= 10 || v === Math.round(v)) return v.toFixed(0);
  return a >= 1 ? v.toFixed(1) : String(Number(v.toPrecision(2)));
}
function fmtPct(v) { return v.toFixed(v >= 10 || v === 0 ? 0 : 1) + '%'; }
function fmtBytes(v) { return v >= 1073741824 ? (v / 1073741824).toFixed(2) + ' GB' : (v / 1048576).toFixed(0) + ' MB'; }
function text(el, value) { el.textContent = value; return el; }
function el(tag, cls, value) { var e = document.createElement(tag); if (cls) e.className = cls; if (value !== undefined) e.textContent = value; return e; }

function api(path, init) {
  var headers = { accept: 'application/json' };
  if (token) headers.authorization = 'Bearer ' + token;
  if (init && init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(base + path, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, init || {}, { headers: headers }))
    .then(function (res) { return res.json().catch(function () { return null; }).then(function (body) { return { status: res.status, body: body }; }); });
}

function tile(id, value, bad) { var e = $(id); text(e, value); e.className = 'value' + (bad ? ' bad' : ''); }

function onSummary(s) {
  var t = s.timestamp, http = s.http, lat = http.latency;
  if (lat && lat.count > 0) { push('p50', t, lat.p50 * 1000); push('p95', t, lat.p95 * 1000); push('p99', t, lat.p99 * 1000); }
  push('rps', t, http.requestsPerSec);
  push('errors', t, http.errorRate === null ? null : http.errorRate * 100);
  push('hit', t, s.cache.hitRate === null ? null : s.cache.hitRate * 100);
  push('cpu', t, s.system.processCpuPercent);
  push('mem', t, s.system.systemMemoryPercent);
  push('eld', t, s.system.eventLoopDelayP99Seconds === null ? null : s.system.eventLoopDelayP99Seconds * 1000);
  if (s.batch.batchSize && s.batch.batchSize.count > 0) push('batch', t, s.batch.batchSize.mean);
  if (s.predictions.latency && s.predictions.latency.count > 0) push('pred', t, s.predictions.latency.p95 * 1000);

  tile('kpi-rps', http.requestsPerSec === null ? '\\u2013' : fmtNum(http.requestsPerSec));
  tile('kpi-p95', lat && lat.count > 0 ? fmtMs(lat.p95 * 1000) : '\\u2013');
  tile('kpi-errors', http.errorRate === null ? '\\u2013' : fmtPct(http.errorRate * 100), http.errorRate > 0.05);
  tile('kpi-active', http.activeRequests === null ? '\\u2013' : fmtNum(http.activeRequests));
  tile('kpi-hit', s.cache.hitRate === null ? '\\u2013' : fmtPct(s.cache.hitRate * 100), s.cache.hitRate !== null && s.cache.hitRate < 0.8);
  tile('kpi-alerts', s.alerts.configured ? String(s.alerts.firing) : '\\u2013', s.alerts.critical > 0);
  renderBatchers(s.batch.batchers);
  renderSystem(s.system);
  drawAll();
}

function drawAll() {
  var d = function (name) { return series[name] || []; };
  // A new page spans at least 20 polls, so its first points are not squeezed against the edge.
  var o = function (extra) { return Object.assign({ minSpanMs: Math.max(5000, 20 * config.pollMs) }, extra); };
  drawChart($('chart-latency'), [{ name: 'p50', data: d('p50') }, { name: 'p95', data: d('p95') }, { name: 'p99', data: d('p99') }], o({ format: fmtMs, empty: 'no requests recorded yet' }));
  drawChart($('chart-throughput'), [{ name: 'req/s', data: d('rps') }], o({ format: fmtNum }));
  drawChart($('chart-errors'), [{ name: 'error rate', data: d('errors'), color: '#c22f2f' }], o({ format: fmtPct }));
  drawChart($('chart-cache'), [{ name: 'hit rate', data: d('hit'), color: '#1a7f4b' }], o({ format: fmtPct, max: 100, empty: 'no cache reads yet' }));
  drawChart($('chart-batch'), [{ name: 'mean batch size', data: d('batch') }, { name: 'prediction p95 ms', data: d('pred') }], o({ format: fmtNum, empty: 'no batches yet' }));
  drawChart($('chart-system'), [{ name: 'process CPU %', data: d('cpu') }, { name: 'system memory %', data: d('mem') }, { name: 'loop delay p99 ms', data: d('eld') }], o({ format: fmtNum, empty: 'no process metrics (enable processMetrics on the monitor)' }));
}

// Seeds the charts from the monitor's history, so a new page shows the recent past at once.
var BACKFILL = [
  ['p50', 'http_server_request_duration_seconds', 'p50', 1000], ['p95', 'http_server_request_duration_seconds', 'p95', 1000],
  ['p99', 'http_server_request_duration_seconds', 'p99', 1000], ['rps', 'http_server_requests_total', 'rate', 1],
  ['cpu', 'process_cpu_usage_percent', 'value', 1], ['mem', 'system_memory_usage_percent', 'value', 1],
  ['eld', 'nodejs_eventloop_delay_p99_seconds', 'value', 1000], ['batch', 'prediction_batch_size', 'mean', 1],
  ['pred', 'prediction_latency_seconds', 'p95', 1000]
];
function backfill() {
  // Only metrics the monitor has: asking for others would answer 404.
  return api('/metrics?limit=0').then(function (r) {
    var known = {};
    if (r.status === 200 && r.body) r.body.metrics.forEach(function (m) { known[m.name] = m; });
    var wanted = BACKFILL.filter(function (b) { return known[b[1]]; });
    // A hit ratio can be charted from history only for one cache (ratios do not add up).
    if (known.cache_hit_ratio && known.cache_hit_ratio.seriesCount === 1) wanted.push(['hit', 'cache_hit_ratio', 'value', 100]);
    if (known.http_server_errors_total) wanted.push(['errorsPerSec', 'http_server_errors_total', 'rate', 1]);
    return Promise.all(wanted.map(backfillOne)).then(errorRateFromHistory);
  });
}
// The error rate of each history point: errors per second over requests per second.
function errorRateFromHistory() {
  var errors = {};
  (series.errorsPerSec || []).forEach(function (p) { errors[p.t] = p.v; });
  (series.rps || []).forEach(function (p) { if (p.v > 0) push('errors', p.t, ((errors[p.t] || 0) / p.v) * 100); });
  delete series.errorsPerSec;
}
function backfillOne(b) {
  return api('/metrics/history?metric=' + b[1] + '&stat=' + b[2] + '&last=600000').then(function (r) {
    if (r.status !== 200 || !r.body) return;
    var offset = r.body.timestamp - r.body.monitorTime;
    r.body.points.forEach(function (p) { push(b[0], p.t + offset, p.value * b[3]); });
  }).catch(function () {});
}

function renderBatchers(batchers) {
  var body = $('batchers');
  body.textContent = '';
  if (!batchers.length) { var row = el('tr'); var cell = el('td', 'empty', 'No batchers configured'); cell.colSpan = 5; row.appendChild(cell); body.appendChild(row); return; }
  batchers.forEach(function (b) {
    var st = b.stats || {}, row = el('tr');
    var size = st.averageBatchSize;
    var wait = st.averageWaitTime !== undefined ? st.averageWaitTime : st.queueWaitMs && st.queueWaitMs.mean;
    var queue = st.queueSize !== undefined ? st.queueSize : st.queueDepth;
    row.appendChild(el('td', '', b.name));
    row.appendChild(el('td', 'num', st.batches === undefined ? '\\u2013' : fmtNum(st.batches)));
    row.appendChild(el('td', 'num', typeof size === 'number' ? size.toFixed(1) : '\\u2013'));
    row.appendChild(el('td', 'num', typeof wait === 'number' ? fmtMs(wait) : '\\u2013'));
    row.appendChild(el('td', 'num', typeof queue === 'number' ? String(queue) : '\\u2013'));
    body.appendChild(row);
  });
}

var SYSTEM_ROWS = [
  ['Process CPU', 'processCpuPercent', fmtPct], ['System CPU', 'systemCpuPercent', fmtPct],
  ['System memory', 'systemMemoryPercent', fmtPct], ['Resident memory', 'rssBytes', fmtBytes],
  ['Heap used', 'heapUsedBytes', fmtBytes], ['Heap total', 'heapTotalBytes', fmtBytes],
  ['Load average (1m)', 'loadAverage1m', function (v) { return v.toFixed(2); }],
  ['Event-loop delay p99', 'eventLoopDelayP99Seconds', function (v) { return fmtMs(v * 1000); }],
  ['Event-loop utilisation', 'eventLoopUtilization', function (v) { return fmtPct(v * 100); }],
  ['Active handles', 'activeHandles', fmtNum]
];
function renderSystem(system) {
  var body = $('system');
  body.textContent = '';
  SYSTEM_ROWS.forEach(function (r) {
    var v = system[r[1]], row = el('tr');
    row.appendChild(el('td', '', r[0]));
    row.appendChild(el('td', 'num', v === null || v === undefined ? '\\u2013' : r[2](v)));
    body.appendChild(row);
  });
}

function renderAlerts(result) {
  var body = $('alerts');
  body.textContent = '';
  var empty = function (message) { var row = el('tr'); var cell = el('td', 'empty', message); cell.colSpan = 6; row.appendChild(cell); body.appendChild(row); };
  if (result.status === 501) return empty('Alerting is not configured');
  if (result.status !== 200 || !result.body) return empty('Alerts unavailable (HTTP ' + result.status + ')');
  var alerts = result.body.alerts.filter(function (a) { return a.state !== 'resolved'; });
  if (!alerts.length) return empty('No active alerts');
  alerts.forEach(function (a) {
    var row = el('tr');
    row.setAttribute('data-alert-id', a.id);
    row.appendChild(el('td', 'sev ' + a.severity, a.severity));
    row.appendChild(el('td', '', (a.labels && a.labels.alertname) || a.ruleId || a.id));
    row.appendChild(el('td', '', (a.annotations && a.annotations.summary) || ''));
    row.appendChild(el('td', 'num', typeof a.value === 'number' ? fmtNum(a.value) : '\\u2013'));
    row.appendChild(el('td', '', a.state));
    var action = el('td');
    if (a.acknowledged) {
      action.appendChild(el('span', 'acked', 'acknowledged' + (a.acknowledged.by ? ' by ' + a.acknowledged.by : '')));
    } else {
      var button = el('button', 'ack', 'Acknowledge');
      button.addEventListener('click', function () { acknowledge(a.id, button); });
      action.appendChild(button);
    }
    row.appendChild(action);
    body.appendChild(row);
  });
}

function acknowledge(id, button) {
  button.disabled = true;
  api('/alerts/' + encodeURIComponent(id) + '/acknowledge', { method: 'POST', body: JSON.stringify({ by: 'dashboard' }) })
    .then(function (r) {
      if (r.status !== 200) { text($('message'), 'Acknowledge failed: ' + ((r.body && r.body.error) || 'HTTP ' + r.status)); button.disabled = false; return; }
      text($('message'), '');
      return refreshAlerts();
    })
    .catch(function (e) { text($('message'), 'Acknowledge failed: ' + e.message); button.disabled = false; });
}

function refreshAlerts() { return api('/alerts?state=active').then(renderAlerts); }

function refreshHealth() {
  return api('/health').then(function (r) {
    var status = r.body && r.body.status ? r.body.status : 'unknown';
    var pill = $('health');
    pill.className = 'pill ' + status;
    text(pill, status);
  });
}

function poll() {
  Promise.all([
    api('/summary').then(function (r) {
      if (r.status !== 200 || !r.body) throw new Error((r.body && r.body.error) || 'HTTP ' + r.status);
      onSummary(r.body);
    }),
    refreshAlerts(),
    refreshHealth()
  ]).then(function () {
    var live = $('live'); live.className = 'pill live'; text(live, 'live');
    text($('updated'), 'updated ' + new Date().toLocaleTimeString());
  }).catch(function (e) {
    var live = $('live'); live.className = 'pill error'; text(live, 'error');
    text($('updated'), e.message);
  }).then(function () { setTimeout(poll, config.pollMs); });
}

window.addEventListener('resize', drawAll);
drawAll();
backfill().then(poll, poll);
`
