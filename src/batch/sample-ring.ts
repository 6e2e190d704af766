// Bounded memory for percentiles: the most recent samples in a fixed ring.
//
// Why a ring and not a sketch (DDSketch, t-digest): recording must cost next to nothing,
// because PredictionBatcher records one sample per call on its hot path, and a ring write
// is one store while a sketch insert is a logarithm plus a bucket update. A ring also answers
// the question an operator asks of a batcher — "what is p95 *now*?" — since old samples fall
// out, where a lifetime sketch would drown a fresh regression in history. Percentiles are
// exact over the window and computed only when `stats()` is called (one sort of at most
// `capacity` numbers). Lifetime means are kept separately as sum/count.

/** Samples kept per percentile window. */
export const SAMPLE_WINDOW = 1024

/**
 * Percentiles of the recent samples, in ms.
 * @example
 * ```ts
 * const { p50, p99 } = scores.stats().batchLatencyMs
 * ```
 */
export interface LatencyPercentiles {
  /** Mean since construction or the last `resetStats()`; 0 before the first sample. */
  mean: number
  /** Over the last 1024 samples; 0 before the first. */
  p50: number
  p95: number
  p99: number
}

export class SampleRing {
  readonly #samples: Float64Array
  #next = 0
  #filled = 0
  /** Lifetime sum and count, for the mean. */
  sum = 0
  count = 0

  constructor(capacity = SAMPLE_WINDOW) {
    this.#samples = new Float64Array(capacity)
  }

  push(value: number): void {
    this.#samples[this.#next] = value
    if (++this.#next === this.#samples.length) this.#next = 0
    if (this.#filled < this.#samples.length) this.#filled++
    this.sum += value
    this.count++
  }

  /** The `q` quantile (0..1) of the window, linearly interpolated between closest ranks. */
  quantile(q: number): number {
    return quantileOfSorted(this.#sorted(), q)
  }

  summary(): LatencyPercentiles {
    const sorted = this.#sorted()
    return {
      mean: this.count === 0 ? 0 : this.sum / this.count,
      p50: quantileOfSorted(sorted, 0.5),
      p95: quantileOfSorted(sorted, 0.95),
      p99: quantileOfSorted(sorted, 0.99),
    }
  }

  clear(): void {
    this.#next = this.#filled = this.sum = this.count = 0
  }

  #sorted(): Float64Array {
    return this.#samples.slice(0, this.#filled).sort()
  }
}

/** The `q` quantile (0..1) of ascending `sorted`, linearly interpolated between closest ranks; 0 when empty. */
export function quantileOfSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length
  if (n === 0) return 0
  const rank = q * (n - 1)
  const lo = Math.floor(rank)
  const hi = Math.min(lo + 1, n - 1)
  const a = sorted[lo] as number
  return a + ((sorted[hi] as number) - a) * (rank - lo)
}
