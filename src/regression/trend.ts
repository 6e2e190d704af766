// Linear trend, gradual degradation and trend reversals (a continuous hinge: the slope changes
// sign at one point), all from O(1)-per-candidate prefix sums.
import { fitLine } from '../stats/linear-regression'
import { fSf, studentTSf } from '../stats/special'
import { despike } from './robust'
import { type SeriesData, timeAt } from './series'

/**
 * Options of {@link RegressionDetector.detectTrend}.
 * @example
 * ```ts
 * const trend = detector.detectTrend(throughput, { alpha: 0.05, minChangePercent: 10, worseWhen: 'decrease' })
 * ```
 */
export interface TrendOptions {
  /** Significance level of the slope and of each reversal. @defaultValue 0.01 */
  alpha?: number
  /** Least change over the span, in % of the fitted start level, for a trend to count. @defaultValue 5 */
  minChangePercent?: number
  /** Fewest points on each side of a reversal. @defaultValue 10 */
  minSegmentLength?: number
  /** Most reversals reported. @defaultValue 10 */
  maxReversals?: number
  /** Which direction is worse, for `gradualDegradation`. @defaultValue the detector's `worseWhen` */
  worseWhen?: 'increase' | 'decrease' | 'either'
}

/**
 * Where a trend turns around.
 * @example
 * ```ts
 * for (const r of detector.detectTrend(latencies).reversals) console.log(`${r.from} → ${r.to} at ${r.index} (p ${r.pValue})`)
 * ```
 */
export interface TrendReversal {
  /** First index of the new trend. */
  index: number
  t?: number
  kind: 'trend-reversal'
  from: 'increasing' | 'decreasing'
  to: 'increasing' | 'decreasing'
  /** Slopes of the two legs, per unit of x (the index, or `t` for timestamped points). */
  slopeBefore: number
  slopeAfter: number
  /** p-value of the hinge against a straight line (F-test, Bonferroni over the candidate points). */
  pValue: number
}

/**
 * Result of {@link RegressionDetector.detectTrend}.
 * @example
 * ```ts
 * const { direction, slope, r2, changePercent, gradualDegradation } = detector.detectTrend(monitor.history('nodejs_heap_used_bytes'))
 * if (gradualDegradation) console.warn(`heap ${direction} by ${changePercent.toFixed(0)} % (slope ${slope}/ms, r² ${r2.toFixed(2)})`)
 * ```
 */
export interface TrendResult {
  /** Least-squares slope per unit of x: per sample, or per ms of `t` for timestamped points. */
  slope: number
  intercept: number
  r2: number
  /** p-value of "slope = 0". */
  pValue: number
  n: number
  direction: 'increasing' | 'decreasing' | 'flat'
  /** Fitted change over the whole span, in % of the fitted start level. */
  changePercent: number
  /**
   * True when the latest leg (after the last reversal, or the whole series) trends the worse
   * way significantly, by at least `minChangePercent`, and a line fits it at least as well as
   * a single step would (a step is a sudden change, not a gradual one).
   */
  gradualDegradation: boolean
  /** `'gradual-degradation'` when flagged, otherwise null. */
  kind: 'gradual-degradation' | null
  reversals: TrendReversal[]
}

export type ResolvedTrendOptions = Required<TrendOptions>

/** Prefix sums of 1, x, x², y, x·y, y² for O(1) least squares over any range. */
class Sums {
  readonly #p: Float64Array[]
  constructor(x: Float64Array, y: Float64Array) {
    const n = x.length
    this.#p = Array.from({ length: 6 }, () => new Float64Array(n + 1))
    const [c, sx, sxx, sy, sxy, syy] = this.#p as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array]
    for (let i = 0; i < n; i++) {
      const xi = x[i] as number
      const yi = y[i] as number
      c[i + 1] = (c[i] as number) + 1
      sx[i + 1] = (sx[i] as number) + xi
      sxx[i + 1] = (sxx[i] as number) + xi * xi
      sy[i + 1] = (sy[i] as number) + yi
      sxy[i + 1] = (sxy[i] as number) + xi * yi
      syy[i + 1] = (syy[i] as number) + yi * yi
    }
  }
  range(a: number, b: number): number[] {
    return this.#p.map((p) => (p[b] as number) - (p[a] as number))
  }
}

/** SSE of one line over [a, b). */
function lineSse(s: Sums, a: number, b: number): number {
  const [n, x, xx, y, xy, yy] = s.range(a, b) as [number, number, number, number, number, number]
  const sxx = xx - (x * x) / n
  const sxy = xy - (x * y) / n
  const syy = yy - (y * y) / n
  return Math.max(0, sxx > 0 ? syy - (sxy * sxy) / sxx : syy)
}

