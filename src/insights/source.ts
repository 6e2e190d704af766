// The read side of the monitor that the insight engine uses, kept narrow on purpose:
// PerformanceMonitor satisfies it structurally, and so can a test double or a remote store.
// Every read goes through `SafeReader`, so a monitor that throws never reaches the host.
import type { PerfBus } from '../bus/bus'
import type { Alert } from '../bus/events/alerts'
import type { Labels } from '../bus/events/monitor'
import type { DistributionStats, HistoryPoint, StatsWindow } from '../monitor/types'
import type { Point } from './math'

/**
 * One point of a metric's history: the monitor's {@link HistoryPoint}.
 * @example
 * ```ts
 * const points: InsightHistoryPoint[] = monitor.history('nodejs_heap_used_bytes', { from: monitor.now() - 600_000 })
 * const last = points.at(-1)?.value
 * ```
 */
export type InsightHistoryPoint = HistoryPoint

/**
 * The time window of a windowed read: the monitor's {@link StatsWindow}.
 * @example
 * ```ts
 * const window: InsightWindow = '5m'
 * const p95 = monitor.stats('http_server_request_duration_seconds', undefined, { window })?.p95
 * ```
 */
export type InsightWindow = StatsWindow

/**
 * Summary statistics of a distribution: the monitor's {@link DistributionStats}.
 * @example
 * ```ts
 * const stats: InsightDistributionStats | undefined = monitor.stats('db_query_duration_seconds')
 * if (stats !== undefined && stats.count > 0) console.log(`p95 query ${stats.p95} s`)
 * ```
 */
export type InsightDistributionStats = DistributionStats

/**
 * A metric the monitor knows, as `metrics()` lists it.
 * @example
 * ```ts
 * for (const m of monitor.metrics()) if (m.kind === 'distribution') console.log(m.name, m.series?.length ?? 0)
 * ```
 */
export interface InsightMetricInfo {
  name: string
  kind: 'counter' | 'gauge' | 'distribution'
  /** The label set of every live series; read to analyse per instance (per cache, per batcher). */
  series?: readonly Labels[]
}

/**
 * The monitor reads an {@link InsightEngine} needs. `PerformanceMonitor` implements it.
 * `labels` in a read is a matcher: every series whose labels include the given pairs is merged.
 *
 * The two optional pressure calls let resource zones shed load; without them zones are still
 * tracked and reported, and nothing is shed.
 *
 * @example
 * ```ts
 * const source: InsightSource = monitor // a PerformanceMonitor fits as it is
 * ```
 */
export interface InsightSource {
  stats(name: string, labels?: Labels, options?: { window?: InsightWindow }): InsightDistributionStats | undefined
  value(name: string, labels?: Labels): number | undefined
  rate(name: string, labels?: Labels, options?: { window?: InsightWindow }): number | undefined
  /** A counter's increase over a window (optional: without it, `rate × window` stands in). */
  increase?(name: string, labels?: Labels, options?: { window?: InsightWindow }): number | undefined
  /** Points of the bounded history, oldest first; `t` in the monitor's clock, ms. */
  history(name: string, options?: { labels?: Labels; from?: number; to?: number; stat?: string }): ReadonlyArray<InsightHistoryPoint>
  metrics(): ReadonlyArray<InsightMetricInfo>
  /** The monitor's clock, ms. */
  now(): number
  readonly bus?: PerfBus
  /** Health of the monitoring sources; a `database` source that fails or times out is evidence of a slow database. */
  sources?(): ReadonlyArray<InsightSourceHealth>
  /** Pauses sources whose priority is below `floor` (`'low'` resumes all). */
  setSourcePriorityFloor?(floor: 'low' | 'medium' | 'high' | 'critical'): void
  /** Keeps one history snapshot in `every` (1 = full resolution). */
  setHistoryResolution?(every: number): void
}

/**
 * The part of a monitoring source's health the analysis reads.
 * @example
 * ```ts
 * const failing = monitor.sources().filter((s) => s.consecutiveFailures > 0).map((s) => `${s.name}: ${s.status}`)
 * ```
 */
export interface InsightSourceHealth {
  name: string
  status: string
  consecutiveFailures: number
  timeouts: number
  lastDurationMs: number | undefined
}

