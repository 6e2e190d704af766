// Options of PerformanceMonitor, their defaults and their validation.
import { type BusOption, PerfBus } from '../bus/bus'
import { PerfkitConfigError } from '../errors'
import type { Clock } from '../internal/clock'
import { bool, inRange, nonNegativeInt, oneOf, optionalSignal, positiveFinite, positiveInt } from '../internal/validate'
import type { LeakDetectionOptions } from './leak-detector'
import type { ProcessMetricsOptions } from './process-sampler'
import { type RegistrySettings, validateBuckets } from './registry'
import { SLOT_MS, type StatsWindow } from './series'
import type { SketchType } from './sketch'
import type { DistributionExposition } from './types'

/**
 * Options of {@link PerformanceMonitor}.
 * @example
 * ```ts
 * const monitor = new PerformanceMonitor({ processMetrics: true, historyIntervalMs: 5_000, maxSeriesPerMetric: 200 })
 * ```
 */
export interface PerformanceMonitorOptions extends BusOption {
  /**
   * The clock windows, rates and history read, in ms. An injected clock is read on every
   * write, so tests (and an alert engine driving time) see exact slots; the default clock is
   * read once a second and every 256 writes. @defaultValue `performance`
   */
  now?: Clock | (() => number)
  /** Most metrics; writes that would create more are dropped (`too-many-metrics`). @defaultValue 1000 */
  maxMetrics?: number
  /** Most series per metric; later label sets fold into one `overflow="true"` series. @defaultValue 1000 */
  maxSeriesPerMetric?: number
  /** A series not written for this long is removed (0: never). At least 10 000 when set. @defaultValue 3 600 000 (1 h) */
  seriesTtlMs?: number
  /** Time between history snapshots, ms (0: only {@link PerformanceMonitor.snapshot} calls take them). @defaultValue 10 000 */
  historyIntervalMs?: number
  /** Points kept per metric (the aggregate of its series). @defaultValue 10 000 */
  historySize?: number
  /** Points kept per labelled series (0: none, history by labels is then empty). @defaultValue 1000 */
  seriesHistorySize?: number
  /** Quantile sketch of distributions. @defaultValue `'ddsketch'` */
  sketch?: SketchType
  /** DDSketch relative accuracy of every quantile. @defaultValue 0.01 */
  relativeAccuracy?: number
  /** t-digest compression. @defaultValue 200 */
  compression?: number
  /** Histogram bucket bounds of every distribution. @defaultValue chosen by unit suffix, see {@link MetricDefinition.buckets} */
  buckets?: readonly number[]
  /** How distributions appear in the exposition. @defaultValue `'histogram'` */
  expose?: DistributionExposition
  /** Window of summary quantiles in the exposition. @defaultValue `'1m'` */
  summaryWindow?: StatsWindow
  /** Samples process and system metrics (CPU, memory, event loop, I/O). `true` for the defaults. @defaultValue false */
  processMetrics?: boolean | ProcessMetricsOptions
  /** Watches heap troughs for leaks (needs `processMetrics`). `false` turns it off. @defaultValue true */
  leakDetection?: boolean | LeakDetectionOptions
  /** Throw a PerfkitInputError (or ClosedError) from writes instead of dropping invalid values. For tests and development. @defaultValue false */
  strict?: boolean
  /** Add the monitor's own figures (`perfkit_monitor_*`) to the exposition. @defaultValue true */
  selfMetrics?: boolean
  /** Aborting it closes the monitor. */
  signal?: AbortSignal
}

export interface ResolvedOptions {
  registry: RegistrySettings
  bus: PerfBus
  clock: PerformanceMonitorOptions['now']
  seriesTtlMs: number
  historyIntervalMs: number
  summaryWindow: StatsWindow
  processMetrics: ProcessMetricsOptions | undefined
  leakDetection: LeakDetectionOptions | undefined
  strict: boolean
  selfMetrics: boolean
  signal: AbortSignal | undefined
}

const WINDOWS = ['1m', '5m', '15m', 'all'] as const

/** Checks a window option. */
export function windowOption(option: string, value: unknown): StatsWindow {
  return oneOf(option, value, WINDOWS)
}

export function resolveOptions(options: PerformanceMonitorOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new PerfkitConfigError('options', 'an object', options)
  const {
    now,
    bus = new PerfBus(),
    maxMetrics = 1000,
    maxSeriesPerMetric = 1000,
    seriesTtlMs = 3_600_000,
    historyIntervalMs = 10_000,
    historySize = 10_000,
    seriesHistorySize = 1000,
    sketch = 'ddsketch',
    relativeAccuracy = 0.01,
    compression = 200,
    buckets,
    expose = 'histogram',
    summaryWindow = '1m',
    processMetrics = false,
    leakDetection = true,
    strict = false,
    selfMetrics = true,
    signal,
  } = options
  if (!(bus instanceof PerfBus)) throw new PerfkitConfigError('bus', 'a PerfBus', bus)
  if (now !== undefined && typeof now !== 'function' && typeof (now as Clock | null)?.now !== 'function') {
    throw new PerfkitConfigError('now', 'a function returning ms or an object with now()', now)
  }
  if (seriesTtlMs !== 0) inRange('seriesTtlMs', positiveFinite('seriesTtlMs', seriesTtlMs), SLOT_MS, Number.MAX_SAFE_INTEGER)
  if (historyIntervalMs !== 0) inRange('historyIntervalMs', historyIntervalMs, 10, 2 ** 31 - 1)
  if (processMetrics !== false && processMetrics !== true && (typeof processMetrics !== 'object' || processMetrics === null)) {
    throw new PerfkitConfigError('processMetrics', 'a boolean or an options object', processMetrics)
  }
  if (leakDetection !== false && leakDetection !== true && (typeof leakDetection !== 'object' || leakDetection === null)) {
    throw new PerfkitConfigError('leakDetection', 'a boolean or an options object', leakDetection)
  }
  const processOptions = processMetrics === false ? undefined : processMetrics === true ? {} : processMetrics
  return {
    registry: {
      maxMetrics: positiveInt('maxMetrics', maxMetrics),
      maxSeriesPerMetric: positiveInt('maxSeriesPerMetric', maxSeriesPerMetric),
      sketch: oneOf('sketch', sketch, ['ddsketch', 'tdigest'] as const),
      relativeAccuracy: inRange('relativeAccuracy', relativeAccuracy, 0.0001, 0.5),
      compression: inRange('compression', compression, 20, 1000),
      buckets: buckets === undefined ? undefined : validateBuckets('buckets', buckets),
      expose: oneOf('expose', expose, ['histogram', 'summary', 'both'] as const),
      historySize: positiveInt('historySize', historySize),
      seriesHistorySize: nonNegativeInt('seriesHistorySize', seriesHistorySize),
    },
    bus,
    clock: now,
    seriesTtlMs,
    historyIntervalMs,
    summaryWindow: windowOption('summaryWindow', summaryWindow),
    processMetrics: processOptions,
    leakDetection: processOptions === undefined || leakDetection === false ? undefined : leakDetection === true ? {} : leakDetection,
    strict: bool('strict', strict),
    selfMetrics: bool('selfMetrics', selfMetrics),
    signal: optionalSignal('signal', signal),
  }
}
