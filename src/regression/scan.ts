// The single-change test behind change-point detection: a standardized rank CUSUM (the
// Mann-Whitney z of every split of a segment), with an analytic p-value for its maximum.
//
// Ranks make it indifferent to the shape of the noise and to spikes: one spike moves one rank.
import { rank } from '../stats/ranks'
import { normalPdf } from '../stats/special'

/** Largest lag-1 autocorrelation the scan allows for (z is scaled down by at most 0.75). */
const MAX_RHO = 0.28

/** The best split of a segment. */
export interface Split {
  /** Absolute index of the first point after the change. */
  index: number
  /** |z| of the split, after the autocorrelation adjustment. */
  z: number
  /** p-value of max |z| over all splits (Siegmund's approximation). */
  pValue: number
}

/**
 * P(max over u ∈ [u0, u1] of |B(u)|/√(u(1 − u)) > c) for a Brownian bridge B — the null
 * distribution of the largest standardized two-sample z over all split points — by
 * Siegmund's approximation: c·φ(c)·ln(u1(1 − u0)/(u0(1 − u1))) + 4φ(c)/c. It is tight for the
 * small p-values that matter and conservative for a discrete scan.
 */
export function maxZPValue(c: number, u0: number, u1: number): number {
  if (!(c > 0)) return 1
  const span = Math.log((u1 * (1 - u0)) / (u0 * (1 - u1)))
  const phi = normalPdf(c)
  return Math.min(1, c * phi * Math.max(span, 0) + (4 * phi) / c)
}

/**
 * Scans every split of `values[start, end)` leaving at least `minSegment` points on each side
 * and returns the one with the largest |z| of the rank-sum statistic:
 * z_t = (R_t − t·r̄) / √(t(m − t)/m · s²_r), with R_t the rank sum of the first t points, r̄ and
 * s²_r the mean and variance of the ranks (ties averaged, so ties are accounted for).
 *
 * Positive autocorrelation (smooth noise, residual seasonality) makes any CUSUM too eager; z
 * is scaled by √((1 − ρ)/(1 + ρ)), ρ the lag-1 autocorrelation of the rank residuals around
 * the two side means, which is the variance inflation of an AR(1) mean.
 */
export function rankScan(values: ArrayLike<number>, start: number, end: number, minSegment: number, adjustForAutocorrelation = true): Split | undefined {
  const m = end - start
  if (m < 2 * minSegment || minSegment < 1) return undefined
  const segment = new Float64Array(m)
  for (let i = 0; i < m; i++) segment[i] = values[start + i] as number
  const { ranks } = rank(segment)
  const rBar = (m + 1) / 2
  let ss = 0
  for (let i = 0; i < m; i++) ss += ((ranks[i] as number) - rBar) ** 2
  const s2 = ss / (m - 1)
  if (!(s2 > 0)) return undefined
  let cum = 0
  let bestT = -1
  let bestZ = 0
  for (let t = 1; t < m; t++) {
    cum += ranks[t - 1] as number
    if (t < minSegment || m - t < minSegment) continue
    const z = Math.abs(cum - t * rBar) / Math.sqrt(((t * (m - t)) / m) * s2)
    if (z > bestZ) {
      bestZ = z
      bestT = t
    }
  }
  if (bestT < 0) return undefined
  const rho = adjustForAutocorrelation ? residualAutocorrelation(ranks, bestT) : 0
  // Capped at ρ = 0.28 (z × 0.75): beyond that the residual ranks of a clean step in smooth
  // noise would excuse even a perfectly separated change.
  const r = Math.min(Math.max(rho, 0), MAX_RHO)
  const z = bestZ * Math.sqrt((1 - r) / (1 + r))
  return { index: start + bestT, z, pValue: maxZPValue(z, minSegment / m, 1 - minSegment / m) }
}

/** Lag-1 autocorrelation of `values` around the means of [0, split) and [split, n). */
function residualAutocorrelation(values: Float64Array, split: number): number {
  const n = values.length
  let left = 0
  for (let i = 0; i < split; i++) left += values[i] as number
  left /= split
  let right = 0
  for (let i = split; i < n; i++) right += values[i] as number
  right /= n - split
  let num = 0
  let den = 0
  let prev = (values[0] as number) - left
  den += prev * prev
  for (let i = 1; i < n; i++) {
    const e = (values[i] as number) - (i < split ? left : right)
    num += prev * e
    den += e * e
    prev = e
  }
  return den > 0 ? num / den : 0
}

/** A split found inside a sub-interval [from, to) of the segment searched. */
export interface IntervalSplit extends Split {
  from: number
  to: number
}

/**
 * Seeded intervals (Kovács et al., "Seeded binary segmentation", 2020): a single-change scan
 * of a whole segment dilutes a short episode in its middle — 30 slow points in 1 000 barely
 * move a CUSUM over all of them. This scans intervals of half, a quarter, … of the segment
 * (down to 4·minSegment, each scale overlapping by half) and returns the best split of the
 * most promising one.
 *
 * The screening uses the mean CUSUM of the despiked series (`prefix` holds its prefix sums,
 * `sigma` its robust noise scale), which costs O(length) per interval; the chosen interval is
 * then tested with {@link rankScan}, and its p-value multiplied by the number of intervals
 * screened (Bonferroni).
 */
export function seededScan(
  work: ArrayLike<number>,
  prefix: Float64Array,
  sigma: number,
  from: number,
  to: number,
  minSegment: number,
): IntervalSplit | undefined {
  if (!(sigma > 0)) return undefined
  let count = 0
  let bestZ = 0
  let best: [number, number] | undefined
  const scan = (s: number, e: number) => {
    count++
    const len = e - s
    const total = (prefix[e] as number) - (prefix[s] as number)
    for (let t = minSegment; t <= len - minSegment; t++) {
      const partial = (prefix[s + t] as number) - (prefix[s] as number)
      const z = Math.abs(partial - (t * total) / len) / (sigma * Math.sqrt((t * (len - t)) / len))
      if (z > bestZ) {
        bestZ = z
        best = [s, e]
      }
    }
  }
  for (let len = Math.floor((to - from) / 2); len >= 4 * minSegment; len = Math.floor(len / 2)) {
    const step = Math.max(1, Math.floor(len / 2))
    let s = from
    for (; s + len <= to; s += step) scan(s, s + len)
    if (s - step + len < to) scan(to - len, to)
  }
  if (best === undefined) return undefined
  const [s, e] = best
  const split = rankScan(work, s, e, minSegment)
  if (split === undefined) return undefined
  return { ...split, pValue: Math.min(1, split.pValue * count), from: s, to: e }
}
