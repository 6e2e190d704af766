// Public shapes of alert rules, silences, inhibition and notifiers.
import type { DistributionStats } from '../monitor/types'
import type { AlertNotification, AlertSeverity, AlertState } from '../bus/events/alerts'
import type { Labels } from '../bus/events/monitor'
import type { FindingKind } from '../bus/events/regression'
import type { MetricSource, MetricWindow } from './source'

/**
 * How a rule compares its value with a level.
 * @example
 * ```ts
 * engine.addRule({ id: 'cache-hit-ratio', kind: 'ratio', numerator: 'cache_hits_total', denominator: ['cache_hits_total', 'cache_misses_total'], op: '<', warning: 0.8 })
 * ```
 */
export type ComparisonOperator = '>' | '>=' | '<' | '<='

/**
 * A statistic of a distribution read with `stats()`.
 * @example
 * ```ts
 * engine.addRule({ id: 'slow-requests', metric: 'http_server_request_duration_seconds', stat: 'p99', op: '>', warning: 1 })
 * ```
 */
export type DistributionStat = keyof DistributionStats

/**
 * What a rule reads: a distribution statistic, a counter's or gauge's `value`, or a counter's `rate`.
 * @example
 * ```ts
 * engine.addRule({ id: 'request-rate', metric: 'http_server_requests_total', stat: 'rate', window: '5m', op: '<', warning: 1 })
 * ```
 */
export type MetricStat = DistributionStat | 'value' | 'rate'

/**
 * What a rule does when its metric stops reporting (after having reported). `alert`: raise a
 * `no-data` alert; `ok`: treat it as "condition false"; `keep`: leave every alert as it is.
 * @example
 * ```ts
 * engine.addRule({ id: 'queue-size', metric: 'prediction_queue_size', op: '>', warning: 100, noData: 'ok' })
 * ```
 */
export type NoDataPolicy = 'alert' | 'ok' | 'keep'

/**
 * Flap damping: an alert that changes between firing and resolved too often is not notified until it settles.
 * @example
 * ```ts
 * const engine = new AlertEngine({ monitor, flapping: { windowMs: 300_000, maxTransitions: 4 } })
 * engine.addRule({ id: 'cpu-usage', metric: 'system_cpu_usage_percent', op: '>', warning: 80, flapping: false })
 * ```
 */
export interface FlapDampingOptions {
  /** The window transitions are counted in, ms. @defaultValue 600_000 (10 min) */
  windowMs?: number
  /** More firing/resolved transitions than this inside the window mark the alert as flapping; it settles at half as many. @defaultValue 6 */
  maxTransitions?: number
}

/**
 * Per-level clear thresholds for hysteresis.
 * @example
 * ```ts
 * engine.addRule({ id: 'cpu-usage', metric: 'system_cpu_usage_percent', op: '>', warning: 70, critical: 90, clear: { warning: 65, critical: 85 } })
 * ```
 */
export interface ClearLevels {
  warning?: number
  critical?: number
}

/**
 * Warning and critical levels of a rule whose condition is `value <op> level`. At least one
 * level is required; with `>`/`>=`, critical must not be below warning (mirror for `<`/`<=`).
 * @example
 * ```ts
 * // warns above 80 %, goes critical above 95 %, and clears only once back under 75 %
 * engine.addRule({ id: 'memory-usage', metric: 'system_memory_usage_percent', op: '>', warning: 80, critical: 95, clear: 75 })
 * ```
 */
export interface AlertLevels {
  warning?: number
  critical?: number
  /**
   * Hysteresis: an active alert clears only once its value is past this level, not merely
   * back past the trigger level. A number applies to the warning level (or the only one); an
   * object sets each level. Must lie on the "healthy" side of the level it clears.
   * @defaultValue the trigger levels (no hysteresis)
   */
  clear?: number | ClearLevels
}

/**
 * Options every rule kind accepts.
 * @example
 * ```ts
 * engine.addRule({
 *   id: 'queue-size', metric: 'prediction_queue_size', op: '>', warning: 100,
 *   summary: 'queue holds {{value}} items', alertLabels: { team: 'ml' }, forMs: 60_000, cooldownMs: 600_000, noData: 'ok',
 * })
 * ```
 */
