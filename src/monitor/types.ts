// Public types of the monitor's read and write API.
import type { Labels } from '../bus/events/monitor'
import type { SketchType } from './sketch'
import type { StatsWindow } from './series'

export type { StatsWindow } from './series'
export type { SketchType } from './sketch'

/** The three kinds of metric. */
export type MetricKind = 'counter' | 'gauge' | 'distribution'

/** How a distribution appears in {@link PerformanceMonitor.prometheus}. */
export type DistributionExposition = 'histogram' | 'summary' | 'both'

/**
 * Statistics of a distribution over a window. With no values in the window, `count`, `sum`
 * and `ratePerSec` are 0 and the other fields are NaN.
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

/** Options of the windowed reads `stats()` and `rate()`. */
export interface WindowOptions {
  /** @defaultValue `'1m'` */
  window?: StatsWindow
}

/** A statistic a history point can hold. */
export type HistoryStat =
  | 'value'
  | 'rate'
  | 'increase'
  | 'count'
  | 'sum'
  | 'mean'
  | 'min'
  | 'max'
  | 'stddev'
  | 'p50'
  | 'p90'
  | 'p95'
  | 'p99'
  | 'p999'
  | 'ratePerSec'

/** A history read. */
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

/** One history point. */
export interface HistoryPoint {
  /** Monitor clock time of the snapshot, ms. */
  t: number
  value: number
}

/** A metric as {@link PerformanceMonitor.metrics} lists it. */
export interface MetricInfo {
  name: string
  kind: MetricKind
  help: string
  /** The label set of every live series (`{}` for the unlabelled one). */
  series: Labels[]
  /** Values folded into the `overflow="true"` series because the series limit was reached. */
  overflowed: number
}

/** Declares a metric before its first write, to set its help text and options. */
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

/** The monitor's own cost, as {@link PerformanceMonitor.overhead} reports it. */
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
