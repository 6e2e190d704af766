// PerformanceMonitor against prom-client, hdr-histogram-js and a raw DDSketch, in one run:
// write cost, quantile accuracy against exact percentiles, and the cost of a Prometheus
// scrape with thousands of series.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { DDSketch } from '@datadog/sketches-js'
import * as hdr from 'hdr-histogram-js'
import { PerformanceMonitor } from 'perfkit'
import client from 'prom-client'
import { compareSync, smoke } from './harness'

/** Lognormal latencies around 50 ms (seconds), from a seeded generator so runs compare. */
function lognormal(n: number, seed = 42): Float64Array {
  let s = seed >>> 0
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297
  }
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = Math.exp(Math.log(0.05) + 0.8 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()))
  return out
}

function writeCost(values: Float64Array): void {
  const mask = values.length - 1
  const v = (i: number): number => values[i & mask] as number
  const registry = new client.Registry()
  const histogram = new client.Histogram({ name: 'h_seconds', help: 'h', registers: [registry] })
  const summary = new client.Summary({ name: 's_seconds', help: 's', registers: [registry] })
  const windowedSummary = new client.Summary({ name: 'ws_seconds', help: 's', maxAgeSeconds: 600, ageBuckets: 5, registers: [registry] })
  const dd = new PerformanceMonitor({ historyIntervalMs: 0 })
  const td = new PerformanceMonitor({ historyIntervalMs: 0, sketch: 'tdigest' })
  // An injected clock (read on every write) that moves 1 ms per write: a slot rotation (flush
  // into the 1 m, 15 m, whole-life and history sketches, compaction of the closed slot) every
  // 10 000 writes, far more often than real traffic would.
  let t = 0
  const rotating = new PerformanceMonitor({ historyIntervalMs: 0, now: () => t })
  const raw = new DDSketch({ relativeAccuracy: 0.01 })
  const hdrHistogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2 })
  // The default sketch first, on its own: an application that uses one sketch type keeps the
  // write path's call sites monomorphic (a process mixing both pays a few ns more per write).
  const results = compareSync('record() of a distribution, no labels, window upkeep included (anchor: prom-client Histogram.observe)', [
    { name: 'PerformanceMonitor.record (DDSketch)', fn: (i) => dd.record('latency_seconds', v(i)) },
    {
      name: 'PerformanceMonitor.record (injected clock, new slot every 10k)',
      fn: (i) => {
        t++
        rotating.record('latency_seconds', v(i))
      },
    },
    { name: 'raw DDSketch.accept', fn: (i) => raw.accept(v(i)) },
    { name: 'hdr-histogram-js recordValue (µs)', fn: (i) => hdrHistogram.recordValue(Math.round(v(i) * 1e6)) },
    { name: 'prom-client Histogram.observe', fn: (i) => histogram.observe(v(i)) },
  ])
  const digest = compareSync('record() with the t-digest option (anchor: prom-client Summary.observe)', [
    { name: 'PerformanceMonitor.record (t-digest)', fn: (i) => td.record('latency_seconds', v(i)) },
    { name: 'prom-client Summary.observe (10 min, 5 age buckets)', fn: (i) => windowedSummary.observe(v(i)) },
    { name: 'prom-client Summary.observe', fn: (i) => summary.observe(v(i)) },
  ])
  const ns = (list: typeof results, name: string): number => (list.find((r) => r.name.startsWith(name)) as { nsPerOp: number }).nsPerOp
  console.log(`  → record (DDSketch) is ${(ns(results, 'prom-client Histogram') / ns(results, 'PerformanceMonitor.record (DDSketch)')).toFixed(1)}x faster than Histogram.observe (target >= 5x)`)
  console.log(`  → record (t-digest) is ${(ns(digest, 'prom-client Summary.observe') / ns(digest, 'PerformanceMonitor.record (t-digest)')).toFixed(1)}x faster than Summary.observe (target > 1x)`)

  const labelled = new PerformanceMonitor({ historyIntervalMs: 0 })
  const labelledHistogram = new client.Histogram({ name: 'hl_seconds', help: 'h', labelNames: ['method', 'route', 'status_class'], registers: [registry] })
  const routes = ['/users/:id', '/orders', '/health', '/search']
  compareSync('record() with 3 labels, a fresh labels object per call', [
    { name: 'PerformanceMonitor.record', fn: (i) => labelled.record('http_seconds', v(i), { method: 'GET', route: routes[i & 3] as string, status_class: '2xx' }) },
    { name: 'prom-client Histogram.observe', fn: (i) => labelledHistogram.observe({ method: 'GET', route: routes[i & 3] as string, status_class: '2xx' }, v(i)) },
  ])
  // The HTTP adapters keep one frozen labels object per method, route and status class; the
  // anchor's way of keeping them is a bound child (Histogram.labels).
  const kept = Object.freeze({ method: 'GET', route: '/users/:id', status_class: '2xx' })
  const child = labelledHistogram.labels('GET', '/users/:id', '2xx')
  compareSync('record() with 3 labels, one kept frozen labels object', [
    { name: 'PerformanceMonitor.record', fn: (i) => labelled.record('http_seconds', v(i), kept) },
    { name: 'prom-client Histogram.labels(…).observe', fn: (i) => child.observe(v(i)) },
  ])
  const counter = new client.Counter({ name: 'c_total', help: 'c', registers: [registry] })
  compareSync('increment() of a counter, no labels', [
    { name: 'PerformanceMonitor.increment', fn: () => dd.increment('requests_total') },
    { name: 'prom-client Counter.inc', fn: () => counter.inc() },
  ])
  for (const m of [dd, td, rotating, labelled]) void m.close()
}

