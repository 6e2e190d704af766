// Baseline-versus-current comparison: significance AND a practical effect, then a shape.
import type { FindingKind } from '../bus/events/regression'
import { type SampleSummary, summarize } from '../stats/descriptive'
import { fitLine } from '../stats/linear-regression'
import { cohensD, type MannWhitneyResult, mannWhitneyU, type WelchResult, welchTTest } from '../stats/two-sample'

/**
 * Which direction of change is a regression.
 * @example
 * ```ts
 * const throughput = new RegressionDetector({ worseWhen: 'decrease' }) // fewer requests per second is the regression
 * const r = throughput.compare(lastWeekRates, todayRates)
 * ```
 */
export type WorseWhen = 'increase' | 'decrease' | 'either'

/**
 * Options of {@link RegressionDetector.compare}. Defaults come from the detector.
 * @example
 * ```ts
 * const r = detector.compare(before, after, { alpha: 0.05, minChangePercent: 10, minEffectSize: 0.5, test: 'mann-whitney' })
 * ```
 */
export interface CompareOptions {
  /** Significance level. @defaultValue 0.01 */
  alpha?: number
  /** Least relative change of the mean, in %, for a practical effect. @defaultValue 5 */
  minChangePercent?: number
  /** Least |Cohen's d| for a practical effect (0.2 is "small"). @defaultValue 0.2 */
  minEffectSize?: number
  /** Which direction is a regression: latency `'increase'`, throughput `'decrease'`. @defaultValue 'increase' */
  worseWhen?: WorseWhen
  /**
   * Which test must be significant: `'both'` (Welch and Mann-Whitney: robust to a few spikes
   * and to shape), `'welch'` or `'mann-whitney'`. `pValue` is the larger of the required ones.
   * @defaultValue 'both'
   */
  test?: 'both' | 'welch' | 'mann-whitney'
}

/**
 * Result of {@link RegressionDetector.compare}.
 * @example
 * ```ts
 * const r = detector.compare(before, after)
 * console.log(`${r.direction} ${r.changePercent.toFixed(1)} % (p ${r.pValue}, d ${r.effectSize.toFixed(2)}): ${r.regressed ? r.kind : 'no regression'}`)
 * ```
 */
export interface CompareResult {
  /** Significant, practical, and in the worse direction. */
  regressed: boolean
  /** Direction of the mean change; 'none' when the means are equal (or undefined). */
  direction: 'increase' | 'decrease' | 'none'
  /** (mean(current) − mean(baseline)) / |mean(baseline)| × 100. */
  changePercent: number
  welch: WelchResult
  mannWhitney: MannWhitneyResult
  /** Cohen's d of current against baseline (positive = current larger). */
  effectSize: number
  /** p-value of the required test(s). */
  pValue: number
  /** pValue < alpha. */
  significant: boolean
  /** |changePercent| ≥ minChangePercent and |effectSize| ≥ minEffectSize. */
  practical: boolean
  /**
   * 0..1: (1 − pValue) × min(1, |effectSize| / 0.8) — certainty that the difference is real,
   * scaled down for effects smaller than Cohen's "large" (0.8). 0 when undefined.
   */
  confidence: number
  /** Shape of a significant, practical change (see {@link FindingKind}); null otherwise. */
  kind: FindingKind | null
  baseline: SampleSummary
  current: SampleSummary
  /** One sentence saying what was found and why it is (not) a regression. */
  reason: string
}

export type ResolvedCompareOptions = Required<CompareOptions>

const fmtP = (p: number) => (p === 0 ? '< 1e-300' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4))
const fmtPct = (v: number) => `${v > 0 ? '+' : ''}${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)}%`

/** True when a change in `direction` is the bad kind. */
export function isWorse(direction: 'increase' | 'decrease' | 'none', worseWhen: WorseWhen): boolean {
  if (direction === 'none') return false
  return worseWhen === 'either' || worseWhen === direction
}

