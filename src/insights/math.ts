// Small numeric helpers of the analysis: correlation, a least-squares line, alignment of two
// histories on a common time grid, and reading a tail fraction off a quantile summary.
import { fitLine as leastSquares } from '../stats/linear-regression'

/** A time-stamped value; `t` in ms. */
export interface Point {
  t: number
  value: number
}

/**
 * Pearson's r of two equally long samples, or `undefined` when either has no variance (or
 * fewer than 2 points). {@link pearsonGrid} without gaps.
 */
export function pearson(xs: ArrayLike<number>, ys: ArrayLike<number>): number | undefined {
  return pearsonGrid(xs, ys).r
}

/**
 * Pearson's r over the indices where both grids hold a value (NaN marks a gap), with the
 * number of pairs used. The allocation-free path of the correlation pass.
 */
export function pearsonGrid(a: ArrayLike<number>, b: ArrayLike<number>): { r: number | undefined; n: number } {
  const length = Math.min(a.length, b.length)
  let n = 0
  let sx = 0
  let sy = 0
  for (let i = 0; i < length; i++) {
    const x = a[i] as number
    const y = b[i] as number
    // NaN fails both comparisons, so this skips a gap in either grid.
    if (x === x && y === y) {
      n++
      sx += x
      sy += y
    }
  }
  if (n < 2) return { r: undefined, n }
  const mx = sx / n
  const my = sy / n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < length; i++) {
    const x = a[i] as number
    const y = b[i] as number
    if (x === x && y === y) {
      const dx = x - mx
      const dy = y - my
      sxy += dx * dy
      sxx += dx * dx
      syy += dy * dy
    }
  }
  if (sxx <= 1e-24 * n * (mx * mx + 1) || syy <= 1e-24 * n * (my * my + 1)) return { r: undefined, n }
  return { r: Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy))), n }
}

/**
 * Puts two histories on one grid of `bucketMs` buckets (the mean of each series inside a
 * bucket) and keeps the buckets both have. Histories from one monitor share snapshot times,
 * so this mostly pairs equal timestamps; the buckets absorb small skews between sources.
 */
export function align(a: readonly Point[], b: readonly Point[], bucketMs: number): { xs: Float64Array; ys: Float64Array } {
  return alignBuckets(bucketMeans(a, bucketMs), bucketMeans(b, bucketMs))
}

/** {@link align} for series already bucketed with {@link bucketMeans}. */
export function alignBuckets(bucketsA: ReadonlyMap<number, number>, bucketsB: ReadonlyMap<number, number>): { xs: Float64Array; ys: Float64Array } {
  const keys: number[] = []
  for (const key of bucketsA.keys()) if (bucketsB.has(key)) keys.push(key)
  // Keys come in time order (histories are oldest first), and Pearson ignores order anyway.
  const xs = new Float64Array(keys.length)
  const ys = new Float64Array(keys.length)
  keys.forEach((key, i) => {
    xs[i] = bucketsA.get(key) as number
    ys[i] = bucketsB.get(key) as number
  })
  return { xs, ys }
}

/** Mean value per `bucketMs` bucket of time (key: bucket index). */
export function bucketMeans(points: readonly Point[], bucketMs: number): Map<number, number> {
  const sums = new Map<number, [number, number]>()
  for (const p of points) {
    if (!Number.isFinite(p.value) || !Number.isFinite(p.t)) continue
    const key = Math.floor(p.t / bucketMs)
    const acc = sums.get(key)
    if (acc === undefined) sums.set(key, [p.value, 1])
    else {
      acc[0] += p.value
      acc[1] += 1
    }
  }
  const means = new Map<number, number>()
  for (const [key, [sum, count]] of sums) means.set(key, sum / count)
  return means
}

/** A least-squares line through time-stamped points: slope per second, and R². */
export interface LineFit {
  /** Units per second. */
  slope: number
  /** Value of the line at the first point's time. */
  start: number
  /** Value of the line at the last point's time. */
  end: number
  /** Coefficient of determination, 0..1 (0 when the values are constant). */
  r2: number
  /** Time from the first to the last point, ms. */
  spanMs: number
  n: number
}

/** Fits a line to `points` (at least 3, spanning some time), or returns `undefined`. */
export function fitLine(points: readonly Point[]): LineFit | undefined {
  const n = points.length
  if (n < 3) return undefined
  const t0 = (points[0] as Point).t
  const seconds = new Float64Array(n)
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const p = points[i] as Point
    seconds[i] = (p.t - t0) / 1000
    values[i] = p.value
  }
  const line = leastSquares(seconds, values)
  if (Number.isNaN(line.slope)) return undefined // every point at one time
  const spanMs = (points[n - 1] as Point).t - t0
  // Constant values fit any flat line perfectly but explain nothing: R² 0, not NaN.
  const r2 = Number.isNaN(line.r2) ? 0 : line.r2
  return { slope: line.slope, start: line.intercept, end: line.intercept + (line.slope * spanMs) / 1000, r2, spanMs, n }
}

/** The quantile summary a distribution read returns (a subset of the monitor's stats). */
export interface QuantileSummary {
  count: number
  min: number
  max: number
  p50: number
  p90: number
  p95: number
  p99: number
  p999: number
}

/**
 * Estimates the share of a distribution's values above `threshold` by linear interpolation
 * between its known quantiles (min, p50 … p999, max). Exact at the quantile points, which is
 * as much as a quantile sketch can say.
 */
export function fractionAbove(s: QuantileSummary, threshold: number): number {
  if (s.count === 0 || threshold >= s.max) return 0
  if (threshold < s.min) return 1
  const knots: Array<[number, number]> = [
    [0, s.min],
    [0.5, s.p50],
    [0.9, s.p90],
    [0.95, s.p95],
    [0.99, s.p99],
    [0.999, s.p999],
    [1, s.max],
  ]
  for (let i = 1; i < knots.length; i++) {
    const [q1, v1] = knots[i] as [number, number]
    if (threshold < v1) {
      const [q0, v0] = knots[i - 1] as [number, number]
      const q = v1 === v0 ? q0 : q0 + ((threshold - v0) / (v1 - v0)) * (q1 - q0)
      return Math.max(0, Math.min(1, 1 - q))
    }
  }
  return 0
}

/** Share of `points` whose value is at or past `level` (above it, or below it for `below`). */
export function shareBeyond(points: readonly Point[], level: number, direction: 'above' | 'below' = 'above'): number {
  if (points.length === 0) return 0
  let hits = 0
  for (const p of points) if (direction === 'above' ? p.value >= level : p.value <= level) hits++
  return hits / points.length
}

/** Clamps to [min, max]. */
export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value
}

/** Rounds for display in text: 3 significant digits. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (value !== 0 && Math.abs(value) < 0.001) return value.toExponential(2)
  return String(Number(value.toPrecision(3)))
}

/** Seconds for display: `420 ms`, `1.2 s`. */
export function fmtSeconds(seconds: number): string {
  return seconds < 1 ? `${fmt(seconds * 1000)} ms` : `${fmt(seconds)} s`
}

/** Bytes for display: `512 MB`. */
export function fmtBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${fmt(value)} ${units[unit] as string}`
}

/** Milliseconds for display as a duration: `45 s`, `12 min`, `3.5 h`. */
export function fmtDuration(ms: number): string {
  if (ms < 60_000) return `${fmt(ms / 1000)} s`
  if (ms < 3_600_000) return `${fmt(ms / 60_000)} min`
  return `${fmt(ms / 3_600_000)} h`
}
