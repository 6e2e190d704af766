/**
 * Label names to values of one series.
 * @example
 * ```ts
 * const labels: Labels = { method: 'GET', route: '/users/:id', status_class: '2xx' }
 * monitor.record('http_server_request_duration_seconds', 0.042, labels)
 * ```
 */
export type Labels = Readonly<Record<string, string>>

/**
 * Why {@link PerformanceMonitor} dropped a value instead of recording it:
 * - `invalid-value`: NaN, ±Infinity, a negative distribution value or a negative counter step;
 * - `invalid-name`: the metric name is not a Prometheus name (`[a-zA-Z_:][a-zA-Z0-9_:]*`);
 * - `invalid-labels`: a label name is not a Prometheus label name, starts with `__`, or is `le`/`quantile` on a distribution;
 * - `kind-mismatch`: the name belongs to a metric of another kind (e.g. `record()` on a counter);
 * - `too-many-metrics`: creating the metric would pass `maxMetrics`;
 * - `closed`: the monitor is closed.
 * @example
 * ```ts
 * monitor.bus.on('monitor:value-dropped', (e) => { if (e.reason === 'too-many-metrics') log.warn(`raise maxMetrics: ${e.metric} dropped`) })
 * ```
 */
export type MonitorDropReason = 'invalid-value' | 'invalid-name' | 'invalid-labels' | 'kind-mismatch' | 'too-many-metrics' | 'closed'

/**
 * Payload of `monitor:value-dropped`: a value the monitor refused to record.
 * @example
 * ```ts
 * monitor.bus.on('monitor:value-dropped', (e) => log.debug(`${e.metric}: ${e.reason} (${e.value})`))
 * ```
 */
export interface MonitorValueDroppedEvent {
  metric: string
  reason: MonitorDropReason
  /** The rejected value (for a label or name problem, the value that would have been recorded). */
  value: number
  labels?: Labels
}

/**
 * Payload of `monitor:series-dropped`: label sets of a metric folded into its `overflow` series.
 * @example
 * ```ts
 * monitor.bus.on('monitor:series-dropped', (e) => log.warn(`${e.metric} is over ${e.limit} series; ${e.folded} values folded`, e.labels))
 * ```
 */
export interface MonitorSeriesDroppedEvent {
  metric: string
  /** The label set that did not get its own series (the latest one, when several were folded). */
  labels: Labels
  /** The metric's series limit. */
  limit: number
  /** Values folded into the `overflow="true"` series since the previous event for this metric. */
  folded: number
  /** Values folded into the overflow series over the metric's life. */
  foldedTotal: number
}

/**
 * Payload of `monitor:source-error`: a source run that threw, rejected or timed out.
 * @example
 * ```ts
 * monitor.bus.on('monitor:source-error', (e) => log.warn({ err: e.error }, `${e.source} failed ${e.consecutiveFailures}× (timed out: ${e.timedOut})`))
 * ```
 */
export interface MonitorSourceErrorEvent {
  source: string
  /** The failure; a {@link TimeoutError} when the source hung past its `timeoutMs`. */
  error: unknown
  timedOut: boolean
  /** How long the failed run took (its timeout, when it timed out), ms. */
  durationMs: number
  /** Failures in a row, this one included. */
  consecutiveFailures: number
}

/**
 * Payload of `monitor:source-recovered`: a failing source that succeeded again.
 * @example
 * ```ts
 * monitor.bus.on('monitor:source-recovered', (e) => log.info(`${e.source} back after ${e.failures} failures, ${e.downMs} ms`))
 * ```
 */
export interface MonitorSourceRecoveredEvent {
  source: string
  /** Failed runs before this success. */
  failures: number
  /** Monitor clock time from the first failure of the episode to this success, ms. */
  downMs: number
}

/**
 * Payload of `monitor:sample`: one sample of the process sampler.
 * @example
 * ```ts
 * monitor.bus.on('monitor:sample', (e) => console.log(e.values.process_cpu_usage_percent, e.durationMs))
 * ```
 */
