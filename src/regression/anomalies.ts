// Point anomalies: z-score, robust median/MAD, and Isolation Forest for multi-metric points.
import { PerfkitInputError } from '../errors'
import { mean, medianAbsoluteDeviation, quantileSorted, sampleVariance } from '../stats/descriptive'
import { IsolationForest } from './isolation-forest'
import { MAD_TO_SIGMA } from './robust'
import { type SeriesData, timeAt } from './series'

/**
 * How {@link RegressionDetector.detectAnomalies} scores points.
 * @example
 * ```ts
 * const method: AnomalyMethod = 'zscore'
 * const spikes = detector.detectAnomalies(latencies, { method, threshold: 3 })
 * ```
 */
export type AnomalyMethod = 'mad' | 'zscore' | 'isolation-forest'

/**
 * Options of {@link RegressionDetector.detectAnomalies}.
 * @example
 * ```ts
 * const spikes = detector.detectAnomalies(latencies, { method: 'mad', window: 31, scale: 'auto', side: 'high' })
 * const odd = detector.detectAnomalies(points, { contamination: 0.01, reference: lastWeekPoints, seed: 7 })
 * ```
 */
export interface AnomalyOptions {
  /**
   * `'mad'`: robust z = (x − median)/(1.4826·MAD), which one spike cannot mask;
   * `'zscore'`: (x − mean)/sd; `'isolation-forest'`: the seeded Isolation Forest score.
   * @defaultValue `'mad'` for a series, `'isolation-forest'` for multi-metric points
   */
  method?: AnomalyMethod
  /**
   * Score from which a point is an anomaly: |z| for `'mad'` (3.5, Iglewicz & Hoaglin) and
   * `'zscore'` (3); the forest score in (0, 1] for `'isolation-forest'` (0.7: ordinary points
   * score about 0.5 and below, the fringe of a cloud up to ~0.65).
   */
  threshold?: number
  /**
   * `'mad'`/`'zscore'` on a series: judge each point against the centered window of this many
   * points around it (itself excluded) instead of the whole series, so that level shifts and
   * trends are not flagged. 0 = whole series. @defaultValue 0
   */
  window?: number
  /** Which side counts, for `'mad'`/`'zscore'`. @defaultValue 'both' */
  side?: 'both' | 'high' | 'low'
  /**
   * Scale the scores are computed on, for `'mad'`/`'zscore'` on a series: `'log'` judges
   * ratios (a latency 3× its neighbours), which suits multiplicative noise; `'auto'` uses log
   * when every value is positive. `expected` is always on the original scale.
   * @defaultValue 'linear'
   */
  scale?: 'linear' | 'log' | 'auto'
  /** Isolation Forest: number of trees. @defaultValue 100 */
  trees?: number
  /** Isolation Forest: subsample size per tree. @defaultValue 256 */
  sampleSize?: number
  /** Isolation Forest: PRNG seed; the same seed gives the same scores. @defaultValue 1 */
  seed?: number
  /**
   * Isolation Forest: flag this fraction of the points with the highest scores instead of
   * using `threshold` (0 < contamination ≤ 0.5). @defaultValue none
   */
  contamination?: number
  /**
   * Isolation Forest: points to fit the forest on (a known-normal baseline); the input points
   * are then scored against it. @defaultValue the input points
   */
  reference?: ReadonlyArray<ReadonlyArray<number>>
}

/**
 * A point of a series that stands out.
 * @example
 * ```ts
 * for (const a of detector.detectAnomalies(monitor.history('prediction_latency_seconds', { stat: 'p95' }))) {
 *   console.log(`${a.direction} spike at ${a.t}: ${a.value} vs ${a.expected} (score ${a.score.toFixed(1)})`)
 * }
 * ```
 */
export interface SeriesAnomaly {
  index: number
  /** Time of the point, when the series had times. */
  t?: number
  value: number
  /** What the point was judged against: the median (mad), the mean (zscore), or NaN (forest). */
  expected: number
  /** |z| for mad/zscore, the forest score for isolation-forest. */
  score: number
  direction: 'high' | 'low'
  kind: 'spike'
  method: AnomalyMethod
}

/**
 * A multi-metric point that stands out.
 * @example
 * ```ts
 * const odd = detector.detectAnomalies(samples.map((s) => [s.latency, s.cpu, s.heap]))
 * for (const a of odd) console.log(`sample ${a.index}: [${a.point.join(', ')}] score ${a.score.toFixed(2)}`)
 * ```
 */
export interface PointAnomaly {
  index: number
  point: readonly number[]
  /** The forest score, or the largest |z| over the dimensions for mad/zscore. */
  score: number
  kind: 'spike'
  method: AnomalyMethod
}

export interface ResolvedAnomalyOptions {
  method: AnomalyMethod
  threshold: number
  window: number
  side: 'both' | 'high' | 'low'
  scale: 'linear' | 'log' | 'auto'
  trees: number
  sampleSize: number
  seed: number
  contamination: number | undefined
  reference: ReadonlyArray<ReadonlyArray<number>> | undefined
}

