// Ordinary least squares on (x, y) pairs, computed as SciPy's `linregress` does.
import { PerfkitInputError } from '../errors'
import { studentTSf } from './special'

/**
 * Result of {@link linearRegression}.
 * @example
 * ```ts
 * const fit = linearRegression(history.map((p) => [p.t, p.value] as const))
 * if (fit.pValue < 0.01) console.log(`slope ${fit.slope} ± ${fit.stderr} (r² ${fit.r2.toFixed(2)}, n ${fit.n})`)
 * ```
 */
export interface LinearRegressionResult {
  slope: number
  intercept: number
  /** Coefficient of determination, r². */
  r2: number
  /** Pearson correlation coefficient r. */
  r: number
  /** Two-sided p-value of the null hypothesis "slope = 0" (t-test with n − 2 df). */
  pValue: number
  /** Standard error of the slope. */
  stderr: number
  /** Standard error of the intercept. */
  interceptStderr: number
  /** Number of points. */
  n: number
}

// SciPy adds this to 1 ± r so that a perfect fit gives a huge, finite t.
const TINY = 1e-20

const nanResult = (n: number): LinearRegressionResult => ({
  slope: Number.NaN,
  intercept: Number.NaN,
  r2: Number.NaN,
  r: Number.NaN,
  pValue: Number.NaN,
  stderr: Number.NaN,
  interceptStderr: Number.NaN,
  n,
})

/**
 * Least-squares line through `points` ([x, y] pairs), as SciPy's `linregress`.
 *
 * With x̄, ȳ the means and Sxx = mean((x − x̄)²), Sxy = mean((x − x̄)(y − ȳ)), Syy = mean((y − ȳ)²):
 * slope = Sxy/Sxx, intercept = ȳ − slope·x̄, r = Sxy/√(Sxx·Syy) (clamped to [−1, 1]),
 * r2 = r², t = r·√((n − 2)/((1 − r)(1 + r))), pValue = 2·P(T_{n−2} > |t|),
 * stderr = √((1 − r²)·Syy/Sxx/(n − 2)), interceptStderr = stderr·√(Sxx + x̄²).
 *
 * Degenerate input gives NaN fields instead of a throw: no points, one point, or all x equal
 * (where SciPy raises) make every field NaN; constant y gives slope 0, intercept ȳ and NaN
 * `r`, `r2`, `pValue` (as SciPy). Two points give a perfect fit with `pValue` 0 (or 1 when the
 * two y are equal) and zero standard errors (as SciPy).
 *
 * @throws PerfkitInputError when `points` is not an array of [x, y] pairs of finite numbers.
 * @example
 * ```ts
 * const { slope, intercept, r2 } = linearRegression(history.map((p) => [p.t, p.value]))
 * ```
 */
export function linearRegression(points: ReadonlyArray<readonly [number, number]>): LinearRegressionResult {
  if (!Array.isArray(points)) throw new PerfkitInputError('points', 'an array of [x, y] pairs', points)
  const n = points.length
  const xs = new Float64Array(n)
  const ys = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const p: unknown = points[i]
    if (!Array.isArray(p) || p.length !== 2) throw new PerfkitInputError(`points[${i}]`, 'an [x, y] pair', p)
    const [x, y] = p as unknown[]
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new PerfkitInputError(`points[${i}][0]`, 'a finite number', x)
    if (typeof y !== 'number' || !Number.isFinite(y)) throw new PerfkitInputError(`points[${i}][1]`, 'a finite number', y)
    xs[i] = x
    ys[i] = y
  }
  return fitLine(xs, ys)
}

/** {@link linearRegression} on validated coordinate arrays of equal length. */
export function fitLine(xs: ArrayLike<number>, ys: ArrayLike<number>): LinearRegressionResult {
  const n = xs.length
  if (n < 2) return nanResult(n)
  let xMin = Infinity
  let xMax = -Infinity
  let sx = 0
  let sy = 0
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number
    if (x < xMin) xMin = x
    if (x > xMax) xMax = x
    sx += x
    sy += ys[i] as number
  }
  if (xMin === xMax) return nanResult(n)
  const xMean = sx / n
  const yMean = sy / n
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - xMean
    const dy = (ys[i] as number) - yMean
    sxx += dx * dx
    sxy += dx * dy
    syy += dy * dy
  }
  sxx /= n
  sxy /= n
  syy /= n
  const slope = sxy / sxx
  const intercept = yMean - slope * xMean
  let r: number
  if (syy === 0) r = sxy === 0 ? Number.NaN : 0
  else r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)))
  if (n === 2) {
    return { slope, intercept, r2: r * r, r, pValue: ys[0] === ys[1] ? 1 : 0, stderr: 0, interceptStderr: 0, n }
  }
  const df = n - 2
  const t = r * Math.sqrt(df / ((1 - r + TINY) * (1 + r + TINY)))
  const pValue = Number.isNaN(t) ? Number.NaN : 2 * studentTSf(Math.abs(t), df)
  const stderr = Math.sqrt(((1 - r * r) * syy) / sxx / df)
  return { slope, intercept, r2: r * r, r, pValue, stderr, interceptStderr: stderr * Math.sqrt(sxx + xMean * xMean), n }
}
