// Mergeable state: a JSON-safe picture of every series' whole-life totals and sketches, so
// several processes (or monitors) can be combined into one.
import type { Labels } from '../bus/events/monitor'
import { PerfkitConfigError, PerfkitInputError } from '../errors'
import { isMetricName, normalizeLabels } from './labels'
import type { Metric, Registry } from './registry'
import type { CounterSeries, DistributionSeries, GaugeSeries } from './series'
import type { Sketch, SketchState } from './sketch'
import type { MetricKind } from './types'

/**
 * One series in a {@link MonitorState}.
 * @example
 * ```ts
 * for (const s of monitor.exportState().metrics[0]?.series ?? []) console.log(s.labels, s.value)
 * ```
 */
export interface SeriesState {
  labels: Labels
  /** Counter total or gauge value. */
  value?: number
  /** Distribution: the whole-life sketch. */
  sketch?: SketchState
  /** Distribution: count per histogram bucket (not cumulative), the last one for +Inf. */
  buckets?: number[]
}

/**
 * One metric in a {@link MonitorState}.
 * @example
 * ```ts
 * for (const m of monitor.exportState().metrics) console.log(m.name, m.kind, m.series.length)
 * ```
 */
export interface MetricState {
  name: string
  kind: MetricKind
  help: string
  /** Distribution: histogram bucket bounds. */
  bounds?: number[]
  series: SeriesState[]
}

/**
 * What {@link PerformanceMonitor.exportState} returns: JSON-safe, for `mergeState()` elsewhere.
 * @example
 * ```ts
 * const state = worker.exportState() // JSON-safe: send it over IPC
 * primary.mergeState(state, { labels: { instance: 'worker-2' } })
 * ```
 */
export interface MonitorState {
  format: 'perfkit-monitor-state'
  version: 1
  /** Exporting monitor's clock time, ms. */
  exportedAt: number
  metrics: MetricState[]
}

export function exportState(registry: Registry, k: number, at: number): MonitorState {
  const metrics: MetricState[] = []
  for (const metric of registry.metrics.values()) {
    const series: SeriesState[] = []
    for (const s of metric.series.values()) {
      if (metric.kind === 'counter') series.push({ labels: s.labels, value: (s as CounterSeries).total })
      else if (metric.kind === 'gauge') series.push({ labels: s.labels, value: (s as GaugeSeries).value })
      else {
        const d = s as DistributionSeries
        d.advance(k)
        const whole = (metric.factory as NonNullable<Metric['factory']>).create()
        d.collect('all', k, whole)
        series.push({ labels: s.labels, sketch: whole.toState(), buckets: Array.from(d.buckets) })
      }
    }
    const state: MetricState = { name: metric.name, kind: metric.kind, help: metric.help, series }
    if (metric.kind === 'distribution') state.bounds = Array.from(metric.bounds)
    metrics.push(state)
  }
  return { format: 'perfkit-monitor-state', version: 1, exportedAt: at, metrics }
}

/** A checked series, ready to apply. */
export interface ParsedSeries {
  labels: Labels
  value: number
  sketch: Sketch | undefined
  buckets: number[] | undefined
}

export interface ParsedMetric {
  metric: Metric
  series: ParsedSeries[]
}

/**
 * Checks a whole state against this registry and creates the metrics it needs, before
 * anything is written: a bad state changes nothing but may leave new, empty metrics.
 */
