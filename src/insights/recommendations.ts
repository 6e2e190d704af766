// Recommendations: concrete steps per kind of bottleneck, ranked by impact over effort.
import type { Bottleneck, BottleneckKind, InsightSeverity } from '../bus/events/insights'
import { clamp } from './math'
import { severityRank } from './thresholds'

/**
 * One thing to do, with how much it should help and how much it costs.
 * @example
 * ```ts
 * const [best] = insights.recommendations()
 * if (best !== undefined) console.log(`${best.title} (impact ${best.impact}, effort ${best.effort}):`, best.steps)
 * ```
 */
export interface InsightRecommendation {
  /** `<action>:<bottleneck id>`, e.g. `cache.ttl:cache:users`. */
  id: string
  title: string
  kind: BottleneckKind
  /** The bottleneck it addresses. */
  bottleneck: string
  severity: InsightSeverity
  /** Expected benefit, 1 (small) … 5 (large), raised for severe findings. */
  impact: number
  /** Work it takes, 1 (a setting) … 5 (a project). */
  effort: number
  /** `impact / effort`: the ranking key. */
  score: number
  /** Why: the finding it comes from. */
  rationale: string
  steps: string[]
  /** Metrics to watch to confirm it worked. */
  metrics: readonly string[]
}

interface Template {
  action: string
  title: string
  impact: number
  effort: number
  /** Only for findings this returns true for. */
  when?: (b: Bottleneck) => boolean
  steps: (b: Bottleneck, name: string) => string[]
}

const hasReason = (reasons: string[]) => (b: Bottleneck) => topEviction(b) !== undefined && reasons.includes(topEviction(b) as string)
const isLeak = (b: Bottleneck) => b.evidence.some((e) => e.stat === 'slope' || e.stat === 'leak-suspected')
/** Memory titles: "Memory pressure", "Suspected heap leak", "Memory pressure with a growing heap". */
const hasPressure = (b: Bottleneck) => /pressure/i.test(b.title)