/** Compares two validated samples (in time order, for the shape). */
export function compareSamples(baseline: Float64Array, current: Float64Array, o: ResolvedCompareOptions): CompareResult {
  const welch = welchTTest(baseline, current)
  const mannWhitney = mannWhitneyU(baseline, current)
  const effectSize = cohensD(baseline, current)
  const b = summarize(baseline)
  const c = summarize(current)
  const diff = c.mean - b.mean
  const changePercent = b.mean !== 0 ? (diff / Math.abs(b.mean)) * 100 : diff === 0 ? 0 : Math.sign(diff) * Number.POSITIVE_INFINITY
  const direction = diff > 0 ? 'increase' : diff < 0 ? 'decrease' : 'none'
  const pValues = o.test === 'welch' ? [welch.pValue] : o.test === 'mann-whitney' ? [mannWhitney.pValue] : [welch.pValue, mannWhitney.pValue]
  const pValue = pValues.some(Number.isNaN) ? Number.NaN : Math.max(...pValues)
  const base = { welch, mannWhitney, effectSize, pValue, baseline: b, current: c, changePercent, direction } as const
  if (baseline.length < 2 || current.length < 2) {
    return { ...base, regressed: false, significant: false, practical: false, confidence: 0, kind: null, reason: `not enough data: ${baseline.length} baseline and ${current.length} current values (2 each needed)` }
  }
  const significant = pValue < o.alpha
  const practical = Math.abs(changePercent) >= o.minChangePercent && Math.abs(effectSize) >= o.minEffectSize
  const confidence = Number.isNaN(pValue) || Number.isNaN(effectSize) ? 0 : Math.max(0, Math.min(1, (1 - pValue) * Math.min(1, Math.abs(effectSize) / 0.8)))
  const worse = isWorse(direction, o.worseWhen)
  const regressed = significant && practical && worse
  const kind = significant && practical ? classifyShift(baseline, current, direction, o) : null
  const stats = `${fmtPct(changePercent)}, p ${fmtP(pValue)}, d ${Number.isFinite(effectSize) ? effectSize.toFixed(2) : String(effectSize)}`
  let reason: string
  if (!significant) reason = `no significant change (${stats}; alpha ${o.alpha})`
  else if (!practical) {
    reason = Math.abs(changePercent) < o.minChangePercent
      ? `significant but small: ${fmtPct(changePercent)} is under the ${o.minChangePercent}% minimum (p ${fmtP(pValue)})`
      : `significant but small: effect size ${effectSize.toFixed(2)} is under ${o.minEffectSize} (${stats})`
  } else if (!worse) reason = `${direction === 'increase' ? 'increased' : 'decreased'} (${stats}): an improvement, not a regression`
  else reason = `${kind?.replace('-', ' ') ?? 'change'}: mean ${direction === 'increase' ? 'rose' : 'fell'} from ${b.mean.toPrecision(4)} to ${c.mean.toPrecision(4)} (${stats})`
  return { ...base, regressed, significant, practical, confidence, kind, reason }
}

/** Residual SSE of the best single step in `values` (each side ≥ 2 points). */
function bestStepSse(values: Float64Array): number {
  const n = values.length
  let total = 0
  let totalSq = 0
  for (const v of values) {
    total += v
    totalSq += v * v
  }
  let best = totalSq - (total * total) / n
  let left = 0
  let leftSq = 0
  for (let t = 1; t < n; t++) {
    const v = values[t - 1] as number
    left += v
    leftSq += v * v
    if (t < 2 || n - t < 2) continue
    const right = total - left
    const sse = leftSq - (left * left) / t + (totalSq - leftSq) - (right * right) / (n - t)
    if (sse < best) best = sse
  }
  return Math.max(0, best)
}

function trendOf(values: Float64Array): { slope: number; pValue: number; lineSse: number } {
  const xs = Float64Array.from({ length: values.length }, (_, i) => i)
  const line = fitLine(xs, values)
  let sse = 0
  for (let i = 0; i < values.length; i++) sse += ((values[i] as number) - (line.intercept + line.slope * i)) ** 2
  return { slope: line.slope, pValue: line.pValue, lineSse: sse }
}

/**
 * The shape of a significant change, from the two windows in time order:
 * - spike: the current mean moved but its median did not (under half the minimum change),
 *   i.e. a few extreme points carry the change;
 * - trend reversal: the baseline trended the other way and the current window trends the
 *   way of the change (both slopes significant at alpha);
 * - gradual degradation: the current window trends the way of the change, and a line fits it
 *   at least as well as a single step would;
 * - sudden step: otherwise.
 */
export function classifyShift(baseline: Float64Array, current: Float64Array, direction: 'increase' | 'decrease' | 'none', o: ResolvedCompareOptions): FindingKind {
  const b = summarize(baseline)
  const c = summarize(current)
  const medianChange = b.median !== 0 ? ((c.median - b.median) / Math.abs(b.median)) * 100 : 0
  if (Math.abs(medianChange) < o.minChangePercent / 2) return 'spike'
  const sign = direction === 'increase' ? 1 : -1
  const now = current.length >= 3 ? trendOf(current) : undefined
  const before = baseline.length >= 3 ? trendOf(baseline) : undefined
  const trendsWithChange = now !== undefined && now.pValue < o.alpha && Math.sign(now.slope) === sign
  if (trendsWithChange && before !== undefined && before.pValue < o.alpha && Math.sign(before.slope) === -sign) return 'trend-reversal'
  if (trendsWithChange && now.lineSse <= bestStepSse(current)) return 'gradual-degradation'
  return 'sudden-step'
}
