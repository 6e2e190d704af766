import { PerfkitInputError } from '../errors'
import { type NumericSample, quantileSorted, sortedCopy, validateSample } from './descriptive'

function validateQ(argument: string, q: unknown): number {
  if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw new PerfkitInputError(argument, 'a number from 0 to 1', q)
  return q
}

/**
 * The exact `q`-quantile of `values` by linear interpolation between order statistics —
 * NumPy's default (`np.quantile(values, q)`, `method='linear'`, also R's type 7):
 * with the values sorted as x₀ ≤ … ≤ x_{n−1} and h = (n − 1)·q,
 * quantile = x_⌊h⌋ + (h − ⌊h⌋)·(x_⌊h⌋₊₁ − x_⌊h⌋).
 *
 * simple-statistics' `quantile` is not used: it picks order statistics by another rule and
 * does not interpolate. Pass an array of q to get several quantiles with one sort.
 * An empty `values` gives NaN.
 *
 * @throws PerfkitInputError when `values` holds a non-finite number or `q` is outside [0, 1].
 * @example
 * ```ts
 * quantile([1, 2, 3, 4], 0.5) // 2.5
 * quantile(latencies, [0.5, 0.95, 0.99]) // [p50, p95, p99]
 * ```
 */
export function quantile(values: NumericSample, q: number): number
export function quantile(values: NumericSample, q: readonly number[]): number[]
export function quantile(values: NumericSample, q: number | readonly number[]): number | number[] {
  validateSample('values', values)
  if (Array.isArray(q)) {
    const qs = q.map((p, i) => validateQ(`q[${i}]`, p))
    const sorted = sortedCopy(values)
    return qs.map((p) => quantileSorted(sorted, p))
  }
  return quantileSorted(sortedCopy(values), validateQ('q', q))
}
