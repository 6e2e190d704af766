// What the adapters and the performance API need from the primitives, written as narrow
// structural types. PerformanceMonitor, AlertEngine, InsightEngine, MemoryCache,
// PredictionBatcher and BatchProcessor satisfy them as they are; so can a test double or a
// host's own implementation. Every member the API only sometimes uses is optional, and a
// route whose primitive lacks it answers 501.
import type { Labels, PerfBus } from '../index'

/** A window of a windowed monitor read. */
export type StatsWindow = '1m' | '5m' | '15m' | 'all'

/** Summary statistics of a distribution, as `monitor.stats()` reports them. */
export interface DistributionSnapshot {
  count: number
  sum: number
  mean: number
  min: number
  max: number
  stddev: number
  p50: number
  p90: number
  p95: number
  p99: number
  p999: number
  ratePerSec: number
}

/** The writes the HTTP and Socket.IO instrumentation make. */
export interface MetricsWriter {
  record(name: string, value: number, labels?: Labels): unknown
  increment(name: string, by?: number, labels?: Labels): unknown
  setGauge(name: string, value: number, labels?: Labels): unknown
  /** Registers a gauge read from `fn` whenever the monitor reads (zero cost per request). */
  addGaugeCallback?(name: string, fn: () => number | undefined, labels?: Labels): () => void
  /** Declares a metric's kind and help text before its first write. */
  define?(name: string, definition: { kind: 'counter' | 'gauge' | 'distribution'; help?: string }): unknown
  /** The bus background failures are reported on. */
  readonly bus?: PerfBus
}

/** One metric as `monitor.metrics()` lists it. */
export interface MetricDescription {
  name: string
  kind: 'counter' | 'gauge' | 'distribution'
  help?: string
  series?: unknown
}

/**
 * The monitor the performance API reads: a PerformanceMonitor. Reads take a label matcher:
 * every series whose labels include the given pairs is merged.
 */
export interface MonitorPort extends MetricsWriter {
  stats(name: string, labels?: Labels, options?: { window?: StatsWindow }): DistributionSnapshot | undefined
  value(name: string, labels?: Labels): number | undefined
  rate(name: string, labels?: Labels, options?: { window?: StatsWindow }): number | undefined
  history(name: string, query?: { labels?: Labels; from?: number; to?: number; stat?: string }): ReadonlyArray<{ t: number; value: number }>
  metrics(): readonly MetricDescription[]
  now(): number
  prometheus(options?: never): string | Promise<string>
  sources?(): unknown
}

/** The alert engine the API reads and acts on: an AlertEngine. */
export interface AlertsPort {
  alerts(filter?: { state?: string | readonly string[]; severity?: string; since?: number; ruleId?: string }): readonly AlertLike[]
  /** One alert by id (active or from the history), or undefined. */
  get?(id: string): AlertLike | undefined
  /** Acknowledges an active alert; throws a `PERFKIT_NOT_FOUND` error for an unknown id. */
  acknowledge(id: string, info?: { by?: string; note?: string }): unknown
  /** Resolves an active alert by hand; throws a `PERFKIT_NOT_FOUND` error for an unknown id. */
  resolve(id: string): unknown
  /** Changes rule levels at run time (`{ [ruleId]: { warning, critical, … } }`). */
  updateThresholds?(partial: never): unknown
}

/** The fields of an alert the API and the dashboard use. */
export interface AlertLike {
  id: string
  state: string
  severity: string
  [field: string]: unknown
}

/** The insight engine the API reads: an InsightEngine. */
export interface InsightsPort {
  bottlenecks(): unknown
  health(): unknown
  recommendations(): unknown
  correlations?(): unknown
  /** The insight history (bottlenecks, leaks, regressions). */
  insights?(): unknown
  report(): unknown
}

/** A cache whose statistics the API serves: a MemoryCache. */
export interface CachePort {
  readonly name: string
  stats(): { hitRate: number; entries: number; hits?: number; misses?: number; evictions?: { total?: number } }
  prune(): number
  clear(): void
  has(key: never): boolean
  /** `preload(keys, loader, { concurrency })`, as MemoryCache has it. */
  preload?(...args: never[]): Promise<PreloadOutcome>
}

/** What a cache preload reports. */
export interface PreloadOutcome {
  loaded: number
  skipped: number
  failed: number
  errors: ReadonlyArray<{ key: unknown; error: unknown }>
}

/** A PredictionBatcher or BatchProcessor whose statistics (and options) the API serves. */
export interface BatcherPort {
  readonly name: string
  stats(): object
  configure?(partial: never): unknown
}