/**
 * The alert reads an {@link InsightEngine} uses: the alerts firing now count against health.
 * @example
 * ```ts
 * const alerts = new AlertEngine({ monitor, rules: genericProfile() })
 * const insights = new InsightEngine({ monitor, alerts }) // firing alerts lower the health score
 * ```
 */
export interface InsightAlertsSource {
  alerts(filter?: { state?: 'firing' }): ReadonlyArray<Pick<Alert, 'id' | 'ruleId' | 'severity' | 'state' | 'labels' | 'annotations' | 'value'>>
}

/** Reads that swallow a throwing or malformed monitor: the analysis treats it as "no data". */
export class SafeReader {
  readonly #source: InsightSource
  readonly #onError: (error: unknown) => void
  /** `metrics()` of the pass in progress: analysers ask for it many times, the monitor builds it each time. */
  #metrics: ReadonlyArray<InsightMetricInfo> | undefined
  #depth = 0

  constructor(source: InsightSource, onError: (error: unknown) => void) {
    this.#source = source
    this.#onError = onError
  }

  get source(): InsightSource {
    return this.#source
  }

  stats(name: string, labels?: Labels, window: InsightWindow = '1m'): InsightDistributionStats | undefined {
    const s = this.#try(() => this.#source.stats(name, labels, { window }))
    return s !== undefined && Number.isFinite(s.count) && s.count > 0 ? s : undefined
  }

  value(name: string, labels?: Labels): number | undefined {
    return finite(this.#try(() => this.#source.value(name, labels)))
  }

  rate(name: string, labels?: Labels, window: InsightWindow = '1m'): number | undefined {
    return finite(this.#try(() => this.#source.rate(name, labels, { window })))
  }

  /** Increase over the window: the monitor's own count when it offers one, else rate × window length. */
  increase(name: string, labels: Labels | undefined, window: InsightWindow, windowSeconds: number): number | undefined {
    if (typeof this.#source.increase === 'function') {
      const source = this.#source as Required<Pick<InsightSource, 'increase'>>
      return finite(this.#try(() => source.increase(name, labels, { window })))
    }
    const rate = this.rate(name, labels, window)
    return rate === undefined ? undefined : rate * windowSeconds
  }

  history(name: string, from: number, options: { labels?: Labels; stat?: string } = {}): readonly Point[] {
    const query = { from, ...(options.labels === undefined ? {} : { labels: options.labels }), ...(options.stat === undefined ? {} : { stat: options.stat }) }
    const points = this.#try(() => this.#source.history(name, query))
    if (!Array.isArray(points)) return []
    return (points as readonly Point[]).filter((p) => Number.isFinite(p.value) && Number.isFinite(p.t))
  }

  metrics(): ReadonlyArray<InsightMetricInfo> {
    if (this.#metrics !== undefined) return this.#metrics
    const fetched = this.#try(() => this.#source.metrics())
    const list = Array.isArray(fetched) ? fetched : []
    if (this.#depth > 0) this.#metrics = list
    return list
  }

  /** Runs one analysis pass: the metric list is read once for the whole pass. */
  pass<T>(fn: () => T): T {
    this.#depth++
    try {
      return fn()
    } finally {
      if (--this.#depth === 0) this.#metrics = undefined
    }
  }

  sources(): ReadonlyArray<InsightSourceHealth> {
    if (typeof this.#source.sources !== 'function') return []
    const list = this.#try(() => (this.#source.sources as () => ReadonlyArray<InsightSourceHealth>)())
    return Array.isArray(list) ? list : []
  }

  /** Label sets of `metric`'s series that carry `label`, without duplicates. */
  instances(metric: string, label: string): Labels[] {
    const info = this.metrics().find((m) => m.name === metric)
    if (info === undefined || !Array.isArray(info.series)) return []
    const seen = new Set<string>()
    const out: Labels[] = []
    for (const labels of info.series) {
      const value = labels[label]
      if (value === undefined || seen.has(value)) continue
      seen.add(value)
      out.push({ [label]: value })
    }
    return out
  }

  #try<T>(read: () => T): T | undefined {
    try {
      return read()
    } catch (error) {
      this.#onError(error)
      return undefined
    }
  }
}

function finite(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}
