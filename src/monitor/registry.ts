// Metrics by name and their series by label set, with the bounds that keep memory finite:
// a cap on metrics, a cap on series per metric (later label sets fold into one overflow
// series), and removal of idle series.
import type { Labels, MonitorDropReason } from '../bus/events/monitor'
import { PerfkitConfigError } from '../errors'
import { inRange, nonEmptyString, oneOf, positiveFinite, positiveInt } from '../internal/validate'
import { BucketIndex } from './buckets'
import { DDSketchFactory } from './ddsketch'
import { HistoryRing } from './history-ring'
import { LabelLookup, isMetricName, labelsKey, normalizeLabels, renderLabels } from './labels'
import { CounterSeries, DistributionSeries, GaugeSeries, type Series } from './series'
import type { SketchFactory, SketchType } from './sketch'
import { TDigestFactory } from './tdigest-sketch'
import type { DistributionExposition, MetricDefinition, MetricKind } from './types'

/**
 * Histogram bounds for durations in seconds: the OpenTelemetry HTTP duration advice. The
 * default of every distribution whose name ends in `_seconds`.
 * @example
 * ```ts
 * monitor.define('job_duration_seconds', { kind: 'distribution', buckets: [...DEFAULT_DURATION_BUCKETS, 30, 60] })
 * ```
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
])
/**
 * Histogram bounds for sizes in bytes: powers of 4 from 1 KiB to 1 GiB. The default of every
 * distribution whose name ends in `_bytes`.
 * @example
 * ```ts
 * monitor.define('upload_size_bytes', { kind: 'distribution', buckets: DEFAULT_BYTES_BUCKETS.slice(2) })
 * ```
 */
export const DEFAULT_BYTES_BUCKETS: readonly number[] = Object.freeze(Array.from({ length: 11 }, (_, i) => 1024 * 4 ** i))
/**
 * Histogram bounds for plain counts (batch sizes, items): the default of every distribution
 * without a `_seconds` or `_bytes` suffix.
 * @example
 * ```ts
 * monitor.define('batch_items', { kind: 'distribution', buckets: DEFAULT_COUNT_BUCKETS.filter((b) => b <= 1000) })
 * ```
 */
export const DEFAULT_COUNT_BUCKETS: readonly number[] = Object.freeze([1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000])

/** Labels of the series that absorbs label sets past a metric's limit. */
export const OVERFLOW_LABELS: Labels = Object.freeze({ overflow: 'true' })

export interface RegistrySettings {
  maxMetrics: number
  maxSeriesPerMetric: number
  sketch: SketchType
  relativeAccuracy: number
  compression: number
  buckets: readonly number[] | undefined
  expose: DistributionExposition
  historySize: number
  seriesHistorySize: number
}

/** Columns of a history row per kind (see history.ts). */
export const HISTORY_COLUMNS: Readonly<Record<MetricKind, number>> = { counter: 3, gauge: 1, distribution: 11 }

/** One metric: its configuration, its series and its aggregate history. */
export class Metric {
  readonly name: string
  readonly kind: MetricKind
  help: string
  maxSeries: number
  expose: DistributionExposition
  readonly factory: SketchFactory | undefined
  readonly bounds: Float64Array
  readonly buckets: BucketIndex
  readonly series = new Map<string, Series>()
  /** The series without labels: the write path reaches it without building a key. */
  unlabeled: Series | undefined
  /** Series by label values, for labels objects built afresh at each write. */
  readonly lookup = new LabelLookup<Series>()
  readonly history: HistoryRing
  /** Values folded into the overflow series, in all and since the last event. */
  overflowed = 0
  overflowSinceEvent = 0
  overflowEventAt = -Infinity
  /** Clock time of the last history snapshot (creation before the first), ms. */
  snapshotAt: number

  constructor(
    name: string,
    kind: MetricKind,
    help: string,
    maxSeries: number,
    expose: DistributionExposition,
    factory: SketchFactory | undefined,
    bounds: readonly number[],
    historySize: number,
    now: number,
  ) {
    this.snapshotAt = now
    this.name = name
    this.kind = kind
    this.help = help
    this.maxSeries = maxSeries
    this.expose = expose
    this.factory = factory
    this.buckets = new BucketIndex(bounds, factory?.key)
    this.bounds = this.buckets.bounds
    this.history = new HistoryRing(HISTORY_COLUMNS[kind], historySize)
  }
}

