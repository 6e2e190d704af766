// PredictionBatcher's per-call latency percentiles, recorded a batch at a time.
//
// Every call of a batch finishes at the same moment, so a call's latency is the batch's end time
// minus the call's arrival time, and the batch already holds those arrival times. Recording a
// batch is therefore one entry (its end time and its arrival array, kept by reference) instead
// of one sample write per call; the per-call samples are computed only when stats() asks. The
// figures are those a ring of the last SAMPLE_WINDOW calls would give, and memory stays bounded:
// a ring of at most SAMPLE_WINDOW entries, the oldest dropped once newer ones hold a full window
// (under 100 KB however small the batches; about 15 KB with batches of ten).
import { type LatencyPercentiles, SAMPLE_WINDOW, quantileOfSorted } from './sample-ring'

export class CallLatencyWindow {
  readonly #capacity: number
  /** Ring of finished batches: when each ended, its calls' arrival times and how many; `#oldest` + `#entries`. */
  readonly #ends: Float64Array
  readonly #arrivals: Array<readonly number[] | undefined>
  readonly #counts: Int32Array
  #oldest = 0
  #entries = 0
  /** Calls in the kept entries. */
  #held = 0
  /** Lifetime sum and count, for the mean. */
  sum = 0
  count = 0

  constructor(capacity = SAMPLE_WINDOW) {
    this.#capacity = capacity
    this.#ends = new Float64Array(capacity)
    this.#arrivals = new Array<readonly number[] | undefined>(capacity).fill(undefined)
    this.#counts = new Int32Array(capacity)
  }

  /**
   * Records `n` calls that arrived at `arrivals[0..n)` (kept, not copied: the caller must not
   * change it) and ended at `end`. `latencySum` is their latencies' sum, which the caller has.
   */
  add(end: number, arrivals: readonly number[], n: number, latencySum: number): void {
    if (n === 0) return
    // A batch's arrival array has room for 16 calls: a nearly empty one is copied rather than
    // kept, so that a window of single-call batches stays small.
    if (n < 4 && arrivals.length > n) arrivals = arrivals.slice(0, n)
    const capacity = this.#capacity
    this.sum += latencySum
    this.count += n
    // Drop the oldest entries that newer ones make unnecessary for a full window (the ring
    // never overflows: each entry holds at least one call).
    let held = this.#held + n
    let oldest = this.#oldest
    let entries = this.#entries
    while (entries > 0) {
      const calls = this.#counts[oldest] as number
      if (held - calls < capacity) break
      held -= calls
      this.#arrivals[oldest] = undefined
      if (++oldest === capacity) oldest = 0
      entries--
    }
    let slot = oldest + entries
    if (slot >= capacity) slot -= capacity
    this.#ends[slot] = end
    this.#arrivals[slot] = arrivals
    this.#counts[slot] = n
    this.#oldest = oldest
    this.#entries = entries + 1
    this.#held = held
  }

  summary(): LatencyPercentiles {
    const sorted = this.#samples().sort()
    return {
      mean: this.count === 0 ? 0 : this.sum / this.count,
      p50: quantileOfSorted(sorted, 0.5),
      p95: quantileOfSorted(sorted, 0.95),
      p99: quantileOfSorted(sorted, 0.99),
    }
  }

  clear(): void {
    this.#arrivals.fill(undefined)
    this.#oldest = this.#entries = this.#held = this.sum = this.count = 0
  }

  /** The latencies of the last `capacity` calls (of a batch cut by the window, its last calls). */
  #samples(): Float64Array {
    const capacity = this.#capacity
    const samples = new Float64Array(Math.min(this.#held, capacity))
    let k = samples.length
    for (let e = this.#entries - 1; e >= 0 && k > 0; e--) {
      const slot = (this.#oldest + e) % capacity
      const end = this.#ends[slot] as number
      const arrivals = this.#arrivals[slot] as readonly number[]
      for (let i = (this.#counts[slot] as number) - 1; i >= 0 && k > 0; i--) samples[--k] = end - (arrivals[i] as number)
    }
    return samples
  }
}
