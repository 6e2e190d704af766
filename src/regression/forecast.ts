// Holt's linear method and additive Holt-Winters, in the error-correction (ETS) form, fitted by
// least squares with Nelder–Mead, with the analytic prediction intervals of ETS(A,A,N) and
// ETS(A,A,A) (Hyndman, Koehler, Ord & Snyder, "Forecasting with Exponential Smoothing", 2008, table 6.1).
import { normalQuantile } from '../stats/special'
import { despike } from './robust'
import { detectSeasonality } from './seasonality'
import type { SeriesData } from './series'

/**
 * Options of {@link RegressionDetector.forecast}.
 * @example
 * ```ts
 * const { points } = detector.forecast(hourlyRequestRates, 24, { level: 0.8, seasonality: 24 })
 * ```
 */
export interface ForecastOptions {
  /** Coverage of the prediction intervals, in (0, 1). @defaultValue 0.95 */
  level?: number
  /**
   * `'auto'` uses Holt-Winters when the series is seasonal (two full cycles needed), a number
   * forces that period (in samples), `false` always uses Holt. @defaultValue 'auto'
   */
  seasonality?: 'auto' | number | false
}

/**
 * One forecast step.
 * @example
 * ```ts
 * const last = detector.forecast(monitor.history('system_memory_usage_percent'), 30).points.at(-1)
 * if (last !== undefined && last.upper > 90) console.warn(`memory may reach ${last.upper.toFixed(0)} % by ${last.t}`)
 * ```
 */
export interface ForecastPoint {
  /** Steps ahead, 1..horizon. */
  step: number
  /** Index the point would have in the series. */
  index: number
  /** Its time (last `t` + step × median spacing), when the series had times. */
  t?: number
  value: number
  /** Lower bound of the prediction interval. */
  lower: number
  /** Upper bound of the prediction interval. */
  upper: number
}

/**
 * Result of {@link RegressionDetector.forecast}.
 * @example
 * ```ts
 * const f = detector.forecast(hourlyRequestRates, 24)
 * console.log(`${f.method} (period ${f.period}), ${f.level * 100} % intervals, next hour ${f.points[0]?.value}`)
 * ```
 */
export interface ForecastResult {
  /** `'naive'` (last value, no interval) for fewer than 3 points. */
  method: 'holt' | 'holt-winters' | 'naive'
  /** Season length used by Holt-Winters, else null. */
  period: number | null
  /** Smoothing parameters of the error-correction form (β = α·β* of Holt's component form). */
  alpha: number
  beta: number
  gamma: number
  /** Residual standard deviation of the one-step-ahead errors. */
  sigma: number
  /** Coverage of the intervals. */
  level: number
  points: ForecastPoint[]
}

interface Fit {
  sse: number
  level: number
  trend: number
  season: Float64Array
}

/** Runs the ETS(A,A,A) recursions (m = 0: ETS(A,A,N)) and returns the SSE and final states. */
function run(y: Float64Array, alpha: number, beta: number, gamma: number, m: number, init: { level: number; trend: number; season: Float64Array }): Fit {
  let level = init.level
  let trend = init.trend
  const season = init.season.slice()
  let sse = 0
  for (let t = 0; t < y.length; t++) {
    const s = m > 0 ? (season[t % m] as number) : 0
    const error = (y[t] as number) - (level + trend + s)
    sse += error * error
    level = level + trend + alpha * error
    trend = trend + beta * error
    if (m > 0) season[t % m] = s + gamma * error
  }
  return { sse, level, trend, season }
}

/** Initial states: a line through the first points (Holt), or the first two cycles (Holt-Winters). */
function initialStates(y: Float64Array, m: number): { level: number; trend: number; season: Float64Array } {
  if (m === 0) {
    const k = Math.min(y.length, 10)
    let sx = 0
    let sy = 0
    let sxx = 0
    let sxy = 0
    for (let i = 0; i < k; i++) {
      sx += i
      sy += y[i] as number
      sxx += i * i
      sxy += i * (y[i] as number)
    }
    const trend = (k * sxy - sx * sy) / (k * sxx - sx * sx)
    // The state before the first observation: one trend step back from the line at 0.
    return { level: sy / k - trend * (sx / k) - trend, trend, season: new Float64Array(0) }
  }
  let first = 0
  let second = 0
  for (let i = 0; i < m; i++) {
    first += y[i] as number
    second += y[m + i] as number
  }
  first /= m
  second /= m
  const trend = (second - first) / m
  const season = new Float64Array(m)
  // Seasonal indices from the first cycle around its own line.
  for (let i = 0; i < m; i++) season[i] = (y[i] as number) - (first + trend * (i - (m - 1) / 2))
  return { level: first - trend * ((m - 1) / 2) - trend, trend, season }
}

const logistic = (u: number) => 1 / (1 + Math.exp(-u))

