// Analysers of the work the process waits on: the database, I/O in general, queues, caches.
import type { Evidence, InsightSeverity } from '../../bus/events/insights'
import type { Labels } from '../../bus/events/monitor'
import { fitLine, fmt, fmtDuration, fmtSeconds, fractionAbove } from '../math'
import { bump, grade, worse } from '../thresholds'
import { type AnalysisContext, type BottleneckDraft, M, draft, ev, labelSuffix, recent, windowSeconds } from './context'

/** Fewer lookups than this in the window say nothing about a cache's hit ratio. */
const MIN_CACHE_LOOKUPS = 50

/** Sources whose name says they watch the database: `database`, `db`, `database-…`, `db_…`. */
const DATABASE_SOURCE = /^(database|db)([-_.:].*)?$/i

/**
 * Database: slow queries, from a query-duration distribution, a slow-query counter, or the
 * slow-query gauge of a `database` source; a failing or hanging `database` source adds evidence.
 */
export function analyzeDatabase(ctx: AnalysisContext): BottleneckDraft | undefined {
  const { dbQuery, dbSlowQueries, dbSlowQueriesGauge } = ctx.names
  const t = ctx.thresholds
  const stats = ctx.read.stats(dbQuery, undefined, ctx.window)
  const seconds = windowSeconds(ctx.window, ctx.windowMs)
  const counted = ctx.read.increase(dbSlowQueries, undefined, ctx.window, seconds)
  const gauge = ctx.read.value(dbSlowQueriesGauge)
  const sources = ctx.read.sources().filter((s) => DATABASE_SOURCE.test(s.name) && (s.consecutiveFailures > 0 || s.status === 'unhealthy'))
  if (stats === undefined && counted === undefined && gauge === undefined && sources.length === 0) return undefined
  const estimated = stats === undefined ? 0 : stats.count * fractionAbove(stats, t.slowQuerySeconds)
  const slow = Math.max(counted ?? estimated, gauge ?? 0)
  let severity: InsightSeverity | undefined = stats === undefined ? undefined : grade(stats.p95, t.dbQuerySeconds)
  if (slow > t.slowQueryCount) severity = worse(slow > 10 * t.slowQueryCount ? 'high' : 'medium', severity)
  if (sources.length > 0) severity = worse('medium', severity)
  if (severity === undefined) return undefined
  const evidence: Evidence[] = []
  if (stats !== undefined) {
    evidence.push(ev(dbQuery, 'p95', stats.p95, 'seconds', { threshold: t.dbQuerySeconds.warning }))
    evidence.push(ev(dbQuery, 'p99', stats.p99, 'seconds'))
    evidence.push(ev(dbQuery, 'count', stats.count, 'count', { note: `queries in the last ${fmtDuration(seconds * 1000)}` }))
  }
  const source = counted !== undefined && counted >= (gauge ?? 0) ? 'counter' : gauge !== undefined && gauge >= estimated ? 'gauge' : 'estimate'
  if (stats !== undefined || counted !== undefined || gauge !== undefined) {
    const metric = source === 'counter' ? dbSlowQueries : source === 'gauge' ? dbSlowQueriesGauge : dbQuery
    const note =
      source === 'counter'
        ? `counted in the last ${fmtDuration(seconds * 1000)}`
        : source === 'gauge'
          ? 'reported by the database source'
          : `estimated from the quantiles: queries over ${fmtSeconds(t.slowQuerySeconds)} in the last ${fmtDuration(seconds * 1000)}`
    evidence.push(ev(metric, 'slow-queries', Math.round(slow), 'count', { threshold: t.slowQueryCount, note }))
  }
  for (const s of sources) {
    evidence.push(ev(`source:${s.name}`, 'consecutive-failures', s.consecutiveFailures, 'count', { note: `the ${s.name} source is ${s.status}${s.timeouts > 0 ? ` (${s.timeouts} timeouts)` : ''}: the database may be slow to answer` }))
  }
  const slowest = slowestSeries(ctx, dbQuery)
  for (const s of slowest) evidence.push(ev(dbQuery, 'p95', s.p95, 'seconds', { labels: s.labels, note: 'one of the slowest query series' }))
  const where = slowest.length > 0 ? ` Slowest: ${slowest.map((s) => `${labelSuffix(s.labels)} (p95 ${fmtSeconds(s.p95)})`).join(', ')}.` : ''
  const parts: string[] = []
  if (stats !== undefined) parts.push(`p95 query time is ${fmtSeconds(stats.p95)}`)
  if (slow > 0) parts.push(`${Math.round(slow)} queries took longer than ${fmtSeconds(t.slowQuerySeconds)} in the last ${fmtDuration(seconds * 1000)}`)
  if (sources.length > 0) parts.push(`the ${sources.map((s) => s.name).join(', ')} source is failing`)
  return draft({
    id: 'database',
    kind: 'database',
    severity,
    confidence: stats !== undefined && stats.count >= 100 ? 0.9 : source !== 'estimate' ? 0.85 : 0.65,
    title: 'Slow database queries',
    description: `${capitalize(parts.join('; '))}.${where}`,
    recommendation: 'EXPLAIN the slowest queries and add the missing indexes; cache or batch repeated reads.',
    evidence,
  })
}

