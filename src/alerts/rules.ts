// Rule validation: every rule is checked once, when it is added or its levels change, and
// turned into a NormalizedRule with every default filled in, so evaluation never re-checks.
import type { AlertRuleKind, AlertSeverity } from '../bus/events/alerts'
import type { Labels } from '../bus/events/monitor'
import { PerfkitConfigError } from '../errors'
import { func, nonEmptyString, nonNegativeFinite, oneOf, positiveFinite, positiveInt } from '../internal/validate'
import type { AlertRule, ClearLevels, ComparisonOperator, FlapDampingOptions, NoDataPolicy, ThresholdUpdate } from './types'

const operators = ['>', '>=', '<', '<='] as const
const severities = ['warning', 'critical'] as const
const windows = ['1m', '5m', '15m', 'all'] as const
const kinds = ['threshold', 'trend', 'anomaly', 'regression', 'predictive', 'error-rate', 'ratio', 'custom'] as const
const stats = ['count', 'sum', 'mean', 'min', 'max', 'stddev', 'p50', 'p90', 'p95', 'p99', 'p999', 'ratePerSec', 'value', 'rate'] as const

/** Levels resolved for evaluation: the condition is `value <op> level`. */
export interface NormalizedLevels {
  op: ComparisonOperator
  warning: number | undefined
  critical: number | undefined
  clearWarning: number | undefined
  clearCritical: number | undefined
}

export interface NormalizedFlapping {
  windowMs: number
  maxTransitions: number
}

/** A validated rule with every default applied. `def` is the caller's rule, copied and frozen. */
export interface NormalizedRule {
  readonly def: Readonly<AlertRule>
  readonly id: string
  readonly kind: AlertRuleKind
  readonly forMs: number
  readonly keepFiringForMs: number
  readonly cooldownMs: number
  readonly flapping: NormalizedFlapping | undefined
  readonly noData: NoDataPolicy
  readonly noDataForMs: number
  readonly noDataSeverity: AlertSeverity
  readonly levels: NormalizedLevels | undefined
  readonly alertLabels: Labels
}

export function holds(op: ComparisonOperator, value: number, level: number): boolean {
  switch (op) {
    case '>':
      return value > level
    case '>=':
      return value >= level
    case '<':
      return value < level
    case '<=':
      return value <= level
  }
}

/**
 * The severity `value` deserves given the alert's current severity. Hysteresis: once active
 * at a level, the alert stays at it until the value is past that level's clear threshold.
 */
export function levelOf(levels: NormalizedLevels, value: number, current: AlertSeverity | null): AlertSeverity | null {
  const { op, warning, critical, clearWarning, clearCritical } = levels
  if (critical !== undefined) {
    if (holds(op, value, critical)) return 'critical'
    if (current === 'critical' && clearCritical !== undefined && holds(op, value, clearCritical)) return 'critical'
  }
  if (warning !== undefined) {
    if (holds(op, value, warning)) return 'warning'
    if (current !== null && clearWarning !== undefined && holds(op, value, clearWarning)) return 'warning'
  }
  return null
}

/** The level a severity is compared with. */
export function thresholdOf(levels: NormalizedLevels, severity: AlertSeverity): number | undefined {
  return severity === 'critical' ? levels.critical : levels.warning
}

function finiteOrUndefined(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new PerfkitConfigError(option, 'a finite number', value)
  return value
}

function normalizeLevels(at: string, raw: { op?: unknown; warning?: unknown; critical?: unknown; clear?: unknown }, defaultOp?: ComparisonOperator): NormalizedLevels {
  const op = oneOf(`${at}.op`, raw.op ?? defaultOp, operators)
  const warning = finiteOrUndefined(`${at}.warning`, raw.warning)
  const critical = finiteOrUndefined(`${at}.critical`, raw.critical)
  if (warning === undefined && critical === undefined) {
    throw new PerfkitConfigError(`${at}.warning`, 'a finite number (a rule needs `warning`, `critical` or both)', undefined)
  }
  const upward = op === '>' || op === '>='
  if (warning !== undefined && critical !== undefined && (upward ? critical < warning : critical > warning)) {
    throw new PerfkitConfigError(`${at}.critical`, `a level ${upward ? '>=' : '<='} warning (${warning}) for op '${op}'`, critical)
  }
  let clearWarning: number | undefined
  let clearCritical: number | undefined
  const clear = raw.clear
  if (typeof clear === 'number') {
    if (warning !== undefined) clearWarning = finiteOrUndefined(`${at}.clear`, clear)
    else clearCritical = finiteOrUndefined(`${at}.clear`, clear)
  } else if (clear !== undefined && clear !== null) {
    if (typeof clear !== 'object') throw new PerfkitConfigError(`${at}.clear`, 'a number or { warning?, critical? }', clear)
    const c = clear as ClearLevels
    clearWarning = finiteOrUndefined(`${at}.clear.warning`, c.warning)
    clearCritical = finiteOrUndefined(`${at}.clear.critical`, c.critical)
    if (clearWarning !== undefined && warning === undefined) throw new PerfkitConfigError(`${at}.clear.warning`, 'undefined when there is no warning level', clearWarning)
    if (clearCritical !== undefined && critical === undefined) throw new PerfkitConfigError(`${at}.clear.critical`, 'undefined when there is no critical level', clearCritical)
  }
  const healthySide = (name: string, clearAt: number | undefined, level: number | undefined): void => {
    if (clearAt === undefined || level === undefined) return
    if (upward ? clearAt > level : clearAt < level) {
      throw new PerfkitConfigError(name, `a level ${upward ? '<=' : '>='} the level it clears (${level}) for op '${op}'`, clearAt)
    }
  }
  healthySide(`${at}.clear`, clearWarning, warning)
  healthySide(`${at}.clear`, clearCritical, critical)
  return { op, warning, critical, clearWarning: clearWarning ?? warning, clearCritical: clearCritical ?? critical }
}

