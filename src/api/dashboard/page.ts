// Assembles the dashboard page: one HTML document with its stylesheet and script inline, and
// a Content-Security-Policy that allows exactly those (by hash) and same-origin fetches.
import { createHash } from 'node:crypto'
import { APP_JS } from './app-script'
import { CHARTS_JS } from './charts-script'
import { DASHBOARD_CSS } from './style'

const SCRIPT = `(function () {\n'use strict';\n${CHARTS_JS}\n${APP_JS}\n})();`

const BODY = `<header>
  <h1>perfkit</h1>
  <span id="health" class="pill">health</span>
  <span id="live" class="pill">connecting</span>
  <span class="spacer"></span>
  <span id="updated"></span>
</header>
<main>
  <section class="tiles">
    <div class="tile"><div class="label">Requests / s</div><div class="value" id="kpi-rps">&ndash;</div></div>
    <div class="tile"><div class="label">Latency p95</div><div class="value" id="kpi-p95">&ndash;</div></div>
    <div class="tile"><div class="label">Error rate</div><div class="value" id="kpi-errors">&ndash;</div></div>
    <div class="tile"><div class="label">In flight</div><div class="value" id="kpi-active">&ndash;</div></div>
    <div class="tile"><div class="label">Cache hit rate</div><div class="value" id="kpi-hit">&ndash;</div></div>
    <div class="tile"><div class="label">Firing alerts</div><div class="value" id="kpi-alerts">&ndash;</div></div>
  </section>
  <section class="charts">
    <div class="card"><h2>HTTP latency percentiles</h2><canvas id="chart-latency"></canvas></div>
    <div class="card"><h2>Throughput</h2><canvas id="chart-throughput"></canvas></div>
    <div class="card"><h2>Error rate</h2><canvas id="chart-errors"></canvas></div>
    <div class="card"><h2>Cache hit rate</h2><canvas id="chart-cache"></canvas></div>
    <div class="card"><h2>Batching</h2><canvas id="chart-batch"></canvas></div>
    <div class="card"><h2>System</h2><canvas id="chart-system"></canvas></div>
  </section>
  <section class="card">
    <h2>Active alerts</h2>
    <div id="message" role="status"></div>
    <table><thead><tr><th>Severity</th><th>Alert</th><th>Summary</th><th>Value</th><th>State</th><th></th></tr></thead>
    <tbody id="alerts"></tbody></table>
  </section>
  <section class="two">
    <div class="card"><h2>Batchers</h2>
      <table><thead><tr><th>Name</th><th>Batches</th><th>Mean size</th><th>Mean wait</th><th>Queue</th></tr></thead><tbody id="batchers"></tbody></table>
    </div>
    <div class="card"><h2>System metrics</h2><table><tbody id="system"></tbody></table></div>
  </section>
</main>`

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64')
}

let cached: { csp: string; head: string; tail: string } | undefined

/** The page for a poll interval, and the CSP header that goes with it. */
export function dashboardPage(pollMs: number): { html: string; csp: string } {
  cached ??= {
    csp: [
      "default-src 'none'",
      `script-src 'sha256-${sha256(SCRIPT)}'`,
      `style-src 'sha256-${sha256(DASHBOARD_CSS)}'`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'self'",
    ].join('; '),
    head: `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>perfkit dashboard</title>\n<link rel="icon" href="data:,">\n<style>${DASHBOARD_CSS}</style>\n</head>\n<body>\n${BODY}\n`,
    tail: `<script>${SCRIPT}</script>\n</body>\n</html>\n`,
  }
  // The config is JSON in a non-executed script element, so it needs no hash of its own.
  const config = `<script type="application/json" id="perfkit-config">${JSON.stringify({ pollMs })}</script>\n`
  return { html: cached.head + config + cached.tail, csp: cached.csp }
}
