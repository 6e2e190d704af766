// Seasonality by autocorrelation, and the classical additive decomposition used to remove it
// before change points are searched and to seed Holt-Winters.
import { quantileSorted } from '../stats/descriptive'
import { fitLine } from '../stats/linear-regression'
import { autocorrelation } from './fft'
import { refinePeriod } from './harmonics'

/**
 * Options of {@link RegressionDetector.seasonality}.
 * @example
 * ```ts
 * const daily = detector.seasonality(hourlyRequestRates, { minPeriod: 12, maxPeriod: 48, minAutocorrelation: 0.3 })
 * ```
 */
export interface SeasonalityOptions {
  /** Shortest period considered, in samples. @defaultValue 2 */
  minPeriod?: number
  /** Longest period considered, in samples; at least three cycles must fit. @defaultValue ⌊n/3⌋ */
  maxPeriod?: number
  /**
   * Least autocorrelation at the period for the series to count as seasonal (raised to
   * 4/√n for short series, where noise alone reaches it). @defaultValue 0.2
   */
  minAutocorrelation?: number
}

/**
 * Result of {@link RegressionDetector.seasonality}.
 * @example
 * ```ts
 * const { period, strength, autocorrelation } = detector.seasonality(hourlyRequestRates)
 * if (period !== null) console.log(`repeats every ${period} samples (strength ${strength.toFixed(2)}, r ${autocorrelation.toFixed(2)})`)
 * ```
 */
export interface SeasonalityResult {
  /** The period in samples (to a tenth: a cycle need not span whole samples), or `null` when the series is not seasonal. */
  period: number | null
  /**
   * Strength of the seasonal pattern, 0..1: max(0, 1 − Var(remainder)/Var(detrended)) of the
   * classical decomposition at `period` (Wang, Smith & Hyndman). 0 when not seasonal.
   */
  strength: number
  /** Autocorrelation of the detrended series at `period` (0 when not seasonal). */
  autocorrelation: number
}

/** Finds the period of `work` (already on the working scale and despiked). */
export function detectSeasonality(work: Float64Array, options: Required<SeasonalityOptions>): SeasonalityResult {
  const none: SeasonalityResult = { period: null, strength: 0, autocorrelation: 0 }
  const n = work.length
  const maxPeriod = Math.min(options.maxPeriod, Math.floor(n / 3))
  if (maxPeriod < options.minPeriod || n < 8) return none
  const detrended = removeLine(work)
  const acf = autocorrelation(detrended, Math.min(n - 1, 2 * maxPeriod + 1))
  const threshold = Math.max(options.minAutocorrelation, 4 / Math.sqrt(n))
  // The biased estimator shrinks r(k) by (n − k)/n, which pulls peaks of long periods towards
  // shorter lags; peaks are located on the rescaled r(k)·n/(n − k).
  const corrected = acf.map((r, k) => (r * n) / (n - k))
  const peaks: Array<[number, number]> = []
  let lowest = Infinity
  for (let k = 1; k <= maxPeriod; k++) {
    const r = corrected[k] as number
    if (r < lowest) lowest = r
    if (k < options.minPeriod || k + 1 >= corrected.length) continue
    // The top of a hill a quarter period wide, not a noise ripple on its flank.
    let isPeak = r > (corrected[k - 1] as number) && r >= (corrected[k + 1] as number)
    const reach = Math.max(1, Math.floor(k / 4))
    for (let j = Math.max(1, k - reach); isPeak && j <= Math.min(corrected.length - 1, k + reach); j++) {
      if (j !== k && (corrected[j] as number) > r) isPeak = false
    }
    // A real cycle dips and comes back: a trend or a step only decays.
    if (!isPeak || r < threshold || r - lowest < 0.15) continue
    // The pattern must repeat: a cycle also correlates (less) two periods away.
    const twice = 2 * k < corrected.length ? (corrected[2 * k] as number) : r
    if (twice < r / 3) continue
    peaks.push([k, r])
  }
  // Multiples of the period peak too, and long lags are noisier: take the shortest period
  // whose peak comes close to the highest one.
  const highest = Math.max(...peaks.map(([, r]) => r))
  const best = peaks.find(([, r]) => r >= 0.75 * highest)?.[0] ?? -1
  if (best < 0) return none
  // Noise moves an autocorrelation peak by a few lags, and a cycle need not span whole samples.
  const span = Math.max(1, Math.round(best * 0.1))
  const period = refinePeriod(detrended, Math.max(options.minPeriod, best - span), Math.min(maxPeriod, best + span))
  const strength = seasonalStrength(work, period)
  // A "cycle" that explains under a tenth of the variation is noise that happened to line up.
  if (strength < MIN_STRENGTH) return none
  return { period, strength, autocorrelation: acf[Math.round(period)] as number }
}

