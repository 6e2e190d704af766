import { type BusOption, PerfBus } from '../bus/bus'
import type { Labels } from '../bus/events/monitor'
import { ClosedError, PerfkitConfigError, PerfkitInputError } from '../errors'
import { type Clock, toClock } from '../internal/clock'
import { nonEmptyString, nonNegativeFinite, positiveFinite, positiveInt } from '../internal/validate'
import { type AnalysisReport, analyzeSeries } from './analyze'
import { type AnomalyOptions, type PointAnomaly, pointAnomalies, type SeriesAnomaly, seriesAnomalies, toPoints } from './anomalies'
import { type ChangePoint, type ChangePointOptions, findChangePoints, type ResolvedChangePointOptions } from './change-points'
import { type CompareOptions, type CompareResult, compareSamples, type ResolvedCompareOptions, type WorseWhen } from './compare'
import { type ForecastOptions, type ForecastResult, forecastSeries } from './forecast'
import {
  CHANGE_POINT_DEFAULTS,
  resolveAnomalies,
  resolveChangePoints,
  resolveCompare,
  resolveForecast,
  resolveSeasonality,
  resolveTrend,
} from './options'
import { despike } from './robust'
import { detectSeasonality, type SeasonalityOptions, type SeasonalityResult } from './seasonality'
import { type Series, toSeries, workingScale } from './series'
import { findTrend, type TrendOptions, type TrendResult } from './trend'
import { Watch, type WatchableMonitor, type WatchOptions } from './watch'

/**
 * Options of {@link RegressionDetector}; the comparison settings are the defaults of every call.
 * @example
 * ```ts
 * const detector = new RegressionDetector({ bus: monitor.bus, alpha: 0.05, minChangePercent: 10, changePoints: { minSegmentLength: 20 } })
 * ```
 */
export interface RegressionDetectorOptions extends BusOption, CompareOptions {
  /** Clock used by `watch()` when the monitor has no `now()`. @defaultValue `performance` */
  now?: Clock | (() => number)
  /** Defaults of {@link RegressionDetector.detectChangePoints} (and of `analyze()`). */
  changePoints?: ChangePointOptions
}

/**
 * Options of {@link RegressionDetector.analyze}.
 * @example
 * ```ts
 * const report = detector.analyze(latencies, { anomalies: { threshold: 4 }, trend: { minChangePercent: 10 }, changePoints: { seasonality: false } })
 * ```
 */
export interface AnalyzeOptions {
  changePoints?: ChangePointOptions
  /**
   * Spikes are judged against their 30 neighbours on the log scale (for positive series), and
   * must be 5 robust σ out: analyze() looks for real spikes, not the tail of the noise.
   * @defaultValue `{ method: 'mad', window: 31, scale: 'auto', threshold: 5 }`
   */
  anomalies?: AnomalyOptions
  trend?: TrendOptions
}

/** Longest forecast horizon, in steps (bounds the result's memory). */
const MAX_HORIZON = 100_000

/**
 * Tells real performance regressions from noise. Pure analyses — `compare`,
 * `detectChangePoints`, `detectAnomalies`, `detectTrend`, `seasonality`, `forecast`,
 * `analyze` — work on arrays you pass; `watch` follows a metric of a `PerformanceMonitor`
 * and emits `regression:detected` / `regression:recovered` on the bus, once per episode.
 *
 * @example
 * ```ts
 * const detector = new RegressionDetector({ bus: monitor.bus })
 * const result = detector.compare(lastWeekLatencies, todayLatencies)
 * if (result.regressed) console.warn(result.reason)
 *
 * const stop = detector.watch(monitor, 'http_server_request_duration_seconds', {
 *   stat: 'p95', baselineWindow: 30 * 60_000, currentWindow: 5 * 60_000, intervalMs: 60_000,
 * })
 * monitor.bus.on('regression:detected', (e) => console.warn(`${e.metric}: ${e.reason}`))
 * ```
 */
export class RegressionDetector {
  /** The bus `watch()` emits on. */
  readonly bus: PerfBus
  readonly #clock: Clock
  readonly #compare: ResolvedCompareOptions
  readonly #changePoints: ResolvedChangePointOptions
  readonly #watches = new Set<Watch>()
  #closed = false