function metricNames(option: string, value: unknown): void {
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0) throw new PerfkitConfigError(option, 'a metric name or a non-empty array of them', value)
  list.forEach((name, i) => nonEmptyString(Array.isArray(value) ? `${option}[${i}]` : option, name))
}

function labelsOption(option: string, value: unknown): void {
  if (value === undefined) return
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PerfkitConfigError(option, 'an object of label names to strings', value)
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') throw new PerfkitConfigError(`${option}.${k}`, 'a string', v)
}

function optional<T>(value: T | undefined, check: (v: T) => unknown): void {
  if (value !== undefined) check(value)
}

/**
 * Validates `rule` and fills in its defaults. Throws PerfkitConfigError naming the first bad
 * option, as `rules.<id>.<option>`.
 */
export function normalizeRule(rule: AlertRule, defaultFlapping: NormalizedFlapping | undefined, prefix = 'rules'): NormalizedRule {
  if (typeof rule !== 'object' || rule === null) throw new PerfkitConfigError('rule', 'a rule object', rule)
  const id = nonEmptyString('rule.id', rule.id)
  const at = `${prefix}.${id}`
  const kind = oneOf(`${at}.kind`, rule.kind ?? 'threshold', kinds)
  const r = rule as unknown as Record<string, unknown>
  const forMs = nonNegativeFinite(`${at}.forMs`, rule.forMs ?? 0)
  const keepFiringForMs = nonNegativeFinite(`${at}.keepFiringForMs`, rule.keepFiringForMs ?? 0)
  const cooldownMs = nonNegativeFinite(`${at}.cooldownMs`, rule.cooldownMs ?? 0)
  const noData = oneOf(`${at}.noData`, rule.noData ?? 'alert', ['alert', 'ok', 'keep'] as const)
  // A metric must be silent a while before it counts as stopped: one empty window is not an outage.
  const noDataForMs = nonNegativeFinite(`${at}.noDataForMs`, rule.noDataForMs ?? Math.max(forMs, 300_000))
  const noDataSeverity = oneOf(`${at}.noDataSeverity`, rule.noDataSeverity ?? 'warning', severities)
  optional(rule.summary, (v) => nonEmptyString(`${at}.summary`, v))
  optional(rule.description, (v) => nonEmptyString(`${at}.description`, v))
  labelsOption(`${at}.alertLabels`, rule.alertLabels)
  labelsOption(`${at}.labels`, r.labels)
  let flapping = defaultFlapping
  if (rule.flapping === false) flapping = undefined
  else if (rule.flapping !== undefined) flapping = normalizeFlapping(`${at}.flapping`, rule.flapping)

  if (r.by !== undefined) {
    if (kind === 'regression' || kind === 'custom') throw new PerfkitConfigError(`${at}.by`, `undefined for a ${kind} rule`, r.by)
    if (!Array.isArray(r.by) || r.by.length === 0) throw new PerfkitConfigError(`${at}.by`, 'a non-empty array of label names', r.by)
    r.by.forEach((name, i) => nonEmptyString(`${at}.by[${i}]`, name))
  }
  let levels: NormalizedLevels | undefined
  switch (kind) {
    case 'threshold':
      nonEmptyString(`${at}.metric`, r.metric)
      oneOf(`${at}.stat`, r.stat ?? 'value', stats)
      oneOf(`${at}.window`, r.window ?? '1m', windows)
      levels = normalizeLevels(at, r)
      break
    case 'trend':
    case 'anomaly':
    case 'predictive':
      nonEmptyString(`${at}.metric`, r.metric)
      optional(r.stat, (v) => nonEmptyString(`${at}.stat`, v))
      optional(r.windowMs, (v) => positiveFinite(`${at}.windowMs`, v))
      optional(r.minPoints, (v) => {
        if (positiveInt(`${at}.minPoints`, v) < 3) throw new PerfkitConfigError(`${at}.minPoints`, 'an integer >= 3', v)
      })
      if (kind === 'anomaly') {
        oneOf(`${at}.method`, r.method ?? 'mad', ['mad', 'zscore'] as const)
        oneOf(`${at}.direction`, r.direction ?? 'both', ['above', 'below', 'both'] as const)
        levels = normalizeLevels(at, { op: '>', warning: r.warning ?? (r.critical === undefined ? 3 : undefined), critical: r.critical, clear: r.clear })
        if ((levels.warning ?? 0) < 0 || (levels.critical ?? 0) < 0) throw new PerfkitConfigError(`${at}.warning`, 'a score >= 0', r.warning)
      } else {
        if (kind === 'predictive') {
          positiveFinite(`${at}.horizonMs`, r.horizonMs)
          oneOf(`${at}.use`, r.use ?? 'point', ['point', 'interval'] as const)
        }
        levels = normalizeLevels(at, r)
      }
      break
    case 'error-rate':
      metricNames(`${at}.errors`, r.errors)
      metricNames(`${at}.total`, r.total)
      oneOf(`${at}.window`, r.window ?? '1m', windows)
      levels = normalizeLevels(at, r, '>')
      break
    case 'ratio':
      metricNames(`${at}.numerator`, r.numerator)
      metricNames(`${at}.denominator`, r.denominator)
      oneOf(`${at}.window`, r.window ?? '1m', windows)
      levels = normalizeLevels(at, r)
      break
    case 'regression':
      optional(r.metric, (v) => nonEmptyString(`${at}.metric`, v))
      oneOf(`${at}.direction`, r.direction ?? 'both', ['increase', 'decrease', 'both'] as const)
      optional(r.minConfidence, (v) => {
        if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new PerfkitConfigError(`${at}.minConfidence`, 'a number from 0 to 1', v)
      })
      optional(r.findings, (v) => {
        if (!Array.isArray(v)) throw new PerfkitConfigError(`${at}.findings`, 'an array of finding kinds', v)
        v.forEach((f, i) => oneOf(`${at}.findings[${i}]`, f, ['sudden-step', 'gradual-degradation', 'spike', 'trend-reversal'] as const))
      })
      levels = normalizeLevels(at, { op: '>=', warning: r.warning ?? 0, critical: r.critical })
      if ((levels.warning ?? 0) < 0) throw new PerfkitConfigError(`${at}.warning`, 'a change in % >= 0', r.warning)
      break
    case 'custom':
      if (typeof r.condition === 'function') {
        if (r.value !== undefined) throw new PerfkitConfigError(`${at}.value`, 'undefined when `condition` is set', r.value)
        oneOf(`${at}.severity`, r.severity ?? 'warning', severities)
      } else {
        func(`${at}.value`, r.value)
        levels = normalizeLevels(at, r)
      }
      break
  }
  const def = Object.freeze({ ...rule }) as Readonly<AlertRule>
  return { def, id, kind, forMs, keepFiringForMs, cooldownMs, flapping, noData, noDataForMs, noDataSeverity, levels, alertLabels: { ...(rule.alertLabels ?? {}) } }
}

