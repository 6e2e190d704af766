// Robust building blocks: a noise scale that level shifts do not inflate, rolling medians,
// and a despiking pass so that least-squares fits (ramps, trends, forecasts) are not pulled
// around by single spikes.
import { medianAbsoluteDeviation, quantileSorted } from '../stats/descriptive'

/** MAD × 1.4826 estimates σ for normal data. */
export const MAD_TO_SIGMA = 1.482602218505602

/**
 * Noise σ estimated from first differences: MAD(xᵢ₊₁ − xᵢ)·1.4826/√2. Steps, trends and slow
 * seasonality barely move it, unlike the plain standard deviation. Falls back to the mean
 * absolute difference when more than half the differences are 0; 0 for a constant series.
 */
export function noiseScale(values: ArrayLike<number>): number {
  const n = values.length
  if (n < 3) return 0
  const diffs = new Float64Array(n - 1)
  let sumAbs = 0
  for (let i = 1; i < n; i++) {
    const d = (values[i] as number) - (values[i - 1] as number)
    diffs[i - 1] = d
    sumAbs += Math.abs(d)
  }
  const mad = medianAbsoluteDeviation(diffs, 0)
  if (mad > 0) return (mad * MAD_TO_SIGMA) / Math.SQRT2
  // Mean absolute deviation × √(π/2) is the σ-consistent version of it.
  return ((sumAbs / (n - 1)) * Math.sqrt(Math.PI / 2)) / Math.SQRT2
}

/** Centered rolling median with window 2·halfWidth + 1 (shrunk at the ends). */
export function rollingMedian(values: ArrayLike<number>, halfWidth: number): Float64Array {
  const n = values.length
  const out = new Float64Array(n)
  const window = new Float64Array(2 * halfWidth + 1)
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - halfWidth)
    const hi = Math.min(n, i + halfWidth + 1)
    const w = window.subarray(0, hi - lo)
    for (let j = lo; j < hi; j++) w[j - lo] = values[j] as number
    w.sort()
    out[i] = quantileSorted(w, 0.5)
  }
  return out
}

/**
 * A copy of `values` with every point further than `k` noise σ from its local median (11
 * points) pulled back to that bound. Level shifts pass through untouched; isolated spikes
 * do not.
 */
export function despike(values: Float64Array, k = 5): Float64Array {
  const sigma = noiseScale(values)
  if (!(sigma > 0)) return values.slice()
  const local = rollingMedian(values, 5)
  const bound = k * sigma
  const out = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const m = local[i] as number
    out[i] = Math.min(m + bound, Math.max(m - bound, values[i] as number))
  }
  return out
}
