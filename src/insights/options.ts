// InsightEngine options: the public interface with its defaults, and their validation.
import { getHeapStatistics } from 'node:v8'
import { type BusOption, PerfBus } from '../bus/bus'
import type { ResourceZone, ZonePolicy } from '../bus/events/insights'
import { PerfkitConfigError } from '../errors'
import { type Clock, toClock } from '../internal/clock'
import { bool, func, inRange, nonNegativeFinite, optionalSignal, positiveFinite, positiveInt } from '../internal/validate'
import { type OptimizationHooks, validateHooks } from './builtin-rules'
import type { MetricCorrelationSettings } from './correlation'
import type { InsightAlertsSource, InsightSource } from './source'
import { type InsightMetricNames, type InsightThresholds, type InsightThresholdsInput, resolveMetricNames, resolveThresholds } from './thresholds'
import { type ResourceZoneBoundaries, type UtilizationResource, resolveZoneOptions } from './zones'

/**
 * Options of {@link InsightEngine}.
 * @example
 * ```ts
 * const insights = new InsightEngine({ monitor, intervalMs: 60_000, thresholds: { cpuPercent: { warning: 60 } }, hooks: { gc: () => globalThis.gc?.() } })
 * ```
 */
export interface InsightEngineOptions extends BusOption {
  /** The monitor to read (a PerformanceMonitor, or anything with the same reads). */
  monitor: InsightSource
  /** An AlertEngine: its firing alerts lower the health score and appear in the report summary. */
  alerts?: InsightAlertsSource
  /** Clock, ms; history times and cooldowns use it. @defaultValue the monitor's `now()` */
  now?: Clock | (() => number)
  /** How often the engine evaluates by itself (analysis, zone, rules), ms; 0 turns the timer off. @defaultValue 30_000 */
  intervalMs?: number
  /** How far back the analysis looks for sustained signals and trends, ms. @defaultValue 300_000 (5 min) */
  windowMs?: number
  /** How far back the heap-growth fit looks, ms. @defaultValue 1_800_000 (30 min) */
  leakWindowMs?: number
  /** InsightLevels of the analysis, the health score and the built-in rules. @defaultValue see `defaultThresholds` */
  thresholds?: InsightThresholdsInput
  /** Names of the metrics the analysis reads beyond the standard ones. @defaultValue see `defaultMetricNames` */
  metricNames?: Partial<InsightMetricNames>
  /** Heap size that counts as 100 %. @defaultValue V8's `heap_size_limit` */
  heapLimitBytes?: number
  /** Host optimizations run by the built-in rules. @defaultValue none (no built-in rule registered) */
  hooks?: OptimizationHooks
  /** Register the reference system's four rules for the hooks given. @defaultValue true */
  builtinRules?: boolean
  /** Longest an action may run before it counts as `timed-out`, ms. @defaultValue 30_000 */
  actionTimeoutMs?: number
  /** Entries kept in the applied-optimizations log. @defaultValue 100 */
  maxOptimizationLog?: number
  /** Entries kept in the insight history. @defaultValue 200 */
  maxInsightHistory?: number
  /** How long a leak or regression insight stays in `report()`, ms. @defaultValue 1_800_000 (30 min) */
  insightRetentionMs?: number
  /** History read for correlations, ms. @defaultValue 1_800_000 (30 min) */
  correlationWindowMs?: number
  /** Smallest |r| reported. @defaultValue 0.7 */
  correlationThreshold?: number
  /** Fewest aligned points a pair needs. @defaultValue 10 */
  correlationMinPoints?: number
  /** Most metrics compared pairwise when no list is given. @defaultValue 32 */
  maxCorrelationMetrics?: number
  /** Metrics compared by default. @defaultValue every metric with history, up to `maxCorrelationMetrics` */
  correlationMetrics?: readonly string[]
  /** Lower bounds of the zones, %. @defaultValue `{ yellow: 60, orange: 75, red: 85, critical: 95 }` */
  zoneBoundaries?: Partial<ResourceZoneBoundaries>
  /** Points below a boundary utilisation must fall to leave the zone above it. @defaultValue 5 */
  zoneHysteresis?: number
  /** How long utilisation must stay low before moving down a zone, ms. @defaultValue 30_000 */
  zoneRecoveryMs?: number
  /** What the monitor sheds in each zone. @defaultValue see `defaultZonePolicies` */
  zonePolicies?: Partial<Record<ResourceZone, Partial<ZonePolicy>>>
  /** Resources whose utilisation sets the zone. @defaultValue process and system CPU, system memory, heap, event-loop utilisation */
  zoneResources?: readonly UtilizationResource[]
  /** Aborting it closes the engine. */
  signal?: AbortSignal
}

