// Ready-made rule sets. Rule ids are stable, so `engine.updateThresholds({ 'cpu-usage': … })`
// retunes a profile at run time.
import type { Labels } from '../bus/events/monitor'
import { PerfkitConfigError } from '../errors'
import { nonNegativeFinite } from '../internal/validate'
import type { AlertRule } from './types'

/**
 * The reference system's thresholds, in its own names and units.
 * @example
 * ```ts
 * const rules = referenceProfile({ thresholds: { predictionLatencyMs: 150, cpuUsagePercent: 90, queueSizeMax: 100 } })
 * ```
 */
export interface ReferenceThresholds {
  /** p95 of `prediction_latency_seconds` above this, in ms. @defaultValue 100 */
  predictionLatencyMs: number
  /** Cache hits / (hits + misses) below this, in %. @defaultValue 80 */
  cacheHitRatePercent: number
  /** `system_memory_usage_percent` above this. @defaultValue 80 */
  memoryUsagePercent: number
  /** `system_cpu_usage_percent` above this. @defaultValue 80 */
  cpuUsagePercent: number
  /** `prediction_errors_total` / `prediction_calls_total` above this, in %. @defaultValue 5 */
  errorRatePercent: number
  /** `prediction_queue_size` above this. @defaultValue 50 */
  queueSizeMax: number
}

/**
 * Warning and critical levels of one generic-profile rule.
 * @example
 * ```ts
 * const rules = genericProfile({ thresholds: { responseTimeMs: { warning: 500, critical: 2000 } } })
 * ```
 */
export interface LevelPair {
  warning?: number
  critical?: number
}

/**
 * The generic profile's levels.
 * @example
 * ```ts
 * const rules = genericProfile({ thresholds: { cpuPercent: { warning: 60, critical: 85 }, queueSize: { warning: 200, critical: 1000 } } })
 * ```
 */
export interface GenericThresholds {
  /** `system_cpu_usage_percent`. @defaultValue `{ warning: 70, critical: 90 }` */
  cpuPercent: LevelPair
  /** `system_memory_usage_percent`. @defaultValue `{ warning: 80, critical: 95 }` */
  memoryPercent: LevelPair
  /** p95 of `http_server_request_duration_seconds`, in ms. @defaultValue `{ warning: 1000, critical: 5000 }` */
  responseTimeMs: LevelPair
  /** `http_server_errors_total` / `http_server_requests_total`, in %. @defaultValue `{ warning: 5, critical: 10 }` */
  errorRatePercent: LevelPair
  /** `prediction_queue_size`. @defaultValue `{ warning: 100, critical: 500 }` */
  queueSize: LevelPair
}

/**
 * Options of the profile builders.
 * @example
 * ```ts
 * const engine = new AlertEngine({ monitor, rules: genericProfile({ forMs: 120_000, labels: { service: 'api' } }) })
 * ```
 */
export interface ProfileOptions<T> {
  /** Overrides of the profile's levels. */
  thresholds?: Partial<T>
  /** `forMs` of every rule. @defaultValue 0 (the reference system alerts at the first check past a threshold) */
  forMs?: number
  /** Series matcher applied to every rule (e.g. `{ service: 'api' }`). @defaultValue all series */
  labels?: Labels
}

const referenceDefaults: ReferenceThresholds = {
  predictionLatencyMs: 100,
  cacheHitRatePercent: 80,
  memoryUsagePercent: 80,
  cpuUsagePercent: 80,
  errorRatePercent: 5,
  queueSizeMax: 50,
}

const genericDefaults: GenericThresholds = {
  cpuPercent: { warning: 70, critical: 90 },
  memoryPercent: { warning: 80, critical: 95 },
  responseTimeMs: { warning: 1000, critical: 5000 },
  errorRatePercent: { warning: 5, critical: 10 },
  queueSize: { warning: 100, critical: 500 },
}

function common(name: string, options: ProfileOptions<unknown>): { forMs: number; alertLabels: Labels; labels?: Labels } {
  const forMs = nonNegativeFinite('forMs', options.forMs ?? 0)
  return { forMs, alertLabels: { profile: name }, ...(options.labels === undefined ? {} : { labels: options.labels }) }
}

