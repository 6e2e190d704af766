// Descriptive statistics and input validation shared by the tests and the detector.
// Means and variances come from simple-statistics (a compensated sum and a two-pass variance:
// accurate); its `quantile` uses a different interpolation rule than NumPy, so the quantile
// here is our own.
import { mean as ssMean } from 'simple-statistics'
import { PerfkitInputError } from '../errors'

/**
 * A read-only list of numbers: an array or a typed array such as `Float64Array`.
 * @example
 * ```ts
 * const sample: NumericSample = new Float64Array([12.1, 13.4, 11.8])
 * const d = cohensD(sample, [15.2, 16.0, 14.9])
 * ```
 */
export type NumericSample = ArrayLike<number>

/**
 * Throws {@link PerfkitInputError} unless `values` is an array (or typed array) of finite
 * numbers. The error names the first bad element, e.g. `` `a[1]` ``.
 */
export function validateSample(argument: string, values: unknown): asserts values is NumericSample {
  if (!isArrayLike(values)) throw new PerfkitInputError(argument, 'an array of finite numbers', values)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new PerfkitInputError(`${argument}[${i}]`, 'a finite number', v)
  }
}

function isArrayLike(values: unknown): values is ArrayLike<unknown> {
  return Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView))
}

/** Arithmetic mean (compensated summation, via simple-statistics); NaN for an empty sample. */
export function mean(values: NumericSample): number {
  return values.length === 0 ? Number.NaN : ssMean(values as number[])
}

/** Sum of squared deviations from the mean (two-pass); 0 for an empty sample. */
export function sumOfSquares(values: NumericSample, center: number = mean(values)): number {
  let ss = 0
  for (let i = 0; i < values.length; i++) {
    const d = (values[i] as number) - center
    ss += d * d
  }
  return ss
}

/** Sample variance with n − 1 in the denominator; NaN for fewer than 2 values. */
export function sampleVariance(values: NumericSample): number {
  return values.length < 2 ? Number.NaN : sumOfSquares(values) / (values.length - 1)
}

/** A sorted copy, as a Float64Array (numeric order). */
export function sortedCopy(values: NumericSample): Float64Array {
  return Float64Array.from(values as ArrayLike<number>).sort()
}

/**
 * Quantile `q` of already sorted values by NumPy's default (`method='linear'`) rule:
 * h = (n − 1)·q, result = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]), interpolated from the nearer end
 * as NumPy's `_lerp` does. NaN for no values.
 */
export function quantileSorted(sorted: NumericSample, q: number): number {
  const n = sorted.length
  if (n === 0) return Number.NaN
  const h = (n - 1) * q
  const lo = Math.min(Math.floor(h), n - 1)
  const hi = Math.min(lo + 1, n - 1)
  const gamma = h - lo
  const a = sorted[lo] as number
  const b = sorted[hi] as number
  const diff = b - a
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma
}

/** Median (the 0.5 quantile); NaN for no values. */
export function median(values: NumericSample): number {
  return quantileSorted(sortedCopy(values), 0.5)
}

/**
 * Median absolute deviation from `center` (default: the median), unscaled. Multiply by
 * 1.4826 for a consistent estimate of the normal σ.
 */
export function medianAbsoluteDeviation(values: NumericSample, center: number = median(values)): number {
  const deviations = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) deviations[i] = Math.abs((values[i] as number) - center)
  return quantileSorted(deviations.sort(), 0.5)
}

/**
 * Count, mean and median of a sample.
 * @example
 * ```ts
 * const { baseline, current } = detector.compare(before, after)
 * console.log(`median ${baseline.median} → ${current.median} (n ${baseline.n} / ${current.n})`)
 * ```
 */
export interface SampleSummary {
  n: number
  mean: number
  median: number
}

/** {@link SampleSummary} of a sample: NaN fields when it is empty. */
export function summarize(values: NumericSample): SampleSummary {
  return { n: values.length, mean: mean(values), median: median(values) }
}
