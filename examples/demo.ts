// `npm run demo`: perfkit's main job end to end, in one process.
//
// An Express service answers /predict/:id with a simulated model behind a PredictionBatcher
// and a MemoryCache. Bounded load is driven at it from clients in the same process. Part-way
// through, the model gets slower; perfkit detects the slowdown as a regression, an alert
// fires, and when the model recovers the alert resolves. A summary table closes the run.
// `npm run demo -- --serve` then keeps the service and its dashboard running.
//
// Monitoring time runs faster than real time here (see `speed`), so that one-minute windows
// and alert durations play out in a run that lasts well under a minute.
//
// expect: ^perfkit demo
// expect: phase +requests
// expect: baseline +[0-9]+
// expect: slow model +[0-9]+
// expect: batch efficiency
// expect: cache hit rate
import type { AddressInfo } from 'node:net'
import express from 'express'
import { MemoryCache, PredictionBatcher, createPerfkit } from 'perfkit'
import { performanceMiddleware, performanceRouter } from 'perfkit/express'

const smoke = process.argv.includes('--smoke')
const serve = process.argv.includes('--serve')
const speed = smoke ? 30 : 10 // monitoring seconds per real second
const phases = smoke
  ? [
      { name: 'warm-up', seconds: 1, slowdown: 1 },
      { name: 'baseline', seconds: 3, slowdown: 1 },
      { name: 'slow model', seconds: 4, slowdown: 8 },
      { name: 'recovered', seconds: 3, slowdown: 1 },
    ]
  : [
      { name: 'warm-up', seconds: 2, slowdown: 1 },
      { name: 'baseline', seconds: 12, slowdown: 1 },
      { name: 'slow model', seconds: 14, slowdown: 8 },
      { name: 'recovered', seconds: 14, slowdown: 1 },
    ]
const clients = 16
const maxRequests = 200_000 // a hard bound on the load, whatever the timing

// ---- the host's "model": batch cost grows with batch size; `slowdown` scales it ----------
let slowdown = 1
async function predictMany(ids: number[]): Promise<number[]> {
  const ms = (4 + 0.25 * ids.length) * slowdown
  await new Promise((resolve) => setTimeout(resolve, ms))
  return ids.map((id) => Math.sin(id) * 0.5 + 0.5)
}

// ---- perfkit --------------------------------------------------------------------------
const realStart = performance.now()
const demoClock = () => (performance.now() - realStart) * speed + 1_000
const scores = new PredictionBatcher(predictMany, { name: 'scorer', maxBatchSize: 16, maxWaitMs: 5, maxConcurrentBatches: 4 })
const cache = new MemoryCache<number, number>({ name: 'scores', max: 2_000, ttl: 3_000 })
const perfkit = createPerfkit({
  now: demoClock,
  caches: [cache],
  batchers: [scores],
  monitor: { processMetrics: { intervalMs: 1_000 }, historyIntervalMs: 100 },
  alerts: {
    profile: 'none',
    intervalMs: 200,
    groupWaitMs: 0,
    groupIntervalMs: 1_000, // monitoring ms: tell the receivers of a change almost at once
    rules: [
      {
        id: 'slow-predictions',
        metric: 'prediction_latency_seconds',
        stat: 'p95',
        op: '>',
        warning: 0.04,
        critical: 0.12,
        forMs: 5_000,
        summary: 'p95 prediction latency is {{value}}',
      },
    ],
  },
  regression: {
    // Windows of 5 and 2 real seconds, compared four times a second.
    watch: [{ metric: 'prediction_latency_seconds', stat: 'mean', baselineWindow: 5_000 * speed, currentWindow: 2_000 * speed, intervalMs: 250, recoverBelowPercent: 15 }],
  },
}).start()
const { monitor, bus } = perfkit

const events: string[] = []
const note = (line: string) => {
  events.push(line)
  printLine(line)
}
bus.on('regression:detected', (e) =>
  note(`▲ regression detected on ${e.metric}: ${e.changePercent.toFixed(0)} % (${e.kind}, confidence ${e.confidence.toFixed(2)})`),
)
bus.on('regression:recovered', (e) => note(`▼ regression over on ${e.metric}`))
bus.on('alert:firing', ({ alert }) => note(`● alert firing [${alert.severity}] ${alert.annotations.summary ?? alert.ruleId}`))
bus.on('alert:escalated', ({ alert }) => note(`● alert escalated to ${alert.severity}: ${alert.annotations.summary ?? alert.ruleId}`))
bus.on('alert:resolved', ({ alert }) => note(`○ alert resolved: ${alert.ruleId}`))

// ---- the service ------------------------------------------------------------------------
const app = express()
app.use(performanceMiddleware({ monitor }))
app.use(
  performanceRouter({
    monitor,
    ...(perfkit.alerts ? { alerts: perfkit.alerts } : {}),
    ...(perfkit.insights ? { insights: perfkit.insights } : {}),
    caches: [cache],
    batchers: [scores],
    authorize: (request) => request.headers['x-demo-token'] === 'demo', // mutating routes need the header
  }),
)
app.get('/predict/:id', async (req, res) => {
  const id = Number(req.params.id)
  if (!Number.isInteger(id)) {
    res.status(400).json({ error: 'id must be an integer' })
    return
  }
  const score = await cache.getOrLoad(id, (key) => scores.predict(key))
  res.json({ id, score })
})
const server = app.listen(serve ? Number(process.env.PORT ?? 3000) : 0, '127.0.0.1')
await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

