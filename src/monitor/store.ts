// The write path and the reads of the monitor, behind the public PerformanceMonitor.
//
// record()/increment() are built to stay cheap: one Map lookup by metric name, no key at all
// for an unlabelled write (a labelled one walks the metric's label trie, one Map lookup per
// label, reading the object's current values), one compare to know the 10 s slot has not
// changed, one sketch add. The slot index is not read
// from the clock on every write (that alone costs ~40 ns): with the default clock it is
// refreshed by a timer just after each slot ends and every 256 writes, so a value lands in
// the previous slot only while that timer is late (a blocked event loop). An injected clock is read on every write, so tests stay exact.
import { type PerfBus, reportError } from '../bus/bus'
import type { Labels, MonitorDropReason } from '../bus/events/monitor'
import { ClosedError, PerfkitInputError } from '../errors'
import type { Clock } from '../internal/clock'
import { isMetricName } from './labels'
import { type Metric, Registry, type RegistrySettings } from './registry'
import type { CounterSeries, DistributionSeries, GaugeSeries, Series } from './series'
import { slotOf } from './series'
import type { Sketch } from './sketch'
import type { MetricKind } from './types'

/** Writes between two clock reads on the default clock. */
const CLOCK_CHECK_EVERY = 256
/** Least time between two `monitor:series-dropped` events of one metric, ms. */
const OVERFLOW_EVENT_INTERVAL_MS = 60_000

const DROP_REASONS: readonly MonitorDropReason[] = ['invalid-value', 'invalid-name', 'invalid-labels', 'kind-mismatch', 'too-many-metrics', 'closed']

interface GaugeCallback {
  readonly fn: () => number | undefined
  readonly labels: Labels | undefined
}

export class MetricStore {
  readonly registry: Registry
  readonly clock: Clock
  readonly bus: PerfBus
  readonly strict: boolean
  /** Current fine slot (coarse on the default clock, see above). */
  k: number
  /** Values recorded. */
  records = 0
  readonly dropped: Record<MonitorDropReason, number> = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<MonitorDropReason, number>
  closed = false
  readonly #exact: boolean
  #budget = CLOCK_CHECK_EVERY
  /** Set by the overflow callback while a write resolves its series. */
  #folded = false
  readonly #callbacks = new Map<string, Set<GaugeCallback>>()
  /** The registry's map, one load closer to the write path. */
  readonly #metrics: Map<string, Metric>

  constructor(settings: RegistrySettings, clock: Clock, exact: boolean, bus: PerfBus, strict: boolean) {
    this.clock = clock
    this.#exact = exact
    this.bus = bus
    this.strict = strict
    this.registry = new Registry(settings, () => clock.now())
    this.#metrics = this.registry.metrics
    this.k = slotOf(clock.now())
  }

