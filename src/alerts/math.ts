// Small numeric helpers for trend, anomaly and predictive rules, on plain arrays. A degenerate
// input yields undefined, which the rules treat as "no data"; a forecaster may throw (a rule error).
import { RegressionDetector } from '../regression/index'

/** Least-squares slope of value over t, in value units per second (t in ms). */
export function slopePerSecond(points: ReadonlyArray<{ t: number; value: number }>): number | undefined {
  const n = points.length
  if (n < 2) return undefined
  let meanT = 0
  let meanV = 0
  for (const p of points) {
    meanT += p.t
    meanV += p.value
  }
  meanT /= n
  meanV /= n
  let sxx = 0
  let sxy = 0
  for (const p of points) {
    const dt = p.t - meanT
    sxx += dt * dt
    sxy += dt * (p.value - meanV)
  }
  if (sxx === 0) return undefined
  const slope = (sxy / sxx) * 1000
  return Number.isFinite(slope) ? slope : undefined
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * How unusual `x` is against `baseline`: |x - center| / spread, with center and spread the
 * median and scaled MAD (`mad`) or the mean and standard deviation (`zscore`). A flat
 * baseline gets a tiny spread relative to its level, so any departure from it scores high.
 */
export function anomalyScore(baseline: readonly number[], x: number, method: 'mad' | 'zscore'): { score: number; center: number } {
  let center: number
  let spread: number
  if (method === 'mad') {
    center = median(baseline)
    const deviations = baseline.map((v) => Math.abs(v - center))
    // 1.4826 × MAD estimates the standard deviation of normal data. When over half the values
    // are equal the MAD is 0; 1.2533 × the mean absolute deviation is the usual fallback.
    spread = 1.4826 * median(deviations)
    if (spread === 0) spread = (1.2533 * deviations.reduce((sum, d) => sum + d, 0)) / deviations.length
  } else {
    center = baseline.reduce((s, v) => s + v, 0) / baseline.length
    const variance = baseline.reduce((s, v) => s + (v - center) ** 2, 0) / Math.max(1, baseline.length - 1)
    spread = Math.sqrt(variance)
  }
  const floor = Math.max(Math.abs(center) * 1e-9, 1e-12)
  return { score: Math.abs(x - center) / Math.max(spread, floor), center }
}

/**
 * One forecast step: the point forecast and its prediction interval (RegressionDetector's `ForecastPoint` fits).
 * @example
 * ```ts
 * // a naive forecaster for predictive rules: the last value, with a ±10 % interval
 * const engine = new AlertEngine({ monitor, forecast: (values, steps) => {
 *   const last = values[values.length - 1] ?? 0
 *   return Array.from({ length: steps }, (): ForecastValue => ({ value: last, lower: last * 0.9, upper: last * 1.1 }))
 * } })
 * ```
 */
export interface ForecastValue {
  value: number
  lower: number
  upper: number
}

/**
 * The default forecaster of predictive rules: `RegressionDetector.forecast` (Holt's linear
 * method, or Holt-Winters on a seasonal series, with 95 % prediction intervals).
 */
export function forecastWithDetector(): (values: readonly number[], steps: number) => ForecastValue[] {
  const detector = new RegressionDetector()
  return (values, steps) => detector.forecast(values, steps).points
}