  constructor(options: RegressionDetectorOptions = {}) {
    const { bus = new PerfBus(), now, changePoints = {}, ...compare } = options
    if (!(bus instanceof PerfBus)) throw new PerfkitConfigError('bus', 'a PerfBus', bus)
    if (now !== undefined && typeof now !== 'function' && typeof (now as Clock | null)?.now !== 'function') {
      throw new PerfkitConfigError('now', 'a function returning ms, or an object with now()', now)
    }
    this.bus = bus
    this.#clock = toClock(now)
    this.#compare = resolveCompare(compare, { alpha: 0.01, minChangePercent: 5, minEffectSize: 0.2, worseWhen: 'increase', test: 'both' })
    this.#changePoints = resolveChangePoints(changePoints, CHANGE_POINT_DEFAULTS)
  }

  /** Which direction counts as worse, by default. */
  get worseWhen(): WorseWhen {
    return this.#compare.worseWhen
  }

  /**
   * Is `current` a regression from `baseline`? It must be significant (Welch and Mann-Whitney
   * below `alpha`) AND practical (at least `minChangePercent` and `minEffectSize`), in the
   * `worseWhen` direction: a 1 % shift that only huge samples make significant is no alarm.
   * The windows are read in time order to classify the change (step, gradual, spike, reversal).
   * @throws PerfkitInputError for a non-finite value; PerfkitConfigError for a bad option.
   * @example
   * ```ts
   * const r = detector.compare(before, after, { minChangePercent: 10 })
   * if (r.regressed) console.warn(`${r.kind}: ${r.reason} (confidence ${r.confidence.toFixed(2)})`)
   * ```
   */
  compare(baseline: Series, current: Series, options: CompareOptions = {}): CompareResult {
    const o = resolveCompare(options, this.#compare)
    return compareSamples(toSeries(baseline, 'baseline').values, toSeries(current, 'current').values, o)
  }

  /**
   * Change points of a series: binary segmentation over a rank CUSUM with an analytic p-value,
   * robust to spikes and to the noise's shape, after removing seasonality. Each is a sudden
   * step or a gradual change (ramp), of the level or of the spread only.
   * @example
   * ```ts
   * for (const c of detector.detectChangePoints(monitor.history('db_query_seconds', { stat: 'p95' }))) {
   *   console.log(`${c.kind} at ${c.t}: ${c.before.median} → ${c.after.median} (p ${c.pValue})`)
   * }
   * ```
   */
  detectChangePoints(series: Series, options: ChangePointOptions = {}): ChangePoint[] {
    const o = resolveChangePoints(options, this.#changePoints)
    return findChangePoints(toSeries(series), o)
  }

  /**
   * Points of a series that stand out (robust MAD z-score by default; z-score; Isolation Forest).
   * @example
   * ```ts
   * const spikes = detector.detectAnomalies(latencies, { window: 31, scale: 'auto' })
   * ```
   */
  detectAnomalies(series: Series, options?: AnomalyOptions): SeriesAnomaly[]
  /**
   * Multi-metric points that stand out (seeded Isolation Forest by default).
   * @example
   * ```ts
   * const odd = detector.detectAnomalies(samples.map((s) => [s.latency, s.cpu, s.heap]), { seed: 7 })
   * ```
   */
  detectAnomalies(points: ReadonlyArray<ReadonlyArray<number>>, options?: AnomalyOptions): PointAnomaly[]
  detectAnomalies(input: Series | ReadonlyArray<ReadonlyArray<number>>, options: AnomalyOptions = {}): SeriesAnomaly[] | PointAnomaly[] {
    const multiMetric = Array.isArray(input) && input.length > 0 && Array.isArray(input[0])
    const o = resolveAnomalies(options, multiMetric)
    if (multiMetric) return pointAnomalies(toPoints(input), o)
    return seriesAnomalies(toSeries(input), o)
  }

  /**
   * Slope, r², direction, a gradual-degradation flag and trend reversals of a series.
   * @example
   * ```ts
   * const trend = detector.detectTrend(monitor.history('nodejs_heap_used_bytes'))
   * if (trend.gradualDegradation) console.warn(`heap grows ${trend.changePercent.toFixed(0)}% over the window`)
   * ```
   */
  detectTrend(series: Series, options: TrendOptions = {}): TrendResult {
    return findTrend(toSeries(series), resolveTrend(options, this.#compare.worseWhen))
  }

  /**
   * Period and strength of a seasonal pattern, by autocorrelation (on ln x for positive series).
   * @example
   * ```ts
   * const { period, strength } = detector.seasonality(hourlyRequestRates) // e.g. 24, 0.8
   * ```
   */
  seasonality(series: Series, options: SeasonalityOptions = {}): SeasonalityResult {
    const o = resolveSeasonality(options)
    const { work } = workingScale(toSeries(series).values)
    return detectSeasonality(despike(work), o)
  }

  /**
   * Point forecasts `horizon` steps ahead with prediction intervals: Holt's linear method, or
   * additive Holt-Winters when the series is seasonal.
   * @throws PerfkitInputError when `horizon` is not an integer in 1..100 000.
   * @example
   * ```ts
   * const { points } = detector.forecast(monitor.history('system_memory_usage_percent'), 30)
   * if (points.some((p) => p.upper > 90)) console.warn('memory may pass 90 % within 30 snapshots')
   * ```
   */
  forecast(series: Series, horizon: number, options: ForecastOptions = {}): ForecastResult {
    if (typeof horizon !== 'number' || !Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON) {
      throw new PerfkitInputError('horizon', `an integer from 1 to ${MAX_HORIZON}`, horizon)
    }
    return forecastSeries(toSeries(series), horizon, resolveForecast(options))
  }

  /**
   * Runs every analysis and lists the findings, each classified (step, gradual, spike, reversal).
   * @example
   * ```ts
   * for (const f of detector.analyze(history).findings) if (f.degradation) console.warn(f.message)
   * ```
   */
  analyze(series: Series, options: AnalyzeOptions = {}): AnalysisReport {
    return analyzeSeries(toSeries(series), {
      changePoints: resolveChangePoints(options.changePoints ?? {}, this.#changePoints),
      anomalies: resolveAnomalies({ window: 31, scale: 'auto', threshold: 5, ...options.anomalies }, false),
      trend: resolveTrend(options.trend ?? {}, this.#compare.worseWhen),
      worseWhen: this.#compare.worseWhen,
    })
  }

  /**
   * Compares a metric's current window with the window before it every `intervalMs`, and
   * emits `regression:detected` when it regresses and `regression:recovered` when it is back —
   * once per episode (the baseline is frozen while the episode lasts). Reads only
   * `monitor.history()` (and `monitor.now()`). The timer is unref'd; failures go to the bus
   * `error` event. Returns a function that stops this watch.
   * @throws ClosedError after {@link RegressionDetector.close}; PerfkitConfigError for bad arguments.
   * @example
   * ```ts
   * const stop = detector.watch(monitor, 'prediction_latency_seconds', { stat: 'p95', labels: { batcher: 'model' } })
   * detector.bus.on('regression:recovered', (e) => console.info(`${e.metric} back after ${e.durationMs} ms`))
   * stop()
   * ```
   */
  watch(monitor: WatchableMonitor, metric: string, options: WatchOptions = {}): () => void {
    if (this.#closed) throw new ClosedError('RegressionDetector')
    if (typeof monitor !== 'object' || monitor === null || typeof monitor.history !== 'function') {
      throw new PerfkitConfigError('monitor', 'an object with history() (a PerformanceMonitor)', monitor)
    }
    nonEmptyString('metric', metric)
    const { baselineWindow = 1_800_000, currentWindow = 300_000, intervalMs = 60_000, labels = {}, stat, minSamples = 5, recoverBelowPercent, ...compare } = options
    const resolved = resolveCompare(compare, this.#compare)
    if (typeof labels !== 'object' || labels === null) throw new PerfkitConfigError('labels', 'an object of label values', labels)
    if (stat !== undefined) nonEmptyString('stat', stat)
    const watch = new Watch(
      {
        monitor,
        metric,
        labels: labels as Labels,
        stat,
        baselineWindow: positiveFinite('baselineWindow', baselineWindow),
        currentWindow: positiveFinite('currentWindow', currentWindow),
        intervalMs: positiveFinite('intervalMs', intervalMs),
        minSamples: Math.max(2, positiveInt('minSamples', minSamples)),
        recoverBelowPercent: nonNegativeFinite('recoverBelowPercent', recoverBelowPercent ?? resolved.minChangePercent / 2),
        compare: resolved,
      },
      this.bus,
      this.#clock,
    )
    this.#watches.add(watch)
    return () => {
      watch.stop()
      this.#watches.delete(watch)
    }
  }

  /** Stops every watch. Idempotent; later `watch()` calls throw ClosedError. */
  close(): Promise<void> {
    this.#closed = true
    for (const watch of this.#watches) watch.stop()
    this.#watches.clear()
    return Promise.resolve()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
