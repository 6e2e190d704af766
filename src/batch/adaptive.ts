// The rule behind `adaptive: true`, kept apart so it can be read (and tested) on its own.
//
// Two moving averages (EWMA, weight 0.3 for the newest observation):
//   rate    — calls arriving per ms, measured between consecutive batch starts (over >= 1 ms);
//   latency — how long predictMany takes per batch, in ms.
// Then:
//   size = clamp(ceil(rate × latency), 1, maxBatchSize)
//     the calls that arrive while one batch is being predicted. Collecting that many keeps
//     about one batch in the model at a time; under light traffic it falls to 1, so a lone call
//     goes at once instead of waiting for company that is not coming.
//   wait = clamp(size / rate, 0, maxWaitMs)
//     the time it should take that many calls to arrive: a backstop for when traffic drops.
// Until both averages have a first value, size and wait are the configured maxima. A backlog
// (all `maxConcurrentBatches` busy) still drains in batches of up to maxBatchSize.

/** Weight of the newest observation in both moving averages. */
const ALPHA = 0.3

export class AdaptiveSizer {
  /** Calls per ms. */
  #rate = 0
  /** ms per batch. */
  #latency = 0
  #hasRate = false
  #hasLatency = false
  #lastAt: number
  #lastArrivals = 0
  #maxSize: number
  #maxWaitMs: number
  /** Size at which a batch counts as full. */
  size: number
  /** Longest a call waits for its batch to fill, in ms. */
  waitMs: number

  constructor(maxSize: number, maxWaitMs: number, now: number) {
    this.#maxSize = this.size = maxSize
    this.#maxWaitMs = this.waitMs = maxWaitMs
    this.#lastAt = now
  }

  /** New bounds (from configure()); the averages are kept. */
  setBounds(maxSize: number, maxWaitMs: number): void {
    this.#maxSize = maxSize
    this.#maxWaitMs = maxWaitMs
    this.#recompute()
  }

  /** Called when a batch starts, with the total number of calls queued so far. */
  observeArrivals(now: number, arrivals: number): void {
    const elapsed = now - this.#lastAt
    if (elapsed < 1) return
    const rate = (arrivals - this.#lastArrivals) / elapsed
    this.#rate = this.#hasRate ? this.#rate + ALPHA * (rate - this.#rate) : rate
    this.#hasRate = true
    this.#lastAt = now
    this.#lastArrivals = arrivals
    this.#recompute()
  }

  observeLatency(ms: number): void {
    this.#latency = this.#hasLatency ? this.#latency + ALPHA * (ms - this.#latency) : ms
    this.#hasLatency = true
    this.#recompute()
  }

  #recompute(): void {
    if (!this.#hasRate || !this.#hasLatency) {
      this.size = this.#maxSize
      this.waitMs = this.#maxWaitMs
      return
    }
    this.size = Math.min(this.#maxSize, Math.max(1, Math.ceil(this.#rate * this.#latency)))
    this.waitMs = this.#rate > 0 ? Math.min(this.#maxWaitMs, this.size / this.#rate) : this.#maxWaitMs
  }
}
