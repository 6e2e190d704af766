// Rule evaluation: turns one rule and the current metric reads into observations, one per
// alert instance. Levels and hysteresis are applied afterwards by the engine, which knows each
// instance's current severity.
import type { AlertSeverity } from '../bus/events/alerts'
import type { Labels } from '../bus/events/monitor'
import type { RegressionDetectedEvent } from '../bus/events/regression'
import { PerfkitInputError } from '../errors'
import { anomalyScore, type ForecastValue, median, slopePerSecond } from './math'
import { holds, type NormalizedRule } from './rules'
import type { MetricSource, SourceStats, MetricWindow } from './source'
import type {
  AnomalyRule,
  CustomConditionRule,
  CustomRuleInstance,
  CustomValueRule,
  ErrorRateRule,
  PredictiveRule,
  RatioRule,
  RegressionRule,
  SeriesSplit,
  ThresholdRule,
  TrendRule,
} from './types'

/** What one rule says about one instance (a label set) at one evaluation. */
export interface Observation {
  /** Identity labels of the instance (series labels, and `metric` when the rule reads one). */
  labels: Labels
  /** The compared value; with no `severity`, the engine applies the rule's levels to it. */
  value?: number
  /** Set by rules that decide the severity themselves (custom conditions). */
  severity?: AlertSeverity | null
  /** The metric did not report. */
  noData?: boolean
  /** No verdict this time (e.g. a ratio over zero traffic): the instance keeps its state. */
  keep?: boolean
  /** What `value` is, for summaries: "p95 of prediction_latency_seconds". */
  subject: string
  summary?: string
  annotations?: Record<string, string>
}

export interface EvaluationContext {
  source: MetricSource
  /** Engine clock, ms. */
  now: number
  /** Open regressions by `metric + labels`, from `regression:detected` until `regression:recovered`. */
  regressions: ReadonlyMap<string, RegressionDetectedEvent>
  forecast: (values: readonly number[], steps: number) => ReadonlyArray<ForecastValue> | undefined
  /** Label sets of the live series of a metric (for `by`). */
  series: (metric: string) => ReadonlyArray<Labels>
}

const distributionStats = new Set(['count', 'sum', 'mean', 'min', 'max', 'stddev', 'p50', 'p90', 'p95', 'p99', 'p999', 'ratePerSec'])

function finite(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

// Identity labels of a rule's unsplit instance, made once per matcher object: evaluation runs
// every interval for every rule, and a stable object lets the engine cache its fingerprint.
const identities = new WeakMap<Labels, Map<string, Labels>>()
const noMatcher: Labels = Object.freeze({})

function seriesLabels(metric: string, labels: Labels | undefined): Labels {
  const matcher = labels ?? noMatcher
  let byMetric = identities.get(matcher)
  if (byMetric === undefined) identities.set(matcher, (byMetric = new Map()))
  let identity = byMetric.get(metric)
  if (identity === undefined) byMetric.set(metric, (identity = Object.freeze({ ...matcher, metric })))
  return identity
}

function observeThreshold(rule: ThresholdRule, matcher: Labels | undefined, ctx: EvaluationContext): Observation {
  const stat = rule.stat ?? 'value'
  const window: MetricWindow = rule.window ?? '1m'
  const labels = seriesLabels(rule.metric, matcher)
  const subject = stat === 'value' ? rule.metric : `${stat} of ${rule.metric}`
  let value: number | undefined
  if (stat === 'value') value = ctx.source.value(rule.metric, matcher)
  else if (stat === 'rate') value = ctx.source.rate(rule.metric, matcher, { window })
  else if (distributionStats.has(stat)) {
    const stats = ctx.source.stats(rule.metric, matcher, { window })
    if (stats !== undefined && (stats.count > 0 || stat === 'count' || stat === 'sum' || stat === 'ratePerSec')) {
      value = stats[stat as keyof SourceStats]
    }
  }
  value = finite(value)
  return value === undefined ? { labels, noData: true, subject } : { labels, value, subject }
}

function readHistory(rule: TrendRule | AnomalyRule | PredictiveRule, matcher: Labels | undefined, ctx: EvaluationContext, defaultWindowMs: number) {
  const from = ctx.source.now() - (rule.windowMs ?? defaultWindowMs)
  const points = ctx.source.history(rule.metric, {
    from,
    ...(matcher === undefined ? {} : { labels: matcher }),
    ...(rule.stat === undefined ? {} : { stat: rule.stat }),
  })
  return points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.t) && p.t >= from)
}

function statName(rule: { stat?: string; metric: string }): string {
  return rule.stat === undefined ? rule.metric : `${rule.stat} of ${rule.metric}`
}

function observeTrend(rule: TrendRule, matcher: Labels | undefined, ctx: EvaluationContext): Observation {
  const labels = seriesLabels(rule.metric, matcher)
  const subject = `slope of ${statName(rule)} (per s)`
  const points = readHistory(rule, matcher, ctx, 600_000)
  const slope = points.length >= (rule.minPoints ?? 5) ? slopePerSecond(points) : undefined
  return slope === undefined ? { labels, noData: true, subject } : { labels, value: slope, subject }
}