/** Nelder–Mead minimization of `f` from `start` (unconstrained). */
function nelderMead(f: (p: number[]) => number, start: number[], iterations = 300): number[] {
  const d = start.length
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + 1 : v)))].map((p) => ({ p, v: f(p) }))
  for (let it = 0; it < iterations; it++) {
    simplex.sort((a, b) => a.v - b.v)
    const best = simplex[0] as { p: number[]; v: number }
    const worst = simplex[d] as { p: number[]; v: number }
    if (Math.abs(worst.v - best.v) <= 1e-10 * (Math.abs(best.v) + 1e-12)) break
    const centroid = start.map((_, j) => simplex.slice(0, d).reduce((s, q) => s + (q.p[j] as number), 0) / d)
    const at = (t: number) => centroid.map((c, j) => c + t * ((worst.p[j] as number) - c))
    const reflected = at(-1)
    const rv = f(reflected)
    if (rv < best.v) {
      const expanded = at(-2)
      const ev = f(expanded)
      simplex[d] = ev < rv ? { p: expanded, v: ev } : { p: reflected, v: rv }
    } else if (rv < (simplex[d - 1] as { v: number }).v) {
      simplex[d] = { p: reflected, v: rv }
    } else {
      const contracted = at(0.5)
      const cv = f(contracted)
      if (cv < worst.v) simplex[d] = { p: contracted, v: cv }
      else simplex = simplex.map((q) => ({ p: q.p.map((v, j) => (best.p[j] as number) + 0.5 * (v - (best.p[j] as number))), v: 0 })).map((q) => ({ p: q.p, v: f(q.p) }))
    }
  }
  simplex.sort((a, b) => a.v - b.v)
  return (simplex[0] as { p: number[] }).p
}

/** Variance multiplier of the h-step forecast error (table 6.1, class 1). */
function varianceFactor(h: number, alpha: number, beta: number, gamma: number, m: number): number {
  const trendPart = (h - 1) * (alpha * alpha + alpha * beta * h + (beta * beta * h * (2 * h - 1)) / 6)
  if (m === 0) return 1 + trendPart
  const k = Math.floor((h - 1) / m)
  return 1 + trendPart + gamma * k * (2 * alpha + gamma + beta * m * (k + 1))
}

/** Forecasts a validated series `horizon` steps ahead. */
export function forecastSeries(data: SeriesData, horizon: number, options: Required<ForecastOptions>): ForecastResult {
  const { values, times } = data
  const n = values.length
  const z = normalQuantile((1 + options.level) / 2)
  const spacing = times === undefined || n < 2 ? Number.NaN : medianSpacing(times)
  const timeOf = (step: number) => (times === undefined || n === 0 ? {} : { t: (times[n - 1] as number) + step * spacing })
  if (n < 3) {
    const last = n === 0 ? Number.NaN : (values[n - 1] as number)
    const points = Array.from({ length: horizon }, (_, i) => ({ step: i + 1, index: n + i, ...timeOf(i + 1), value: last, lower: Number.NaN, upper: Number.NaN }))
    return { method: 'naive', period: null, alpha: Number.NaN, beta: Number.NaN, gamma: Number.NaN, sigma: Number.NaN, level: options.level, points }
  }
  const y = despike(values)
  let m = 0
  if (options.seasonality === 'auto') {
    const found = detectSeasonality(y, { minPeriod: 2, maxPeriod: Math.floor(n / 3), minAutocorrelation: 0.2 }).period
    if (found !== null) m = Math.round(found)
  } else if (typeof options.seasonality === 'number') {
    m = Math.round(options.seasonality)
  }
  if (m < 2 || n < 2 * m + 2) m = 0
  const init = initialStates(y, m)
  // α in (0, 1), β in (0, α), γ in (0, 1 − α): the usual admissible region, by logistic maps.
  const params = (u: number[]) => {
    const alpha = logistic(u[0] as number)
    return { alpha, beta: alpha * logistic(u[1] as number), gamma: m > 0 ? (1 - alpha) * logistic(u[2] as number) : 0 }
  }
  const objective = (u: number[]) => {
    const p = params(u)
    return run(y, p.alpha, p.beta, p.gamma, m, init).sse
  }
  const starts = m > 0 ? [[-1, -2, -2], [1, -1, -1], [-2, 0, 0]] : [[-1, -2], [1, -1], [-2, 0]]
  let best = starts[0] as number[]
  let bestValue = Number.POSITIVE_INFINITY
  for (const start of starts) {
    const u = nelderMead(objective, start)
    const v = objective(u)
    if (v < bestValue) {
      bestValue = v
      best = u
    }
  }
  const { alpha, beta, gamma } = params(best)
  const fit = run(y, alpha, beta, gamma, m, init)
  const parameters = (m > 0 ? 3 : 2) + 2 + (m > 0 ? m - 1 : 0)
  const sigma = Math.sqrt(fit.sse / Math.max(1, n - parameters))
  const floor = values.every((v) => v >= 0) ? 0 : Number.NEGATIVE_INFINITY
  const points: ForecastPoint[] = []
  for (let h = 1; h <= horizon; h++) {
    const season = m > 0 ? (fit.season[(n + h - 1) % m] as number) : 0
    const value = fit.level + h * fit.trend + season
    const half = z * sigma * Math.sqrt(varianceFactor(h, alpha, beta, gamma, m))
    points.push({ step: h, index: n + h - 1, ...timeOf(h), value, lower: Math.max(floor, value - half), upper: value + half })
  }
  return { method: m > 0 ? 'holt-winters' : 'holt', period: m > 0 ? m : null, alpha, beta, gamma, sigma, level: options.level, points }
}

function medianSpacing(times: Float64Array): number {
  const gaps = new Float64Array(times.length - 1)
  for (let i = 1; i < times.length; i++) gaps[i - 1] = (times[i] as number) - (times[i - 1] as number)
  gaps.sort()
  return gaps[gaps.length >> 1] as number
}
