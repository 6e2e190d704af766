// monitor.observe(x): records a cache's or a batcher's metrics from its bus events, with no
// glue code in the host. The monitor never imports those primitives: it recognizes them by
// shape (or by an explicit `kind`) and listens to the events fixed in bus/events/.
import type { PerfBus } from '../bus/bus'
import type { CacheEvictionReason } from '../bus/events/cache'
import type { Labels } from '../bus/events/monitor'
import { PerfkitInputError } from '../errors'
import type { MetricDefinition, WindowOptions } from './types'

/**
 * What `observe()` accepts: a MemoryCache, a BatchProcessor or a PredictionBatcher (or anything shaped like one).
 * @example
 * ```ts
 * const users = new MemoryCache<string, User>({ name: 'users' })
 * const stop = monitor.observe(users) // records cache_hits_total{cache="users"} and friends
 * ```
 */
export interface ObservableTarget {
  readonly bus: PerfBus
  readonly name: string
  /** Says what the target is when its shape does not. */
  readonly kind?: 'cache' | 'batch-processor' | 'prediction-batcher'
}

/** The part of the monitor the integrations write to. */
export interface ObserveHost {
  define(name: string, definition: MetricDefinition): unknown
  increment(name: string, by?: number, labels?: Labels): void
  record(name: string, value: number, labels?: Labels): void
  setGauge(name: string, value: number, labels?: Labels): void
  addGaugeCallback(name: string, fn: () => number | undefined, labels?: Labels): () => void
  increase(name: string, labels?: Labels, options?: WindowOptions): number | undefined
}

type Kind = NonNullable<ObservableTarget['kind']>

/** What `target` is, by `kind` or by shape. */
export function kindOf(target: unknown): Kind {
  const t = target as Partial<ObservableTarget> & Record<string, unknown>
  const shaped = typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof (t.bus as PerfBus | undefined)?.on === 'function'
  if (shaped && (t.kind === 'cache' || t.kind === 'batch-processor' || t.kind === 'prediction-batcher')) return t.kind
  if (shaped && typeof t.predict === 'function') return 'prediction-batcher'
  if (shaped && typeof t.getOrLoad === 'function') return 'cache'
  if (shaped && typeof t.add === 'function') return 'batch-processor'
  throw new PerfkitInputError('target', 'a MemoryCache, BatchProcessor or PredictionBatcher (an object with `bus`, `name` and `getOrLoad`, `add` or `predict`)', target)
}

/** Subscribes `listeners` on `bus`; returns the undo. */
function subscribe(bus: PerfBus, listeners: Array<[string, (event: never) => void]>, undo: Array<() => void>): () => void {
  for (const [event, fn] of listeners) bus.on(event as 'error', fn as never)
  return () => {
    for (const [event, fn] of listeners) bus.off(event as 'error', fn as never)
    for (const u of undo) u()
  }
}

/** `x.stats().field` when the target offers it, for a live gauge. */
function statsField(target: object, field: string): (() => number | undefined) | undefined {
  const stats = (target as { stats?: unknown }).stats
  if (typeof stats !== 'function') return undefined
  return () => {
    const value = (stats.call(target) as Record<string, unknown>)[field]
    return typeof value === 'number' ? value : undefined
  }
}

const seconds = (ms: number): number => Math.max(0, ms) / 1000

export function observeCache(host: ObserveHost, cache: ObservableTarget): () => void {
  const name = cache.name
  const labels: Labels = { cache: name }
  const counters: Array<[string, string]> = [
    ['cache_hits_total', 'Cache reads that found a value.'],
    ['cache_misses_total', 'Cache reads that found nothing.'],
    ['cache_evictions_total', 'Entries that left the cache, by reason.'],
    ['cache_loads_total', 'Loader runs that succeeded.'],
    ['cache_load_errors_total', 'Loader runs that threw or rejected.'],
  ]
  for (const [metric, help] of counters) host.define(metric, { kind: 'counter', help })
  host.define('cache_hit_ratio', { kind: 'gauge', help: 'Hits / (hits + misses) over the last minute, 0..1.' })
  host.define('cache_entries', { kind: 'gauge', help: 'Entries held by the cache.' })
  host.define('cache_load_duration_seconds', { kind: 'distribution', help: 'Duration of successful loads, seconds.' })
  const byReason = new Map<CacheEvictionReason, Labels>()
  const mine = (e: { cache: string }): boolean => e.cache === name
  const undo: Array<() => void> = [
    host.addGaugeCallback(
      'cache_hit_ratio',
      () => {
        const hits = host.increase('cache_hits_total', labels, { window: '1m' }) ?? 0
        const reads = hits + (host.increase('cache_misses_total', labels, { window: '1m' }) ?? 0)
        return reads > 0 ? hits / reads : undefined
      },
      labels,
    ),
  ]
  const size = (cache as { size?: unknown }).size
  if (typeof size === 'number') undo.push(host.addGaugeCallback('cache_entries', () => (cache as unknown as { size: number }).size, labels))
  return subscribe(
    cache.bus,
    [
      ['cache:hit', (e: { cache: string }) => mine(e) && host.increment('cache_hits_total', 1, labels)],
      ['cache:miss', (e: { cache: string }) => mine(e) && host.increment('cache_misses_total', 1, labels)],
      [
        'cache:evict',
        (e: { cache: string; reason: CacheEvictionReason }) => {
          if (!mine(e)) return
          let l = byReason.get(e.reason)
          if (l === undefined) byReason.set(e.reason, (l = { cache: name, reason: e.reason }))
          host.increment('cache_evictions_total', 1, l)
        },
      ],
      [
        'cache:load',
        (e: { cache: string; durationMs: number }) => {
          if (!mine(e)) return
          host.increment('cache_loads_total', 1, labels)
          host.record('cache_load_duration_seconds', seconds(e.durationMs), labels)
        },
      ],
      ['cache:load-error', (e: { cache: string }) => mine(e) && host.increment('cache_load_errors_total', 1, labels)],
    ],
    undo,
  )
}

