import type { PerfBus } from '../bus/bus'
import type { Labels, MonitorSnapshotEvent } from '../bus/events/monitor'
import { ClosedError, PerfkitInputError } from '../errors'
import { toClock } from '../internal/clock'
import { unrefInterval, unrefTimeout } from '../internal/timers'
import { inRange } from '../internal/validate'
import { type ExportJSONOptions, type MonitorHistoryExport, exportHistory } from './export-json'
import { queryHistory, snapshotMetric } from './history'
import { LeakDetector } from './leak-detector'
import { withLabels } from './labels'
import { type ObservableTarget, type ObserveHost, kindOf, observeBatchProcessor, observeCache, observePredictionBatcher } from './observe'
import { type PerformanceMonitorOptions, resolveOptions } from './options'
import { PROCESS_METRICS, ProcessSampler } from './process-sampler'
import { joinInSlices, renderMetric } from './prometheus'
import { currentValue, distributionStats, ratePerSecond, selected } from './reads'
import type { Metric } from './registry'
import { selfMetrics } from './self-metrics'
import { type CounterSeries, SLOT_MS, type StatsWindow } from './series'
import { SourceSet } from './source-set'
import type { SourceHealth, SourceOptions, SourcePriority } from './sources'
import { type MonitorState, exportState, parseState } from './state'
import { MetricStore } from './store'
import { registerStore } from './store-access'
import { startTimer, timeCall } from './timing'
import type { DistributionStats, HistoryPoint, HistoryQuery, MetricDefinition, MetricInfo, MonitorOverhead, WindowOptions } from './types'

/**
 * Records counters, gauges and latency distributions cheaply enough to leave on in production,
 * and serves them back as windowed statistics (1 m, 5 m, 15 m, whole life), a bounded
 * history, a Prometheus scrape and mergeable state. Optional extras: process and system
 * metrics, leak detection, monitoring sources with health, and `observe()` for perfkit
 * caches and batchers.
 *
 * Writes never throw: an invalid value (NaN, ±Infinity, a negative distribution value or
 * counter step) is dropped, counted in `perfkit_monitor_dropped_total` and announced by
 * `monitor:value-dropped` (set `strict: true` to throw instead).
 *
 * @example
 * ```ts
 * const monitor = new PerformanceMonitor({ processMetrics: true })
 * monitor.record('http_server_request_duration_seconds', 0.042, { method: 'GET', route: '/users/:id', status_class: '2xx' })
 * monitor.increment('jobs_processed_total')
 * const latency = monitor.stats('http_server_request_duration_seconds', { route: '/users/:id' }, { window: '5m' })
 * console.log(latency?.p99, monitor.rate('jobs_processed_total'))
 * app.get('/metrics', (_req, res) => res.type(PROMETHEUS_CONTENT_TYPE).send(monitor.prometheus()))
 * ```
 */
export class PerformanceMonitor {
  /** The bus this monitor emits on. */
  readonly bus: PerfBus
  readonly #store: MetricStore
  readonly #options: ReturnType<typeof resolveOptions>
  readonly #timers: NodeJS.Timeout[] = []
  /** The next refresh of the write path's slot index, where the current 10 s slot ends. */
  #slotTimer: NodeJS.Timeout | undefined = undefined
  #historyTimer: NodeJS.Timeout | undefined
  #historyFactor = 1
  readonly #sources: SourceSet
  readonly #observed = new Map<object, () => void>()
  readonly #sampler: ProcessSampler | undefined
  readonly #spent = { snapshots: 0, exposition: 0 }
  #rate = { at: Number.NaN, records: 0, perSecond: 0 }
  #closed: Promise<void> | undefined
  readonly #onAbort = (): void => void this.close()