async function accuracy(values: Float64Array): Promise<void> {
  const sorted = Float64Array.from(values).sort()
  const exact = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))] as number
  const dd = new PerformanceMonitor({ historyIntervalMs: 0 })
  const td = new PerformanceMonitor({ historyIntervalMs: 0, sketch: 'tdigest' })
  const summary = new client.Summary({ name: 'acc_seconds', help: 'a', percentiles: [0.5, 0.9, 0.95, 0.99, 0.999], registers: [] })
  const hdrHistogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2 })
  for (const value of values) {
    dd.record('a_seconds', value)
    td.record('a_seconds', value)
    summary.observe(value)
    hdrHistogram.recordValue(Math.round(value * 1e6))
  }
  const estimates = {
    DDSketch: dd.stats('a_seconds', undefined, { window: 'all' }),
    tdigest: td.stats('a_seconds', undefined, { window: 'all' }),
  }
  const summaryValues = new Map<number, number>()
  for (const s of (await summary.get()).values) if (s.labels.quantile !== undefined) summaryValues.set(Number(s.labels.quantile), s.value)
  const quantiles = [['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p99', 0.99], ['p999', 0.999]] as const
  console.log(`\nAccuracy on ${values.length.toLocaleString('en-US')} lognormal samples: relative error against the exact percentile`)
  console.log(`  ${'quantile'.padEnd(8)} ${'exact (s)'.padStart(10)} ${'DDSketch'.padStart(9)} ${'t-digest'.padStart(9)} ${'prom Summary'.padStart(13)} ${'hdr (2 digits)'.padStart(15)}`)
  const pct = (estimate: number | undefined, truth: number): string => (estimate === undefined ? 'n/a' : `${((Math.abs(estimate - truth) / truth) * 100).toFixed(3)} %`)
  for (const [label, q] of quantiles) {
    const truth = exact(q)
    const cells = [pct(estimates.DDSketch?.[label], truth), pct(estimates.tdigest?.[label], truth), pct(summaryValues.get(q), truth), pct(hdrHistogram.getValueAtPercentile(q * 100) / 1e6, truth)]
    console.log(`  ${label.padEnd(8)} ${truth.toFixed(5).padStart(10)} ${cells[0]?.padStart(9)} ${cells[1]?.padStart(9)} ${cells[2]?.padStart(13)} ${cells[3]?.padStart(15)}`)
  }
  await dd.close()
  await td.close()
}

/** The longest the event loop went without running a setImmediate callback while `work` ran, ms. */
async function longestBlock(work: () => Promise<unknown>): Promise<number> {
  let longest = 0
  let last = performance.now()
  let running = true
  const tick = (): void => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  await work()
  running = false
  return Math.max(longest, performance.now() - last)
}

