// The levels the analysis compares readings with, and the metric names it reads beyond the
// contract's standard ones. Defaults come from the reference systems (see docs/insights.md).
import type { InsightSeverity } from '../bus/events/insights'
import { PerfkitConfigError } from '../errors'
import { nonEmptyString, positiveFinite, inRange } from '../internal/validate'

/**
 * A warning and a critical level. For "lower is worse" readings (hit ratio) critical is the lower one.
 * @example
 * ```ts
 * new InsightEngine({ monitor, thresholds: { memoryPercent: { warning: 75, critical: 90 }, cacheHitRatio: { warning: 0.9, critical: 0.6 } } })
 * ```
 */
export interface InsightLevels {
  warning: number
  critical: number
}

/**
 * Every level the bottleneck analysis, the health score and the built-in rules use.
 * @example
 * ```ts
 * const cpu: InsightThresholds['cpuPercent'] = { warning: defaultThresholds.cpuPercent.warning - 10, critical: 85 }
 * new InsightEngine({ monitor, thresholds: { cpuPercent: cpu, slowQuerySeconds: 0.2 } })
 * ```
 */
export interface InsightThresholds {
  /** Process or system CPU, %. @defaultValue `{ warning: 70, critical: 90 }` */
  cpuPercent: InsightLevels
  /** System memory, or heap used against the heap limit, %. @defaultValue `{ warning: 80, critical: 95 }` */
  memoryPercent: InsightLevels
  /** p99 event-loop delay, seconds. @defaultValue `{ warning: 0.1, critical: 0.5 }` */
  eventLoopDelaySeconds: InsightLevels
  /** Event-loop utilisation, 0..1. @defaultValue `{ warning: 0.9, critical: 0.98 }` */
  eventLoopUtilization: InsightLevels
  /** Response time (p95 for analysis, mean for the built-in rule), seconds. @defaultValue `{ warning: 1, critical: 5 }` */
  responseTimeSeconds: InsightLevels
  /** Share of requests that fail, %. @defaultValue `{ warning: 5, critical: 10 }` */
  errorRatePercent: InsightLevels
  /** Items waiting in a batcher's queue. @defaultValue `{ warning: 100, critical: 500 }` */
  queueSize: InsightLevels
  /** p95 time items wait in a queue, seconds. @defaultValue `{ warning: 1, critical: 5 }` */
  queueWaitSeconds: InsightLevels
  /** p95 database query time, seconds. @defaultValue `{ warning: 0.5, critical: 2 }` */
  dbQuerySeconds: InsightLevels
  /** A query slower than this is a slow query, seconds. @defaultValue 0.5 */
  slowQuerySeconds: number
  /** More slow queries than this in the analysis window is a finding (and triggers the built-in rule). @defaultValue 5 */
  slowQueryCount: number
  /** Cache hit ratio, 0..1; lower is worse. @defaultValue `{ warning: 0.8, critical: 0.5 }` */
  cacheHitRatio: InsightLevels
  /** Heap growth over the leak window, %, with a steady fit (R² ≥ 0.8), reported as a suspected leak. @defaultValue 20 */
  leakGrowthPercent: number
}

/**
 * Deep-partial thresholds, as the `thresholds` option takes them.
 * @example
 * ```ts
 * const thresholds: InsightThresholdsInput = { responseTimeSeconds: { warning: 0.5 }, queueSize: { critical: 1000 }, leakGrowthPercent: 30 }
 * new InsightEngine({ monitor, thresholds })
 * ```
 */
export type InsightThresholdsInput = { [K in keyof InsightThresholds]?: InsightThresholds[K] extends InsightLevels ? Partial<InsightLevels> : InsightThresholds[K] }

/**
 * The default thresholds (reference systems: CPU 70/90 %, memory 80/95 %, response time
 * 1/5 s, error rate 5/10 %, queue 100/500, slow query 500 ms, cache hit rate 80/50 %).
 * @example
 * ```ts
 * new InsightEngine({ monitor, thresholds: { cpuPercent: { warning: defaultThresholds.cpuPercent.warning - 10 } } })
 * ```
 */
export const defaultThresholds: Readonly<InsightThresholds> = Object.freeze({
  cpuPercent: { warning: 70, critical: 90 },
  memoryPercent: { warning: 80, critical: 95 },
  eventLoopDelaySeconds: { warning: 0.1, critical: 0.5 },
  eventLoopUtilization: { warning: 0.9, critical: 0.98 },
  responseTimeSeconds: { warning: 1, critical: 5 },
  errorRatePercent: { warning: 5, critical: 10 },
  queueSize: { warning: 100, critical: 500 },
  queueWaitSeconds: { warning: 1, critical: 5 },
  dbQuerySeconds: { warning: 0.5, critical: 2 },
  slowQuerySeconds: 0.5,
  slowQueryCount: 5,
  cacheHitRatio: { warning: 0.8, critical: 0.5 },
  leakGrowthPercent: 20,
})

const lowerIsWorse = new Set<keyof InsightThresholds>(['cacheHitRatio'])

