// Options of AlertEngine, their defaults and their validation, kept apart from the engine so
// the engine file reads as behaviour.
import type { AlertNotification, AlertSeverity } from '../bus/events/alerts'
import type { BusOption } from '../bus/bus'
import type { Labels } from '../bus/events/monitor'
import { PerfkitConfigError } from '../errors'
import type { Clock } from '../internal/clock'
import { nonEmptyString, nonNegativeFinite, positiveFinite, positiveInt } from '../internal/validate'
import type { RateLimit } from './dispatcher'
import type { ForecastValue } from './math'
import { callbackNotifier } from './notifiers/callback'
import type { MetricSource } from './source'
import type { AlertNotifier, AlertRule, FlapDampingOptions, InhibitRule } from './types'

/**
 * A plain function is accepted wherever a notifier is. A returned promise is awaited; a rejection is a failed delivery.
 * @example
 * ```ts
 * engine.addNotifier((notification) => console.log(notification.status, notification.alerts.length))
 * ```
 */
export type NotifyCallback = (notification: AlertNotification) => unknown

/**
 * Options of {@link AlertEngine}.
 * @example
 * ```ts
 * const engine = new AlertEngine({ monitor, rules: genericProfile(), intervalMs: 30_000, groupWaitMs: 10_000, notifiers: [loggerNotifier()] })
 * ```
 */
export interface AlertEngineOptions extends BusOption {
  /** Where rules read metrics: a PerformanceMonitor, or anything implementing {@link MetricSource}. */
  monitor: MetricSource
  /**
   * The engine's clock in ms: alert times, `forMs`, windows, silences, cooldowns. Wall-clock
   * by default because alert times are read by people and other systems.
   * @defaultValue `Date.now`
   */
  now?: Clock | (() => number)
  /** Rules to start with (e.g. `genericProfile()`). @defaultValue [] */
  rules?: readonly AlertRule[]
  /** Notifiers besides the bus. Functions are wrapped with `callbackNotifier`. @defaultValue [] */
  notifiers?: ReadonlyArray<AlertNotifier | NotifyCallback>
  /** How often rules are evaluated, ms; 0 turns the timer off (call `evaluate()` yourself). The timer is unref'd. @defaultValue 60_000 */
  intervalMs?: number
  /** Label names that group alerts into one notification; `['...']` groups by every label. @defaultValue `['alertname']` */
  groupBy?: readonly string[]
  /** A new group waits this long for more alerts before its first notification, ms. @defaultValue 30_000 */
  groupWaitMs?: number
  /** Changes to a group already notified go out at most this often, ms. @defaultValue 300_000 */
  groupIntervalMs?: number
  /** Unchanged, unacknowledged firing alerts are notified again after this long, ms. @defaultValue 14_400_000 (4 h) */
  repeatIntervalMs?: number
  /**
   * De-duplication window, ms: a rule and labels that fire again this soon after resolving
   * continue the same alert (same id), and an alert resolved by hand does not re-fire this
   * soon while its condition still holds. @defaultValue 300_000 (5 min)
   */
  dedupWindowMs?: number
  /** Most notifications (group flushes) per interval over all groups; `false` for no limit. Resolutions are never held back. @defaultValue `{ limit: 60, intervalMs: 60_000 }` */
  rateLimit?: RateLimit | false
  /** @defaultValue a critical alert mutes warnings with the same `metric` label */
  inhibitRules?: readonly InhibitRule[]
  /** Default flap damping of every rule; `false` turns it off. @defaultValue `{ windowMs: 600_000, maxTransitions: 6 }` */
  flapping?: FlapDampingOptions | false
  /** Alerts kept for `alerts()`, active ones included; the oldest resolved go first. @defaultValue 1000 */
  maxHistory?: number
  /** Most alert instances (rule × label set) tracked at once; more are reported as rule errors. @defaultValue 10_000 */
  maxAlerts?: number
  /** @defaultValue 1000 */
  maxSilences?: number
  /** Longest a notifier may take per notification before it counts as failed, ms. @defaultValue 30_000 */
  notifierTimeoutMs?: number
  /** Notifications a notifier may have waiting; past it the oldest is dropped and counted. @defaultValue 100 */
  maxPendingNotifications?: number
  /** Forecaster of predictive rules: point forecasts with intervals, `steps` evenly spaced steps ahead. @defaultValue `RegressionDetector.forecast` (Holt / Holt-Winters) */
  forecast?: (values: readonly number[], steps: number) => ReadonlyArray<ForecastValue> | undefined
  /** Aborting it closes the engine. */
  signal?: AbortSignal
}