function slowestSeries(ctx: AnalysisContext, metric: string): Array<{ labels: Labels; p95: number }> {
  const info = ctx.read.metrics().find((m) => m.name === metric)
  if (info === undefined || !Array.isArray(info.series) || info.series.length < 2) return []
  const out: Array<{ labels: Labels; p95: number }> = []
  for (const labels of info.series.slice(0, 200)) {
    if (Object.keys(labels).length === 0) continue
    const s = ctx.read.stats(metric, labels, ctx.window)
    if (s !== undefined && s.p95 >= ctx.thresholds.slowQuerySeconds) out.push({ labels, p95: s.p95 })
  }
  return out.sort((a, b) => b.p95 - a.p95).slice(0, 3)
}

/** I/O-bound: responses are slow while CPU and the event loop are idle, so time goes to waiting. */
export function analyzeIo(ctx: AnalysisContext): BottleneckDraft | undefined {
  const t = ctx.thresholds
  const latency = ctx.read.stats(ctx.names.responseTime, undefined, ctx.window)
  if (latency === undefined) return undefined
  const severity = grade(latency.p95, t.responseTimeSeconds)
  if (severity === undefined) return undefined
  const cpu = Math.max(ctx.read.value(M.processCpu) ?? 0, ctx.read.value(M.systemCpu) ?? 0)
  const elu = ctx.read.value(M.loopUtilization)
  const loop = ctx.read.value(M.loopP99)
  // Busy CPU or loop explains slow responses by itself: that is a CPU or event-loop finding.
  if (cpu >= t.cpuPercent.warning || (elu !== undefined && elu >= 0.7) || (loop !== undefined && loop >= t.eventLoopDelaySeconds.warning)) return undefined
  const evidence: Evidence[] = [
    ev(ctx.names.responseTime, 'p95', latency.p95, 'seconds', { threshold: t.responseTimeSeconds.warning }),
    ev(ctx.names.responseTime, 'mean', latency.mean, 'seconds'),
    ev(M.processCpu, 'value', cpu, 'percent', { note: 'CPU is not the limit' }),
  ]
  if (elu !== undefined) evidence.push(ev(M.loopUtilization, 'value', elu, 'ratio', { note: 'the event loop is mostly idle' }))
  const loads = ctx.read.stats(M.cacheLoadDuration, undefined, ctx.window)
  if (loads !== undefined) evidence.push(ev(M.cacheLoadDuration, 'p95', loads.p95, 'seconds', { note: 'time to load a cache miss from its source' }))
  return draft({
    id: 'io',
    kind: 'io',
    severity,
    confidence: latency.count >= 100 ? 0.7 : 0.55,
    title: 'I/O-bound: requests wait on downstream calls',
    description: `p95 response time is ${fmtSeconds(latency.p95)} while CPU is at ${fmt(cpu)} %${elu === undefined ? '' : ` and the event loop is busy ${fmt(elu * 100)} % of the time`}: requests spend their time waiting on network, disk or downstream services.`,
    recommendation: 'Trace the slow requests to the downstream call they wait on; add timeouts, connection pooling, caching or batching there.',
    evidence,
  })
}