/** SSE of the best single step over [a, b) (each side ≥ minSeg points). */
function bestStepSse(s: Sums, a: number, b: number, minSeg: number): number {
  const flat = (lo: number, hi: number) => {
    const [n, , , y, , yy] = s.range(lo, hi) as [number, number, number, number, number, number]
    return Math.max(0, yy - (y * y) / n)
  }
  let best = flat(a, b)
  for (let t = a + minSeg; t <= b - minSeg; t++) best = Math.min(best, flat(a, t) + flat(t, b))
  return best
}

interface Hinge {
  index: number
  sse: number
  slopeBefore: number
  slopeAfter: number
  tBefore: number
  tAfter: number
}

/** Best continuous hinge y = β₀ + β₁x + β₂(x − x_τ)₊ over [a, b). */
function bestHinge(s: Sums, x: Float64Array, a: number, b: number, minSeg: number): Hinge | undefined {
  const [n, sx, sxx, sy, sxy, syy] = s.range(a, b) as [number, number, number, number, number, number]
  let best: Hinge | undefined
  for (let t = a + minSeg; t <= b - minSeg; t++) {
    const xt = x[t] as number
    const [c, tx, txx, ty, txy] = s.range(t, b) as [number, number, number, number, number]
    const sh = tx - xt * c
    const shh = txx - 2 * xt * tx + xt * xt * c
    const sxh = txx - xt * tx
    const syh = txy - xt * ty
    const m = [n, sx, sh, sx, sxx, sxh, sh, sxh, shh]
    const inv = invert3(m)
    if (inv === undefined) continue
    const rhs = [sy, sxy, syh]
    const beta = [0, 1, 2].map((r) => (inv[3 * r] as number) * (rhs[0] as number) + (inv[3 * r + 1] as number) * (rhs[1] as number) + (inv[3 * r + 2] as number) * (rhs[2] as number))
    const sse = Math.max(0, syy - (beta[0] as number) * sy - (beta[1] as number) * sxy - (beta[2] as number) * syh)
    if (best !== undefined && sse >= best.sse) continue
    const sigma2 = sse / Math.max(1, n - 3)
    const vb = (inv[4] as number) * sigma2
    const vAfter = ((inv[4] as number) + (inv[8] as number) + 2 * (inv[5] as number)) * sigma2
    const before = beta[1] as number
    const after = before + (beta[2] as number)
    best = { index: t, sse, slopeBefore: before, slopeAfter: after, tBefore: before / Math.sqrt(vb), tAfter: after / Math.sqrt(vAfter) }
  }
  return best
}

function invert3(m: number[]): number[] | undefined {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number]
  const A = e * i - f * h
  const B = -(d * i - f * g)
  const C = d * h - e * g
  const det = a * A + b * B + c * C
  if (!(Math.abs(det) > 1e-12 * Math.abs(a * e * i))) return undefined
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det]
}

/** Fits the trend of a validated series. */
export function findTrend(data: SeriesData, o: ResolvedTrendOptions): TrendResult {
  const n = data.values.length
  const y = despike(data.values)
  // x on [0, 1] for the fits (timestamps in ms would cost precision), scaled back for slopes.
  const raw = data.times ?? Float64Array.from({ length: n }, (_, i) => i)
  const x0 = n > 0 ? (raw[0] as number) : 0
  const span = n > 1 ? (raw[n - 1] as number) - x0 : 0
  const x = raw.map((v) => (span > 0 ? (v - x0) / span : 0))
  const line = fitLine(x, y)
  const slope = span > 0 ? line.slope / span : Number.NaN
  const intercept = span > 0 ? line.intercept - line.slope * (x0 / span) : Number.NaN
  const start = line.intercept
  const end = line.intercept + line.slope
  const changePercent = start !== 0 ? ((end - start) / Math.abs(start)) * 100 : end === 0 ? 0 : Math.sign(end) * Number.POSITIVE_INFINITY
  const significant = line.pValue < o.alpha && Math.abs(changePercent) >= o.minChangePercent
  const direction = !significant ? 'flat' : line.slope > 0 ? 'increasing' : 'decreasing'
  const sums = new Sums(x, y)
  const reversals = findReversals(sums, x, n, o)
  const lastLeg = reversals.length > 0 ? (reversals[reversals.length - 1] as TrendReversal).index : 0
  const gradualDegradation = degrading(sums, x, y, lastLeg, n, o)
  const withTimes = reversals.map((r) => ({ ...r, ...timeAt(data, r.index), slopeBefore: r.slopeBefore / (span || 1), slopeAfter: r.slopeAfter / (span || 1) }))
  return {
    slope,
    intercept,
    r2: line.r2,
    pValue: line.pValue,
    n,
    direction,
    changePercent,
    gradualDegradation,
    kind: gradualDegradation ? 'gradual-degradation' : null,
    reversals: withTimes,
  }
}