export interface AlertRuleBase {
  /** Unique among the engine's rules; becomes the `alertname` label. */
  id: string
  /** One-line text for notifications. @defaultValue generated from the rule and value */
  summary?: string
  description?: string
  /** Extra labels put on every alert of the rule (for routing, silences and grouping). */
  alertLabels?: Labels
  /** The condition must hold this long before the alert fires (Alertmanager `for`). @defaultValue 0 */
  forMs?: number
  /** A firing alert keeps firing this long after its condition stopped holding. @defaultValue 0 */
  keepFiringForMs?: number
  /** After this rule's alert was notified as firing, no new firing notification of the rule for this long. @defaultValue 0 */
  cooldownMs?: number
  /** Flap damping for this rule; `false` turns it off. @defaultValue the engine's `flapping` */
  flapping?: FlapDampingOptions | false
  /** See {@link NoDataPolicy}. @defaultValue `'alert'` */
  noData?: NoDataPolicy
  /** How long after its last report a metric counts as stopped and the `no-data` alert is raised, ms. @defaultValue the larger of 300_000 (5 min) and `forMs` */
  noDataForMs?: number
  /** Severity of a `no-data` alert. @defaultValue `'warning'` */
  noDataSeverity?: AlertSeverity
}

/**
 * Rules that read a metric can raise one alert per series group instead of one for the merged series.
 * @example
 * ```ts
 * // one alert per route instead of one for all requests merged
 * engine.addRule({ id: 'slow-route', metric: 'http_server_request_duration_seconds', stat: 'p95', op: '>', warning: 1, by: ['route'] })
 * ```
 */
export interface SeriesSplit {
  /**
   * One alert instance per distinct combination of these label values among the metric's
   * live series (like PromQL `by (route)`), each read with the matcher `labels` plus the
   * combination. Needs a source with `metrics()`. @defaultValue one instance for the merged series
   */
  by?: readonly string[]
}

/**
 * Compares a statistic of a metric with warning/critical levels, e.g. p95 of `prediction_latency_seconds` > 0.1.
 * @example
 * ```ts
 * engine.addRule({ id: 'slow-predictions', metric: 'prediction_latency_seconds', stat: 'p95', window: '5m', op: '>', warning: 0.1, critical: 0.25 })
 * ```
 */
export interface ThresholdRule extends AlertRuleBase, AlertLevels, SeriesSplit {
  kind?: 'threshold'
  metric: string
  /** Series matcher: every series whose labels include these pairs is merged. @defaultValue all series */
  labels?: Labels
  /** @defaultValue `'value'` */
  stat?: MetricStat
  /** Window of a `stats()`/`rate()` read. @defaultValue `'1m'` */
  window?: MetricWindow
  op: ComparisonOperator
}

/**
 * Compares the slope of a metric's history (least squares, units per second) with levels.
 * @example
 * ```ts
 * // heap growing faster than 1 MB per second over the last 10 minutes
 * engine.addRule({ id: 'heap-growth', kind: 'trend', metric: 'nodejs_heap_used_bytes', windowMs: 600_000, op: '>', warning: 1_000_000 })
 * ```
 */
export interface TrendRule extends AlertRuleBase, AlertLevels, SeriesSplit {
  kind: 'trend'
  metric: string
  labels?: Labels
  /** History statistic. @defaultValue the monitor's default for the metric kind */
  stat?: string
  /** How far back the fit looks, ms. @defaultValue 600_000 */
  windowMs?: number
  /** Fewer history points than this count as no data. @defaultValue 5 */
  minPoints?: number
  op: ComparisonOperator
}

/**
 * Scores the newest history point against the ones before it (robust z-score) and compares the score with levels.
 * @example
 * ```ts
 * engine.addRule({ id: 'latency-anomaly', kind: 'anomaly', metric: 'http_server_request_duration_seconds', stat: 'p95', direction: 'above', warning: 3, critical: 5 })
 * ```
 */
