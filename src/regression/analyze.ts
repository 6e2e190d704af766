// One pass over a series that runs every detector and lists what it found as classified
// findings, in time order.
import type { FindingKind } from '../bus/events/regression'
import { type ResolvedAnomalyOptions, type SeriesAnomaly, seriesAnomalies } from './anomalies'
import { type ChangePoint, findChangePoints, type ResolvedChangePointOptions } from './change-points'
import { isWorse, type WorseWhen } from './compare'
import { despike } from './robust'
import { detectSeasonality, type SeasonalityResult } from './seasonality'
import { type SeriesData, timeAt, workingScale } from './series'
import { findTrend, type ResolvedTrendOptions, type TrendResult } from './trend'

/**
 * A classified finding of {@link RegressionDetector.analyze}.
 * @example
 * ```ts
 * for (const f of detector.analyze(monitor.history('prediction_latency_seconds', { stat: 'p95' })).findings) {
 *   if (f.degradation) console.warn(`${f.kind} at ${f.t ?? f.index}: ${f.message}`)
 * }
 * ```
 */
export interface Finding {
  kind: FindingKind
  /** Where it starts. */
  index: number
  /** Where it ends (= index for a step, a spike or a reversal). */
  endIndex: number
  t?: number
  direction: 'increase' | 'decrease'
  /**
   * Size: relative change of the median for steps and gradual changes (0.2 = +20 %), the
   * robust z-score for spikes, the slope after the reversal minus the slope before for reversals.
   */
  magnitude: number
  /** p-value where the finding has one (spikes have a score, not a p-value). */
  pValue: number | null
  /** True when the finding goes the worse way (see `worseWhen`). */
  degradation: boolean
  /** One human-readable line. */
  message: string
}

/**
 * Result of {@link RegressionDetector.analyze}.
 * @example
 * ```ts
 * const report = detector.analyze(latencies)
 * console.log(report.findings.length, report.trend.direction, report.seasonality.period, report.changePoints.length, report.anomalies.length)
 * ```
 */
export interface AnalysisReport {
  /** Every finding, classified, in order of `index`. */
  findings: Finding[]
  changePoints: ChangePoint[]
  anomalies: SeriesAnomaly[]
  trend: TrendResult
  seasonality: SeasonalityResult
}

const pct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`

/** Runs change points, anomalies (judged against their neighbourhood), trend and seasonality. */
export function analyzeSeries(
  data: SeriesData,
  o: { changePoints: ResolvedChangePointOptions; anomalies: ResolvedAnomalyOptions; trend: ResolvedTrendOptions; worseWhen: WorseWhen },
): AnalysisReport {
  const changePoints = findChangePoints(data, o.changePoints)
  const anomalies = seriesAnomalies(data, o.anomalies)
  const trend = findTrend(data, o.trend)
  const { work } = workingScale(data.values)
  const seasonality = detectSeasonality(despike(work), { minPeriod: 2, maxPeriod: Math.floor(data.values.length / 3), minAutocorrelation: 0.2 })
  const findings: Finding[] = []
  for (const c of changePoints) {
    const what = c.change === 'spread' ? 'spread' : 'median'
    const shape = c.kind === 'gradual-degradation' ? `gradual change over ${c.endIndex - c.index} points` : 'sudden step'
    findings.push({
      kind: c.kind,
      index: c.index,
      endIndex: c.endIndex,
      ...timeAt(data, c.index),
      direction: c.direction,
      magnitude: c.magnitude,
      pValue: c.pValue,
      degradation: c.change === 'level' && isWorse(c.direction, o.worseWhen),
      message: `${shape} at ${c.index}: ${what} ${pct(c.magnitude)} (${c.before.median.toPrecision(4)} → ${c.after.median.toPrecision(4)})`,
    })
  }
  for (const a of anomalies) {
    const direction = a.direction === 'high' ? 'increase' : 'decrease'
    findings.push({
      kind: 'spike',
      index: a.index,
      endIndex: a.index,
      ...timeAt(data, a.index),
      direction,
      magnitude: a.score,
      pValue: null,
      degradation: isWorse(direction, o.worseWhen),
      message: `spike at ${a.index}: ${a.value.toPrecision(4)} against ${a.expected.toPrecision(4)} (score ${a.score.toFixed(1)})`,
    })
  }
  for (const r of trend.reversals) {
    const direction = r.to === 'increasing' ? 'increase' : 'decrease'
    findings.push({
      kind: 'trend-reversal',
      index: r.index,
      endIndex: r.index,
      ...timeAt(data, r.index),
      direction,
      magnitude: r.slopeAfter - r.slopeBefore,
      pValue: r.pValue,
      degradation: isWorse(direction, o.worseWhen),
      message: `trend reversal at ${r.index}: ${r.from} then ${r.to}`,
    })
  }
  // A slow drift with no level change anywhere shows up only in the trend.
  if (trend.gradualDegradation && !changePoints.some((c) => c.change === 'level')) {
    const n = data.values.length
    const start = trend.reversals.length > 0 ? (trend.reversals[trend.reversals.length - 1] as { index: number }).index : 0
    const direction = trend.slope > 0 ? 'increase' : 'decrease'
    findings.push({
      kind: 'gradual-degradation',
      index: start,
      endIndex: n - 1,
      ...timeAt(data, start),
      direction,
      magnitude: trend.changePercent / 100,
      pValue: trend.pValue,
      degradation: true,
      message: `gradual degradation from ${start}: ${pct(trend.changePercent / 100)} over the series`,
    })
  }
  findings.sort((a, b) => a.index - b.index || a.endIndex - b.endIndex)
  return { findings, changePoints, anomalies, trend, seasonality }
}
