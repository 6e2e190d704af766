// The one-object summary behind `GET summary`, `GET overview` and the dashboard: HTTP
// latency and throughput, predictions, caches, batchers, process metrics and alert counts,
// each read defensively (a primitive that is absent or fails gives nulls, not a 500).
import type { ApiContext } from './context'
import { safely } from './context'
import type { DistributionStats, StatsWindow } from './ports'

/** HTTP metrics recorded by the Express and Fastify adapters. */
export interface HttpSummary {
  /** Request duration in seconds over the window. */
  latency: DistributionStats | null
  requestsPerSec: number | null
  errorsPerSec: number | null
  /** errors / requests over the window, 0..1. */
  errorRate: number | null
  activeRequests: number | null
  requestsTotal: number | null
  abortedTotal: number | null
}

/** A cache's figures in a summary. */
export interface CacheSummary {
  name: string
  hitRate: number
  hits: number | null
  misses: number | null
  entries: number
  evictions: number | null
}

/** What `GET summary` answers. */
export interface PerformanceSummary {
  /** Wall-clock ms (`Date.now()`). */
  timestamp: number
  /** The monitor's clock, ms: history points are on this clock. */
  monitorTime: number
  window: StatsWindow
  http: HttpSummary
  predictions: { latency: DistributionStats | null; callsPerSec: number | null; errorsPerSec: number | null; queueSize: number | null }
  /** `hitRate` is over the window (from the hit and miss counters) or, without them, since start. */
  cache: { hitRate: number | null; caches: CacheSummary[] }
  batch: { batchSize: DistributionStats | null; batchers: Array<{ name: string; stats: object | null }> }
  system: Record<string, number | null>
  alerts: { configured: boolean; firing: number; pending: number; noData: number; critical: number; warning: number; unacknowledged: number }
}

/** Process gauges of the monitor's sampler, by the key they get in the summary. */
const SYSTEM_GAUGES: Readonly<Record<string, string>> = {
  processCpuPercent: 'process_cpu_usage_percent',
  systemCpuPercent: 'system_cpu_usage_percent',
  systemMemoryPercent: 'system_memory_usage_percent',
  rssBytes: 'process_resident_memory_bytes',
  heapUsedBytes: 'nodejs_heap_used_bytes',
  heapTotalBytes: 'nodejs_heap_total_bytes',
  loadAverage1m: 'system_load_average_1m',
  eventLoopDelayP99Seconds: 'nodejs_eventloop_delay_p99_seconds',
  eventLoopUtilization: 'nodejs_eventloop_utilization_ratio',
  activeHandles: 'nodejs_active_handles',
}

const ACTIVE_STATES = ['pending', 'firing', 'no-data']

/** Builds the summary over `window`. */
export function summarize(context: ApiContext, window: StatsWindow): PerformanceSummary {
  const { monitor } = context
  const options = { window }
  const stats = (name: string) => orNull(safely(context, () => monitor.stats(name, undefined, options)))
  const rate = (name: string) => finiteOrNull(safely(context, () => monitor.rate(name, undefined, options)))
  const value = (name: string) => finiteOrNull(safely(context, () => monitor.value(name)))

  const requestsPerSec = rate('http_server_requests_total')
  const errorsPerSec = rate('http_server_errors_total')
  const http: HttpSummary = {
    latency: stats('http_server_request_duration_seconds'),
    requestsPerSec,
    errorsPerSec,
    errorRate: requestsPerSec !== null && requestsPerSec > 0 ? (errorsPerSec ?? 0) / requestsPerSec : requestsPerSec === null ? null : 0,
    activeRequests: value('http_server_active_requests'),
    requestsTotal: value('http_server_requests_total'),
    abortedTotal: value('http_server_aborted_total'),
  }

  const system: Record<string, number | null> = {}
  for (const [key, name] of Object.entries(SYSTEM_GAUGES)) system[key] = value(name)

  return {
    timestamp: Date.now(),
    monitorTime: monitor.now(),
    window,
    http,
    predictions: {
      latency: stats('prediction_latency_seconds'),
      callsPerSec: rate('prediction_calls_total'),
      errorsPerSec: rate('prediction_errors_total'),
      queueSize: value('prediction_queue_size'),
    },
    cache: cacheSummary(context, rate('cache_hits_total'), rate('cache_misses_total')),
    batch: {
      batchSize: stats('prediction_batch_size') ?? stats('batch_flush_size'),
      batchers: context.batchers.map((batcher) => ({ name: batcher.name, stats: safely(context, () => batcher.stats()) ?? null })),
    },
    system,
    alerts: alertCounts(context),
  }
}

function cacheSummary(context: ApiContext, hitsPerSec: number | null, missesPerSec: number | null): PerformanceSummary['cache'] {
  const caches: CacheSummary[] = []
  let hits = 0
  let reads = 0
  for (const { cache } of context.caches) {
    const s = safely(context, () => cache.stats())
    if (s === undefined) continue
    const cacheHits = typeof s.hits === 'number' ? s.hits : null
    const cacheMisses = typeof s.misses === 'number' ? s.misses : null
    const evictions = s.evictions
    caches.push({
      name: cache.name,
      hitRate: s.hitRate,
      hits: cacheHits,
      misses: cacheMisses,
      entries: s.entries,
      evictions: typeof evictions?.total === 'number' ? evictions.total : null,
    })
    hits += cacheHits ?? 0
    reads += (cacheHits ?? 0) + (cacheMisses ?? 0)
  }
  let hitRate: number | null = null
  const windowReads = (hitsPerSec ?? 0) + (missesPerSec ?? 0)
  if (windowReads > 0) hitRate = (hitsPerSec ?? 0) / windowReads
  else if (reads > 0) hitRate = hits / reads
  return { hitRate, caches }
}

function alertCounts(context: ApiContext): PerformanceSummary['alerts'] {
  const counts = { configured: context.alerts !== undefined, firing: 0, pending: 0, noData: 0, critical: 0, warning: 0, unacknowledged: 0 }
  const alerts = context.alerts
  if (alerts === undefined) return counts
  const active = safely(context, () => alerts.alerts({ state: ACTIVE_STATES })) ?? []
  for (const alert of active) {
    if (alert.state === 'firing') counts.firing++
    else if (alert.state === 'pending') counts.pending++
    else if (alert.state === 'no-data') counts.noData++
    if (alert.state === 'pending') continue
    if (alert.severity === 'critical') counts.critical++
    else counts.warning++
    if (alert.acknowledged === undefined || alert.acknowledged === null) counts.unacknowledged++
  }
  return counts
}

function orNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : value
}

function finiteOrNull(value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}