function observeAnomaly(rule: AnomalyRule, matcher: Labels | undefined, ctx: EvaluationContext): Observation {
  const labels = seriesLabels(rule.metric, matcher)
  const subject = `anomaly score of ${statName(rule)}`
  const points = readHistory(rule, matcher, ctx, 3_600_000)
  if (points.length < (rule.minPoints ?? 10)) return { labels, noData: true, subject }
  const latest = (points[points.length - 1] as { value: number }).value
  const { score, center } = anomalyScore(points.slice(0, -1).map((p) => p.value), latest, rule.method ?? 'mad')
  const direction = rule.direction ?? 'both'
  const counted = (direction === 'above' && latest < center) || (direction === 'below' && latest > center) ? 0 : score
  return { labels, value: counted, subject, annotations: { observed: String(latest), expected: String(center) } }
}

function observePredictive(rule: PredictiveRule, normalized: NormalizedRule, matcher: Labels | undefined, ctx: EvaluationContext): Observation {
  const labels = seriesLabels(rule.metric, matcher)
  const subject = `forecast of ${statName(rule)} within ${rule.horizonMs} ms`
  const points = readHistory(rule, matcher, ctx, 3_600_000)
  if (points.length < (rule.minPoints ?? 8)) return { labels, noData: true, subject }
  const steps: number[] = []
  for (let i = 1; i < points.length; i++) steps.push((points[i] as { t: number }).t - (points[i - 1] as { t: number }).t)
  const stepMs = median(steps)
  if (!(stepMs > 0)) return { labels, noData: true, subject }
  const horizonSteps = Math.min(1000, Math.max(1, Math.ceil(rule.horizonMs / stepMs)))
  const forecast = ctx.forecast(points.map((p) => p.value), horizonSteps)
  if (forecast === undefined || forecast.length === 0) return { labels, noData: true, subject }
  const levels = normalized.levels as NonNullable<NormalizedRule['levels']>
  const upward = levels.op === '>' || levels.op === '>='
  const pick = (f: ForecastValue) => (rule.use === 'interval' ? (upward ? f.upper : f.lower) : f.value)
  let peak = pick(forecast[0] as ForecastValue)
  let etaSteps: number | undefined
  const first = levels.warning ?? (levels.critical as number)
  forecast.forEach((f, i) => {
    const v = pick(f)
    if (upward ? v > peak : v < peak) peak = v
    if (etaSteps === undefined && holds(levels.op, v, first)) etaSteps = i + 1
  })
  if (!Number.isFinite(peak)) return { labels, noData: true, subject }
  const annotations: Record<string, string> = { current: String((points[points.length - 1] as { value: number }).value) }
  if (etaSteps !== undefined) annotations.etaMs = String(Math.round(etaSteps * stepMs))
  return { labels, value: peak, subject, annotations }
}

function sumRates(names: string | readonly string[], rule: ErrorRateRule | RatioRule, matcher: Labels | undefined, ctx: EvaluationContext): number | undefined {
  let total: number | undefined
  for (const name of typeof names === 'string' ? [names] : names) {
    const rate = finite(ctx.source.rate(name, matcher, { window: rule.window ?? '1m' }))
    if (rate !== undefined) total = (total ?? 0) + rate
  }
  return total
}

function ratioParts(rule: ErrorRateRule | RatioRule): [string | readonly string[], string | readonly string[]] {
  return rule.kind === 'error-rate' ? [rule.errors, rule.total] : [rule.numerator, rule.denominator]
}

const firstName = (names: string | readonly string[]): string => (typeof names === 'string' ? names : (names[0] as string))

function observeRatio(rule: ErrorRateRule | RatioRule, matcher: Labels | undefined, ctx: EvaluationContext): Observation {
  const [top, bottom] = ratioParts(rule)
  const first = firstName(top)
  const labels = seriesLabels(first, matcher)
  const subject = rule.kind === 'error-rate' ? `error rate of ${first}` : `ratio of ${first}`
  const denominator = sumRates(bottom, rule, matcher, ctx)
  if (denominator === undefined) return { labels, noData: true, subject }
  // No traffic is no verdict, not "0 % errors" or "0 % hits".
  if (denominator <= 0) return { labels, keep: true, subject }
  const numerator = sumRates(top, rule, matcher, ctx) ?? 0
  return { labels, value: numerator / denominator, subject }
}

function includes(labels: Labels, matcher: Labels | undefined): boolean {
  if (matcher === undefined) return true
  for (const [k, v] of Object.entries(matcher)) if (labels[k] !== v) return false
  return true
}

