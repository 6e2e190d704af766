// One call that wires the primitives on one bus, and a graceful stop for all of them.
import { AlertEngine, type AlertEngineOptions, type AlertRule, genericProfile, referenceProfile } from '../alerts/index'
import type { BatchProcessor, PredictionBatcher } from '../batch/index'
import { PerfBus } from '../bus/bus'
import type { MemoryCache } from '../cache/index'
import { PerfkitConfigError } from '../errors'
import { InsightEngine, type InsightEngineOptions } from '../insights/index'
import { toClock } from '../internal/clock'
import { unrefInterval, unrefTimeout } from '../internal/timers'
import { PerformanceMonitor, type PerformanceMonitorOptions } from '../monitor/index'
import { RegressionDetector, type RegressionDetectorOptions, type WatchOptions } from '../regression/index'
import type { PerfkitEnvConfig } from './config-from-env'

/** Any MemoryCache, whatever its key and value types. @inline */
// biome-ignore lint/suspicious/noExplicitAny: a host's caches and batchers have any key/value types
type AnyCache = MemoryCache<any, any>
/** Any PredictionBatcher or BatchProcessor. @inline */
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyBatcher = PredictionBatcher<any, any> | BatchProcessor<any, any>

/**
 * A metric {@link createPerfkit} watches for regressions: the metric's name plus the
 * {@link RegressionDetector.watch} options.
 * @example
 * ```ts
 * createPerfkit({ regression: { watch: [{ metric: 'db_query_duration_seconds', stat: 'p99', currentWindow: 120_000 }] } })
 * ```
 */
export interface RegressionWatch extends WatchOptions {
  metric: string
}

/**
 * Options of {@link createPerfkit}. Every part is on by default; `false` leaves it out.
 * @example
 * ```ts
 * const options: PerfkitOptions = {
 *   env: configFromEnv(),
 *   caches: [models],
 *   batchers: [scorer],
 *   alerts: { profile: 'reference', notifiers: [loggerNotifier()] },
 *   insights: false,
 * }
 * const perfkit = createPerfkit(options).start()
 * ```
 */
export interface PerfkitOptions {
  /** The bus every part emits on. @defaultValue a new PerfBus */
  bus?: PerfBus
  /** One clock for every part, ms (tests). @defaultValue each part's own default */
  now?: () => number
  /** Values read by {@link configFromEnv}: sampling and alert intervals, and the reference thresholds. */
  env?: PerfkitEnvConfig
  /** A monitor to use, or options for the one created. @defaultValue `{ processMetrics: true }` */
  monitor?: PerformanceMonitor | Omit<PerformanceMonitorOptions, 'bus' | 'now'>
  /**
   * Alerting. `profile` picks the built-in rules: `'generic'` (HTTP services), `'reference'`
   * (model serving, thresholds from `env`), or `'none'`. `rules` are added after the profile.
   * @defaultValue `{ profile: 'generic' }`
   */
  alerts?: false | (Omit<AlertEngineOptions, 'monitor' | 'bus' | 'now' | 'rules' | 'intervalMs'> & AlertsSetup)
  /** Regression watches on the monitor. @defaultValue p95 of `http_server_request_duration_seconds` and `prediction_latency_seconds` */
  regression?: false | (Omit<RegressionDetectorOptions, 'bus' | 'now'> & { watch?: readonly RegressionWatch[] })
  /** Insights. @defaultValue on, with `pruneCaches` wired to the caches given */
  insights?: false | (Omit<InsightEngineOptions, 'monitor' | 'alerts' | 'bus' | 'now' | 'intervalMs'> & { intervalMs?: number })
  /** Caches to observe (metrics, insights, cache pruning under memory pressure). */
  caches?: readonly AnyCache[]
  /** Batchers and processors to observe, and to drain on `stop()`. */
  batchers?: readonly AnyBatcher[]
}

/** The alert options only {@link createPerfkit} has. @inline */
interface AlertsSetup {
  profile?: 'generic' | 'reference' | 'none'
  rules?: readonly AlertRule[]
  /** How often rules are evaluated while started, ms. @defaultValue env's alert check interval, else 60 000 */
  intervalMs?: number
}