/** Queue backlog: per batcher and per batch processor (queue size and its growth, queue wait, drops). */
export function analyzeQueues(ctx: AnalysisContext): BottleneckDraft[] {
  const out: BottleneckDraft[] = []
  const kinds = [
    { label: 'batcher', size: M.predictionQueueSize, wait: M.predictionQueueWait, dropped: M.predictionDropped },
    { label: 'processor', size: M.batchQueueDepth, wait: M.batchQueueWait, dropped: M.batchDropped },
  ]
  for (const k of kinds) {
    const seen = new Set<string>()
    const instances = [...ctx.read.instances(k.size, k.label), ...ctx.read.instances(k.wait, k.label), ...ctx.read.instances(k.dropped, k.label)]
    for (const labels of instances.length > 0 ? instances : [undefined]) {
      const key = labelSuffix(labels)
      if (seen.has(key)) continue
      seen.add(key)
      const found = queueFinding(ctx, labels, k.size, k.wait, k.dropped)
      if (found !== undefined) out.push(found)
    }
  }
  return out
}

function queueFinding(ctx: AnalysisContext, labels: Labels | undefined, sizeMetric: string, waitMetric: string, dropMetric: string): BottleneckDraft | undefined {
  const t = ctx.thresholds
  const evidence: Evidence[] = []
  const parts: string[] = []
  let severity: InsightSeverity | undefined
  const size = ctx.read.value(sizeMetric, labels)
  if (size !== undefined) {
    const level = grade(size, t.queueSize)
    evidence.push(ev(sizeMetric, 'value', size, 'count', { threshold: t.queueSize.warning, labels }))
    if (level !== undefined) {
      severity = worse(level, severity)
      parts.push(`${fmt(size)} items are queued`)
    }
    const fit = fitLine(recent(ctx, sizeMetric, labels))
    if (fit !== undefined && fit.slope > 0 && fit.r2 >= 0.6 && fit.end >= 10 && fit.end >= 1.5 * Math.max(fit.start, 1)) {
      severity = worse('medium', severity)
      evidence.push(ev(sizeMetric, 'slope', fit.slope, 'per-second', { labels, note: `grew from ${fmt(Math.max(fit.start, 0))} to ${fmt(fit.end)} over ${fmtDuration(fit.spanMs)}` }))
      parts.push(`the queue grows by ${fmt(fit.slope * 60)} items/min: work arrives faster than it is served`)
    }
  }
  const wait = ctx.read.stats(waitMetric, labels, ctx.window)
  if (wait !== undefined) {
    const level = grade(wait.p95, t.queueWaitSeconds)
    evidence.push(ev(waitMetric, 'p95', wait.p95, 'seconds', { threshold: t.queueWaitSeconds.warning, labels }))
    if (level !== undefined) {
      severity = worse(level, severity)
      parts.push(`items wait ${fmtSeconds(wait.p95)} (p95) before being processed`)
    }
  }
  const drops = ctx.read.rate(dropMetric, labels, ctx.window)
  if (drops !== undefined && drops > 0) {
    severity = worse('high', severity)
    evidence.push(ev(dropMetric, 'rate', drops, 'per-second', { labels, note: 'items dropped because the queue was full, aborted or closed' }))
    parts.push(`${fmt(drops * 60)} items/min are dropped`)
  }
  if (severity === undefined) return undefined
  const name = labelSuffix(labels)
  return draft({
    id: name === '' ? 'queue' : `queue:${name}`,
    kind: 'queue',
    severity,
    confidence: evidence.length >= 2 ? 0.85 : 0.7,
    title: name === '' ? 'Queue backlog' : `Queue backlog in ${name}`,
    description: `${capitalize(parts.join('; '))}.`,
    recommendation: 'Raise the consumer concurrency or batch size, and bound the queue (maxQueueSize) so overload is shed at the door, not after a long wait.',
    evidence,
    labels,
  })
}

/** Cache misses: a low or falling hit ratio per cache, with eviction reasons that say why. */
export function analyzeCaches(ctx: AnalysisContext): BottleneckDraft[] {
  const caches = [...ctx.read.instances(M.cacheHits, 'cache'), ...ctx.read.instances(M.cacheHitRatio, 'cache')]
  const seen = new Set<string>()
  const out: BottleneckDraft[] = []
  for (const labels of caches.length > 0 ? caches : [undefined]) {
    const key = labelSuffix(labels)
    if (seen.has(key)) continue
    seen.add(key)
    const found = cacheFinding(ctx, labels)
    if (found !== undefined) out.push(found)
  }
  return out
}