export function parseState(state: unknown, registry: Registry): ParsedMetric[] {
  const fail = (argument: string, expected: string, value: unknown): never => {
    throw new PerfkitInputError(argument, expected, value)
  }
  if (typeof state !== 'object' || state === null) fail('state', 'an object from exportState()', state)
  const s = state as Partial<MonitorState>
  if (s.format !== 'perfkit-monitor-state' || s.version !== 1) fail('state.format', "'perfkit-monitor-state' version 1", s.format)
  if (!Array.isArray(s.metrics)) fail('state.metrics', 'an array', s.metrics)
  const parsed: ParsedMetric[] = []
  const plans: Array<{ m: MetricState; at: string }> = []
  ;(s.metrics as MetricState[]).forEach((m, i) => {
    const at = `state.metrics[${i}]`
    if (typeof m !== 'object' || m === null) fail(at, 'an object', m)
    if (!isMetricName(m.name)) fail(`${at}.name`, 'a metric name', m.name)
    if (m.kind !== 'counter' && m.kind !== 'gauge' && m.kind !== 'distribution') fail(`${at}.kind`, "'counter', 'gauge' or 'distribution'", m.kind)
    if (!Array.isArray(m.series)) fail(`${at}.series`, 'an array', m.series)
    const existing = registry.metrics.get(m.name)
    if (existing !== undefined && existing.kind !== m.kind) fail(`${at}.kind`, `'${existing.kind}' like this monitor's \`${m.name}\``, m.kind)
    plans.push({ m, at })
  })
  for (const { m, at } of plans) {
    let metric = registry.metrics.get(m.name)
    if (metric === undefined) {
      const first = m.series.find((x) => x?.sketch !== undefined)?.sketch
      try {
        metric = registry.define(m.name, {
          kind: m.kind,
          ...(typeof m.help === 'string' && m.help.length > 0 ? { help: m.help } : {}),
          ...(m.kind === 'distribution' && Array.isArray(m.bounds) ? { buckets: m.bounds } : {}),
          ...(first?.type === 'ddsketch' ? { sketch: 'ddsketch', relativeAccuracy: first.relativeAccuracy } : {}),
          ...(first?.type === 'tdigest' ? { sketch: 'tdigest', compression: first.compression } : {}),
        })
      } catch (error) {
        if (error instanceof PerfkitConfigError) fail(`${at}.${error.option}`, 'a valid metric definition', error.value)
        throw error
      }
    }
    const target = metric
    if (m.kind === 'distribution') {
      const bounds = Array.from(target.bounds)
      if (!Array.isArray(m.bounds) || m.bounds.length !== bounds.length || m.bounds.some((b, i) => b !== bounds[i])) {
        fail(`${at}.bounds`, `the bucket bounds of this monitor's \`${m.name}\` (${bounds.join(', ')})`, m.bounds)
      }
    }
    const series = m.series.map((x, j): ParsedSeries => {
      const where = `${at}.series[${j}]`
      if (typeof x !== 'object' || x === null || typeof x.labels !== 'object' || x.labels === null) fail(where, 'an object with labels', x)
      const labels = normalizeLabels(x.labels, m.kind === 'distribution') ?? fail(`${where}.labels`, 'valid label names', x.labels)
      if (m.kind !== 'distribution') {
        const ok = typeof x.value === 'number' && Number.isFinite(x.value) && (m.kind === 'gauge' || x.value >= 0)
        if (!ok) fail(`${where}.value`, m.kind === 'counter' ? 'a finite number >= 0' : 'a finite number', x.value)
        return { labels, value: x.value as number, sketch: undefined, buckets: undefined }
      }
      const sketch = (target.factory as NonNullable<Metric['factory']>).fromState(x.sketch, `${where}.sketch`)
      const buckets = x.buckets
      const bucketsOk = Array.isArray(buckets) && buckets.length === target.bounds.length + 1 && buckets.every((b) => typeof b === 'number' && b >= 0 && Number.isFinite(b))
      if (!bucketsOk) fail(`${where}.buckets`, `${target.bounds.length + 1} counts >= 0`, buckets)
      const total = (buckets as number[]).reduce((a, b) => a + b, 0)
      if (Math.abs(total - sketch.count) > 1e-6 * Math.max(1, total)) fail(`${where}.buckets`, `counts adding up to the sketch count ${sketch.count}`, buckets)
      return { labels, value: 0, sketch, buckets: buckets as number[] }
    })
    parsed.push({ metric: target, series })
  }
  return parsed
}
