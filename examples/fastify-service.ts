// A Fastify service with perfkit: the `perfkitPlugin` records every request and serves the
// performance API, the dashboard and a Prometheus scrape; createPerfkit() wires the rest.
//
// The service scores users with a batched, cached model. The script starts it on 127.0.0.1
// (a free port), sends a few real requests with fetch, prints what the API reports and the
// dashboard URL, then stops gracefully (the plugin cleans up in Fastify's onClose).
//
//   npx tsx examples/fastify-service.ts            # send requests, print, end
//   npx tsx examples/fastify-service.ts --serve    # …then keep serving; open the dashboard URL
//   npx tsx examples/fastify-service.ts --smoke    # fewer requests (CI)
//
// expect: ^listening on http://127\.0\.0\.1:[0-9]+
// expect: ^sent [0-9]+ requests: 200×[0-9]+ 404×[0-9]+ 500×[0-9]+
// expect: ^GET /api/performance/summary → 200
// expect: ^  route /score/:userId +requests +[0-9]+ +p95 [0-9.]+ ms
// expect: ^GET /metrics → 200 .*http_server_request_duration_seconds_bucket
// expect: ^POST /api/performance/cache/cleanup without a token → 403
// expect: ^dashboard: http://127\.0\.0\.1:[0-9]+/api/performance/dashboard
// expect: ^stopped gracefully
import Fastify from 'fastify'
import { createPerfkit, MemoryCache, PredictionBatcher } from 'perfkit'
import { perfkitPlugin } from 'perfkit/fastify'

const smoke = process.argv.includes('--smoke')
const serve = process.argv.includes('--serve')
const REQUESTS = smoke ? 40 : 200
const ADMIN_TOKEN = 'let-me-in' // in a real service: process.env.PERF_ADMIN_TOKEN

// --- the service's own parts -------------------------------------------------------------
const scores = new MemoryCache<string, number>({ name: 'scores', max: 1_000, ttl: 60_000 })
const scorer = new PredictionBatcher<string, number>(
  async (userIds) => {
    await new Promise((resolve) => setTimeout(resolve, 3 + userIds.length * 0.2)) // the model
    return userIds.map((id) => (Number(id) % 100) / 100)
  },
  { name: 'scorer', maxBatchSize: 16, maxWaitMs: 5, cache: scores },
)

// --- perfkit: monitor, alerts, regression watches, insights on one bus --------------------
const perfkit = createPerfkit({ caches: [scores], batchers: [scorer], monitor: { processMetrics: true } }).start()
const { monitor, alerts, insights } = perfkit
perfkit.bus.on('alert:firing', ({ alert }) => console.warn(`ALERT ${alert.labels.alertname}: ${alert.annotations.summary}`))

const app = Fastify()
await app.register(perfkitPlugin, {
  monitor,
  ...(alerts ? { alerts } : {}),
  ...(insights ? { insights } : {}),
  caches: [scores],
  batchers: [scorer],
  skip: (request) => request.url === '/healthz',
  // Reads are open; mutating routes (acknowledge, thresholds, cache cleanup…) need the token.
  authorize: (request) => request.headers.authorization === `Bearer ${ADMIN_TOKEN}`,
})
app.get('/healthz', async () => 'ok')
app.get<{ Params: { userId: string } }>('/score/:userId', async (request) => ({
  userId: request.params.userId,
  score: await scorer.predict(request.params.userId),
}))
app.get('/boom', async () => {
  throw new Error('something broke') // Fastify answers 500; recorded with status_class 5xx
})

const base = await app.listen({ port: 0, host: '127.0.0.1' })
console.log(`listening on ${base}`)
// --- a few real requests ------------------------------------------------------------------
const statuses = new Map<number, number>()
const paths = Array.from({ length: REQUESTS }, (_, i) => (i % 20 === 19 ? '/boom' : i % 25 === 24 ? '/nope' : `/score/${i % 30}`))
for (let i = 0; i < paths.length; i += 10) {
  const responses = await Promise.all(paths.slice(i, i + 10).map((path) => fetch(base + path)))
  for (const response of responses) {
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
    await response.arrayBuffer()
  }
}
await fetch(`${base}/healthz`).then((r) => r.text()) // skipped: not recorded
console.log(`sent ${REQUESTS} requests: 200×${statuses.get(200) ?? 0} 404×${statuses.get(404) ?? 0} 500×${statuses.get(500) ?? 0}`)

// --- what the API reports -----------------------------------------------------------------
const summary = await fetch(`${base}/api/performance/summary`)
console.log(`GET /api/performance/summary → ${summary.status}`)
console.log(`  ${JSON.stringify(await summary.json()).slice(0, 300)}…`)
for (const route of ['/score/:userId', '/boom', 'unmatched']) {
  const stats = monitor.stats('http_server_request_duration_seconds', { route })
  if (stats) console.log(`  route ${route.padEnd(15)} requests ${String(stats.count).padStart(4)}  p95 ${(stats.p95 * 1000).toFixed(2)} ms`)
}
const batchStats = await fetch(`${base}/api/performance/batch/statistics`).then((r) => r.json())
console.log(`GET /api/performance/batch/statistics → ${JSON.stringify(batchStats).slice(0, 200)}…`)
const metrics = await fetch(`${base}/metrics`)
const scrape = await metrics.text()
console.log(`GET /metrics → ${metrics.status} ${metrics.headers.get('content-type')}, ${scrape.split('\n').length} lines, e.g. ${scrape.split('\n').find((l) => l.startsWith('http_server_request_duration_seconds_bucket'))}`)
const denied = await fetch(`${base}/api/performance/cache/cleanup`, { method: 'POST' })
console.log(`POST /api/performance/cache/cleanup without a token → ${denied.status}`)
const allowed = await fetch(`${base}/api/performance/cache/cleanup`, {
  method: 'POST',
  headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
  body: '{}',
})
console.log(`POST /api/performance/cache/cleanup with the token → ${allowed.status} ${await allowed.text()}`)
console.log(`dashboard: ${base}/api/performance/dashboard`)

// --- shutdown -----------------------------------------------------------------------------
async function shutdown(): Promise<void> {
  await app.close() // stop taking requests; the plugin's onClose hook runs
  await perfkit.stop() // drain the batcher, stop timers, send pending alert notifications
  console.log('stopped gracefully')
}
if (serve) {
  console.log('serving until Ctrl-C (SIGINT) or SIGTERM')
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown())
} else {
  await shutdown()
}