/** Validated settings. */
export interface EngineSettings {
  monitor: InsightSource
  alerts: InsightAlertsSource | undefined
  bus: PerfBus
  clock: Clock
  intervalMs: number
  windowMs: number
  leakWindowMs: number
  thresholds: InsightThresholds
  names: InsightMetricNames
  heapLimitBytes: number
  hooks: OptimizationHooks
  builtinRules: boolean
  actionTimeoutMs: number
  maxOptimizationLog: number
  maxInsightHistory: number
  insightRetentionMs: number
  correlation: MetricCorrelationSettings
  zones: ReturnType<typeof resolveZoneOptions> & { hysteresis: number; recoveryMs: number }
  signal: AbortSignal | undefined
}

/** Destructures the options once, applies the defaults and validates every one. */
export function resolveOptions(options: InsightEngineOptions): EngineSettings {
  if (typeof options !== 'object' || options === null) throw new PerfkitConfigError('options', 'an object with a `monitor`', options)
  const {
    monitor,
    alerts,
    bus = new PerfBus(),
    now,
    intervalMs = 30_000,
    windowMs = 300_000,
    leakWindowMs = 1_800_000,
    thresholds,
    metricNames,
    heapLimitBytes = getHeapStatistics().heap_size_limit,
    hooks = {},
    builtinRules = true,
    actionTimeoutMs = 30_000,
    maxOptimizationLog = 100,
    maxInsightHistory = 200,
    insightRetentionMs = 1_800_000,
    correlationWindowMs = 1_800_000,
    correlationThreshold = 0.7,
    correlationMinPoints = 10,
    maxCorrelationMetrics = 32,
    correlationMetrics,
    zoneBoundaries,
    zoneHysteresis = 5,
    zoneRecoveryMs = 30_000,
    zonePolicies,
    zoneResources,
    signal,
  } = options
  if (typeof monitor !== 'object' || monitor === null) throw new PerfkitConfigError('monitor', 'a PerformanceMonitor (or an object with its reads)', monitor)
  for (const method of ['stats', 'value', 'rate', 'history', 'metrics', 'now'] as const) func(`monitor.${method}`, monitor[method])
  if (alerts !== undefined) func('alerts.alerts', (alerts as { alerts?: unknown } | null)?.alerts)
  if (!(bus instanceof PerfBus)) throw new PerfkitConfigError('bus', 'a PerfBus', bus)
  if (typeof hooks !== 'object' || hooks === null) throw new PerfkitConfigError('hooks', 'an object of functions', hooks)
  if (correlationMetrics !== undefined && !Array.isArray(correlationMetrics)) throw new PerfkitConfigError('correlationMetrics', 'an array of metric names', correlationMetrics)
  const limit = positiveFinite('heapLimitBytes', heapLimitBytes)
  const zones = resolveZoneOptions(zoneBoundaries, zonePolicies, zoneResources, limit)
  return {
    monitor,
    alerts,
    bus,
    clock: now === undefined ? { now: () => monitor.now() } : resolveClock(now),
    intervalMs: intervalMs === 0 ? 0 : positiveFinite('intervalMs', intervalMs),
    windowMs: positiveFinite('windowMs', windowMs),
    leakWindowMs: positiveFinite('leakWindowMs', leakWindowMs),
    thresholds: resolveThresholds(thresholds),
    names: resolveMetricNames(metricNames),
    heapLimitBytes: limit,
    hooks: validateHooks(hooks),
    builtinRules: bool('builtinRules', builtinRules),
    actionTimeoutMs: positiveFinite('actionTimeoutMs', actionTimeoutMs),
    maxOptimizationLog: positiveInt('maxOptimizationLog', maxOptimizationLog),
    maxInsightHistory: positiveInt('maxInsightHistory', maxInsightHistory),
    insightRetentionMs: positiveFinite('insightRetentionMs', insightRetentionMs),
    correlation: {
      metrics: correlationMetrics,
      windowMs: positiveFinite('correlationWindowMs', correlationWindowMs),
      threshold: inRange('correlationThreshold', correlationThreshold, 0, 1),
      minPoints: atLeast3('correlationMinPoints', correlationMinPoints),
      bucketMs: undefined,
      maxMetrics: positiveInt('maxCorrelationMetrics', maxCorrelationMetrics),
      maxResults: 50,
    },
    zones: { ...zones, hysteresis: inRange('zoneHysteresis', zoneHysteresis, 0, 50), recoveryMs: nonNegativeFinite('zoneRecoveryMs', zoneRecoveryMs) },
    signal: optionalSignal('signal', signal),
  }
}

function atLeast3(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 3) throw new PerfkitConfigError(option, 'an integer >= 3', value)
  return value
}

function resolveClock(now: unknown): Clock {
  if (typeof now === 'function') return toClock(now as () => number)
  if (typeof now === 'object' && now !== null && typeof (now as Clock).now === 'function') return now as Clock
  throw new PerfkitConfigError('now', 'a function returning ms, or an object with now()', now)
}