export function normalizeFlapping(option: string, value: FlapDampingOptions): NormalizedFlapping {
  if (typeof value !== 'object' || value === null) throw new PerfkitConfigError(option, 'an object { windowMs?, maxTransitions? } or false', value)
  return {
    windowMs: positiveFinite(`${option}.windowMs`, value.windowMs ?? 600_000),
    maxTransitions: positiveInt(`${option}.maxTransitions`, value.maxTransitions ?? 6),
  }
}

/** The rule with `update` applied, validated as a whole. */
export function applyThresholdUpdate(rule: NormalizedRule, update: ThresholdUpdate, defaultFlapping: NormalizedFlapping | undefined): NormalizedRule {
  const at = `thresholds.${rule.id}`
  if (typeof update !== 'object' || update === null) throw new PerfkitConfigError(at, 'an object of levels', update)
  const allowed = ['warning', 'critical', 'clear', 'forMs', 'keepFiringForMs', 'cooldownMs']
  for (const key of Object.keys(update)) if (!allowed.includes(key)) throw new PerfkitConfigError(`${at}.${key}`, `one of ${allowed.join(', ')}`, key)
  if (rule.levels === undefined && (update.warning !== undefined || update.critical !== undefined || update.clear !== undefined)) {
    throw new PerfkitConfigError(`${at}.warning`, 'undefined: a custom `condition` rule has no levels', update.warning ?? update.critical ?? update.clear)
  }
  const next: Record<string, unknown> = { ...rule.def }
  for (const key of allowed) {
    const value = (update as Record<string, unknown>)[key]
    if (value === null) delete next[key]
    else if (value !== undefined) next[key] = value
  }
  return normalizeRule(next as unknown as AlertRule, defaultFlapping, 'thresholds')
}