async function exposition(values: Float64Array): Promise<void> {
  console.log('\nprometheus() with many series (median of 5 renders, after 1 warm-up)')
  const sizes = smoke ? [100] : [1000, 5000]
  for (const series of sizes) {
    for (const expose of ['histogram', 'both'] as const) {
      const monitor = new PerformanceMonitor({ historyIntervalMs: 0, expose, maxSeriesPerMetric: series, selfMetrics: false })
      const registry = new client.Registry()
      const histogram = new client.Histogram({ name: 'http_server_request_duration_seconds', help: 'h', labelNames: ['route', 'method'], buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10], registers: [registry] })
      for (let s = 0; s < series; s++) {
        const labels = { route: `/route/${s >> 2}`, method: ['GET', 'POST', 'PUT', 'DELETE'][s & 3] as string }
        for (let j = 0; j < 20; j++) {
          const value = values[(s * 20 + j) % values.length] as number
          monitor.record('http_server_request_duration_seconds', value, labels)
          histogram.observe(labels, value)
        }
      }
      const time = async (render: () => unknown): Promise<{ ms: number; bytes: number }> => {
        let text = String(await render())
        const samples: number[] = []
        for (let r = 0; r < 5; r++) {
          const start = performance.now()
          text = String(await render())
          samples.push(performance.now() - start)
        }
        samples.sort((a, b) => a - b)
        return { ms: samples[2] as number, bytes: text.length }
      }
      const ours = await time(() => monitor.prometheus())
      const sliced = await longestBlock(() => monitor.prometheusAsync())
      const theirs = expose === 'histogram' ? await time(() => registry.metrics()) : undefined
      const line = `  ${String(series).padStart(5)} series, ${expose.padEnd(9)}: prometheus() ${ours.ms.toFixed(1).padStart(6)} ms (${(ours.bytes / 1024).toFixed(0)} KiB), prometheusAsync() longest block ${sliced.toFixed(1)} ms`
      console.log(theirs === undefined ? line : `${line};  prom-client registry.metrics() ${theirs.ms.toFixed(1)} ms`)
      await monitor.close()
    }
  }
}

/** Heap held by `series` series after `slots` 10 s slots of 10 values each (snapshots every 30 s). */
function heapPerSeries(kind: 'distribution' | 'distribution (t-digest)' | 'counter', series: number, slots: number, values: Float64Array, gc: () => void): number {
  gc()
  const before = process.memoryUsage().heapUsed
  let t = 0
  const monitor = new PerformanceMonitor({ historyIntervalMs: 0, now: () => t, maxSeriesPerMetric: series, ...(kind === 'distribution (t-digest)' ? { sketch: 'tdigest' as const } : {}) })
  const labels = Array.from({ length: series }, (_, s) => ({ route: `/route/${s}` }))
  for (let slot = 0; slot < slots; slot++) {
    for (let s = 0; s < series; s++) {
      for (let j = 0; j < 10; j++) {
        if (kind === 'counter') monitor.increment('c_total', 1, labels[s])
        else monitor.record('m_seconds', values[(s * 10 + j + slot * 7) % values.length] as number, labels[s])
      }
    }
    t += 10_000
    if (slot % 3 === 2) monitor.snapshot()
  }
  gc()
  const bytes = (process.memoryUsage().heapUsed - before) / series
  void monitor.close()
  return bytes
}

/** Heap held per series once its windows have filled. */
function memory(values: Float64Array): void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const series = smoke ? 100 : 2000
  console.log(`\nMemory per active series (${series} series, 10 values per 10 s slot, a snapshot every 30 s)`)
  for (const kind of ['distribution', 'distribution (t-digest)', 'counter'] as const) {
    const minute = heapPerSeries(kind, series, 6, values, gc)
    const full = heapPerSeries(kind, series, smoke ? 12 : 96, values, gc)
    console.log(`  ${kind.padEnd(24)} after 1 min ${(minute / 1024).toFixed(1).padStart(5)} KiB   after 16 min (every window full) ${(full / 1024).toFixed(1).padStart(5)} KiB`)
  }
}

export default async function monitorBench(): Promise<void> {
  const values = lognormal(smoke ? 1 << 12 : 1 << 20)
  writeCost(values.subarray(0, 4096))
  await accuracy(smoke ? values : lognormal(1_000_000, 7))
  await exposition(values)
  memory(values)
}