export interface MonitorSampleEvent {
  /** Monitor clock time of the sample, ms. */
  at: number
  /** Time the sample took, ms. */
  durationMs: number
  /** Gauge name → value, as recorded by this sample. */
  values: Readonly<Record<string, number>>
}

/**
 * Payload of `monitor:snapshot`, also returned by `PerformanceMonitor.snapshot()`: one history snapshot.
 * @example
 * ```ts
 * monitor.bus.on('monitor:snapshot', (e) => console.log(`${e.points} points at ${e.at} in ${e.durationMs} ms`))
 * const { points } = monitor.snapshot()
 * ```
 */
export interface MonitorSnapshotEvent {
  /** Monitor clock time of the snapshot (the `t` of its history points), ms. */
  at: number
  /** History points written (one per metric plus one per labelled series). */
  points: number
  /** Time the snapshot took, ms. */
  durationMs: number
}

/**
 * One heap trough: the lowest heap seen in one segment of the detection window.
 * @example
 * ```ts
 * monitor.bus.on('monitor:leak-suspected', (e) => console.log(e.troughs.map((trough) => `${trough.t}: ${trough.value} B`)))
 * ```
 */
export interface HeapTrough {
  /** Monitor clock time, ms. */
  t: number
  /** Heap used, bytes. */
  value: number
}

/**
 * Payload of `monitor:leak-suspected`: the evidence that heap troughs rose steadily across the detection window.
 * @example
 * ```ts
 * monitor.bus.on('monitor:leak-suspected', (e) => log.error(`heap +${e.growthPercent.toFixed(1)} % (${e.growthBytes} B) over ${e.windowMs} ms, r² ${e.r2}`))
 * ```
 */
export interface MonitorLeakSuspectedEvent {
  /** The metric the detector watched: `nodejs_heap_used_bytes`. */
  metric: string
  /** Monitor clock time of the detection, ms. */
  at: number
  /** Time span the evidence covers, ms. */
  windowMs: number
  /** The trough of each segment of the window, oldest first: the heap that survived GC. */
  troughs: readonly HeapTrough[]
  /** Last trough minus first trough, bytes. */
  growthBytes: number
  /** Growth relative to the first trough, %. */
  growthPercent: number
  /** Least-squares slope of the troughs, bytes per second. */
  slopeBytesPerSecond: number
  /** Goodness of fit of that slope, 0..1: near 1 means steady growth. */
  r2: number
  /** Share of consecutive troughs that rose, 0..1. */
  risingShare: number
  /** Heap samples behind the evidence. */
  samples: number
}

/**
 * Events emitted by PerformanceMonitor.
 * @example
 * ```ts
 * monitor.bus.on('monitor:source-error', (e) => log.warn(e.source, e.error))
 * monitor.bus.on('monitor:leak-suspected', (e) => log.error(e.slopeBytesPerSecond))
 * ```
 */
export interface MonitorEvents {
  /** A value was not recorded (counted in `perfkit_monitor_dropped_total`). Emitted only when listened to. */
  'monitor:value-dropped': (event: MonitorValueDroppedEvent) => void
  /** A metric hit its series limit and new label sets fold into its `overflow` series; at most once a minute per metric. */
  'monitor:series-dropped': (event: MonitorSeriesDroppedEvent) => void
  /** A source threw, rejected or timed out. */
  'monitor:source-error': (event: MonitorSourceErrorEvent) => void
  /** A failing source succeeded again. */
  'monitor:source-recovered': (event: MonitorSourceRecoveredEvent) => void
  /** The process sampler recorded a sample. */
  'monitor:sample': (event: MonitorSampleEvent) => void
  /** A history snapshot was taken: the moment for history readers (regression watchers) to look. */
  'monitor:snapshot': (event: MonitorSnapshotEvent) => void
  /** Heap troughs have risen steadily across the detection window: a leak is likely. */
  'monitor:leak-suspected': (event: MonitorLeakSuspectedEvent) => void
}
