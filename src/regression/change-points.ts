// Change-point detection: binary segmentation over a rank CUSUM with an analytic p-value,
// seeded sub-intervals for short episodes, a step-versus-ramp model choice, and a re-test of
// every change against its neighbours. See docs/statistics.md for the design and its figures.
import type { FindingKind } from '../bus/events/regression'
import { median, medianAbsoluteDeviation, type SampleSummary, summarize } from '../stats/descriptive'
import { noiseScale } from './robust'
import { fitRamp, PrefixSums, rampLevels, stepSse } from './ramp-fit'
import { type IntervalSplit, rankScan, seededScan } from './scan'
import { prepare } from './deseasonalize'
import { type SeriesData, timeAt } from './series'

/**
 * Options of {@link RegressionDetector.detectChangePoints}.
 * @example
 * ```ts
 * const changes = detector.detectChangePoints(latencies, { alpha: 1e-3, minSegmentLength: 20, seasonality: false })
 * ```
 */
export interface ChangePointOptions {
  /** Significance level of each split (Bonferroni-split between the level and spread tests). @defaultValue 1e-4 */
  alpha?: number
  /**
   * Fewest points on each side of a change. Shorter bursts are anomalies, not changes; a change
   * closer than this to an end (or to another change) is placed this far from it. @defaultValue 10
   */
  minSegmentLength?: number
  /** Least relative change of the median for a level change to count (0.02 = 2 %). @defaultValue 0.02 */
  minRelativeChange?: number
  /** Least relative change of the spread (MAD) for a spread-only change to count. @defaultValue 0.25 */
  minSpreadChange?: number
  /** Also look for changes of spread at an unchanged level. @defaultValue true */
  detectSpread?: boolean
  /**
   * Most change points reported per series (bounds the work). When it is reached the first
   * splits are reported without the refinement pass. @defaultValue 32
   */
  maxChangePoints?: number
  /**
   * Seasonality to remove before searching: `'auto'` detects it, a number is the period in
   * samples, `false` searches the raw series. @defaultValue 'auto'
   */
  seasonality?: 'auto' | number | false
}

/**
 * A change point found by {@link RegressionDetector.detectChangePoints}.
 * @example
 * ```ts
 * const [first] = detector.detectChangePoints(monitor.history('db_query_duration_seconds', { stat: 'p95' }))
 * if (first?.change === 'level') console.log(`${first.kind} at ${first.t}: ${first.before.median} → ${first.after.median}`)
 * ```
 */
export interface ChangePoint {
  /** First index of the new regime (the start of the ramp for a gradual change). */
  index: number
  /** Time of `index`, when the series had times. */
  t?: number
  /** Where the transition ends: `index` for a sudden step, the end of the ramp for a gradual change. */
  endIndex: number
  /** 'sudden-step' or 'gradual-degradation' (a ramp, in either direction). */
  kind: Extract<FindingKind, 'sudden-step' | 'gradual-degradation'>
  /** What changed: the level (median) or only the spread. */
  change: 'level' | 'spread'
  direction: 'increase' | 'decrease'
  /** The segment before the change (from the previous change point). */
  before: SampleSummary
  /** The segment after the change (to the next change point). */
  after: SampleSummary
  /** p-value of the change in its segment (0 when it is below the double range). */
  pValue: number
  /** Relative change of the median, (after − before)/|before|; for a spread change, of the MAD. */
  magnitude: number
}

export type ResolvedChangePointOptions = Required<ChangePointOptions>

interface Candidate {
  /** First index of the change (ramp start). */
  index: number
  /** Ramp end; `index` for a step. */
  end: number
  kind: ChangePoint['kind']
  change: ChangePoint['change']
  pValue: number
}

function relativeChange(before: number, after: number): number {
  if (before === after) return 0
  if (before === 0) return after > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY
  return (after - before) / Math.abs(before)
}

/**
 * Where the variance changes in [from, to): the split maximizing the normal likelihood of two
 * variances around `center` (on the despiked series). The rank test decides whether there is
 * a change; this places it more precisely than the rank CUSUM of absolute deviations.
 */