export interface AnomalyRule extends AlertRuleBase, SeriesSplit {
  kind: 'anomaly'
  metric: string
  labels?: Labels
  stat?: string
  /** Baseline window, ms. @defaultValue 3_600_000 */
  windowMs?: number
  /** @defaultValue 10 */
  minPoints?: number
  /** `mad`: median and median absolute deviation (robust); `zscore`: mean and standard deviation. @defaultValue `'mad'` */
  method?: 'mad' | 'zscore'
  /** Which deviations count. @defaultValue `'both'` */
  direction?: 'above' | 'below' | 'both'
  /** Score for a warning. @defaultValue 3 */
  warning?: number
  /** Score for critical. @defaultValue none */
  critical?: number
  clear?: number | ClearLevels
}

/**
 * Fires when a forecast of the metric crosses a level within `horizonMs`.
 * @example
 * ```ts
 * // critical when memory is forecast to pass 95 % within the next 30 minutes
 * engine.addRule({ id: 'memory-forecast', kind: 'predictive', metric: 'system_memory_usage_percent', op: '>', critical: 95, horizonMs: 1_800_000 })
 * ```
 */
export interface PredictiveRule extends AlertRuleBase, AlertLevels, SeriesSplit {
  kind: 'predictive'
  metric: string
  labels?: Labels
  stat?: string
  op: ComparisonOperator
  /** How far ahead to look, ms. */
  horizonMs: number
  /** History the forecast is fitted on, ms. @defaultValue 3_600_000 */
  windowMs?: number
  /** @defaultValue 8 */
  minPoints?: number
  /** `point`: the forecast itself; `interval`: the pessimistic bound of its prediction interval. @defaultValue `'point'` */
  use?: 'point' | 'interval'
}

/**
 * The share of failures: rate(errors) / rate(total), compared with levels (0.05 = 5 %).
 * @example
 * ```ts
 * engine.addRule({ id: 'error-rate', kind: 'error-rate', errors: 'http_server_errors_total', total: 'http_server_requests_total', warning: 0.05, critical: 0.1 })
 * ```
 */
export interface ErrorRateRule extends AlertRuleBase, AlertLevels, SeriesSplit {
  kind: 'error-rate'
  /** Counter(s) of failures, summed. */
  errors: string | readonly string[]
  /** Counter(s) of all attempts, summed. */
  total: string | readonly string[]
  labels?: Labels
  /** @defaultValue `'1m'` */
  window?: MetricWindow
  /** @defaultValue `'>'` */
  op?: ComparisonOperator
}

/**
 * rate(numerator) / rate(denominator) compared with levels, e.g. a cache hit ratio below 0.8.
 * @example
 * ```ts
 * engine.addRule({ id: 'cache-hit-rate', kind: 'ratio', numerator: 'cache_hits_total', denominator: ['cache_hits_total', 'cache_misses_total'], op: '<', warning: 0.8 })
 * ```
 */
export interface RatioRule extends AlertRuleBase, AlertLevels, SeriesSplit {
  kind: 'ratio'
  numerator: string | readonly string[]
  denominator: string | readonly string[]
  labels?: Labels
  /** @defaultValue `'1m'` */
  window?: MetricWindow
  op: ComparisonOperator
}

/**
 * Raises an alert per metric and labels while a RegressionDetector reports a regression (`regression:detected` until `regression:recovered`).
 * @example
 * ```ts
 * const engine = new AlertEngine({ monitor, bus: detector.bus })
 * engine.addRule({ id: 'latency-regression', kind: 'regression', metric: 'prediction_latency_seconds', direction: 'increase', warning: 10, critical: 50 })
 * ```
 */
export interface RegressionRule extends AlertRuleBase {
  kind: 'regression'
  /** Only this metric. @defaultValue every metric */
  metric?: string
  /** Only findings whose labels include these pairs. */
  labels?: Labels
  /** Only these finding kinds. @defaultValue all */
  findings?: readonly FindingKind[]
  /** @defaultValue `'both'` */
  direction?: 'increase' | 'decrease' | 'both'
  /** Ignore findings below this confidence (0..1). @defaultValue 0 */
  minConfidence?: number
  /** Smallest |changePercent| that raises a warning. @defaultValue 0 */
  warning?: number
  /** |changePercent| from which the alert is critical. @defaultValue none */
  critical?: number
}