function scaled(pair: LevelPair, factor: number): LevelPair {
  const out: LevelPair = {}
  if (pair.warning !== undefined) out.warning = pair.warning * factor
  if (pair.critical !== undefined) out.critical = pair.critical * factor
  return out
}

/**
 * The reference system's rules, one level each (a warning): prediction latency p95 > 100 ms,
 * cache hit rate < 80 %, memory > 80 %, CPU > 80 %, prediction error rate > 5 %, prediction
 * queue > 50. Rule ids: `prediction-latency`, `cache-hit-rate`, `memory-usage`, `cpu-usage`,
 * `error-rate`, `queue-size`; every alert carries `profile="reference"`.
 * @example
 * ```ts
 * const engine = new AlertEngine({ monitor, rules: referenceProfile({ thresholds: { predictionLatencyMs: 80 } }) })
 * engine.updateThresholds({ 'prediction-latency': { critical: 0.25 } }) // add a critical level later
 * ```
 */
export function referenceProfile(options: ProfileOptions<ReferenceThresholds> = {}): AlertRule[] {
  const t = { ...referenceDefaults, ...(options.thresholds ?? {}) }
  for (const [key, value] of Object.entries(t)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new PerfkitConfigError(`thresholds.${key}`, 'a finite number', value)
  }
  const c = common('reference', options)
  return [
    // No predictions in the window is no traffic, not an outage: latency rules do not raise no-data.
    { id: 'prediction-latency', metric: 'prediction_latency_seconds', stat: 'p95', op: '>', warning: t.predictionLatencyMs / 1000, noData: 'ok', ...c },
    {
      id: 'cache-hit-rate',
      kind: 'ratio',
      numerator: 'cache_hits_total',
      denominator: ['cache_hits_total', 'cache_misses_total'],
      op: '<',
      warning: t.cacheHitRatePercent / 100,
      summary: 'cache hit rate is {{value}} (below {{threshold}})',
      ...c,
    },
    { id: 'memory-usage', metric: 'system_memory_usage_percent', op: '>', warning: t.memoryUsagePercent, ...c },
    { id: 'cpu-usage', metric: 'system_cpu_usage_percent', op: '>', warning: t.cpuUsagePercent, ...c },
    { id: 'error-rate', kind: 'error-rate', errors: 'prediction_errors_total', total: 'prediction_calls_total', warning: t.errorRatePercent / 100, ...c },
    { id: 'queue-size', metric: 'prediction_queue_size', op: '>', warning: t.queueSizeMax, ...c },
  ]
}

/**
 * A generic service profile with warning/critical levels: CPU 70/90 %, memory 80/95 %, HTTP
 * response time p95 1 s/5 s, HTTP error rate 5/10 %, prediction queue 100/500. Rule ids:
 * `cpu-usage`, `memory-usage`, `response-time`, `error-rate`, `queue-size`; every alert carries
 * `profile="generic"`.
 * @example
 * ```ts
 * const engine = new AlertEngine({ monitor, rules: genericProfile({ forMs: 60_000 }) })
 * ```
 */
export function genericProfile(options: ProfileOptions<GenericThresholds> = {}): AlertRule[] {
  const t = { ...genericDefaults, ...(options.thresholds ?? {}) }
  for (const [key, pair] of Object.entries(t)) {
    if (typeof pair !== 'object' || pair === null) throw new PerfkitConfigError(`thresholds.${key}`, '{ warning?, critical? }', pair)
  }
  const c = common('generic', options)
  return [
    { id: 'cpu-usage', metric: 'system_cpu_usage_percent', op: '>', ...t.cpuPercent, ...c },
    { id: 'memory-usage', metric: 'system_memory_usage_percent', op: '>', ...t.memoryPercent, ...c },
    { id: 'response-time', metric: 'http_server_request_duration_seconds', stat: 'p95', op: '>', ...scaled(t.responseTimeMs, 1 / 1000), noData: 'ok', ...c },
    { id: 'error-rate', kind: 'error-rate', errors: 'http_server_errors_total', total: 'http_server_requests_total', ...scaled(t.errorRatePercent, 1 / 100), ...c },
    { id: 'queue-size', metric: 'prediction_queue_size', op: '>', ...t.queueSize, ...c },
  ]
}