function varianceChangeIndex(clean: Float64Array, from: number, to: number, center: number, minSeg: number): number {
  const m = to - from
  const prefix = new Float64Array(m + 1)
  for (let i = 0; i < m; i++) prefix[i + 1] = (prefix[i] as number) + ((clean[from + i] as number) - center) ** 2
  const total = prefix[m] as number
  let best = from + minSeg
  let bestLl = -Infinity
  for (let t = minSeg; t <= m - minSeg; t++) {
    const left = Math.max(prefix[t] as number, 1e-300)
    const right = Math.max(total - (prefix[t] as number), 1e-300)
    const ll = -t * Math.log(left / t) - (m - t) * Math.log(right / (m - t))
    if (ll > bestLl) {
      bestLl = ll
      best = from + t
    }
  }
  return best
}

/** Significance at which the inside of a fitted ramp counts as a staircase of steps. */
const STAIRCASE_ALPHA = 0.01

/**
 * Step or ramp? A level change at `index` in [from, to) is gradual when a flat–ramp–flat model
 * beats the single step by BIC (m·ln(SSE/m) + p·ln m, p = 4 against 3), the ramp is at least
 * `minLength` long, and what the ramp leaves inside [a, b) has no level change of its own —
 * a staircase of close steps fits a ramp too, but leaves a sawtooth behind.
 */
function rampAround(clean: Float64Array, from: number, to: number, index: number, minLength: number): { a: number; b: number } | undefined {
  if (index - from < 2 || to - index < 2) return undefined
  const m = to - from
  const sums = new PrefixSums(clean, from, to)
  const { a, b, sse } = fitRamp(sums, from, to, [from + 1, index], [index, to - 1])
  if (b - a < minLength) return undefined
  const bic = (value: number, params: number) => m * Math.log(Math.max(value, 1e-300) / m) + params * Math.log(m)
  if (!(bic(sse, 4) < bic(stepSse(sums, from, to, [index]), 3))) return undefined
  const { mu1, mu2 } = rampLevels(sums, from, to, a, b)
  const residuals = new Float64Array(b - a)
  for (let i = a; i < b; i++) residuals[i - a] = (clean[i] as number) - (mu1 + ((mu2 - mu1) * (i - a)) / (b - a))
  // No autocorrelation allowance here: the sawtooth of a staircase is exactly what it would excuse.
  const inner = rankScan(residuals, 0, b - a, Math.max(3, Math.floor(minLength / 2)), false)
  return inner !== undefined && inner.pValue < STAIRCASE_ALPHA ? undefined : { a, b }
}