/** Least seasonal strength for a series to count as seasonal. */
const MIN_STRENGTH = 0.1


/** max(0, 1 − Var(remainder)/Var(detrended)) of the decomposition at `period`. */
function seasonalStrength(work: Float64Array, period: number): number {
  const { remainder, detrended } = decompose(work, period)
  return Math.max(0, 1 - variance(remainder) / variance(detrended))
}

/** `values` minus their least-squares line. */
function removeLine(values: Float64Array): Float64Array {
  const xs = new Float64Array(values.length).map((_, i) => i)
  const { slope, intercept } = fitLine(xs, values)
  if (!Number.isFinite(slope)) return values.slice()
  return values.map((v, i) => v - (intercept + slope * i))
}

function variance(values: Float64Array): number {
  let mean = 0
  for (const v of values) mean += v
  mean /= values.length
  let ss = 0
  for (const v of values) ss += (v - mean) * (v - mean)
  return ss / values.length
}

/** Classical additive decomposition at `period`. */
export interface Decomposition {
  /** Centered moving average over one period (2×period for even periods), extended flat at the ends. */
  trend: Float64Array
  /** Seasonal index per phase bin (median across cycles of value − trend), centered to sum 0. */
  indices: Float64Array
  /** The seasonal component at every index. */
  seasonal: Float64Array
  detrended: Float64Array
  remainder: Float64Array
}

/** Phase bin of index `i` for a (possibly fractional) period split into `bins` bins. */
export function phaseBin(i: number, period: number, bins: number): number {
  return Math.min(bins - 1, Math.floor(((i % period) / period) * bins))
}

/**
 * Classical decomposition with robust (median) seasonal indices, so spikes and steps barely
 * move them. `period` may be fractional: a cycle of 124.6 samples is binned into 125 phases
 * by its true phase, so the pattern does not drift out of step over many cycles.
 */
export function decompose(values: Float64Array, period: number): Decomposition {
  const n = values.length
  const bins = Math.round(period)
  const trend = movingAverage(values, bins)
  const detrended = values.map((v, i) => v - (trend[i] as number))
  const phases = new Uint32Array(n).map((_, i) => phaseBin(i, period, bins))
  const counts = new Uint32Array(bins)
  for (const p of phases) counts[p] = (counts[p] as number) + 1
  const buckets = Array.from(counts, (c) => new Float64Array(c))
  const filled = new Uint32Array(bins)
  for (let i = 0; i < n; i++) {
    const p = phases[i] as number
    ;(buckets[p] as Float64Array)[filled[p]!++] = detrended[i] as number
  }
  const indices = Float64Array.from(buckets, (b) => (b.length === 0 ? 0 : quantileSorted(b.sort(), 0.5)))
  let center = 0
  for (const s of indices) center += s
  center /= bins
  for (let p = 0; p < bins; p++) indices[p] = (indices[p] as number) - center
  const seasonal = Float64Array.from(phases, (p) => indices[p] as number)
  const remainder = detrended.map((d, i) => d - (seasonal[i] as number))
  return { trend, indices, seasonal, detrended, remainder }
}

function movingAverage(values: Float64Array, period: number): Float64Array {
  const n = values.length
  const out = new Float64Array(n)
  const half = Math.floor(period / 2)
  const even = period % 2 === 0
  const prefix = new Float64Array(n + 1)
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + (values[i] as number)
  const first = half
  const last = n - 1 - half
  if (last < first) return out.fill((prefix[n] as number) / n)
  for (let i = first; i <= last; i++) {
    if (even) {
      // 2×P moving average: P + 1 points, the two ends weighted ½.
      const inner = (prefix[i + half] as number) - (prefix[i - half + 1] as number)
      out[i] = (inner + 0.5 * ((values[i - half] as number) + (values[i + half] as number))) / period
    } else {
      out[i] = ((prefix[i + half + 1] as number) - (prefix[i - half] as number)) / period
    }
  }
  for (let i = 0; i < first; i++) out[i] = out[first] as number
  for (let i = last + 1; i < n; i++) out[i] = out[last] as number
  return out
}