/**
 * What a custom rule's `condition` sees.
 * @example
 * ```ts
 * engine.addRule({
 *   id: 'queue-stuck', kind: 'custom',
 *   condition: ({ source, now }) => source.history('prediction_queue_size', { from: now - 300_000 }).every((p) => p.value > 0),
 * })
 * ```
 */
export interface CustomRuleContext {
  source: MetricSource
  /** Engine clock, ms. */
  now: number
}

/**
 * One instance reported by a custom condition. `severity: null` means "fine".
 * @example
 * ```ts
 * engine.addRule({
 *   id: 'queue-per-batcher', kind: 'custom',
 *   condition: ({ source }) => ['model', 'embeddings'].map((batcher) => ({ labels: { batcher }, severity: (source.value('prediction_queue_size', { batcher }) ?? 0) > 500 ? 'critical' : null })),
 * })
 * ```
 */
export interface CustomRuleInstance {
  labels?: Labels
  severity: AlertSeverity | null
  value?: number
  summary?: string
}

/**
 * What a custom condition returns: `true` (fires at the rule's `severity`), a severity,
 * `false`/`null`/`undefined` (fine), one instance, or one instance per label set.
 * @example
 * ```ts
 * const outcome: CustomRuleOutcome = queueSize > 500 ? 'critical' : queueSize > 100 // true fires at the rule's severity
 * ```
 */
export type CustomRuleOutcome = boolean | AlertSeverity | null | undefined | CustomRuleInstance | readonly CustomRuleInstance[]

/**
 * A rule decided by a function. Runs synchronously inside `evaluate()`; a throw is reported as `alert:rule-error`.
 * @example
 * ```ts
 * engine.addRule({ id: 'maintenance', kind: 'custom', severity: 'critical', condition: () => maintenance.overdue() })
 * ```
 */
export interface CustomConditionRule extends AlertRuleBase {
  kind: 'custom'
  condition: (context: CustomRuleContext) => CustomRuleOutcome
  /** Severity of a `true` outcome. @defaultValue `'warning'` */
  severity?: AlertSeverity
}

/**
 * A rule whose value is computed by a function and compared with levels; `undefined` means no data.
 * @example
 * ```ts
 * engine.addRule({
 *   id: 'heap-share', kind: 'custom', op: '>', warning: 0.8,
 *   value: ({ source }) => {
 *     const used = source.value('nodejs_heap_used_bytes'), total = source.value('nodejs_heap_total_bytes')
 *     return used === undefined || !total ? undefined : used / total
 *   },
 * })
 * ```
 */
export interface CustomValueRule extends AlertRuleBase, AlertLevels {
  kind: 'custom'
  value: (context: CustomRuleContext) => number | undefined
  op: ComparisonOperator
}

/**
 * A rule decided by a function: a {@link CustomConditionRule} or a {@link CustomValueRule}.
 * @example
 * ```ts
 * const rule: CustomRule = { id: 'queue-stuck', kind: 'custom', condition: ({ source }) => (source.value('prediction_queue_size') ?? 0) > 1000 }
 * engine.addRule(rule)
 * ```
 */
export type CustomRule = CustomConditionRule | CustomValueRule

/**
 * Every rule an {@link AlertEngine} accepts.
 * @example
 * ```ts
 * const rules: AlertRule[] = [...genericProfile(), { id: 'slow-predictions', metric: 'prediction_latency_seconds', stat: 'p95', op: '>', warning: 0.1 }]
 * const engine = new AlertEngine({ monitor, rules })
 * ```
 */
export type AlertRule =
  | ThresholdRule
  | TrendRule
  | AnomalyRule
  | PredictiveRule
  | ErrorRateRule
  | RatioRule
  | RegressionRule
  | CustomRule

/**
 * A run-time change of one rule's levels, for {@link AlertEngine.updateThresholds}. `null` removes a level.
 * @example
 * ```ts
 * engine.updateThresholds({ 'cpu-usage': { warning: 75, critical: null, forMs: 120_000 } })
 * ```
 */
