// Recording metrics and serving a Prometheus scrape with node:http.
//
// A monitor records request latencies (a histogram), a counter, a gauge, and a MemoryCache it
// observes; we print the text exposition, then serve it on GET /metrics with plain node:http
// and scrape it once with fetch, as Prometheus would.
//
//   npx tsx examples/prometheus-scrape.ts            # prints the scrape, then ends
//   npx tsx examples/prometheus-scrape.ts --serve    # keeps serving /metrics until Ctrl-C
//   npx tsx examples/prometheus-scrape.ts --smoke    # fewer values (CI)
//
// expect: ^# TYPE http_server_request_duration_seconds histogram
// expect: ^http_server_request_duration_seconds_bucket\{.*le="0\.05".*\} [0-9]+
// expect: ^http_server_request_duration_seconds_count\{.*route="/users/:id".*\} [0-9]+
// expect: ^# TYPE jobs_processed_total counter
// expect: ^jobs_processed_total [0-9]+
// expect: ^queue_depth 7
// expect: ^cache_hits_total\{cache="users"\} [0-9]+
// expect: ^scraped http://127\.0\.0\.1:[0-9]+/metrics: 200 text/plain; version=0\.0\.4
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MemoryCache, PROMETHEUS_CONTENT_TYPE, PerformanceMonitor } from 'perfkit'

const smoke = process.argv.includes('--smoke')
const serve = process.argv.includes('--serve')
const REQUESTS = smoke ? 200 : 5_000

const monitor = new PerformanceMonitor({ processMetrics: serve }) // process_* / nodejs_* gauges too when serving

// Define a metric up front to give it HELP text (and, if needed, buckets or a series limit).
monitor.define('http_server_request_duration_seconds', { kind: 'distribution', help: 'Duration of HTTP server requests.' })

const cache = new MemoryCache<string, { name: string }>({ name: 'users', max: 100 })
monitor.observe(cache) // cache_hits_total, cache_misses_total, cache_entries, cache_hit_ratio …

let seed = 3
const random = () => ((seed = (seed * 16_807) % 2_147_483_647), seed / 2_147_483_647)
for (let i = 0; i < REQUESTS; i++) {
  const route = random() < 0.7 ? '/users/:id' : '/orders'
  const seconds = 0.004 + random() * random() * (route === '/orders' ? 0.3 : 0.08)
  monitor.record('http_server_request_duration_seconds', seconds, { method: 'GET', route })
  if (route === '/users/:id') {
    const id = String(Math.floor(random() * 30))
    if (cache.get(id) === undefined) cache.set(id, { name: `user ${id}` })
  }
}
monitor.increment('jobs_processed_total', 42)
monitor.setGauge('queue_depth', 7)

// 1. The exposition as text (prometheusAsync() yields to the event loop for large scrapes).
const text = monitor.prometheus()
const interesting = /^(# (HELP|TYPE) )?(http_server_request_duration_seconds|jobs_processed|queue_depth|cache_)/
console.log(text.split('\n').filter((line) => interesting.test(line)).join('\n'))
console.log(`… ${text.split('\n').length} lines in all, including the monitor's own perfkit_monitor_* figures\n`)

// 2. Serving it: any HTTP server will do. This is all it takes with node:http.
const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/metrics') {
    const body = await monitor.prometheusAsync()
    res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(body)
  } else {
    res.writeHead(404).end()
  }
})
await new Promise<void>((resolve) => server.listen(serve ? 9464 : 0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`

const response = await fetch(url)
const body = await response.text()
console.log(`scraped ${url}: ${response.status} ${response.headers.get('content-type')}, ${body.length} bytes`)
console.log(`prometheus.yml:  scrape_configs: [{ job_name: my-service, static_configs: [{ targets: ['127.0.0.1:${(server.address() as AddressInfo).port}'] }] }]`)

if (serve) {
  console.log(`serving ${url} — Ctrl-C to stop`)
  process.once('SIGINT', () => {
    server.close()
    void monitor.close()
  })
} else {
  server.close()
  await monitor.close()
}