  /** The current fine slot, cheaply (see the file comment). */
  slotNow(): number {
    if (this.#exact) return (this.k = slotOf(this.clock.now()))
    if (--this.#budget > 0) return this.k
    return this.refresh()
  }

  /** Reads the clock and updates the current slot. */
  refresh(): number {
    this.#budget = CLOCK_CHECK_EVERY
    return (this.k = slotOf(this.clock.now()))
  }

  record(name: string, value: number, labels: Labels | undefined): void {
    const metric = this.#metrics.get(name)
    if (metric !== undefined && typeof value === 'number' && value >= 0 && value < Infinity && !this.closed) {
      const series = labels === undefined ? metric.unlabeled : metric.lookup.get(labels)
      if (series !== undefined && metric.kind === 'distribution') {
        const s = series as DistributionSeries
        const k = this.slotNow()
        if (s.slot !== k) s.advance(k)
        s.touched = k
        s.add(value)
        this.records++
        return
      }
    }
    this.#recordSlow(name, value, labels)
  }

  increment(name: string, by: number, labels: Labels | undefined): void {
    const metric = this.#metrics.get(name)
    if (metric !== undefined && typeof by === 'number' && by >= 0 && by < Infinity && !this.closed) {
      const series = labels === undefined ? metric.unlabeled : metric.lookup.get(labels)
      if (series !== undefined && metric.kind === 'counter') {
        const s = series as CounterSeries
        const k = this.slotNow()
        if (s.slot !== k) s.advance(k)
        s.touched = k
        s.add(by)
        this.records++
        return
      }
    }
    if (!(typeof by === 'number' && by >= 0 && by < Infinity)) return this.drop(name, 'invalid-value', by, labels)
    const s = this.#resolve(name, 'counter', by, labels) as CounterSeries | undefined
    if (s === undefined) return
    s.add(by)
    this.records++
  }

  /**
   * The series that writes of `name` with `labels` land in, once one has landed (undefined
   * before, for a label set folded into the overflow series, or for another kind): for a
   * writer that keeps it and writes with {@link addBound}/{@link countBound}, skipping the
   * name and label lookups of every write.
   */
  boundSeries(name: string, kind: 'distribution' | 'counter', labels: Labels): Series | undefined {
    const metric = this.#metrics.get(name)
    return metric !== undefined && metric.kind === kind ? metric.lookup.get(labels) : undefined
  }

  /**
   * record() into a kept series. False when the write must go through record() instead: the
   * value is not one record() would take, the monitor is closed, or the series expired.
   */
  addBound(s: DistributionSeries, value: number): boolean {
    if (!(typeof value === 'number' && value >= 0 && value < Infinity) || s.dead || this.closed) return false
    const k = this.slotNow()
    if (s.slot !== k) s.advance(k)
    s.touched = k
    s.add(value)
    this.records++
    return true
  }

  /** increment() of a kept series, as {@link addBound}. */
  countBound(s: CounterSeries, by: number): boolean {
    if (!(typeof by === 'number' && by >= 0 && by < Infinity) || s.dead || this.closed) return false
    const k = this.slotNow()
    if (s.slot !== k) s.advance(k)
    s.touched = k
    s.add(by)
    this.records++
    return true
  }

  /** Sets (or, with `delta`, moves) a gauge. */
  setGauge(name: string, value: number, labels: Labels | undefined, delta: boolean): void {
    if (!(typeof value === 'number' && Number.isFinite(value))) return this.drop(name, 'invalid-value', value, labels)
    const metric = this.registry.metrics.get(name)
    let s: GaugeSeries | undefined
    if (metric !== undefined && metric.kind === 'gauge' && !this.closed) {
      s = (labels === undefined ? metric.unlabeled : metric.lookup.get(labels)) as GaugeSeries | undefined
      if (s !== undefined) s.touched = this.slotNow()
    }
    s ??= this.#resolve(name, 'gauge', value, labels) as GaugeSeries | undefined
    if (s === undefined) return
    s.value = delta ? s.value + value : value
    this.records++
  }

  /** Adds a whole-life distribution from elsewhere to a series, as if recorded now. */
  absorb(name: string, sketch: Sketch, buckets: ArrayLike<number>, labels: Labels | undefined): void {
    const s = this.#resolve(name, 'distribution', 0, labels) as DistributionSeries | undefined
    s?.absorb(sketch, buckets)
  }

  #recordSlow(name: string, value: number, labels: Labels | undefined): void {
    if (!(typeof value === 'number' && value >= 0 && value < Infinity)) return this.drop(name, 'invalid-value', value, labels)
    const s = this.#resolve(name, 'distribution', value, labels) as DistributionSeries | undefined
    if (s === undefined) return
    s.add(value)
    this.records++
  }

  /** Finds or creates the series a write goes to, advanced to the current slot; undefined after a drop. */
  #resolve(name: string, kind: MetricKind, value: number, labels: Labels | undefined): Series | undefined {
    if (this.closed) return void this.drop(name, 'closed', value, labels)
    const metric = this.registry.metric(name, kind)
    if (typeof metric === 'string') return void this.drop(name, metric, value, labels)
    const k = this.slotNow()
    if (labels !== undefined && (typeof labels !== 'object' || labels === null)) return void this.drop(name, 'invalid-labels', value, labels)
    this.#folded = false
    const series = this.registry.series(metric, labels, this.clock.now(), k, this.#onOverflow)
    if (series === 'invalid-labels') return void this.drop(name, series, value, labels)
    // A folded label set is not remembered: each of its writes must be counted as folded.
    if (labels !== undefined && !this.#folded) metric.lookup.set(labels, series)
    if (series.slot !== k) (series as DistributionSeries | CounterSeries).advance?.(k)
    series.touched = k
    return series
  }

  readonly #onOverflow = (metric: Metric, labels: Labels): void => {
    this.#folded = true
    metric.overflowed++
    metric.overflowSinceEvent++
    if (!this.bus.hasListeners('monitor:series-dropped')) return
    const now = this.clock.now()
    if (now - metric.overflowEventAt < OVERFLOW_EVENT_INTERVAL_MS) return
    metric.overflowEventAt = now
    const folded = metric.overflowSinceEvent
    metric.overflowSinceEvent = 0
    this.bus.emit('monitor:series-dropped', { metric: metric.name, labels, limit: metric.maxSeries, folded, foldedTotal: metric.overflowed })
  }

  /** Counts a value that was not recorded; in strict mode throws instead. */
  drop(name: string, reason: MonitorDropReason, value: unknown, labels: Labels | undefined): void {
    this.dropped[reason]++
    if (this.strict) {
      if (reason === 'closed') throw new ClosedError('PerformanceMonitor')
      throw new PerfkitInputError(reason === 'invalid-value' ? 'value' : reason === 'invalid-labels' ? 'labels' : 'name', strictExpectation(reason, name), reason === 'invalid-labels' ? labels : reason === 'invalid-value' ? value : name)
    }
    if (this.bus.hasListeners('monitor:value-dropped')) {
      this.bus.emit('monitor:value-dropped', { metric: String(name), reason, value: value as number, ...(labels === undefined ? {} : { labels }) })
    }
  }

  /** Registers a gauge whose value is read from `fn` before every read, snapshot and scrape. */
  addGaugeCallback(name: string, fn: () => number | undefined, labels: Labels | undefined): () => void {
    if (!isMetricName(name)) throw new PerfkitInputError('name', 'a Prometheus metric name', name)
    if (typeof fn !== 'function') throw new PerfkitInputError('fn', 'a function', fn)
    const existing = this.registry.metrics.get(name)
    if (existing !== undefined && existing.kind !== 'gauge') throw new PerfkitInputError('name', `a gauge (\`${name}\` is a ${existing.kind})`, name)
    let set = this.#callbacks.get(name)
    if (set === undefined) this.#callbacks.set(name, (set = new Set()))
    const callback: GaugeCallback = { fn, labels }
    set.add(callback)
    return () => {
      set.delete(callback)
      if (set.size === 0 && this.#callbacks.get(name) === set) this.#callbacks.delete(name)
    }
  }

  /** Runs the gauge callbacks (of one metric, or all). */
  collectCallbacks(name?: string): void {
    if (this.#callbacks.size === 0 || this.closed) return
    const sets = name === undefined ? this.#callbacks : [[name, this.#callbacks.get(name)] as const]
    for (const [metric, set] of sets) {
      if (set === undefined) continue
      for (const { fn, labels } of set) {
        let value: number | undefined
        try {
          value = fn()
        } catch (error) {
          reportError(this.bus, error instanceof Error ? error : new Error(String(error)))
          continue
        }
        if (value !== undefined) this.setGauge(metric, value, labels, false)
      }
    }
  }
}

function strictExpectation(reason: MonitorDropReason, name: string): string {
  switch (reason) {
    case 'invalid-value':
      return `a finite number (>= 0 for \`${name}\` unless it is a gauge)`
    case 'invalid-labels':
      return 'labels with Prometheus label names (not `__*`, nor `le`/`quantile` on a distribution)'
    case 'invalid-name':
      return 'a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)'
    case 'kind-mismatch':
      return `the name of a metric of this kind (\`${name}\` has another kind)`
    default:
      return 'a new metric within `maxMetrics`'
  }
}