/**
 * Options of {@link Perfkit.handleSignals}.
 * @example
 * ```ts
 * perfkit.handleSignals({ signals: ['SIGTERM'], timeoutMs: 25_000 }) // Kubernetes grants 30 s by default
 * ```
 */
export interface HandleSignalsOptions {
  /** @defaultValue `['SIGTERM', 'SIGINT']` */
  signals?: readonly NodeJS.Signals[]
  /** Longest the graceful stop may take before the process is let go, ms. @defaultValue 10 000 */
  timeoutMs?: number
}

/**
 * What {@link createPerfkit} returns: the parts, and their shared lifecycle.
 * @example
 * ```ts
 * const perfkit: Perfkit = createPerfkit({ batchers: [scorer] }).start()
 * perfkit.monitor.record('job_duration_seconds', 1.2)
 * perfkit.observe(lateCache) // a cache created later
 * process.once('SIGTERM', () => void perfkit.stop().then(() => process.exit(0)))
 * ```
 */
export interface Perfkit {
  readonly bus: PerfBus
  readonly monitor: PerformanceMonitor
  readonly alerts: AlertEngine | undefined
  readonly regression: RegressionDetector | undefined
  readonly insights: InsightEngine | undefined
  readonly caches: readonly AnyCache[]
  readonly batchers: readonly AnyBatcher[]
  /** Starts alert evaluation, regression watches and insight evaluation. Idempotent. */
  start(): this
  /** Observes one more cache or batcher (also drained on `stop()` if it is a batcher). */
  observe(target: AnyCache | AnyBatcher): void
  /**
   * Stops gracefully: drains every batcher (pending calls settle), stops every timer and
   * watch, sends pending alert notifications, closes the monitor. Idempotent.
   */
  stop(): Promise<void>
  /**
   * Stops gracefully on SIGTERM/SIGINT, then lets the signal take its default course (the
   * process ends) unless the host has its own listener for it. Returns the unsubscribe function.
   */
  handleSignals(options?: HandleSignalsOptions): () => void
}

const DEFAULT_WATCHES: readonly RegressionWatch[] = [
  { metric: 'http_server_request_duration_seconds', stat: 'p95' },
  { metric: 'prediction_latency_seconds', stat: 'p95' },
]

/**
 * Builds the primitives on one shared bus: a {@link PerformanceMonitor}, an
 * {@link AlertEngine} with a profile, a {@link RegressionDetector} watching the latency
 * metrics, and an {@link InsightEngine}; observes the caches and batchers handed to it.
 * Nothing runs on a timer until {@link Perfkit.start}.
 *
 * @example
 * ```ts
 * const models = new MemoryCache<string, Model>({ name: 'models' })
 * const scorer = new PredictionBatcher(model.predictMany, { name: 'scorer' })
 * const perfkit = createPerfkit({ caches: [models], batchers: [scorer], alerts: { profile: 'reference' } }).start()
 * perfkit.bus.on('alert:firing', ({ alert }) => console.warn(alert.annotations.summary))
 * perfkit.handleSignals()
 * ```
 */
