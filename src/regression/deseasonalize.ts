// The working series of change-point detection: ln x for positive series, despiked, and with
// a seasonal cycle removed when one is there (and is not a staircase of steps in disguise).
import { median } from '../stats/descriptive'
import type { ResolvedChangePointOptions } from './change-points'
import { despike } from './robust'
import { rankScan } from './scan'
import { decompose, detectSeasonality } from './seasonality'
import { workingScale } from './series'

/**
 * Removes the seasonal pattern (when there is one) from the working series.
 *
 * A staircase of level steps, once detrended, can look like a sawtooth cycle. So an
 * automatically detected period is kept only when the seasonal decomposition explains the
 * series better than the level steps a plain segmentation finds (smaller residual variance).
 */
export function prepare(values: Float64Array, options: ResolvedChangePointOptions): { work: Float64Array; clean: Float64Array } {
  const { work } = workingScale(values)
  const clean = despike(work)
  const { seasonality } = options
  let period: number | null = null
  if (seasonality === 'auto') period = detectSeasonality(clean, { minPeriod: 2, maxPeriod: Math.floor(values.length / 3), minAutocorrelation: 0.2 }).period
  else if (typeof seasonality === 'number' && seasonality >= 2 && seasonality * 2 <= values.length) period = seasonality
  if (period === null) return { work, clean }
  const { seasonal, remainder } = decompose(clean, period)
  if (seasonality === 'auto' && meanSquare(remainder) >= stepResidualMeanSquare(work, clean, options)) return { work, clean }
  return { work: work.map((v, i) => v - (seasonal[i] as number)), clean: clean.map((v, i) => v - (seasonal[i] as number)) }
}

function meanSquare(values: Float64Array): number {
  let sum = 0
  for (const v of values) sum += v * v
  return sum / values.length
}

/** Mean square of `clean` around the segment medians of a plain level segmentation of `work`. */
function stepResidualMeanSquare(work: Float64Array, clean: Float64Array, options: ResolvedChangePointOptions): number {
  const n = work.length
  const breaks: number[] = []
  const queue: Array<[number, number]> = [[0, n]]
  // Not capped by maxChangePoints: the comparison needs every step the series has.
  while (queue.length > 0 && breaks.length < 256) {
    const [from, to] = queue.shift() as [number, number]
    const split = rankScan(work, from, to, options.minSegmentLength)
    if (split === undefined || split.pValue >= options.alpha) continue
    breaks.push(split.index)
    queue.push([from, split.index], [split.index, to])
  }
  breaks.sort((a, b) => a - b)
  let sum = 0
  let from = 0
  for (const to of [...breaks, n]) {
    const segment = clean.subarray(from, to)
    const m = median(segment)
    for (const v of segment) sum += (v - m) * (v - m)
    from = to
  }
  return sum / n
}

