// The quantile sketch behind a distribution. Two implementations share this interface, so
// windows, merges, history and state export do not care which one a metric uses.

/**
 * Which quantile sketch a distribution uses.
 * @example
 * ```ts
 * const sketch: SketchType = 'tdigest'
 * const monitor = new PerformanceMonitor({ sketch, compression: 100 })
 * ```
 */
export type SketchType = 'ddsketch' | 'tdigest'

/** A mergeable summary of a stream of values >= 0. */
export interface Sketch {
  readonly count: number
  readonly sum: number
  /** Sum of squares, for the standard deviation. */
  readonly sumSq: number
  /** Infinity while empty. */
  readonly min: number
  /** -Infinity while empty. */
  readonly max: number
  /** Adds a value; returns its DDSketch bin key (NaN for other sketches), which picks its histogram bucket. */
  add(value: number): number
  /** Folds `other` (made by the same factory) into this sketch; `other` is not changed. */
  mergeFrom(other: Sketch): void
  /** The value at quantile `q` (0..1), clamped to [min, max]; NaN while empty. */
  quantile(q: number): number
  /** A compact, read-only equivalent, for a slot that will not be written again (may be `this`). */
  freeze(): Sketch
  toState(): SketchState
}

/**
 * The serializable state of a DDSketch: bins of its logarithmic mapping.
 * @example
 * ```ts
 * const s = monitor.exportState().metrics[0]?.series[0]?.sketch
 * if (s?.type === 'ddsketch') console.log(s.relativeAccuracy, s.count)
 * ```
 */
export interface DDSketchState {
  type: 'ddsketch'
  relativeAccuracy: number
  count: number
  sum: number
  sumSq: number
  min: number | null
  max: number | null
  zeroCount: number
  /** Key of `bins[0]`. */
  offset: number
  bins: number[]
}

/**
 * The serializable state of a t-digest: its centroids, sorted by mean.
 * @example
 * ```ts
 * const s = monitor.exportState().metrics[0]?.series[0]?.sketch
 * if (s?.type === 'tdigest') console.log(s.centroids.length, s.count)
 * ```
 */
export interface TDigestState {
  type: 'tdigest'
  compression: number
  count: number
  sum: number
  sumSq: number
  min: number | null
  max: number | null
  /** `[mean, weight]` pairs. */
  centroids: Array<[number, number]>
}

/**
 * The serializable state of either sketch.
 * @example
 * ```ts
 * const sketches = monitor.exportState().metrics.flatMap((m) => m.series.map((s) => s.sketch).filter((s) => s !== undefined))
 * ```
 */
export type SketchState = DDSketchState | TDigestState

/** Makes empty sketches of one configuration, and rebuilds them from state. */
export interface SketchFactory {
  readonly type: SketchType
  /** The configuration that must match for a merge: relative accuracy or compression. */
  readonly parameter: number
  /** The bin key of a value, when the sketch has bins (DDSketch). */
  readonly key: ((value: number) => number) | undefined
  create(): Sketch
  /** @throws PerfkitInputError when `state` is malformed or of another configuration. */
  fromState(state: unknown, argument: string): Sketch
}

/** `[min, max]` to JSON: Infinity is not JSON, an empty sketch has none. */
export function boundsToState(min: number, max: number): { min: number | null; max: number | null } {
  return Number.isFinite(min) ? { min, max } : { min: null, max: null }
}

/** The statistics every sketch keeps beside its bins or centroids. */
export interface SketchTotals {
  count: number
  sum: number
  sumSq: number
  min: number
  max: number
}

/** Reads and checks the totals of a state object. */
export function totalsFromState(state: Record<string, unknown>, fail: (what: string) => never): SketchTotals {
  const { count, sum, sumSq, min, max } = state
  if (typeof count !== 'number' || !(count >= 0) || !Number.isFinite(count)) fail('count')
  if (typeof sum !== 'number' || !Number.isFinite(sum) || sum < 0) fail('sum')
  if (typeof sumSq !== 'number' || !Number.isFinite(sumSq) || sumSq < 0) fail('sumSq')
  if (count === 0) return { count: 0, sum: 0, sumSq: 0, min: Infinity, max: -Infinity }
  if (typeof min !== 'number' || typeof max !== 'number' || !(min >= 0) || !(max >= min) || !Number.isFinite(max)) fail('min/max')
  return { count: count as number, sum: sum as number, sumSq: sumSq as number, min: min as number, max: max as number }
}