/** Does [a, b) trend the worse way, significantly and practically, and better as a line than as a step? */
function degrading(sums: Sums, x: Float64Array, y: Float64Array, a: number, b: number, o: ResolvedTrendOptions): boolean {
  if (b - a < Math.max(3, 2 * o.minSegmentLength)) return false
  const line = fitLine(x.subarray(a, b), y.subarray(a, b))
  if (!(line.pValue < o.alpha)) return false
  const x0 = x[a] as number
  const x1 = x[b - 1] as number
  const start = line.intercept + line.slope * x0
  const end = line.intercept + line.slope * x1
  const change = start !== 0 ? ((end - start) / Math.abs(start)) * 100 : 0
  const worse = o.worseWhen === 'either' ? true : o.worseWhen === 'increase' ? line.slope > 0 : line.slope < 0
  if (!worse || Math.abs(change) < o.minChangePercent) return false
  return lineSse(sums, a, b) <= bestStepSse(sums, a, b, o.minSegmentLength)
}

/** The reversal of [a, b), if a hinge fits significantly better than a line and both legs count. */
function reversalIn(sums: Sums, x: Float64Array, a: number, b: number, o: ResolvedTrendOptions): TrendReversal | undefined {
  const m = b - a
  if (m < 2 * o.minSegmentLength + 1) return undefined
  const hinge = bestHinge(sums, x, a, b, o.minSegmentLength)
  if (hinge === undefined) return undefined
  const sseLine = lineSse(sums, a, b)
  const f = (sseLine - hinge.sse) / (hinge.sse / Math.max(1, m - 3))
  const candidates = m - 2 * o.minSegmentLength + 1
  const pValue = Math.min(1, (hinge.sse > 0 ? fSf(f, 1, m - 3) : 0) * candidates)
  const df = Math.max(1, m - 3)
  const legSignificant = (t: number) => Number.isFinite(t) && 2 * studentTSf(Math.abs(t), df) < o.alpha
  // Each leg must move the level by at least minChangePercent of the mean level.
  const level = Math.abs(sums.range(a, b)[3] as number) / m
  const xt = x[hinge.index] as number
  const legChange = (slope: number, from: number, to: number) => (level > 0 ? (Math.abs(slope * (to - from)) / level) * 100 : Number.POSITIVE_INFINITY)
  const isReversal =
    pValue < o.alpha &&
    Math.sign(hinge.slopeBefore) !== Math.sign(hinge.slopeAfter) &&
    legSignificant(hinge.tBefore) &&
    legSignificant(hinge.tAfter) &&
    legChange(hinge.slopeBefore, x[a] as number, xt) >= o.minChangePercent &&
    legChange(hinge.slopeAfter, xt, x[b - 1] as number) >= o.minChangePercent
  if (!isReversal) return undefined
  return {
    index: hinge.index,
    kind: 'trend-reversal',
    from: hinge.slopeBefore > 0 ? 'increasing' : 'decreasing',
    to: hinge.slopeAfter > 0 ? 'increasing' : 'decreasing',
    slopeBefore: hinge.slopeBefore,
    slopeAfter: hinge.slopeAfter,
    pValue,
  }
}

/**
 * Binary segmentation over hinges, then every reversal re-fitted between its neighbours until
 * nothing moves: one hinge over a zigzag first lands in a poor compromise, which the
 * re-fit between the true turns removes.
 */
function findReversals(sums: Sums, x: Float64Array, n: number, o: ResolvedTrendOptions): TrendReversal[] {
  const found: TrendReversal[] = []
  const queue: Array<[number, number]> = [[0, n]]
  while (queue.length > 0 && found.length < o.maxReversals) {
    const [a, b] = queue.shift() as [number, number]
    const r = reversalIn(sums, x, a, b, o)
    if (r === undefined) continue
    found.push(r)
    queue.push([a, r.index], [r.index, b])
  }
  let points = found.sort((p, q) => p.index - q.index)
  for (let pass = 0; pass < 8; pass++) {
    let changed = false
    const next: TrendReversal[] = []
    for (let k = 0; k < points.length; k++) {
      const a = next.length > 0 ? (next[next.length - 1] as TrendReversal).index : 0
      const b = k + 1 < points.length ? (points[k + 1] as TrendReversal).index : n
      const again = reversalIn(sums, x, a, b, o)
      if (again === undefined || again.index !== (points[k] as TrendReversal).index) changed = true
      if (again !== undefined) next.push(again)
    }
    points = next
    if (!changed) break
  }
  return points
}