/** Merges `input` over the defaults and validates every level (names the offending option). */
export function resolveThresholds(input: InsightThresholdsInput = {}): InsightThresholds {
  if (typeof input !== 'object' || input === null) throw new PerfkitConfigError('thresholds', 'an object', input)
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(defaultThresholds) as Array<keyof InsightThresholds>) {
    const fallback = defaultThresholds[key]
    const given = (input as Record<string, unknown>)[key]
    if (typeof fallback === 'number') {
      out[key] = given === undefined ? fallback : positiveFinite(`thresholds.${key}`, given)
      continue
    }
    if (given !== undefined && (typeof given !== 'object' || given === null)) throw new PerfkitConfigError(`thresholds.${key}`, 'an object with `warning` and/or `critical`', given)
    const partial = (given ?? {}) as Partial<InsightLevels>
    const warning = partial.warning === undefined ? fallback.warning : positiveFinite(`thresholds.${key}.warning`, partial.warning)
    const critical = partial.critical === undefined ? fallback.critical : positiveFinite(`thresholds.${key}.critical`, partial.critical)
    if (key === 'cacheHitRatio') {
      inRange('thresholds.cacheHitRatio.warning', warning, 0, 1)
      inRange('thresholds.cacheHitRatio.critical', critical, 0, 1)
    }
    const ordered = lowerIsWorse.has(key) ? critical <= warning : critical >= warning
    if (!ordered) {
      throw new PerfkitConfigError(`thresholds.${key}.critical`, `${lowerIsWorse.has(key) ? 'at most' : 'at least'} the warning level ${warning}`, critical)
    }
    out[key] = { warning, critical }
  }
  return out as unknown as InsightThresholds
}

/**
 * Grades a reading against levels: past critical is `critical`, past the midpoint `high`, past
 * warning `medium`; undefined when the reading is healthy.
 */
export function grade(value: number, levels: InsightLevels, direction: 'higher-is-worse' | 'lower-is-worse' = 'higher-is-worse'): InsightSeverity | undefined {
  const v = direction === 'higher-is-worse' ? value : -value
  const w = direction === 'higher-is-worse' ? levels.warning : -levels.warning
  const c = direction === 'higher-is-worse' ? levels.critical : -levels.critical
  if (v >= c) return 'critical'
  if (v >= (w + c) / 2) return 'high'
  if (v >= w) return 'medium'
  return undefined
}

/** Severity order, for comparisons: low 0 … critical 3. */
export const severityRank: Readonly<Record<InsightSeverity, number>> = { low: 0, medium: 1, high: 2, critical: 3 }

/** The worse of two severities. */
export function worse(a: InsightSeverity, b: InsightSeverity | undefined): InsightSeverity {
  return b !== undefined && severityRank[b] > severityRank[a] ? b : a
}

/** One severity step up (critical stays critical). */
export function bump(severity: InsightSeverity): InsightSeverity {
  return severity === 'low' ? 'medium' : severity === 'medium' ? 'high' : 'critical'
}

/**
 * Metric names the analysis reads that the cross-area contract does not fix.
 * @example
 * ```ts
 * new InsightEngine({ monitor, metricNames: { responseTime: 'api_request_seconds', dbQuery: 'pg_query_duration_seconds' } })
 * ```
 */
export interface InsightMetricNames {
  /** Distribution of request durations, seconds. @defaultValue `'http_server_request_duration_seconds'` */
  responseTime: string
  /** Counter of requests. @defaultValue `'http_server_requests_total'` */
  requests: string
  /** Counter of failed requests. @defaultValue `'http_server_errors_total'` */
  errors: string
  /** Distribution of database query durations, seconds. @defaultValue `'db_query_duration_seconds'` */
  dbQuery: string
  /** Counter of slow queries, when the host counts them itself. @defaultValue `'db_slow_queries_total'` */
  dbSlowQueries: string
  /** Gauge of slow queries seen by a `database` source in its last collection (e.g. from pg_stat_statements). @defaultValue `'db_slow_queries'` */
  dbSlowQueriesGauge: string
}

/**
 * The default names of the metrics the analysis reads beyond the contract's standard ones.
 * @example
 * ```ts
 * new InsightEngine({ monitor, metricNames: { dbQuery: 'pg_query_duration_seconds' } })
 * ```
 */
export const defaultMetricNames: Readonly<InsightMetricNames> = Object.freeze({
  responseTime: 'http_server_request_duration_seconds',
  requests: 'http_server_requests_total',
  errors: 'http_server_errors_total',
  dbQuery: 'db_query_duration_seconds',
  dbSlowQueries: 'db_slow_queries_total',
  dbSlowQueriesGauge: 'db_slow_queries',
})

/** Merges and validates the `metricNames` option. */
export function resolveMetricNames(input: Partial<InsightMetricNames> = {}): InsightMetricNames {
  if (typeof input !== 'object' || input === null) throw new PerfkitConfigError('metricNames', 'an object', input)
  const out = { ...defaultMetricNames }
  for (const key of Object.keys(defaultMetricNames) as Array<keyof InsightMetricNames>) {
    const given = input[key]
    if (given !== undefined) out[key] = nonEmptyString(`metricNames.${key}`, given)
  }
  return out
}
