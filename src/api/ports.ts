// What the adapters and the performance API need from the primitives, written as narrow
// structural types. PerformanceMonitor, AlertEngine, InsightEngine, MemoryCache,
// PredictionBatcher and BatchProcessor satisfy them as they are; so can a test double or a
// host's own implementation. Every member the API only sometimes uses is optional, and a
// route whose primitive lacks it answers 501.
import type { DistributionStats, Labels, PerfBus, StatsWindow } from '../index'

export type { DistributionStats, StatsWindow }

/**
 * The writes the HTTP and Socket.IO instrumentation make. A PerformanceMonitor is one.
 * @example
 * ```ts
 * const writer: MetricsWriter = new PerformanceMonitor()
 * app.use(performanceMiddleware({ monitor: writer }))
 * ```
 */
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

/**
 * One metric as `monitor.metrics()` lists it.
 * @example
 * ```ts
 * const names = monitor.metrics().map((m: MetricDescription) => `${m.name} (${m.kind})`)
 * ```
 */
export interface MetricDescription {
  name: string
  kind: 'counter' | 'gauge' | 'distribution'
  help?: string
  series?: unknown
}

/**
 * The monitor the performance API reads: a PerformanceMonitor. Reads take a label matcher:
 * every series whose labels include the given pairs is merged.
 * @example
 * ```ts
 * const monitor: MonitorPort = new PerformanceMonitor({ processMetrics: true })
 * app.use(performanceRouter({ monitor }))
 * ```
 */
export interface MonitorPort extends MetricsWriter {
  stats(name: string, labels?: Labels, options?: { window?: StatsWindow }): DistributionStats | undefined
  value(name: string, labels?: Labels): number | undefined
  rate(name: string, labels?: Labels, options?: { window?: StatsWindow }): number | undefined
  history(name: string, query?: { labels?: Labels; from?: number; to?: number; stat?: string }): ReadonlyArray<{ t: number; value: number }>
  metrics(): readonly MetricDescription[]
  now(): number
  prometheus(options?: never): string | Promise<string>
  sources?(): unknown
}

/**
 * The alert engine the API reads and acts on: an AlertEngine.
 * @example
 * ```ts
 * const alerts: AlertsPort = new AlertEngine({ monitor })
 * app.use(performanceRouter({ monitor, alerts, authorize }))
 * ```
 */
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

/**
 * The fields of an alert the API and the dashboard use (an `Alert` has them all).
 * @example
 * ```ts
 * const firing: AlertLike[] = alerts.alerts({ state: 'firing' })
 * ```
 */
export interface AlertLike {
  id: string
  state: string
  severity: string
  [field: string]: unknown
}

/**
 * The insight engine the API reads: an InsightEngine.
 * @example
 * ```ts
 * const insights: InsightsPort = new InsightEngine({ monitor, alerts })
 * app.use(performanceRouter({ monitor, insights }))
 * ```
 */
export interface InsightsPort {
  bottlenecks(): unknown
  health(): unknown
  recommendations(): unknown
  correlations?(): unknown
  /** The insight history (bottlenecks, leaks, regressions). */
  insights?(): unknown
  report(): unknown
}

/**
 * A cache whose statistics the API serves: a MemoryCache.
 * @example
 * ```ts
 * const users: CachePort = new MemoryCache<string, User>({ name: 'users' })
 * app.use(performanceRouter({ monitor, caches: [users] }))
 * ```
 */
export interface CachePort {
  readonly name: string
  stats(): { hitRate: number; entries: number; hits?: number; misses?: number; evictions?: { total?: number } }
  prune(): number
  clear(): void
  has(key: never): boolean
  /** `preload(keys, loader, { concurrency })`, as MemoryCache has it. */
  preload?(...args: never[]): Promise<PreloadOutcome>
}

/**
 * What a cache preload reports (MemoryCache's `PreloadResult`).
 * @example
 * ```ts
 * const outcome: PreloadOutcome = await cache.preload(['a', 'b'], load)
 * ```
 */
export interface PreloadOutcome {
  loaded: number
  skipped: number
  failed: number
  errors: ReadonlyArray<{ key: unknown; error: unknown }>
}

/**
 * A PredictionBatcher or BatchProcessor whose statistics (and options) the API serves.
 * @example
 * ```ts
 * const model: BatcherPort = new PredictionBatcher(predictMany, { name: 'model' })
 * app.use(performanceRouter({ monitor, batchers: [model] }))
 * ```
 */
export interface BatcherPort {
  readonly name: string
  stats(): object
  configure?(partial: never): unknown
}