export function observePredictionBatcher(host: ObserveHost, batcher: ObservableTarget): () => void {
  const name = batcher.name
  const labels: Labels = { batcher: name }
  host.define('prediction_latency_seconds', { kind: 'distribution', help: 'Time from predict() to its batch result (queue wait + batch latency), seconds.' })
  host.define('prediction_batch_latency_seconds', { kind: 'distribution', help: 'Duration of each batch call, seconds.' })
  host.define('prediction_batch_size', { kind: 'distribution', help: 'Inputs per batch call.' })
  host.define('prediction_queue_wait_seconds', { kind: 'distribution', help: 'Time each call waited in the queue before its batch started, seconds.' })
  host.define('prediction_calls_total', { kind: 'counter', help: 'Calls served by batches.' })
  host.define('prediction_batches_total', { kind: 'counter', help: 'Batch calls.' })
  host.define('prediction_errors_total', { kind: 'counter', help: 'Calls whose batch failed as a whole.' })
  host.define('prediction_dropped_total', { kind: 'counter', help: 'Calls refused or withdrawn before their batch, by reason.' })
  host.define('prediction_queue_size', { kind: 'gauge', help: 'Calls queued, not yet sent.' })
  const live = statsField(batcher, 'queueSize')
  const undo = live === undefined ? [] : [host.addGaugeCallback('prediction_queue_size', live, labels)]
  const dropLabels = new Map<string, Labels>()
  return subscribe(
    batcher.bus,
    [
      [
        'prediction:batch',
        (e: { batcher: string; size: number; calls: number; waitsMs: readonly number[]; latencyMs: number; queueSize: number; error?: unknown }) => {
          if (e.batcher !== name) return
          const latency = seconds(e.latencyMs)
          for (const wait of e.waitsMs) {
            host.record('prediction_queue_wait_seconds', seconds(wait), labels)
            host.record('prediction_latency_seconds', seconds(wait) + latency, labels)
          }
          host.record('prediction_batch_latency_seconds', latency, labels)
          host.record('prediction_batch_size', e.size, labels)
          host.increment('prediction_calls_total', e.calls, labels)
          host.increment('prediction_batches_total', 1, labels)
          if ('error' in e && e.error !== undefined) host.increment('prediction_errors_total', e.calls, labels)
          if (live === undefined) host.setGauge('prediction_queue_size', e.queueSize, labels)
        },
      ],
      [
        'batch:drop',
        (e: { processor: string; reason: string; count: number }) => {
          if (e.processor !== name) return
          let l = dropLabels.get(e.reason)
          if (l === undefined) dropLabels.set(e.reason, (l = { batcher: name, reason: e.reason }))
          host.increment('prediction_dropped_total', e.count, l)
        },
      ],
    ],
    undo,
  )
}

export function observeBatchProcessor(host: ObserveHost, processor: ObservableTarget): () => void {
  const name = processor.name
  const labels: Labels = { processor: name }
  host.define('batch_flush_size', { kind: 'distribution', help: 'Items per successful flush.' })
  host.define('batch_flush_duration_seconds', { kind: 'distribution', help: 'Handler time of successful flushes, seconds.' })
  host.define('batch_queue_wait_seconds', { kind: 'distribution', help: 'Mean time the items of a flush waited in the queue, seconds (one value per flush).' })
  host.define('batch_flushes_total', { kind: 'counter', help: 'Successful flushes.' })
  host.define('batch_failures_total', { kind: 'counter', help: 'Flushes that failed after all their attempts.' })
  host.define('batch_retries_total', { kind: 'counter', help: 'Flush retries.' })
  host.define('batch_dropped_total', { kind: 'counter', help: 'Items refused or withdrawn before a flush, by reason.' })
  host.define('batch_queue_depth', { kind: 'gauge', help: 'Items queued, not yet flushed.' })
  const live = statsField(processor, 'queueDepth')
  const undo = live === undefined ? [] : [host.addGaugeCallback('batch_queue_depth', live, labels)]
  const dropLabels = new Map<string, Labels>()
  const mine = (e: { processor: string }): boolean => e.processor === name
  return subscribe(
    processor.bus,
    [
      [
        'batch:flush',
        (e: { processor: string; size: number; durationMs: number; waitMs: number }) => {
          if (!mine(e)) return
          host.increment('batch_flushes_total', 1, labels)
          host.record('batch_flush_size', e.size, labels)
          host.record('batch_flush_duration_seconds', seconds(e.durationMs), labels)
          host.record('batch_queue_wait_seconds', seconds(e.waitMs), labels)
        },
      ],
      ['batch:error', (e: { processor: string }) => mine(e) && host.increment('batch_failures_total', 1, labels)],
      ['batch:retry', (e: { processor: string }) => mine(e) && host.increment('batch_retries_total', 1, labels)],
      [
        'batch:drop',
        (e: { processor: string; reason: string; count: number }) => {
          if (!mine(e)) return
          let l = dropLabels.get(e.reason)
          if (l === undefined) dropLabels.set(e.reason, (l = { processor: name, reason: e.reason }))
          host.increment('batch_dropped_total', e.count, l)
        },
      ],
    ],
    undo,
  )
}