function cacheFinding(ctx: AnalysisContext, labels: Labels | undefined): BottleneckDraft | undefined {
  const levels = ctx.thresholds.cacheHitRatio
  const seconds = windowSeconds(ctx.window, ctx.windowMs)
  const hits = ctx.read.increase(M.cacheHits, labels, ctx.window, seconds)
  const misses = ctx.read.increase(M.cacheMisses, labels, ctx.window, seconds)
  let ratio: number | undefined
  let lookups: number | undefined
  if (hits !== undefined && misses !== undefined && hits + misses > 0) {
    ratio = hits / (hits + misses)
    lookups = hits + misses
  } else {
    ratio = ctx.read.value(M.cacheHitRatio, labels)
    const total = (ctx.read.value(M.cacheHits, labels) ?? 0) + (ctx.read.value(M.cacheMisses, labels) ?? 0)
    lookups = total > 0 ? total : undefined
  }
  if (ratio === undefined || (lookups !== undefined && lookups < MIN_CACHE_LOOKUPS)) return undefined
  let severity = grade(ratio, levels, 'lower-is-worse')
  const evidence: Evidence[] = [ev(M.cacheHitRatio, 'value', ratio, 'ratio', { threshold: levels.warning, labels })]
  if (lookups !== undefined) evidence.push(ev(M.cacheMisses, 'lookups', Math.round(lookups), 'count', { labels, note: `lookups in the last ${fmtDuration(seconds * 1000)}` }))
  const trend = recent(ctx, M.cacheHitRatio, labels)
  let falling: { from: number; to: number } | undefined
  if (trend.length >= 6) {
    const third = Math.max(2, Math.floor(trend.length / 3))
    const from = avg(trend.slice(0, third).map((p) => p.value))
    const to = avg(trend.slice(-third).map((p) => p.value))
    if (from - to >= 0.15) {
      falling = { from, to }
      evidence.push(ev(M.cacheHitRatio, 'change', to - from, 'ratio', { labels, note: `fell from ${fmt(from)} to ${fmt(to)} over ${fmtDuration(ctx.windowMs)}` }))
      severity = severity === undefined ? 'low' : bump(severity)
    }
  }
  if (severity === undefined) return undefined
  const reasons = evictionReasons(ctx, labels)
  for (const [reason, rate] of reasons) evidence.push(ev(M.cacheEvictions, 'rate', rate, 'per-second', { labels: { ...labels, reason }, note: `evictions for reason '${reason}'` }))
  const name = labelSuffix(labels)
  const top = reasons[0]?.[0]
  const why =
    top === 'capacity' || top === 'size'
      ? ' Most evictions are for capacity: the working set does not fit.'
      : top === 'expired'
        ? ' Most evictions are expiries: entries die before they are reused.'
        : ''
  return draft({
    id: name === '' ? 'cache' : `cache:${name}`,
    kind: 'cache',
    severity,
    confidence: lookups !== undefined && lookups >= 1000 ? 0.9 : 0.75,
    title: falling !== undefined ? `Falling cache hit rate${name === '' ? '' : ` in ${name}`}` : `Low cache hit rate${name === '' ? '' : ` in ${name}`}`,
    description: `Hit ratio is ${fmt(ratio * 100)} %${falling === undefined ? '' : ` (down from ${fmt(falling.from * 100)} %)`}, so most reads fall through to the slower source.${why}`,
    recommendation:
      top === 'capacity' || top === 'size'
        ? 'Raise the cache size (max / maxSize) to fit the working set, or cache fewer, hotter keys.'
        : top === 'expired'
          ? 'Raise the TTL of entries that change rarely, and warm the hot keys ahead of expiry.'
          : 'Warm the cache with the hot keys (preload) and check the keys are stable (no per-request parts).',
    evidence,
    labels,
  })
}

function evictionReasons(ctx: AnalysisContext, labels: Labels | undefined): Array<[string, number]> {
  const out: Array<[string, number]> = []
  for (const reason of ['capacity', 'size', 'expired', 'manual']) {
    const rate = ctx.read.rate(M.cacheEvictions, { ...labels, reason }, ctx.window)
    if (rate !== undefined && rate > 0) out.push([reason, rate])
  }
  return out.sort((a, b) => b[1] - a[1])
}

function avg(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