export interface ThresholdUpdate {
  warning?: number | null
  critical?: number | null
  clear?: number | ClearLevels | null
  forMs?: number
  keepFiringForMs?: number
  cooldownMs?: number
}

/**
 * A label matcher value: equal to a string, fully matching a RegExp, or not one of those.
 * @example
 * ```ts
 * engine.silence({ alertname: /^cpu-/, severity: { not: 'critical' } }, Date.now() + 3_600_000)
 * ```
 */
export type LabelMatcherValue = string | RegExp | { not: string | RegExp }

/**
 * Label name to matcher; every entry must match (a missing label matches as `''`).
 * @example
 * ```ts
 * const matchers: LabelMatchers = { alertname: 'queue-size', batcher: { not: 'model' } }
 * engine.silence(matchers, Date.now() + 1_800_000, { comment: 'backfill running' })
 * ```
 */
export type LabelMatchers = Readonly<Record<string, LabelMatcherValue>>

/**
 * A silence: alerts matching it are not notified until it ends.
 * @example
 * ```ts
 * const silence = engine.silence({ alertname: 'cpu-usage' }, Date.now() + 3_600_000)
 * console.log(`muted until ${new Date(silence.endsAt).toISOString()}`)
 * engine.expireSilence(silence.id)
 * ```
 */
export interface Silence {
  id: string
  matchers: LabelMatchers
  /** Engine clock, ms. */
  startsAt: number
  endsAt: number
  createdBy: string | undefined
  comment: string | undefined
}

/**
 * Options of {@link AlertEngine.silence}.
 * @example
 * ```ts
 * engine.silence({ alertname: 'cpu-usage' }, Date.now() + 3_600_000, { createdBy: 'ops', comment: 'load test', startsAt: Date.now() + 600_000 })
 * ```
 */
export interface SilenceOptions {
  createdBy?: string
  comment?: string
  /** @defaultValue now */
  startsAt?: number
}

/**
 * Mutes alerts matching `target` while an alert matching `source` fires and both carry equal
 * values for every label in `equal` (each must be present).
 * @example
 * ```ts
 * // while the queue alert is critical for a batcher, mute that batcher's latency warnings
 * const inhibitRules = [{ source: { alertname: 'queue-size', severity: 'critical' }, target: { alertname: 'slow-predictions' }, equal: ['batcher'] }]
 * const engine = new AlertEngine({ monitor, inhibitRules })
 * ```
 */
export interface InhibitRule {
  source: LabelMatchers
  target: LabelMatchers
  /** @defaultValue [] */
  equal?: readonly string[]
}

/**
 * A destination of notifications. `notify` may be async; it runs in the background with the
 * engine's timeout, one notification at a time per notifier, and never blocks evaluation or
 * other notifiers. Throw or reject to report a failure.
 * @example
 * ```ts
 * const pager: AlertNotifier = {
 *   name: 'pager', minSeverity: 'critical',
 *   notify: (notification, signal) => fetch(PAGER_URL, { method: 'POST', body: JSON.stringify(notification), signal }).then(() => undefined),
 * }
 * engine.addNotifier(pager)
 * ```
 */
export interface AlertNotifier {
  readonly name: string
  /** Only alerts at least this severe are passed to this notifier. @defaultValue all */
  readonly minSeverity?: AlertSeverity
  notify(notification: AlertNotification, signal: AbortSignal): void | Promise<void>
  /** Called once by {@link AlertEngine.close} after the last notification. */
  close?(): void | Promise<void>
}

/**
 * Filters of {@link AlertEngine.alerts}.
 * @example
 * ```ts
 * const critical = engine.alerts({ state: 'firing', severity: 'critical' })
 * const lastHour = engine.alerts({ since: Date.now() - 3_600_000, ruleId: 'cpu-usage' })
 * ```
 */
export interface AlertFilter {
  state?: AlertState | readonly AlertState[]
  severity?: AlertSeverity
  /** Alerts active at any time at or after this engine-clock time (still active, or resolved since). */
  since?: number
  ruleId?: string
}
