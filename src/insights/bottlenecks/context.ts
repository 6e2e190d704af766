// What every analyser reads, and the helpers they share.
import type { Bottleneck, BottleneckKind, Evidence, InsightSeverity } from '../../bus/events/insights'
import type { Labels } from '../../bus/events/monitor'
import type { Point } from '../math'
import type { InsightWindow, SafeReader } from '../source'
import type { InsightMetricNames, InsightThresholds } from '../thresholds'

/** Standard metric names of the cross-area contract that the analysis reads. */
export const M = {
  processCpu: 'process_cpu_usage_percent',
  systemCpu: 'system_cpu_usage_percent',
  rss: 'process_resident_memory_bytes',
  heapUsed: 'nodejs_heap_used_bytes',
  heapTotal: 'nodejs_heap_total_bytes',
  systemMemory: 'system_memory_usage_percent',
  loadAverage: 'system_load_average_1m',
  loopP50: 'nodejs_eventloop_delay_p50_seconds',
  loopP99: 'nodejs_eventloop_delay_p99_seconds',
  loopMax: 'nodejs_eventloop_delay_max_seconds',
  loopUtilization: 'nodejs_eventloop_utilization_ratio',
  predictionQueueSize: 'prediction_queue_size',
  predictionQueueWait: 'prediction_queue_wait_seconds',
  predictionLatency: 'prediction_latency_seconds',
  predictionDropped: 'prediction_dropped_total',
  batchQueueWait: 'batch_queue_wait_seconds',
  batchQueueDepth: 'batch_queue_depth',
  batchDropped: 'batch_dropped_total',
  cacheHits: 'cache_hits_total',
  cacheMisses: 'cache_misses_total',
  cacheEvictions: 'cache_evictions_total',
  cacheHitRatio: 'cache_hit_ratio',
  cacheLoadDuration: 'cache_load_duration_seconds',
} as const

/** A monitor-reported leak suspicion the memory analysis folds in. */
export interface LeakSignal {
  at: number
  evidence: readonly Evidence[]
  description: string
}

/** Inputs of one analysis pass. */
export interface AnalysisContext {
  read: SafeReader
  /** Clock ms of this pass. */
  now: number
  /** How far back sustained-ness and trends look, ms. */
  windowMs: number
  /** The monitor window matching `windowMs`, for stats() and rate(). */
  window: InsightWindow
  /** How far back the heap-growth fit looks, ms. */
  leakWindowMs: number
  thresholds: InsightThresholds
  names: InsightMetricNames
  /** The heap size limit used to turn heap bytes into a percentage. */
  heapLimitBytes: number
  /** The latest monitor leak suspicion, while it is recent. */
  leak: LeakSignal | undefined
}

/** A finding before the engine stamps it with `since` and `at`. */
export type BottleneckDraft = Omit<Bottleneck, 'since' | 'at'>

/** Window seconds of a monitor window name. */
export function windowSeconds(window: InsightWindow, fallbackMs: number): number {
  return window === '1m' ? 60 : window === '5m' ? 300 : window === '15m' ? 900 : fallbackMs / 1000
}

/** The monitor window that covers `ms` best. */
export function windowFor(ms: number): InsightWindow {
  return ms <= 60_000 ? '1m' : ms <= 300_000 ? '5m' : '15m'
}

/** Recent history of `metric` within the analysis window. */
export function recent(ctx: AnalysisContext, metric: string, labels?: Labels, stat?: string): readonly Point[] {
  return ctx.read.history(metric, ctx.now - ctx.windowMs, { ...(labels === undefined ? {} : { labels }), ...(stat === undefined ? {} : { stat }) })
}

/** Mean of the points' values, or undefined for none. */
export function meanOf(points: readonly Point[]): number | undefined {
  if (points.length === 0) return undefined
  let sum = 0
  for (const p of points) sum += p.value
  return sum / points.length
}

/** Confidence from how much of the window the signal held: 0.5 for a single reading, up to 0.95. */
export function sustainedConfidence(share: number, points: number): number {
  if (points < 3) return 0.5
  return Math.min(0.95, 0.5 + 0.45 * share)
}

/** Builds a draft, listing each metric of the evidence once. */
export function draft(fields: {
  id: string
  kind: BottleneckKind
  severity: InsightSeverity
  confidence: number
  title: string
  description: string
  evidence: Evidence[]
  recommendation: string
  labels?: Labels | undefined
}): BottleneckDraft {
  const metrics = [...new Set(fields.evidence.map((e) => e.metric))]
  const { labels, ...rest } = fields
  return { ...rest, confidence: Math.round(fields.confidence * 100) / 100, metrics, ...(labels === undefined ? {} : { labels }) }
}

/** An evidence record, omitting undefined optional fields (exactOptionalPropertyTypes). */
export function ev(
  metric: string,
  stat: string,
  value: number,
  unit: Evidence['unit'],
  extra: { threshold?: number | undefined; labels?: Labels | undefined; note?: string | undefined } = {},
): Evidence {
  const e: Evidence = { metric, stat, value, unit }
  if (extra.threshold !== undefined) e.threshold = extra.threshold
  if (extra.labels !== undefined && Object.keys(extra.labels).length > 0) e.labels = extra.labels
  if (extra.note !== undefined) e.note = extra.note
  return e
}

/** `{ cache: 'users' }` → `users`; `{}` → `''`. */
export function labelSuffix(labels: Labels | undefined): string {
  if (labels === undefined) return ''
  return Object.values(labels).join(',')
}
