// Streaming regression watch: compares a rolling current window against the window before it,
// on a timer, and emits one `regression:detected` / `regression:recovered` pair per episode.
import type { PerfBus } from '../bus/bus'
import { reportError } from '../bus/bus'
import type { Labels } from '../bus/events/monitor'
import { messageOf } from '../errors'
import type { Clock } from '../internal/clock'
import { unrefInterval } from '../internal/timers'
import { type CompareOptions, compareSamples, type ResolvedCompareOptions } from './compare'
import type { TimePoint } from './series'

/**
 * What `watch()` needs from a monitor: `PerformanceMonitor` satisfies it, and so does any
 * object with a compatible `history()`.
 * @example
 * ```ts
 * const source: WatchableMonitor = { history: (name, options) => store.points(name, options), now: () => Date.now() }
 * detector.watch(source, 'prediction_latency_seconds', { stat: 'p95' })
 * ```
 */
export interface WatchableMonitor {
  history(name: string, options?: { labels?: Labels; from?: number; to?: number; stat?: string }): ReadonlyArray<TimePoint>
  /** The monitor's clock in ms; the detector's clock is used when absent. */
  now?(): number
}

/**
 * Options of {@link RegressionDetector.watch}. Comparison options default to the detector's.
 * @example
 * ```ts
 * const stop = detector.watch(monitor, 'http_server_request_duration_seconds', {
 *   stat: 'p95', labels: { route: '/predict' }, baselineWindow: 3_600_000, currentWindow: 600_000, minSamples: 10, minChangePercent: 15,
 * })
 * ```
 */
export interface WatchOptions extends CompareOptions {
  /** Length of the baseline window, in ms, just before the current window. @defaultValue 1 800 000 (30 min) */
  baselineWindow?: number
  /** Length of the current window, in ms, ending now. @defaultValue 300 000 (5 min) */
  currentWindow?: number
  /** How often to compare, in ms. @defaultValue 60 000 */
  intervalMs?: number
  /** Series matcher passed to `monitor.history()`: every series with these labels. @defaultValue all series */
  labels?: Labels
  /** Statistic of a distribution to watch (`'p95'`, `'mean'`, …), passed to `history()`. @defaultValue the monitor's default */
  stat?: string
  /** Fewest history points each window needs before a comparison is made. @defaultValue 5 */
  minSamples?: number
  /**
   * An episode ends when the current window is no longer regressed and its change against the
   * frozen baseline, in the worse direction, is under this many %. @defaultValue minChangePercent / 2
   */
  recoverBelowPercent?: number
}

export interface ResolvedWatch {
  monitor: WatchableMonitor
  metric: string
  labels: Labels
  stat: string | undefined
  baselineWindow: number
  currentWindow: number
  intervalMs: number
  minSamples: number
  recoverBelowPercent: number
  compare: ResolvedCompareOptions
}

interface Episode {
  startedAt: number
  /** The baseline at detection, kept until recovery: a rolling one would absorb the regression. */
  baseline: Float64Array
}

/** One running watch. */
export class Watch {
  readonly #w: ResolvedWatch
  readonly #bus: PerfBus
  readonly #clock: Clock
  readonly #timer: NodeJS.Timeout
  #episode: Episode | undefined

  constructor(w: ResolvedWatch, bus: PerfBus, clock: Clock) {
    this.#w = w
    this.#bus = bus
    this.#clock = clock
    this.#timer = unrefInterval(() => this.evaluate(), w.intervalMs)
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** One comparison. Runs on the timer; never throws (failures go to the bus `error` event). */
  evaluate(): void {
    try {
      this.#evaluate()
    } catch (error) {
      reportError(this.#bus, error instanceof Error ? error : new Error(messageOf(error), { cause: error }))
    }
  }

  #evaluate(): void {
    const w = this.#w
    const monitor = w.monitor
    const now = typeof monitor.now === 'function' ? monitor.now() : this.#clock.now()
    const split = now - w.currentWindow
    const from = this.#episode === undefined ? split - w.baselineWindow : split
    const points = monitor.history(w.metric, { ...(Object.keys(w.labels).length > 0 ? { labels: w.labels } : {}), from, to: now, ...(w.stat === undefined ? {} : { stat: w.stat }) })
    const baseline: number[] = []
    const current: number[] = []
    for (const p of points) {
      if (!Number.isFinite(p.value) || p.t > now) continue
      if (p.t > split) current.push(p.value)
      else if (p.t > split - w.baselineWindow) baseline.push(p.value)
    }
    const base = this.#episode?.baseline ?? Float64Array.from(baseline)
    if (current.length < w.minSamples || base.length < w.minSamples) return
    const result = compareSamples(base, Float64Array.from(current), w.compare)
    if (this.#episode === undefined) {
      if (!result.regressed) return
      this.#episode = { startedAt: now, baseline: base }
      if (this.#bus.hasListeners('regression:detected')) {
        this.#bus.emit('regression:detected', {
          metric: w.metric,
          labels: w.labels,
          kind: result.kind ?? 'sudden-step',
          changePercent: result.changePercent,
          direction: result.direction === 'decrease' ? 'decrease' : 'increase',
          baselineMean: result.baseline.mean,
          currentMean: result.current.mean,
          pValue: result.pValue,
          effectSize: result.effectSize,
          confidence: result.confidence,
          reason: result.reason,
          at: now,
        })
      }
      return
    }
    const worseChange = w.compare.worseWhen === 'increase' ? result.changePercent : w.compare.worseWhen === 'decrease' ? -result.changePercent : Math.abs(result.changePercent)
    if (result.regressed || !(worseChange < w.recoverBelowPercent)) return
    const startedAt = this.#episode.startedAt
    this.#episode = undefined
    if (this.#bus.hasListeners('regression:recovered')) {
      this.#bus.emit('regression:recovered', { metric: w.metric, labels: w.labels, at: now, durationMs: now - startedAt })
    }
  }
}