/** The default inhibition: a critical alert mutes the warnings about the same metric. */
export const defaultInhibitRules: readonly InhibitRule[] = [{ source: { severity: 'critical' }, target: { severity: 'warning' }, equal: ['metric'] }]

export function checkSource(monitor: unknown): MetricSource {
  const m = monitor as Record<string, unknown> | undefined
  if (typeof m !== 'object' || m === null) throw new PerfkitConfigError('monitor', 'a PerformanceMonitor or a MetricSource', monitor)
  for (const method of ['stats', 'value', 'rate', 'history', 'now']) {
    if (typeof m[method] !== 'function') throw new PerfkitConfigError('monitor', `an object with a ${method}() method (a MetricSource)`, monitor)
  }
  return monitor as MetricSource
}

export function checkGroupBy(groupBy: unknown): readonly string[] {
  if (!Array.isArray(groupBy)) throw new PerfkitConfigError('groupBy', 'an array of label names', groupBy)
  groupBy.forEach((name, i) => nonEmptyString(`groupBy[${i}]`, name))
  return [...groupBy] as string[]
}

export function checkRateLimit(rateLimit: unknown): RateLimit | undefined {
  if (rateLimit === false) return undefined
  if (typeof rateLimit !== 'object' || rateLimit === null) throw new PerfkitConfigError('rateLimit', '{ limit, intervalMs } or false', rateLimit)
  const r = rateLimit as RateLimit
  return { limit: positiveInt('rateLimit.limit', r.limit), intervalMs: positiveFinite('rateLimit.intervalMs', r.intervalMs) }
}

export function checkInterval(intervalMs: unknown): number {
  const ms = nonNegativeFinite('intervalMs', intervalMs)
  // setInterval cannot wait longer than 2^31 - 1 ms.
  if (ms > 2_147_483_647) throw new PerfkitConfigError('intervalMs', 'at most 2147483647 (about 24.8 days)', ms)
  return ms
}

export function toNotifier(value: AlertNotifier | NotifyCallback, index: number): AlertNotifier {
  if (typeof value === 'function') return callbackNotifier(value, { name: `callback-${index + 1}` })
  if (typeof value !== 'object' || value === null || typeof value.notify !== 'function') {
    throw new PerfkitConfigError(`notifiers[${index}]`, 'a function or an object with name and notify()', value)
  }
  nonEmptyString(`notifiers[${index}].name`, value.name)
  if (value.minSeverity !== undefined && value.minSeverity !== 'warning' && value.minSeverity !== 'critical') {
    throw new PerfkitConfigError(`notifiers[${index}].minSeverity`, "'warning' or 'critical'", value.minSeverity)
  }
  return value
}

const fingerprints = new WeakMap<Labels, Map<string, string>>()

/** A stable identity for a rule and a label set (cached per labels object). */
export function fingerprintOf(ruleId: string, labels: Labels): string {
  let byRule = fingerprints.get(labels)
  if (byRule === undefined) fingerprints.set(labels, (byRule = new Map()))
  let fp = byRule.get(ruleId)
  if (fp === undefined) {
    const keys = Object.keys(labels).sort()
    byRule.set(ruleId, (fp = `${ruleId}${JSON.stringify(keys.map((k) => [k, labels[k]]))}`))
  }
  return fp
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4))))

/** Fills `{{value}}`, `{{threshold}}`, `{{severity}}` and `{{labels.name}}` in a rule's summary. */
export function renderSummary(template: string, value: number | undefined, threshold: number | undefined, severity: AlertSeverity, labels: Labels): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, key: string) => {
    if (key === 'value') return value === undefined ? 'n/a' : fmt(value)
    if (key === 'threshold') return threshold === undefined ? 'n/a' : fmt(threshold)
    if (key === 'severity') return severity
    if (key.startsWith('labels.')) return labels[key.slice(7)] ?? ''
    return whole
  })
}

/** "p95 of prediction_latency_seconds is 0.25 (critical: > 0.2)" */
export function defaultSummary(subject: string, value: number | undefined, threshold: number | undefined, op: string | undefined, severity: AlertSeverity): string {
  if (value === undefined) return `${subject} is ${severity}`
  if (threshold === undefined || op === undefined) return `${subject} is ${fmt(value)} (${severity})`
  return `${subject} is ${fmt(value)} (${severity}: ${op} ${fmt(threshold)})`
}