/** Center and scale of `values` for `method`; scale 0 when they do not vary. */
function location(values: Float64Array, method: 'mad' | 'zscore'): [number, number] {
  if (method === 'zscore') {
    const sd = Math.sqrt(sampleVariance(values))
    return [mean(values), Number.isFinite(sd) ? sd : 0]
  }
  const sorted = values.slice().sort()
  const center = quantileSorted(sorted, 0.5)
  const mad = medianAbsoluteDeviation(sorted, center)
  if (mad > 0) return [center, mad * MAD_TO_SIGMA]
  // More than half the values are equal: fall back to the mean absolute deviation (× √(π/2)).
  let sum = 0
  for (const v of values) sum += Math.abs(v - center)
  return [center, (sum / values.length) * Math.sqrt(Math.PI / 2)]
}

/** Robust or plain z-scores of every point of a series. */
export function seriesAnomalies(data: SeriesData, o: ResolvedAnomalyOptions): SeriesAnomaly[] {
  const { values } = data
  const n = values.length
  if (o.method === 'isolation-forest') {
    return pointAnomalies(Array.from(values, (v) => [v]), o).map((a) => ({
      index: a.index,
      ...timeAt(data, a.index),
      value: values[a.index] as number,
      expected: Number.NaN,
      score: a.score,
      direction: (values[a.index] as number) >= median(values) ? 'high' : 'low',
      kind: 'spike',
      method: a.method,
    }))
  }
  const method = o.method
  const out: SeriesAnomaly[] = []
  const log = o.scale === 'log' || (o.scale === 'auto' && values.every((v) => v > 0))
  if (o.scale === 'log' && !values.every((v) => v > 0)) throw new PerfkitInputError('series', "positive values with scale 'log'", Array.from(values).find((v) => !(v > 0)))
  const scaled = log ? values.map(Math.log) : values
  const global = o.window === 0 ? location(scaled, method) : undefined
  const half = Math.floor(o.window / 2)
  for (let i = 0; i < n; i++) {
    let center: number
    let scale: number
    if (global !== undefined) [center, scale] = global
    else {
      const lo = Math.max(0, i - half)
      const hi = Math.min(n, i + half + 1)
      const neighbours = new Float64Array(hi - lo - 1)
      for (let j = lo, k = 0; j < hi; j++) if (j !== i) neighbours[k++] = scaled[j] as number
      if (neighbours.length < 3) continue
      ;[center, scale] = location(neighbours, method)
    }
    const v = scaled[i] as number
    const z = scale > 0 ? (v - center) / scale : v === center ? 0 : Math.sign(v - center) * Number.POSITIVE_INFINITY
    if (Math.abs(z) < o.threshold || (o.side === 'high' && z < 0) || (o.side === 'low' && z > 0)) continue
    const expected = log ? Math.exp(center) : center
    out.push({ index: i, ...timeAt(data, i), value: values[i] as number, expected, score: Math.abs(z), direction: z > 0 ? 'high' : 'low', kind: 'spike', method })
  }
  return out
}

function median(values: Float64Array): number {
  return quantileSorted(values.slice().sort(), 0.5)
}

/** Validates multi-metric points: a non-empty array of equally long arrays of finite numbers. */
export function toPoints(points: unknown, argument = 'points'): number[][] {
  if (!Array.isArray(points)) throw new PerfkitInputError(argument, 'an array of number arrays', points)
  let dims = -1
  return points.map((p: unknown, i) => {
    if (!Array.isArray(p) || p.length === 0) throw new PerfkitInputError(`${argument}[${i}]`, 'a non-empty array of numbers', p)
    if (dims === -1) dims = p.length
    else if (p.length !== dims) throw new PerfkitInputError(`${argument}[${i}]`, `an array of ${dims} numbers (like ${argument}[0])`, p)
    p.forEach((v: unknown, d) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new PerfkitInputError(`${argument}[${i}][${d}]`, 'a finite number', v)
    })
    return p as number[]
  })
}

/** Anomalies among multi-metric points. */
export function pointAnomalies(points: number[][], o: ResolvedAnomalyOptions): PointAnomaly[] {
  const n = points.length
  if (n === 0) return []
  let scores: Float64Array
  if (o.method === 'isolation-forest') {
    const reference = o.reference === undefined ? points : toPoints(o.reference, 'reference')
    if (reference.length > 0 && (reference[0] as number[]).length !== (points[0] as number[]).length) {
      throw new PerfkitInputError('reference', `points of ${(points[0] as number[]).length} numbers`, reference[0])
    }
    const forest = new IsolationForest(reference.length > 0 ? reference : points, { trees: o.trees, sampleSize: o.sampleSize, seed: o.seed })
    scores = Float64Array.from(points, (p) => forest.score(p))
  } else {
    const method = o.method
    scores = new Float64Array(n)
    const dims = (points[0] as number[]).length
    for (let d = 0; d < dims; d++) {
      const column = Float64Array.from(points, (p) => p[d] as number)
      const [center, scale] = location(column, method)
      for (let i = 0; i < n; i++) {
        const v = column[i] as number
        const z = scale > 0 ? Math.abs(v - center) / scale : v === center ? 0 : Number.POSITIVE_INFINITY
        if (z > (scores[i] as number)) scores[i] = z
      }
    }
  }
  let cut = o.threshold
  if (o.contamination !== undefined && o.method === 'isolation-forest') {
    // The k-th highest score, k = ⌈contamination·n⌉.
    const k = Math.max(1, Math.ceil(o.contamination * n))
    cut = (scores.slice().sort()[n - k] as number)
  }
  const out: PointAnomaly[] = []
  for (let i = 0; i < n; i++) {
    const score = scores[i] as number
    if (score >= cut) out.push({ index: i, point: points[i] as number[], score, kind: 'spike', method: o.method })
  }
  return out
}