const CATALOG: Readonly<Record<BottleneckKind, readonly Template[]>> = {
  cpu: [
    { action: 'cpu.profile', title: 'Profile the CPU hot path', impact: 4, effort: 2, steps: () => [
      'Capture a CPU profile under representative load: start with `node --cpu-prof` (or attach DevTools with `--inspect`).',
      'Open the .cpuprofile in Chrome DevTools (Performance) and sort by self time.',
      'Fix the top frames: repeated JSON.parse/stringify of large payloads, regexes built per call, work that could be memoized.',
      'Re-measure process_cpu_usage_percent and p95 latency under the same load.',
    ] },
    { action: 'cpu.offload', title: 'Move CPU-heavy work off the main thread', impact: 4, effort: 3, steps: () => [
      'Identify CPU-heavy operations (hashing, compression, image or model work, big transforms).',
      'Run them in a worker_threads pool sized to the cores left after the main thread.',
      'Keep the main thread for I/O and request handling; pass data with transferable buffers.',
    ] },
    { action: 'cpu.scale', title: 'Scale out across cores or instances', impact: 3, effort: 2, steps: () => [
      'Run one process per core (node:cluster, or more container replicas behind the load balancer).',
      'Set the autoscaling target near the CPU warning level so new capacity arrives before saturation.',
    ] },
  ],
  memory: [
    { action: 'memory.find-leak', title: 'Find what retains memory', impact: 5, effort: 3, when: isLeak, steps: () => [
      'Take a heap snapshot (v8.writeHeapSnapshot() or `node --heapsnapshot-signal=SIGUSR2`), let the heap grow, take a second one.',
      'Compare them in Chrome DevTools (Comparison view) and follow the retainers of the constructors that grew most.',
      'Usual causes: Maps or arrays used as unbounded caches, listeners added per request and never removed, closures held by timers.',
      'Confirm the fix: nodejs_heap_used_bytes should stay flat across garbage collections for an hour.',
    ] },
    { action: 'memory.bound-caches', title: 'Bound in-process caches and buffers', impact: 4, effort: 1, when: hasPressure, steps: () => [
      'Give every in-process cache a size limit (MemoryCache `max`, or `maxSize` with `sizeCalculation`) and a TTL.',
      'Stream large payloads instead of buffering them whole; release references to big buffers as soon as they are used.',
      'Watch cache_entries and nodejs_heap_used_bytes while the limits take effect.',
    ] },
    { action: 'memory.limit', title: 'Right-size the heap limit', impact: 2, effort: 1, when: (b) => !isLeak(b), steps: () => [
      'Set --max-old-space-size to about 75 % of the container memory, leaving room for buffers and native memory.',
      'Raise it only once memory use is explained: a bigger heap only delays a leak.',
    ] },
  ],
  'event-loop': [
    { action: 'event-loop.find-blocker', title: 'Find and split the blocking work', impact: 5, effort: 2, steps: () => [
      'Profile during a stall (`node --cpu-prof`) or log synchronous I/O with `--trace-sync-io`.',
      'Look for long synchronous frames: JSON of big payloads, sync fs/crypto/zlib calls, backtracking regexes, large sorts.',
      'Use the async APIs (fs.promises, async crypto/zlib) and split long loops into chunks that yield with setImmediate.',
      'Confirm: nodejs_eventloop_delay_p99_seconds falls below the warning level.',
    ] },
    { action: 'event-loop.offload', title: 'Offload long computations to worker threads', impact: 4, effort: 3, steps: () => [
      'Move computations longer than a few milliseconds to a worker_threads pool.',
      'Cap the size of inputs handled inline (pagination, streaming parsers) so one request cannot stall the loop.',
    ] },
  ],
  io: [
    { action: 'io.trace-downstream', title: 'Find the downstream call requests wait on', impact: 4, effort: 2, steps: () => [
      'Time each downstream dependency separately (monitor.time("downstream_call_seconds", fn) with a `dependency` label).',
      'Compare their p95 with the response time; the correlations of the report point at the one that tracks it.',
      'Put timeouts and a circuit breaker on it, so one slow dependency cannot hold every request.',
    ] },
    { action: 'io.cache', title: 'Cache slow, rarely-changing reads', impact: 4, effort: 2, steps: () => [
      'Wrap the slow reads in MemoryCache.getOrLoad with a TTL matching how stale the data may be.',
      'Concurrent misses for one key then share a single downstream call.',
    ] },
    { action: 'io.pool-and-batch', title: 'Reuse connections and batch calls', impact: 3, effort: 2, steps: () => [
      'Use keep-alive agents and connection pools sized to the request concurrency.',
      'Batch or de-duplicate repeated downstream calls (PredictionBatcher, BatchProcessor).',
    ] },
  ],
  database: [
    { action: 'database.index', title: 'Index the slowest queries', impact: 5, effort: 2, steps: (b) => [
      `List the slowest queries${b.evidence.some((e) => e.labels !== undefined) ? ' (the slowest series in the evidence)' : ''}, or read them from the database's slow-query log.`,
      'Run EXPLAIN ANALYZE on each; look for sequential scans over large tables and sorts without an index.',
      'Add the matching indexes, then check db_query_duration_seconds p95 after each change.',
    ] },
    { action: 'database.cache-reads', title: 'Cache and batch repeated reads', impact: 4, effort: 2, steps: () => [
      'Cache hot read queries with a TTL (MemoryCache.getOrLoad), which also de-duplicates identical concurrent queries.',
      'Replace N+1 lookups with one batched query (BatchProcessor, or a DataLoader-style batch).',
    ] },
    // Pool waits slow every query alike; when a few query series stand out, look at them instead.
    { action: 'database.pool', title: 'Check the connection pool', impact: 3, effort: 1, when: (b) => !b.evidence.some((e) => e.labels !== undefined), steps: () => [
      'Queries waiting for a free connection look slow: compare pool waits with query time.',
      "Size the pool to the database's capacity, and time out slow queries on the server (statement_timeout).",
    ] },
  ],
  queue: [
    { action: 'queue.throughput', title: 'Raise the consumer throughput', impact: 4, effort: 2, steps: (_b, name) => [
      `Check the batch latency of ${name} (prediction_batch_latency_seconds or batch_flush_duration_seconds): a slow flush is the real limit.`,
      'Raise maxBatchSize or the concurrency of the consumer if the downstream can take it.',
      'Confirm: the queue size stops growing and the queue wait p95 falls.',
    ] },
    { action: 'queue.bound', title: 'Bound the queue and shed overload early', impact: 3, effort: 1, steps: (_b, name) => [
      `Set maxQueueSize on ${name} with overflow 'reject', so overload fails fast instead of waiting.`,
      'Expose the queue size to the load balancer or autoscaler.',
    ] },
  ],
  cache: [
    { action: 'cache.size', title: 'Make the cache big enough for its working set', impact: 4, effort: 1, when: hasReason(['capacity', 'size']), steps: (_b, name) => [
      `Raise \`max\` (or \`maxSize\`) of ${name}: capacity evictions show the working set does not fit.`,
      'Raise it in steps while watching nodejs_heap_used_bytes; stop when capacity evictions fall.',
    ] },
    { action: 'cache.ttl', title: 'Raise the TTL of stable entries', impact: 4, effort: 1, when: hasReason(['expired']), steps: (_b, name) => [
      `Raise \`ttl\` of ${name} for entries that change rarely: most evictions are expiries.`,
      'Invalidate on write instead of relying on short TTLs, and refresh hot keys before they expire.',
    ] },
    { action: 'cache.warm', title: 'Warm the cache and check the keys', impact: 3, effort: 2, steps: (_b, name) => [
      `Preload the hot keys of ${name} at start-up and after deploys (MemoryCache.preload).`,
      'Make sure keys are stable: no timestamps, request ids or unordered JSON in them.',
      'Confirm: cache_hit_ratio climbs back above the warning level.',
    ] },
  ],
}

