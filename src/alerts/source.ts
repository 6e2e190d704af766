// The read side of the monitor that alert rules use. It is narrow on purpose: the
// PerformanceMonitor satisfies it structurally, and so can any test double or adapter.
import type { PerfBus } from '../bus/bus'
import type { Labels } from '../bus/events/monitor'
import type { DistributionStats, StatsWindow } from '../monitor/types'

/**
 * The time window of a windowed read: the monitor's {@link StatsWindow}.
 * @example
 * ```ts
 * const window: MetricWindow = '5m'
 * engine.addRule({ id: 'slow-predictions', metric: 'prediction_latency_seconds', stat: 'p95', window, op: '>', warning: 0.1 })
 * ```
 */
export type MetricWindow = StatsWindow

/**
 * Summary statistics of a distribution: the monitor's {@link DistributionStats}.
 * @example
 * ```ts
 * const stats: SourceStats | undefined = monitor.stats('prediction_latency_seconds', undefined, { window: '5m' })
 * if (stats !== undefined && stats.count > 0) console.log(`p95 ${stats.p95} s over ${stats.count} predictions`)
 * ```
 */
export type SourceStats = DistributionStats

/**
 * The metric reads an {@link AlertEngine} needs. `PerformanceMonitor` implements it; so can
 * anything else that serves the same reads (a test double, a remote metrics store).
 *
 * `labels` in a read is a matcher: every series whose labels include all the given pairs is
 * merged (distributions merged, counters and gauges summed).
 *
 * @example
 * ```ts
 * const source: MetricSource = monitor // a PerformanceMonitor fits as it is
 * const engine = new AlertEngine({ monitor: source })
 * ```
 */
export interface MetricSource {
  /** Statistics of a distribution over a window, or undefined when it has no series or no samples. */
  stats(name: string, labels?: Labels, options?: { window?: MetricWindow }): SourceStats | undefined
  /** A counter's total or a gauge's current value, or undefined when the metric has no series. */
  value(name: string, labels?: Labels): number | undefined
  /** A counter's increase per second over a window, or undefined when it has no series. */
  rate(name: string, labels?: Labels, options?: { window?: MetricWindow }): number | undefined
  /**
   * Points from the source's bounded history, oldest first, `t` in the source's clock (ms).
   * `stat` picks e.g. `'p95'`, `'mean'`, `'count'` of a distribution; counters default to `'rate'`, gauges to `'value'`.
   */
  history(name: string, options?: { labels?: Labels; from?: number; to?: number; stat?: string }): ReadonlyArray<{ t: number; value: number }>
  /** Every metric with the label sets of its live series. Needed only by rules with `by`. */
  metrics?(): ReadonlyArray<{ name: string; series: ReadonlyArray<Labels> }>
  /** The source's clock, in ms; history `t` values use it. */
  now(): number
  /** When present and no `bus` option is given, the engine shares it. */
  readonly bus?: PerfBus
}