function observeRegression(rule: RegressionRule, ctx: EvaluationContext): Observation[] {
  const out: Observation[] = []
  for (const event of ctx.regressions.values()) {
    if (rule.metric !== undefined && event.metric !== rule.metric) continue
    if (!includes(event.labels, rule.labels)) continue
    if (rule.findings !== undefined && !rule.findings.includes(event.kind)) continue
    if ((rule.direction ?? 'both') !== 'both' && event.direction !== rule.direction) continue
    if (event.confidence < (rule.minConfidence ?? 0)) continue
    const sign = event.changePercent >= 0 ? '+' : ''
    out.push({
      labels: seriesLabels(event.metric, event.labels),
      value: Math.abs(event.changePercent),
      subject: `change of ${event.metric} (%)`,
      summary: `${event.metric} regressed ${sign}${event.changePercent.toFixed(1)} % (${event.kind}, confidence ${event.confidence.toFixed(2)})`,
      annotations: { finding: event.kind, direction: event.direction, reason: event.reason, baselineMean: String(event.baselineMean), currentMean: String(event.currentMean) },
    })
  }
  return out
}

function checkInstance(instance: CustomRuleInstance, at: string): CustomRuleInstance {
  if (typeof instance !== 'object' || instance === null) throw new PerfkitInputError(at, 'a boolean, a severity, null or { severity, labels?, value? }', instance)
  if (instance.severity !== null && instance.severity !== 'warning' && instance.severity !== 'critical') {
    throw new PerfkitInputError(`${at}.severity`, "'warning', 'critical' or null", instance.severity)
  }
  if (instance.value !== undefined && !Number.isFinite(instance.value)) throw new PerfkitInputError(`${at}.value`, 'a finite number', instance.value)
  for (const [k, v] of Object.entries(instance.labels ?? {})) if (typeof v !== 'string') throw new PerfkitInputError(`${at}.labels.${k}`, 'a string', v)
  return instance
}

function observeCustom(rule: CustomConditionRule | CustomValueRule, ctx: EvaluationContext): Observation[] {
  const context = { source: ctx.source, now: ctx.now }
  const subject = rule.id
  if ('value' in rule && typeof rule.value === 'function') {
    const value = rule.value(context)
    if (value !== undefined && typeof value !== 'number') throw new PerfkitInputError(`${rule.id}.value()`, 'a number or undefined', value)
    const v = finite(value)
    return [v === undefined ? { labels: {}, noData: true, subject } : { labels: {}, value: v, subject }]
  }
  const outcome = (rule as CustomConditionRule).condition(context)
  const at = `${rule.id}.condition()`
  if (outcome === true) return [{ labels: {}, severity: (rule as CustomConditionRule).severity ?? 'warning', subject }]
  if (outcome === false || outcome === null || outcome === undefined) return [{ labels: {}, severity: null, subject }]
  if (outcome === 'warning' || outcome === 'critical') return [{ labels: {}, severity: outcome, subject }]
  const list = Array.isArray(outcome) ? (outcome as readonly CustomRuleInstance[]) : [outcome as CustomRuleInstance]
  return list.map((item, i) => {
    const instance = checkInstance(item, Array.isArray(outcome) ? `${at}[${i}]` : at)
    const o: Observation = { labels: { ...(instance.labels ?? {}) }, severity: instance.severity, subject }
    if (instance.value !== undefined) o.value = instance.value
    if (instance.summary !== undefined) o.summary = instance.summary
    return o
  })
}

/**
 * The matchers of a rule: its `labels`, or with `by`, one per distinct combination of the `by`
 * labels among the live series of `metric` that match `labels`.
 */
function matchers(rule: SeriesSplit & { labels?: Labels }, metric: string, ctx: EvaluationContext): Array<Labels | undefined> {
  const by = rule.by
  if (by === undefined || by.length === 0) return [rule.labels]
  const seen = new Map<string, Labels>()
  for (const series of ctx.series(metric)) {
    if (!includes(series, rule.labels)) continue
    const combo: Record<string, string> = {}
    let complete = true
    for (const name of by) {
      const value = series[name]
      if (value === undefined) complete = false
      else combo[name] = value
    }
    if (!complete) continue
    const key = JSON.stringify(by.map((name) => combo[name]))
    if (!seen.has(key)) seen.set(key, { ...(rule.labels ?? {}), ...combo })
  }
  return [...seen.values()]
}

/** Evaluates one rule. Throws when a custom function throws or returns something invalid. */
export function observe(rule: NormalizedRule, ctx: EvaluationContext): Observation[] {
  const def = rule.def
  switch (def.kind) {
    case undefined:
    case 'threshold':
      return matchers(def, def.metric, ctx).map((m) => observeThreshold(def, m, ctx))
    case 'trend':
      return matchers(def, def.metric, ctx).map((m) => observeTrend(def, m, ctx))
    case 'anomaly':
      return matchers(def, def.metric, ctx).map((m) => observeAnomaly(def, m, ctx))
    case 'predictive':
      return matchers(def, def.metric, ctx).map((m) => observePredictive(def, rule, m, ctx))
    case 'error-rate':
    case 'ratio':
      return matchers(def, firstName(ratioParts(def)[1]), ctx).map((m) => observeRatio(def, m, ctx))
    case 'regression':
      return observeRegression(def, ctx)
    case 'custom':
      return observeCustom(def, ctx)
    default:
      throw new PerfkitInputError('rule.kind', 'a known rule kind', (def as { kind: unknown }).kind)
  }
}