const IMPACT_BONUS: Readonly<Record<InsightSeverity, number>> = { low: -1, medium: 0, high: 0.5, critical: 1 }

/** Turns findings into recommendations, best impact/effort first. */
export function recommend(bottlenecks: readonly Bottleneck[]): InsightRecommendation[] {
  const out: Array<InsightRecommendation & { confidence: number }> = []
  for (const b of bottlenecks) {
    const name = b.labels === undefined ? 'the component' : `\`${Object.values(b.labels).join(',')}\``
    for (const t of CATALOG[b.kind]) {
      if (t.when !== undefined && !t.when(b)) continue
      const impact = clamp(t.impact + IMPACT_BONUS[b.severity], 1, 5)
      out.push({
        id: `${t.action}:${b.id}`,
        title: b.labels === undefined ? t.title : `${t.title} (${Object.values(b.labels).join(',')})`,
        kind: b.kind,
        bottleneck: b.id,
        severity: b.severity,
        impact,
        effort: t.effort,
        score: Math.round((impact / t.effort) * 100) / 100,
        rationale: `${b.title}: ${b.description}`,
        steps: t.steps(b, name),
        metrics: b.metrics,
        confidence: b.confidence,
      })
    }
  }
  out.sort((x, y) => y.score - x.score || severityRank[y.severity] - severityRank[x.severity] || y.confidence - x.confidence)
  return out.map(({ confidence: _confidence, ...rec }) => rec)
}

function topEviction(b: Bottleneck): string | undefined {
  let best: { reason: string; value: number } | undefined
  for (const e of b.evidence) {
    const reason = e.labels?.['reason']
    if (e.stat === 'rate' && reason !== undefined && (best === undefined || e.value > best.value)) best = { reason, value: e.value }
  }
  return best?.reason
}