function defaultBuckets(name: string): readonly number[] {
  if (name.endsWith('_seconds')) return DEFAULT_DURATION_BUCKETS
  if (name.endsWith('_bytes')) return DEFAULT_BYTES_BUCKETS
  return DEFAULT_COUNT_BUCKETS
}

/** Checks histogram bounds: finite, ascending, non-empty. */
export function validateBuckets(option: string, value: unknown): readonly number[] {
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= 200 &&
    value.every((b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > (value[i - 1] as number)))
  if (!ok) throw new PerfkitConfigError(option, 'a non-empty ascending array of finite numbers (at most 200)', value)
  return Object.freeze([...(value as number[])])
}

export class Registry {
  readonly metrics = new Map<string, Metric>()
  readonly #settings: RegistrySettings
  readonly #factories = new Map<string, SketchFactory>()
  /** Number of live series, kept for overhead reports. */
  seriesCount = 0

  readonly #now: () => number

  constructor(settings: RegistrySettings, now: () => number) {
    this.#settings = settings
    this.#now = now
  }

  /** Creates or reconfigures a metric. Throws PerfkitConfigError on a bad definition. */
  define(name: string, definition: MetricDefinition): Metric {
    if (!isMetricName(name)) throw new PerfkitConfigError('name', 'a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)', name)
    const kind = oneOf('kind', definition?.kind, ['counter', 'gauge', 'distribution'] as const)
    const existing = this.metrics.get(name)
    if (existing === undefined && this.metrics.size >= this.#settings.maxMetrics) {
      throw new PerfkitConfigError('maxMetrics', `above ${this.metrics.size} to define \`${name}\``, this.#settings.maxMetrics)
    }
    if (existing !== undefined && existing.kind !== kind) throw new PerfkitConfigError('kind', `'${existing.kind}' (\`${name}\` already exists)`, kind)
    const { help, maxSeries, sketch, relativeAccuracy, compression, buckets, expose } = definition
    if (help !== undefined) nonEmptyString('help', help)
    if (maxSeries !== undefined) positiveInt('maxSeries', maxSeries)
    if (expose !== undefined) oneOf('expose', expose, ['histogram', 'summary', 'both'] as const)
    const distributionOnly = { sketch, relativeAccuracy, compression, buckets, expose }
    if (kind !== 'distribution') {
      for (const [option, value] of Object.entries(distributionOnly)) {
        if (value !== undefined) throw new PerfkitConfigError(option, 'unset on a ' + kind, value)
      }
    }
    if (existing !== undefined) {
      // Help, limit and exposition may change; the sketch and buckets are fixed by the data already held.
      if (sketch !== undefined || relativeAccuracy !== undefined || compression !== undefined || buckets !== undefined) {
        throw new PerfkitConfigError('definition', `no sketch or bucket options: \`${name}\` already holds data`, definition)
      }
      if (help !== undefined) existing.help = help
      if (maxSeries !== undefined) existing.maxSeries = maxSeries
      if (expose !== undefined) existing.expose = expose
      return existing
    }
    let factory: SketchFactory | undefined
    let bounds: readonly number[] = []
    if (kind === 'distribution') {
      const type = sketch === undefined ? this.#settings.sketch : oneOf('sketch', sketch, ['ddsketch', 'tdigest'] as const)
      const parameter =
        type === 'ddsketch'
          ? relativeAccuracy === undefined
            ? this.#settings.relativeAccuracy
            : inRange('relativeAccuracy', relativeAccuracy, 0.0001, 0.5)
          : compression === undefined
            ? this.#settings.compression
            : inRange('compression', positiveFinite('compression', compression), 20, 1000)
      factory = this.#factory(type, parameter)
      bounds = buckets === undefined ? (this.#settings.buckets ?? defaultBuckets(name)) : validateBuckets('buckets', buckets)
    }
    return this.#create(name, kind, help, maxSeries, expose, factory, bounds)
  }

  /** The metric `name` of `kind`, created with defaults on first use; a reason when it cannot be. */
  metric(name: string, kind: MetricKind): Metric | MonitorDropReason {
    const metric = this.metrics.get(name)
    if (metric !== undefined) return metric.kind === kind ? metric : 'kind-mismatch'
    if (!isMetricName(name)) return 'invalid-name'
    if (this.metrics.size >= this.#settings.maxMetrics) return 'too-many-metrics'
    const s = this.#settings
    const factory = kind === 'distribution' ? this.#factory(s.sketch, s.sketch === 'ddsketch' ? s.relativeAccuracy : s.compression) : undefined
    const bounds = kind === 'distribution' ? (s.buckets ?? defaultBuckets(name)) : []
    return this.#create(name, kind, undefined, undefined, undefined, factory, bounds)
  }

  /**
   * The series of `labels` (a plain object, or undefined for none), created on first use.
   * Returns 'invalid-labels' for a bad label name, and the overflow series (after calling
   * `onOverflow`) when the metric is at its limit.
   */
  series(metric: Metric, labels: object | undefined, now: number, slot: number, onOverflow: (metric: Metric, labels: Labels) => void): Series | 'invalid-labels' {
    const key = labels === undefined ? '' : labelsKey(labels)
    const found = metric.series.get(key)
    if (found !== undefined) return found
    const normalized = labels === undefined ? Object.freeze({}) : normalizeLabels(labels, metric.kind === 'distribution')
    if (normalized === undefined) return 'invalid-labels'
    if (metric.series.size >= metric.maxSeries && key !== '') {
      const overflowKey = labelsKey(OVERFLOW_LABELS)
      const overflow = metric.series.get(overflowKey) ?? this.#add(metric, OVERFLOW_LABELS, overflowKey, now, slot)
      onOverflow(metric, normalized)
      return overflow
    }
    return this.#add(metric, normalized, key, now, slot)
  }

  /** Removes series last written before fine slot `oldest`; returns how many. */
  sweep(oldest: number): number {
    let removed = 0
    for (const metric of this.metrics.values()) {
      for (const series of metric.series.values()) {
        if (series.touched >= oldest) continue
        this.remove(metric, series)
        removed++
      }
    }
    return removed
  }

  remove(metric: Metric, series: Series): void {
    if (!metric.series.delete(series.key)) return
    series.dead = true
    this.seriesCount--
    if (metric.unlabeled === series) metric.unlabeled = undefined
    metric.lookup.clear()
  }

  #add(metric: Metric, labels: Labels, key: string, now: number, slot: number): Series {
    const rendered = renderLabels(labels)
    let series: Series
    if (metric.kind === 'distribution') {
      series = new DistributionSeries(labels, key, rendered, now, slot, metric.factory as SketchFactory, metric.buckets)
    } else if (metric.kind === 'counter') {
      series = new CounterSeries(labels, key, rendered, now, slot)
    } else {
      series = new GaugeSeries(labels, key, rendered, now, slot)
    }
    if (key !== '' && this.#settings.seriesHistorySize > 0) {
      series.history = new HistoryRing(HISTORY_COLUMNS[metric.kind], this.#settings.seriesHistorySize)
    }
    metric.series.set(key, series)
    if (key === '') metric.unlabeled = series
    this.seriesCount++
    return series
  }

  #create(
    name: string,
    kind: MetricKind,
    help: string | undefined,
    maxSeries: number | undefined,
    expose: DistributionExposition | undefined,
    factory: SketchFactory | undefined,
    bounds: readonly number[],
  ): Metric {
    const s = this.#settings
    const help_ = help ?? name.replace(/_/g, ' ')
    const metric = new Metric(name, kind, help_, maxSeries ?? s.maxSeriesPerMetric, expose ?? s.expose, factory, bounds, s.historySize, this.#now())
    this.metrics.set(name, metric)
    return metric
  }

  #factory(type: SketchType, parameter: number): SketchFactory {
    const id = `${type}:${parameter}`
    let factory = this.#factories.get(id)
    if (factory === undefined) {
      factory = type === 'ddsketch' ? new DDSketchFactory(parameter) : new TDigestFactory(parameter)
      this.#factories.set(id, factory)
    }
    return factory
  }
}
