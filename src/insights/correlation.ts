// Correlation analysis: Pearson's r between metric histories aligned on a common time grid.
import { PerfkitInputError } from '../errors'
import { type Point, alignBuckets, bucketMeans, fmt, pearson, pearsonGrid } from './math'
import type { SafeReader } from './source'

/**
 * A pair of metrics whose histories move together (or against each other).
 * @example
 * ```ts
 * for (const c of insights.correlations()) console.log(`${c.a} ~ ${c.b}: r = ${c.r.toFixed(2)} (${c.strength}), ${c.insight}`)
 * ```
 */
export interface MetricCorrelation {
  /** First metric (history default statistic: p95 of a distribution, rate of a counter, value of a gauge). */
  a: string
  b: string
  /** Pearson's r, -1..1. */
  r: number
  /** Aligned points the coefficient was computed over. */
  n: number
  direction: 'positive' | 'negative'
  /** `very strong` from |r| ≥ 0.9, `strong` below. */
  strength: 'strong' | 'very strong'
  /** One sentence on what it suggests. */
  insight: string
}

/**
 * Options of a correlation pass ({@link InsightEngine.correlations}).
 * @example
 * ```ts
 * const pairs = insights.correlations({ metrics: ['prediction_latency_seconds', 'system_cpu_usage_percent', 'prediction_queue_size'], windowMs: 3_600_000, threshold: 0.8 })
 * ```
 */
export interface MetricCorrelationOptions {
  /** Metrics to compare, pairwise. @defaultValue every metric with history, up to `maxMetrics` */
  metrics?: readonly string[]
  /** How far back to read history, ms. @defaultValue the engine's `correlationWindowMs` (30 min) */
  windowMs?: number
  /** Smallest |r| reported. @defaultValue 0.7 */
  threshold?: number
  /** Fewest aligned points a pair needs. @defaultValue 10 */
  minPoints?: number
  /** Width of the alignment grid, ms. @defaultValue the median spacing of the histories */
  bucketMs?: number
}

/** Resolved correlation settings. */
export interface MetricCorrelationSettings {
  metrics: readonly string[] | undefined
  windowMs: number
  threshold: number
  minPoints: number
  bucketMs: number | undefined
  /** Most metrics considered when `metrics` is not given (pairs grow with its square). */
  maxMetrics: number
  /** Most correlations returned, strongest first. */
  maxResults: number
}

const LATENCY = /(_seconds|latency|duration|delay)/

/** The engine's settings with one call's options over them, checked. */
export function correlationSettings(base: MetricCorrelationSettings, options: MetricCorrelationOptions): MetricCorrelationSettings {
  if (typeof options !== 'object' || options === null) throw new PerfkitInputError('options', 'an object', options)
  const { metrics, windowMs, threshold, minPoints, bucketMs } = options
  if (metrics !== undefined && (!Array.isArray(metrics) || metrics.some((m) => typeof m !== 'string'))) throw new PerfkitInputError('options.metrics', 'an array of metric names', metrics)
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw new PerfkitInputError(`options.${name}`, 'a finite number > 0', value)
  }
  positive('windowMs', windowMs)
  positive('bucketMs', bucketMs)
  if (threshold !== undefined && !(typeof threshold === 'number' && threshold >= 0 && threshold <= 1)) throw new PerfkitInputError('options.threshold', 'a number from 0 to 1', threshold)
  if (minPoints !== undefined && !(Number.isInteger(minPoints) && minPoints >= 3)) throw new PerfkitInputError('options.minPoints', 'an integer >= 3', minPoints)
  return {
    ...base,
    metrics: metrics ?? base.metrics,
    windowMs: windowMs ?? base.windowMs,
    threshold: threshold ?? base.threshold,
    minPoints: minPoints ?? base.minPoints,
    bucketMs: bucketMs ?? base.bucketMs,
  }
}

