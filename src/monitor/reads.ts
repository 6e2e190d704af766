// The windowed reads: stats(), value(), rate(). A label matcher selects every series whose
// labels include the given pairs; distributions are merged, counters and gauges summed.
import type { Labels } from '../bus/events/monitor'
import { matches } from './labels'
import type { Metric } from './registry'
import { type CounterSeries, type DistributionSeries, type GaugeSeries, type StatsWindow, windowStart } from './series'
import type { Sketch } from './sketch'
import type { DistributionStats } from './types'

/** Rates are taken over at least this long, so a just-created series does not report a huge rate. */
const MIN_RATE_SPAN_MS = 1000

/** The statistics of a merged sketch; `spanMs` is the time it covers. */
export function statsOf(sketch: Sketch, spanMs: number): DistributionStats {
  const { count, sum } = sketch
  const ratePerSec = count / (Math.max(spanMs, MIN_RATE_SPAN_MS) / 1000)
  if (count === 0) {
    const nan = Number.NaN
    return { count: 0, sum: 0, mean: nan, min: nan, max: nan, stddev: nan, p50: nan, p90: nan, p95: nan, p99: nan, p999: nan, ratePerSec }
  }
  const mean = sum / count
  return {
    count,
    sum,
    mean,
    min: sketch.min,
    max: sketch.max,
    stddev: Math.sqrt(Math.max(0, sketch.sumSq / count - mean * mean)),
    p50: sketch.quantile(0.5),
    p90: sketch.quantile(0.9),
    p95: sketch.quantile(0.95),
    p99: sketch.quantile(0.99),
    p999: sketch.quantile(0.999),
    ratePerSec,
  }
}

/** Every series of `metric` selected by `matcher` (all of them when it is undefined). */
export function selected<S>(metric: Metric, matcher: Labels | undefined): S[] {
  const out: S[] = []
  for (const series of metric.series.values()) {
    if (matcher === undefined || matches(series.labels, matcher)) out.push(series as S)
  }
  return out
}

/** The selected series of a distribution merged over `window`, or undefined when none match. */
export function mergedDistribution(metric: Metric, matcher: Labels | undefined, window: StatsWindow, k: number): { sketch: Sketch; created: number } | undefined {
  const series = selected<DistributionSeries>(metric, matcher)
  if (series.length === 0) return undefined
  const sketch = (metric.factory as NonNullable<Metric['factory']>).create()
  let created = Infinity
  for (const s of series) {
    s.advance(k)
    s.collect(window, k, sketch)
    if (s.created < created) created = s.created
  }
  return { sketch, created }
}

/** Time a window read covers at clock `now`, ms. */
export function spanOf(window: StatsWindow, k: number, now: number, created: number): number {
  return now - Math.max(windowStart(window, k), created)
}

export function distributionStats(metric: Metric, matcher: Labels | undefined, window: StatsWindow, k: number, now: number): DistributionStats | undefined {
  const merged = mergedDistribution(metric, matcher, window, k)
  if (merged === undefined) return undefined
  return statsOf(merged.sketch, spanOf(window, k, now, merged.created))
}

/** A counter's total or a gauge's value, summed over the selected series. */
export function currentValue(metric: Metric, matcher: Labels | undefined): number | undefined {
  if (metric.kind === 'distribution') return undefined
  let sum = 0
  let found = false
  for (const series of metric.series.values()) {
    if (matcher !== undefined && !matches(series.labels, matcher)) continue
    found = true
    sum += metric.kind === 'counter' ? (series as CounterSeries).total : (series as GaugeSeries).value
  }
  return found ? sum : undefined
}

/** Increase per second over `window`: of a counter's total, or of a distribution's count. */
export function ratePerSecond(metric: Metric, matcher: Labels | undefined, window: StatsWindow, k: number, now: number): number | undefined {
  if (metric.kind === 'gauge') return undefined
  if (metric.kind === 'distribution') return distributionStats(metric, matcher, window, k, now)?.ratePerSec
  let increase = 0
  let created = Infinity
  let found = false
  for (const series of metric.series.values()) {
    if (matcher !== undefined && !matches(series.labels, matcher)) continue
    found = true
    increase += (series as CounterSeries).increase(window, k)
    if (series.created < created) created = series.created
  }
  if (!found) return undefined
  return increase / (Math.max(spanOf(window, k, now, created), MIN_RATE_SPAN_MS) / 1000)
}