  /** @throws PerfkitConfigError for an invalid option. */
  constructor(options: PerformanceMonitorOptions = {}) {
    const o = (this.#options = resolveOptions(options))
    // Everything that validates options runs before the first timer starts.
    const sampler = o.processMetrics === undefined ? undefined : new ProcessSampler(o.processMetrics)
    const leak = o.leakDetection === undefined ? undefined : new LeakDetector(o.leakDetection)
    this.bus = o.bus
    this.#store = new MetricStore(o.registry, toClock(o.clock), o.clock !== undefined, o.bus, o.strict)
    this.#sources = new SourceSet(this, o.bus)
    registerStore(this, this.#store)
    // On the default clock, the write path's slot index is refreshed where a slot ends (see store.ts).
    if (o.clock === undefined) this.#tickAtSlotEnds()
    if (o.historyIntervalMs > 0) this.#scheduleHistory()
    else if (o.seriesTtlMs > 0) this.#timers.push(unrefInterval(() => this.#sweep(), 60_000))
    if (sampler !== undefined) {
      for (const [name, help] of Object.entries(PROCESS_METRICS)) this.define(name, { kind: 'gauge', help })
      this.#sources.addSampler((this.#sampler = sampler), leak)
    }
    if (o.signal?.aborted) void this.close()
    else o.signal?.addEventListener('abort', this.#onAbort, { once: true })
  }

  /** The monitor's clock, ms: history `t` values and source times use it. */
  now(): number {
    return this.#store.clock.now()
  }

  /**
   * Declares a metric (kind, help, sketch, buckets, limits) before its first write. Writing
   * to an undeclared name creates it with the defaults. Redefining may change help, limit and
   * exposition, not the kind, sketch or buckets.
   * @throws PerfkitConfigError for an invalid definition or a kind that differs from the existing one.
   */
  define(name: string, definition: MetricDefinition): this {
    this.#store.registry.define(name, definition)
    return this
  }

  /** Adds `value` (>= 0, base units: seconds, bytes) to the distribution `name`. */
  record(name: string, value: number, labels?: Labels): void {
    this.#store.record(name, value, labels)
  }

  /** Adds `by` (>= 0) to the counter `name`. @param by @defaultValue 1 */
  increment(name: string, by = 1, labels?: Labels): void {
    this.#store.increment(name, by, labels)
  }

  /** Sets the gauge `name` to `value` (any finite number). */
  setGauge(name: string, value: number, labels?: Labels): void {
    this.#store.setGauge(name, value, labels, false)
  }

  /** Moves the gauge `name` by `delta` (e.g. +1 when a request starts, −1 when it ends). */
  adjustGauge(name: string, delta: number, labels?: Labels): void {
    this.#store.setGauge(name, delta, labels, true)
  }

  /**
   * Starts timing: the returned `end(extraLabels?)` records the elapsed seconds in the
   * distribution `name` (once; later calls return the same duration) and returns them.
   */
  startTimer(name: string, labels?: Labels): (extraLabels?: Labels) => number {
    return startTimer(this.#store, name, labels)
  }

  /**
   * Runs `fn` (sync or async) and records its duration in seconds in `name`. A throw or a
   * rejection is recorded too, counted in `<name without _seconds/_duration>_errors_total`
   * (e.g. `db_query_duration_seconds` → `db_query_errors_total`), and re-thrown unchanged.
   */
  time<T>(name: string, fn: () => T, labels?: Labels): T {
    return timeCall(this.#store, name, fn, labels)
  }

  /**
   * Registers a gauge read from `fn` before every read, snapshot and scrape (return
   * undefined to keep the last value). Returns the function that unregisters it.
   * @throws PerfkitInputError when `name` is not a gauge name or `fn` not a function.
   */
  addGaugeCallback(name: string, fn: () => number | undefined, labels?: Labels): () => void {
    return this.#store.addGaugeCallback(name, fn, labels)
  }

  /**
   * Statistics of the distribution `name` over a window (default `'1m'`), merged over the
   * series `labels` selects (all when omitted). Undefined when no series matches.
   */
  stats(name: string, labels?: Labels, options?: WindowOptions): DistributionStats | undefined {
    const metric = this.#metric(name)
    if (metric?.kind !== 'distribution') return undefined
    const window = readWindow(options)
    return distributionStats(metric, labels, window, this.#store.refresh(), this.now())
  }

  /** A counter's total or a gauge's value, summed over the selected series; undefined when none match. */
  value(name: string, labels?: Labels): number | undefined {
    this.#store.collectCallbacks(name)
    const metric = this.#metric(name)
    return metric === undefined ? undefined : currentValue(metric, labels)
  }

  /** A counter's increase (a distribution's count) per second over a window, default `'1m'`. */
  rate(name: string, labels?: Labels, options?: WindowOptions): number | undefined {
    const metric = this.#metric(name)
    if (metric === undefined) return undefined
    return ratePerSecond(metric, labels, readWindow(options), this.#store.refresh(), this.now())
  }

  /** A counter's increase (a distribution's count) over a window, default `'1m'`. */
  increase(name: string, labels?: Labels, options?: WindowOptions): number | undefined {
    const metric = this.#metric(name)
    if (metric === undefined || metric.kind === 'gauge') return undefined
    const window = readWindow(options)
    const k = this.#store.refresh()
    if (metric.kind === 'distribution') return distributionStats(metric, labels, window, k, this.now())?.count
    const series = selected<CounterSeries>(metric, labels)
    return series.length === 0 ? undefined : series.reduce((sum, s) => sum + s.increase(window, k), 0)
  }

  /**
   * Points of the metric's history, oldest first (see {@link HistoryQuery}). A distribution
   * point summarizes the values recorded between two snapshots.
   * @throws PerfkitInputError for a `stat` the metric's kind does not have.
   */
  history(name: string, query?: HistoryQuery): HistoryPoint[] {
    const metric = this.#metric(name)
    return metric === undefined ? [] : queryHistory(metric, query)
  }

  /** Every metric with its kind, help and live series. */
  metrics(): MetricInfo[] {
    this.#store.collectCallbacks()
    return [...this.#store.registry.metrics.values()].map((m) => ({
      name: m.name,
      kind: m.kind,
      help: m.help,
      series: [...m.series.values()].map((s) => s.labels),
      overflowed: m.overflowed,
    }))
  }

  /**
   * Takes a history snapshot now: one point per metric and per labelled series, and removes
   * idle series. The history timer calls it every `historyIntervalMs`; tests call it after
   * moving their clock. Emits `monitor:snapshot`.
   */
  snapshot(): MonitorSnapshotEvent {
    const started = performance.now()
    const store = this.#store
    store.collectCallbacks()
    const k = store.refresh()
    const at = this.now()
    let points = 0
    for (const metric of store.registry.metrics.values()) points += snapshotMetric(metric, at, k)
    this.#sweep()
    if (!Number.isNaN(this.#rate.at) && at > this.#rate.at) this.#rate.perSecond = ((store.records - this.#rate.records) * 1000) / (at - this.#rate.at)
    this.#rate = { at, records: store.records, perSecond: this.#rate.perSecond }
    const durationMs = performance.now() - started
    this.#spent.snapshots += durationMs
    const event = { at, points, durationMs }
    if (this.bus.hasListeners('monitor:snapshot')) this.bus.emit('monitor:snapshot', event)
    return event
  }

  /** The history rings as JSON-safe data (`JSON.stringify(monitor.exportJSON())`). */
  exportJSON(options?: ExportJSONOptions): MonitorHistoryExport {
    return exportHistory(this.#store.registry.metrics.values(), this.now(), options)
  }

  /**
   * Whole-life state of every series (counter totals, gauge values, distribution sketches and
   * bucket counts), JSON-safe, for {@link PerformanceMonitor.mergeState} in another monitor.
   */
  exportState(): MonitorState {
    this.#store.collectCallbacks()
    return exportState(this.#store.registry, this.#store.refresh(), this.now())
  }

  /**
   * Adds a state from {@link PerformanceMonitor.exportState} as if its values were recorded
   * now: counters increase, gauges are set, distributions merge. `options.labels` are added to
   * every series (e.g. `{ instance: 'worker-2' }`). The whole state is checked first.
   * @throws PerfkitInputError for a malformed state, or sketches or buckets that do not match this monitor's.
   */
  mergeState(state: MonitorState, options?: { labels?: Labels }): void {
    if (this.#store.closed) throw new ClosedError('PerformanceMonitor')
    const extra = options?.labels
    for (const { metric, series } of parseState(state, this.#store.registry)) {
      for (const s of series) {
        const labels = withLabels(s.labels, extra)
        if (metric.kind === 'counter') this.#store.increment(metric.name, s.value, labels)
        else if (metric.kind === 'gauge') this.#store.setGauge(metric.name, s.value, labels, false)
        else this.#store.absorb(metric.name, s.sketch as NonNullable<typeof s.sketch>, s.buckets as number[], labels)
      }
    }
  }

  /**
   * The Prometheus text exposition (format 0.0.4, serve it as {@link PROMETHEUS_CONTENT_TYPE}).
   * Summary quantiles cover `options.window` (default: the `summaryWindow` option). With
   * thousands of series, prefer {@link PerformanceMonitor.prometheusAsync}.
   */
  prometheus(options?: { window?: StatsWindow }): string {
    const started = performance.now()
    const parts: string[] = []
    for (const chunk of this.#exposition(options)) parts.push(chunk)
    this.#spent.exposition += performance.now() - started
    return this.#withSelf(parts)
  }

  /**
   * The same text as {@link PerformanceMonitor.prometheus}, produced in slices of at most
   * about `maxBlockMs` (default 5) with the event loop free in between, so that a scrape of
   * many series does not stall the host. Series written during the scrape may or may not be in it.
   */
  async prometheusAsync(options?: { window?: StatsWindow; maxBlockMs?: number }): Promise<string> {
    const maxBlockMs = options?.maxBlockMs ?? 5
    if (!(maxBlockMs > 0)) throw new PerfkitInputError('options.maxBlockMs', 'a number > 0', maxBlockMs)
    const text = await joinInSlices(this.#exposition(options), maxBlockMs, (ms) => void (this.#spent.exposition += ms))
    return text + this.#withSelf([])
  }

  /**
   * Registers a monitoring source: `collect` runs every `intervalMs` (first run right away)
   * with a timeout; its health is in {@link PerformanceMonitor.sources}. Returns the function
   * that removes it.
   * @throws PerfkitConfigError for invalid options or a name already in use; ClosedError after close().
   */
  addSource(options: SourceOptions): () => void {
    if (this.#store.closed) throw new ClosedError('PerformanceMonitor')
    this.#sources.add(options)
    const { name } = options
    return () => void this.removeSource(name)
  }

  /** Stops and removes a source; true if it existed. */
  removeSource(name: string): boolean {
    return this.#sources.remove(name)
  }

  /** Health of every source (the process sampler is the `process` source). */
  sources(): SourceHealth[] {
    return this.#sources.health()
  }

  /**
   * Skips sources below `priority` (`undefined` restores them all): the hook an insights engine
   * uses to shed monitoring load under pressure. Skipped sources report status `shed`.
   * @throws PerfkitConfigError for an unknown priority.
   */
  setSourcePriorityFloor(priority: SourcePriority | undefined): void {
    this.#sources.setFloor(priority)
  }

  /**
   * Takes history snapshots every `historyIntervalMs × factor` (factor >= 1; 1 restores the
   * configured pace): the hook for coarsening history under pressure. Points already kept stay.
   */
  setHistoryResolution(factor: number): void {
    this.#historyFactor = inRange('factor', factor, 1, 10_000)
    if (this.#options.historyIntervalMs > 0 && this.#store.closed === false) this.#scheduleHistory()
  }

  /**
   * Records a perfkit primitive's metrics from its bus events: a MemoryCache (`cache_*`, label
   * `cache`), a BatchProcessor (`batch_*`, label `processor`) or a PredictionBatcher
   * (`prediction_*`, label `batcher`). Returns the function that stops observing; observing
   * the same object twice returns the same one.
   * @throws PerfkitInputError when `target` is none of these; ClosedError after close().
   */
  observe(target: ObservableTarget): () => void {
    if (this.#store.closed) throw new ClosedError('PerformanceMonitor')
    const existing = this.#observed.get(target)
    if (existing !== undefined) return existing
    const kind = kindOf(target)
    // The integration declares its metrics, without overwriting a host's own help text.
    const metrics = this.#store.registry.metrics
    const host: ObserveHost = {
      define: (name, definition) => void (metrics.get(name)?.kind === definition.kind || this.define(name, definition)),
      increment: (name, by, labels) => this.#store.increment(name, by ?? 1, labels),
      record: (name, value, labels) => this.#store.record(name, value, labels),
      setGauge: (name, value, labels) => this.#store.setGauge(name, value, labels, false),
      addGaugeCallback: (name, fn, labels) => this.#store.addGaugeCallback(name, fn, labels),
      increase: (name, labels, options) => this.increase(name, labels, options),
    }
    const undo = kind === 'cache' ? observeCache(host, target) : kind === 'prediction-batcher' ? observePredictionBatcher(host, target) : observeBatchProcessor(host, target)
    const stop = (): void => {
      if (this.#observed.get(target) !== stop) return
      this.#observed.delete(target)
      undo()
    }
    this.#observed.set(target, stop)
    return stop
  }

  /** The monitor's own cost: records, records per second, drops, series, collection time. */
  overhead(): MonitorOverhead {
    const store = this.#store
    let historyBytes = 0
    for (const metric of store.registry.metrics.values()) {
      historyBytes += metric.history.bytes
      for (const s of metric.series.values()) historyBytes += s.history?.bytes ?? 0
    }
    const spent = { sources: this.#sources.spentMs, ...this.#spent }
    return {
      records: store.records,
      recordsPerSecond: this.#rate.perSecond,
      dropped: { ...store.dropped },
      metrics: store.registry.metrics.size,
      series: store.registry.seriesCount,
      collectionMs: { ...spent, total: spent.sources + spent.snapshots + spent.exposition },
      historyBytes,
    }
  }

  /** Stops every timer, source and observer and the event-loop histogram. Reads keep working; writes are dropped. Idempotent. */
  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed
    this.#store.closed = true
    this.#options.signal?.removeEventListener('abort', this.#onAbort)
    for (const timer of this.#timers) clearInterval(timer)
    clearInterval(this.#historyTimer)
    clearTimeout(this.#slotTimer)
    this.#sources.stopAll()
    for (const stop of [...this.#observed.values()]) stop()
    this.#sampler?.stop()
    this.#closed = Promise.resolve()
    return this.#closed
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  *#exposition(options: { window?: StatsWindow } | undefined): Generator<string> {
    const store = this.#store
    store.collectCallbacks()
    const window = options?.window === undefined ? this.#options.summaryWindow : readWindow(options)
    const k = store.refresh()
    for (const metric of store.registry.metrics.values()) yield* renderMetric(metric, window, k)
  }

  #withSelf(parts: string[]): string {
    if (this.#options.selfMetrics) parts.push(selfMetrics(this.overhead(), this.#store.registry.metrics.values()))
    return parts.join('')
  }

  #metric(name: string): Metric | undefined {
    return this.#store.registry.metrics.get(name)
  }

  /**
   * Refreshes the write path's slot index once a slot, just after it ends, and again at the
   * next end. The index changes only there, so one wake-up per slot does what a 1 s tick did
   * with a tenth of the wake-ups (in bench:http an unref'd 1 s interval alone put a minimal
   * hook's server several points higher, docs/operations.md). A timer that fires early or
   * late only moves the next one; writes in between refresh the index every 256 anyway.
   */
  #tickAtSlotEnds(): void {
    const now = this.#store.clock.now()
    const untilEnd = SLOT_MS - (((now % SLOT_MS) + SLOT_MS) % SLOT_MS)
    this.#slotTimer = unrefTimeout(() => {
      this.#store.refresh()
      if (!this.#store.closed) this.#tickAtSlotEnds()
    }, untilEnd + 1)
  }

  #scheduleHistory(): void {
    clearInterval(this.#historyTimer)
    const ms = Math.min(this.#options.historyIntervalMs * this.#historyFactor, 2 ** 31 - 1)
    this.#historyTimer = unrefInterval(() => this.snapshot(), ms)
  }

  #sweep(): void {
    const ttl = this.#options.seriesTtlMs
    if (ttl > 0) this.#store.registry.sweep(this.#store.refresh() - Math.ceil(ttl / SLOT_MS))
  }
}

const WINDOWS: readonly unknown[] = ['1m', '5m', '15m', 'all']

function readWindow(options: WindowOptions | undefined): StatsWindow {
  const window = options?.window
  if (window === undefined) return '1m'
  if (!WINDOWS.includes(window)) throw new PerfkitInputError('options.window', "'1m', '5m', '15m' or 'all'", window)
  return window
}