/** Computes the correlations over the reader's history, strongest first. */
export function correlate(read: SafeReader, now: number, settings: MetricCorrelationSettings): MetricCorrelation[] {
  const names = settings.metrics ?? read.metrics().map((m) => m.name)
  const series: Array<{ name: string; points: readonly Point[] }> = []
  for (const name of new Set(names)) {
    if (series.length >= settings.maxMetrics) break
    const points = read.history(name, now - settings.windowMs)
    if (points.length >= settings.minPoints) series.push({ name, points })
  }
  if (series.length < 2) return []
  const bucketMs = settings.bucketMs ?? inferBucket(series.map((s) => s.points))
  const grids = toGrids(series.map((s) => s.points), bucketMs)
  const buckets = grids === undefined ? series.map((s) => bucketMeans(s.points, bucketMs)) : []
  const out: MetricCorrelation[] = []
  for (let i = 0; i < series.length; i++) {
    for (let j = i + 1; j < series.length; j++) {
      let r: number | undefined
      let n: number
      if (grids !== undefined) {
        ;({ r, n } = pearsonGrid(grids[i] as Float64Array, grids[j] as Float64Array))
      } else {
        const { xs, ys } = alignBuckets(buckets[i] as Map<number, number>, buckets[j] as Map<number, number>)
        n = xs.length
        r = pearson(xs, ys)
      }
      if (n < settings.minPoints || r === undefined || Math.abs(r) < settings.threshold) continue
      out.push(describe((series[i] as { name: string }).name, (series[j] as { name: string }).name, r, n))
    }
  }
  return out.sort((x, y) => Math.abs(y.r) - Math.abs(x.r)).slice(0, settings.maxResults)
}

function describe(a: string, b: string, r: number, n: number): MetricCorrelation {
  const direction = r >= 0 ? 'positive' : 'negative'
  const strength = Math.abs(r) >= 0.9 ? 'very strong' : 'strong'
  const moves = direction === 'positive' ? 'rises and falls with' : 'moves against'
  // Name the latency side second: "latency tracks resource" reads as the likely cause and effect.
  const [cause, effect] = LATENCY.test(a) && !LATENCY.test(b) ? [b, a] : [a, b]
  const hint = LATENCY.test(effect) && !LATENCY.test(cause) ? `; ${cause} is a likely driver of ${effect}` : ''
  return {
    a,
    b,
    r: Math.round(r * 1000) / 1000,
    n,
    direction,
    strength,
    insight: `${effect} ${moves} ${cause} (r = ${fmt(r)} over ${n} points)${hint}.`,
  }
}

/** Longest dense grid built for alignment; sparser data falls back to pairing map keys. */
const MAX_GRID = 100_000

/**
 * Every series on one dense grid of `bucketMs` buckets, holding the mean of its points in each
 * bucket and NaN where it has none; undefined when the grid would pass {@link MAX_GRID}.
 * Histories are oldest first, so each series' first and last points bound its buckets.
 */
function toGrids(all: ReadonlyArray<readonly Point[]>, bucketMs: number): Float64Array[] | undefined {
  let min = Infinity
  let max = -Infinity
  for (const points of all) {
    const first = points[0]
    const last = points[points.length - 1]
    if (first === undefined || last === undefined) continue
    min = Math.min(min, Math.floor(first.t / bucketMs))
    max = Math.max(max, Math.floor(last.t / bucketMs))
  }
  const length = max - min + 1
  if (!Number.isFinite(length) || length > MAX_GRID) return undefined
  const counts = new Float64Array(length)
  return all.map((points) => {
    const grid = new Float64Array(length)
    counts.fill(0)
    for (const p of points) {
      const i = Math.floor(p.t / bucketMs) - min
      grid[i] = (grid[i] as number) + p.value
      counts[i] = (counts[i] as number) + 1
    }
    for (let i = 0; i < length; i++) grid[i] = (counts[i] as number) > 0 ? (grid[i] as number) / (counts[i] as number) : Number.NaN
    return grid
  })
}

/** Gaps sampled per series to infer the grid: enough for a median, cheap to sort. */
const GAP_SAMPLE = 64

/** The median spacing between consecutive history points (the latest ones of each series), or 1 ms. */
function inferBucket(all: ReadonlyArray<readonly Point[]>): number {
  const gaps: number[] = []
  for (const points of all) {
    for (let i = Math.max(1, points.length - GAP_SAMPLE); i < points.length; i++) {
      const gap = (points[i] as Point).t - (points[i - 1] as Point).t
      if (gap > 0) gaps.push(gap)
    }
  }
  if (gaps.length === 0) return 1
  gaps.sort((x, y) => x - y)
  return Math.max(1, gaps[gaps.length >> 1] as number)
}