console.log(`perfkit demo: ${clients} clients against ${base}/predict/:id, ${phases.map((p) => `${p.name} ${p.seconds}s`).join(' → ')}`)
console.log(`(monitoring time runs ${speed}× real time, so 1-minute windows pass in ${(60 / speed).toFixed(0)} s)\n`)

// ---- the load ---------------------------------------------------------------------------
let sent = 0
let failures = 0
let phaseName = phases[0]?.name ?? ''
async function client(seed: number, until: () => boolean): Promise<void> {
  let x = seed
  while (!until() && sent < maxRequests) {
    sent++
    x = (x * 1103515245 + 12345) % 2 ** 31
    const id = Math.floor(2_000 * (x / 2 ** 31) ** 2) // skewed: a hot head and a long tail
    const started = performance.now()
    try {
      const response = await fetch(`${base}/predict/${id}`)
      await response.arrayBuffer()
      if (!response.ok) failures++
    } catch {
      failures++
    }
    monitor.record('demo_request_duration_seconds', (performance.now() - started) / 1000, { phase: phaseName })
  }
}

// ---- live view --------------------------------------------------------------------------
const tty = process.stdout.isTTY === true
let lastLive = ''
function printLine(line: string): void {
  if (tty && lastLive) process.stdout.write('\r\x1b[2K')
  console.log(line)
  if (tty && lastLive) process.stdout.write(lastLive)
}
const fmt = (seconds: number | undefined) => (seconds === undefined || Number.isNaN(seconds) ? '   -  ' : `${(seconds * 1000).toFixed(1).padStart(5)}ms`)
const total = phases.reduce((sum, p) => sum + p.seconds, 0)
function live(): void {
  const elapsed = (performance.now() - realStart) / 1000
  const width = 24
  const done = Math.min(width, Math.round((elapsed / total) * width))
  const s = monitor.stats('http_server_request_duration_seconds', undefined, { window: '1m' })
  const line =
    `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${phaseName.padEnd(10)} ` +
    `${String(sent).padStart(6)} req  p50 ${fmt(s?.p50)}  p95 ${fmt(s?.p95)}  p99 ${fmt(s?.p99)}  ` +
    `batch ${scores.stats().averageBatchSize.toFixed(1).padStart(4)}  hit ${(cache.stats().hitRate * 100).toFixed(0).padStart(3)} %`
  if (tty) {
    lastLive = line
    process.stdout.write(`\r\x1b[2K${line}`)
  } else {
    console.log(line)
  }
}
const liveTimer = setInterval(live, tty ? 250 : 2_000)

// ---- run the phases ---------------------------------------------------------------------
const phaseStats: Array<{ name: string; requests: number; seconds: number }> = []
for (const phase of phases) {
  phaseName = phase.name
  slowdown = phase.slowdown
  const before = sent
  const started = performance.now()
  const end = started + phase.seconds * 1000
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i + 1 + sent, () => performance.now() >= end)))
  phaseStats.push({ name: phase.name, requests: sent - before, seconds: (performance.now() - started) / 1000 })
}
clearInterval(liveTimer)
live()
if (tty) process.stdout.write('\n')
perfkit.alerts?.evaluate()

// ---- summary ----------------------------------------------------------------------------
const batch = scores.stats()
const cacheStats = cache.stats()
const alerts = perfkit.alerts?.alerts() ?? []
console.log('\nphase            requests    req/s      p50       p95       p99')
for (const p of phaseStats) {
  const s = monitor.stats('demo_request_duration_seconds', { phase: p.name }, { window: 'all' })
  console.log(
    `${p.name.padEnd(15)} ${String(p.requests).padStart(9)} ${(p.requests / p.seconds).toFixed(0).padStart(8)}  ${fmt(s?.p50)}  ${fmt(s?.p95)}  ${fmt(s?.p99)}`,
  )
}
console.log(`\nbatch efficiency   ${batch.batchingEfficiency.toFixed(0)} % (average batch ${batch.averageBatchSize.toFixed(1)} of ${scores.config.maxBatchSize}, ${batch.batches} batches for ${batch.calls} calls)`)
console.log(`cache hit rate     ${(cacheStats.hitRate * 100).toFixed(1)} % (${cacheStats.dedupedLoads} loads de-duplicated, ${cacheStats.evictions.total} evictions)`)
console.log(`regressions        ${events.filter((e) => e.startsWith('▲')).length} detected, ${events.filter((e) => e.startsWith('▼')).length} recovered`)
console.log(`alerts             ${alerts.length} raised, ${alerts.filter((a) => a.state === 'resolved').length} resolved`)
console.log(`failed requests    ${failures}`)

if (serve) {
  console.log(`\nServing on ${base}: dashboard ${base}/api/performance/dashboard, Prometheus ${base}/metrics. Ctrl-C stops.`)
  perfkit.handleSignals()
  // A light trickle keeps the dashboard's charts moving; a signal stops it, the server and perfkit.
  const trickle = setInterval(() => {
    void fetch(`${base}/predict/${Math.floor(Math.random() * 5_000)}`).then((r) => r.arrayBuffer(), () => {})
  }, 50)
  const shutdown = () => {
    clearInterval(trickle)
    server.close()
    server.closeAllConnections()
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
  perfkit.handleSignals() // stops perfkit gracefully; the listeners above end the service
} else {
  await perfkit.stop()
  server.close()
  server.closeAllConnections()
}