/** Finds the change points of a validated series. */
export function findChangePoints(data: SeriesData, options: ResolvedChangePointOptions): ChangePoint[] {
  const { values } = data
  const n = values.length
  const minSeg = options.minSegmentLength
  if (n < 2 * minSeg) return []
  const { work, clean } = prepare(values, options)
  const alphaEach = options.detectSpread ? options.alpha / 2 : options.alpha
  const tests = options.detectSpread ? 2 : 1

  // Refinement re-tests the same windows pass after pass: remember the answers.
  const tested = new Map<number, Candidate | undefined>()
  const test = (from: number, to: number): Candidate | undefined => {
    const key = from * (n + 1) + to
    if (tested.has(key)) return tested.get(key)
    const result = testSegment(from, to)
    tested.set(key, result)
    return result
  }

  const prefix = new Float64Array(n + 1)
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + (clean[i] as number)
  const sigma = noiseScale(clean)
  const practical = (s: IntervalSplit) =>
    Math.abs(relativeChange(median(values.subarray(s.from, s.index)), median(values.subarray(s.index, s.to)))) >= options.minRelativeChange

  /** A significant, practical level change in [from, to): over the whole segment, else in a seeded sub-interval. */
  const levelSplit = (from: number, to: number): IntervalSplit | undefined => {
    const whole = rankScan(work, from, to, minSeg)
    if (whole !== undefined && whole.pValue < alphaEach) {
      const split = { ...whole, from, to }
      if (practical(split)) return split
    }
    const seeded = seededScan(work, prefix, sigma, from, to, minSeg)
    // Ten times stricter: short intervals are where slow wobbles of the noise look like steps.
    return seeded !== undefined && seeded.pValue < alphaEach / 10 && practical(seeded) ? seeded : undefined
  }

  /** The most significant practical change in [from, to), if any. */
  const testSegment = (from: number, to: number): Candidate | undefined => {
    const level = levelSplit(from, to)
    if (level !== undefined) {
      const pValue = Math.min(1, level.pValue * tests)
      const ramp = rampAround(clean, level.from, level.to, level.index, minSeg)
      if (ramp !== undefined) return { index: ramp.a, end: ramp.b, kind: 'gradual-degradation', change: 'level', pValue }
      return { index: level.index, end: level.index, kind: 'sudden-step', change: 'level', pValue }
    }
    if (!options.detectSpread) return undefined
    const segment = work.subarray(from, to)
    const center = median(segment)
    const spread = rankScan(segment.map((v) => Math.abs(v - center)), 0, to - from, minSeg)
    if (spread === undefined || spread.pValue >= alphaEach) return undefined
    const index = varianceChangeIndex(clean, from, to, center, minSeg)
    const ratio = medianAbsoluteDeviation(work.subarray(index, to)) / medianAbsoluteDeviation(work.subarray(from, index))
    if (!(ratio >= 1 + options.minSpreadChange || ratio <= 1 / (1 + options.minSpreadChange))) return undefined
    return { index, end: index, kind: 'sudden-step', change: 'spread', pValue: Math.min(1, spread.pValue * tests) }
  }

  // Binary segmentation, widest segments first; a ramp's inside is not searched again.
  const found: Candidate[] = []
  const queue: Array<[number, number]> = [[0, n]]
  while (queue.length > 0 && found.length < options.maxChangePoints) {
    const [from, to] = queue.shift() as [number, number]
    const c = test(from, to)
    if (c === undefined) continue
    found.push(c)
    queue.push([from, c.index], [c.end, to])
  }
  // At the cap some segments still hold changes, and re-testing against neighbours that are
  // not the real ones would move points around: report the first splits as they are.
  const settled = found.length >= options.maxChangePoints ? [...found].sort((a, b) => a.index - b.index) : refine(found, n, test)
  return settled.map((c, k, all) => finding(data, clean, c, k > 0 ? (all[k - 1] as Candidate).end : 0, k + 1 < all.length ? (all[k + 1] as Candidate).index : n))
}

/**
 * Re-tests every change against its neighbours only (binary segmentation tested it against a
 * wider segment) until nothing moves: spurious splits drop out and positions settle.
 */
function refine(found: Candidate[], n: number, test: (from: number, to: number) => Candidate | undefined): Candidate[] {
  let points = [...found].sort((a, b) => a.index - b.index)
  for (let pass = 0; pass < 8; pass++) {
    let changed = false
    const next: Candidate[] = []
    for (let k = 0; k < points.length; k++) {
      const from = next.length > 0 ? (next[next.length - 1] as Candidate).end : 0
      const to = k + 1 < points.length ? (points[k + 1] as Candidate).index : n
      const current = points[k] as Candidate
      const again = to > from ? test(from, to) : undefined
      if (again === undefined) {
        changed = true
        continue
      }
      if (again.index !== current.index || again.end !== current.end || again.change !== current.change) changed = true
      next.push(again)
    }
    points = next
    if (!changed) break
  }
  return points
}

function finding(data: SeriesData, clean: Float64Array, c: Candidate, from: number, to: number): ChangePoint {
  const before = summarize(data.values.subarray(from, c.index))
  const after = summarize(data.values.subarray(c.end, to))
  const magnitude =
    c.change === 'level'
      ? relativeChange(before.median, after.median)
      : relativeChange(medianAbsoluteDeviation(clean.subarray(from, c.index)), medianAbsoluteDeviation(clean.subarray(c.end, to)))
  return {
    index: c.index,
    ...timeAt(data, c.index),
    endIndex: c.end,
    kind: c.kind,
    change: c.change,
    direction: magnitude >= 0 ? 'increase' : 'decrease',
    before,
    after,
    pValue: c.pValue,
    magnitude,
  }
}
