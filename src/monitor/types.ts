// Public types of the monitor's read and write API.
import type { Labels } from '../bus/events/monitor'
import type { SketchType } from './sketch'
import type { StatsWindow } from './series'

export type { StatsWindow } from './series'
export type { SketchType } from './sketch'

/**
 * The three kinds of metric.
 * @example
 * ```ts
 * const counters = monitor.metrics().filter((m) => m.kind === 'counter')
 * ```
 */
export type MetricKind = 'counter' | 'gauge' | 'distribution'

/**
 * How a distribution appears in {@link PerformanceMonitor.prometheus}.
 * @example
 * ```ts
 * const expose: DistributionExposition = 'histogram'
 * monitor.define('db_query_duration_seconds', { kind: 'distribution', expose })
 * ```
 */
export type DistributionExposition = 'histogram' | 'summary' | 'both'

/**
 * Statistics of a distribution over a window. With no values in the window, `count`, `sum`
 * and `ratePerSec` are 0 and the other fields are NaN.
 * @example
 * ```ts
 * const latency = monitor.stats('http_server_request_duration_seconds', { route: '/users/:id' }, { window: '5m' })
 * if (latency && latency.p95 > 0.5) log.warn(`p95 ${latency.p95} s over ${latency.count} requests`)
 * ```
 */
export interface DistributionStats {
  count: number
  sum: number
  mean: number
  min: number
  max: number
  /** Population standard deviation. */
  stddev: number
  p50: number
  p90: number
  p95: number
  p99: number
  p999: number
  /** Values per second over the window (over the series' life for `'all'`; at least 1 s). */
  ratePerSec: number
}

/**
 * Options of the windowed reads `stats()` and `rate()`.
 * @example
 * ```ts
 * const rps = monitor.rate('http_server_requests_total', undefined, { window: '5m' })
 * ```
 */
export interface WindowOptions {
  /** @defaultValue `'1m'` */
  window?: StatsWindow
}

/**
 * A statistic a history point can hold.
 * @example
 * ```ts
 * const stat: HistoryStat = 'p99'
 * const points = monitor.history('http_server_request_duration_seconds', { stat })
 * ```
 */
export type HistoryStat = 'value' | 'rate' | 'increase' | keyof DistributionStats

/**
 * A history read.
 * @example
 * ```ts
 * const lastHour = monitor.history('http_server_requests_total', {
 *   labels: { route: '/users/:id' }, from: monitor.now() - 3_600_000, stat: 'rate',
 * })
 * ```
 */
export interface HistoryQuery {
  /** Matcher: series holding all these pairs. @defaultValue every series of the metric */
  labels?: Labels
  /** Earliest point time, monitor clock ms (inclusive). @defaultValue the oldest point */
  from?: number
  /** Latest point time, monitor clock ms (inclusive). @defaultValue the newest point */
  to?: number
  /**
   * Counters: `'rate'` (default, per second), `'increase'` or `'value'` (the running total).
   * Gauges: `'value'`. Distributions: `'p95'` (default) or any field of {@link DistributionStats}.
   */
  stat?: HistoryStat
}

/**
 * One history point.
 * @example
 * ```ts
 * for (const { t, value } of monitor.history('nodejs_heap_used_bytes')) chart.push(t, value)
 * ```
 */
export interface HistoryPoint {
  /** Monitor clock time of the snapshot, ms. */
  t: number
  value: number
}

/**
 * A metric as {@link PerformanceMonitor.metrics} lists it.
 * @example
 * ```ts
 * for (const m of monitor.metrics()) console.log(m.name, m.kind, m.series.length, m.overflowed)
 * ```
 */
export interface MetricInfo {
  name: string
  kind: MetricKind
  help: string
  /** The label set of every live series (`{}` for the unlabelled one). */
  series: Labels[]
  /** Values folded into the `overflow="true"` series because the series limit was reached. */
  overflowed: number
}

/**
 * Declares a metric before its first write, to set its help text and options.
 * @example
 * ```ts
 * monitor.define('db_query_duration_seconds', { kind: 'distribution', help: 'Database query time', maxSeries: 200 })
 * ```
 */
export interface MetricDefinition {
  kind: MetricKind
  /** HELP text. @defaultValue the name with `_` turned into spaces */
  help?: string
  /** Most series (label sets); later label sets fold into one `overflow="true"` series. @defaultValue the monitor's `maxSeriesPerMetric` */
  maxSeries?: number
  /** Distributions only: the quantile sketch. @defaultValue the monitor's `sketch` */
  sketch?: SketchType
  /** Distributions only, DDSketch: relative accuracy of every quantile. @defaultValue the monitor's `relativeAccuracy` */
  relativeAccuracy?: number
  /** Distributions only, t-digest: compression (about the number of centroids × 2). @defaultValue the monitor's `compression` */
  compression?: number
  /**
   * Distributions only: upper bounds of the histogram buckets, ascending (`+Inf` is implied).
   * @defaultValue by unit suffix: `_seconds` → {@link DEFAULT_DURATION_BUCKETS}, `_bytes` →
   * {@link DEFAULT_BYTES_BUCKETS}, anything else → {@link DEFAULT_COUNT_BUCKETS}
   */
  buckets?: readonly number[]
  /** Distributions only: histogram, summary or both in the exposition. @defaultValue the monitor's `expose` */
  expose?: DistributionExposition
}

/**
 * The monitor's own cost, as {@link PerformanceMonitor.overhead} reports it.
 * @example
 * ```ts
 * const { recordsPerSecond, collectionMs } = monitor.overhead()
 * console.log(recordsPerSecond, collectionMs.total)
 * ```
 */
export interface MonitorOverhead {
  /** Values recorded (counters, gauges and distributions) since construction. */
  records: number
  /** Records per second between the last two history snapshots (0 before the second). */
  recordsPerSecond: number
  /** Values dropped, by reason. */
  dropped: Readonly<Record<string, number>>
  metrics: number
  series: number
  /** Time spent in collection (sources and the process sampler), snapshots and expositions, ms. */
  collectionMs: { sources: number; snapshots: number; exposition: number; total: number }
  /** Bytes held by history rings. */
  historyBytes: number
}