export function createPerfkit(options: PerfkitOptions = {}): Perfkit {
  if (typeof options !== 'object' || options === null) throw new PerfkitConfigError('options', 'an object', options)
  const { env, now } = options
  const bus = options.bus ?? (options.monitor instanceof PerformanceMonitor ? options.monitor.bus : new PerfBus())
  if (!(bus instanceof PerfBus)) throw new PerfkitConfigError('bus', 'a PerfBus', bus)
  if (now !== undefined && typeof now !== 'function') throw new PerfkitConfigError('now', 'a function returning ms', now)
  const clock = now === undefined ? {} : { now }

  // Everything that can throw is checked before anything with timers is built.
  const alertsSetup = options.alerts === false ? undefined : (options.alerts ?? {})
  const profile = alertsSetup?.profile ?? 'generic'
  const profileRules =
    profile === 'generic' ? genericProfile() : profile === 'reference' ? referenceProfile(env ? { thresholds: env.thresholds } : {}) : profile === 'none' ? [] : undefined
  if (profileRules === undefined) throw new PerfkitConfigError('alerts.profile', "'generic', 'reference' or 'none'", profile)

  const monitor = options.monitor instanceof PerformanceMonitor ? options.monitor : new PerformanceMonitor({ processMetrics: env === undefined ? true : { intervalMs: env.monitoring.intervalMs }, ...options.monitor, bus, ...clock })

  const caches: AnyCache[] = []
  const batchers: AnyBatcher[] = []
  const observe = (target: AnyCache | AnyBatcher): void => {
    monitor.observe(target)
    const list: Array<AnyCache | AnyBatcher> = 'getOrLoad' in target ? caches : batchers
    if (!list.includes(target)) list.push(target)
  }
  for (const cache of options.caches ?? []) observe(cache)
  for (const batcher of options.batchers ?? []) observe(batcher)

  let alerts: AlertEngine | undefined
  let alertIntervalMs = 0
  let regression: RegressionDetector | undefined
  let watches: readonly RegressionWatch[] = []
  let insights: InsightEngine | undefined
  let insightIntervalMs = 0
  try {
    if (alertsSetup !== undefined) {
      const { profile: _profile, rules = [], intervalMs, ...rest } = alertsSetup
      alertIntervalMs = intervalMs ?? env?.monitoring.alertCheckIntervalMs ?? 60_000
      alerts = new AlertEngine({ ...rest, monitor, bus, ...clock, intervalMs: 0, rules: [...profileRules, ...rules] })
    }

    if (options.regression !== false) {
      const { watch = DEFAULT_WATCHES, ...rest } = options.regression ?? {}
      regression = new RegressionDetector({ ...rest, bus, ...clock })
      watches = watch
    }

    if (options.insights !== false) {
      const { intervalMs = 30_000, hooks, ...rest } = options.insights ?? {}
      insightIntervalMs = intervalMs
      // Under memory pressure the built-in rule prunes expired entries of every observed cache.
      const pruneCaches = () => `pruned ${caches.reduce((sum, cache) => sum + cache.prune(), 0)} expired entries`
      insights = new InsightEngine({ ...rest, hooks: { pruneCaches, ...hooks }, monitor, ...(alerts ? { alerts } : {}), bus, ...clock, intervalMs: 0 })
    }
  } catch (error) {
    // A part that fails to build must not leave the others' timers behind.
    void Promise.allSettled([alerts?.close(), regression?.close(), insights?.close(), options.monitor === monitor ? undefined : monitor.close()])
    throw error
  }

  const stops: Array<() => void> = []
  let started = false
  let stopping: Promise<void> | undefined

  const perfkit: Perfkit = {
    bus,
    monitor,
    alerts,
    regression,
    insights,
    caches,
    batchers,
    start() {
      if (started || stopping) return this
      started = true
      if (alerts && alertIntervalMs > 0) {
        const engine = alerts
        const timer = unrefInterval(() => engine.evaluate(), alertIntervalMs)
        stops.push(() => clearInterval(timer))
      }
      if (insights && insightIntervalMs > 0) {
        const engine = insights
        const timer = unrefInterval(() => void engine.evaluate().catch((error: unknown) => bus.emit('error', error as Error)), insightIntervalMs)
        stops.push(() => clearInterval(timer))
      }
      if (regression) for (const { metric, ...watch } of watches) stops.push(regression.watch(monitor, metric, watch))
      return this
    },
    observe,
    stop() {
      stopping ??= (async () => {
        for (const stop of stops.splice(0)) stop()
        // Batchers first: their last batches still report to the monitor and alerts.
        await Promise.allSettled(batchers.map((b) => b.close()))
        await Promise.allSettled([insights?.close(), regression?.close()])
        if (alerts) {
          alerts.evaluate()
          await alerts.close()
        }
        await monitor.close()
      })()
      return stopping
    },
    handleSignals({ signals = ['SIGTERM', 'SIGINT'], timeoutMs = 10_000 } = {}) {
      const onSignal = (signal: NodeJS.Signals): void => {
        for (const s of signals) process.off(s, onSignal)
        const deadline = new Promise<void>((resolve) => unrefTimeout(resolve, timeoutMs))
        void Promise.race([perfkit.stop(), deadline]).finally(() => {
          // Only when nobody else handles the signal does its default action (ending the process) apply.
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
        })
      }
      for (const s of signals) process.on(s, onSignal)
      return () => {
        for (const s of signals) process.off(s, onSignal)
      }
    },
  }
  return perfkit
}
