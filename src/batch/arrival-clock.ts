import type { Clock } from '../internal/clock'

const resolved = Promise.resolve()

/**
 * Arrival times for PredictionBatcher calls, read cheaply during bursts.
 *
 * Timing every call is most of what batching costs per call: not so much reading
 * `performance.now()` as boxing one fresh number per call (measured: about a third of the
 * per-call cost in a burst). So within one synchronous burst that has just started a batch, calls
 * reuse that batch's start time. The clock is still read at every batch start and at least once
 * every `limit` calls, and the shared time expires at the next microtask, so an arrival time is
 * early by at most the host's own synchronous work between those calls (microseconds in a loop),
 * never late. Only with the default clock: an injected clock is read for every call, so tests
 * that move it see exact times.
 */
export class ArrivalClock {
  readonly #clock: Clock
  readonly #coarse: boolean
  // Starts as a non-number on purpose: V8 then keeps the field "tagged", and every call of a
  // burst stores a pointer to this one boxed number (see PendingCall.enqueuedAt).
  #stamp: number = null as unknown as number
  #held = false
  #uses = 0

  constructor(clock: Clock, coarse: boolean) {
    this.#clock = clock
    this.#coarse = coarse
  }

  /** Reads the clock (always exact). */
  now(): number {
    return this.#clock.now()
  }

  /** The arrival time of a call; `limit` is how many calls may share one reading. */
  arrival(limit: number): number {
    if (!this.#held) return this.#clock.now()
    if (this.#uses < limit) {
      this.#uses++
      return this.#stamp
    }
    this.#uses = 0
    return (this.#stamp = this.#clock.now())
  }

  /** A batch started at `now`: the calls that follow may share this reading. */
  batchStarted(now: number): void {
    this.#stamp = now
    this.#uses = 0
  }

  /** Called when predict() itself started a batch, i.e. in a burst: share readings until the next microtask. */
  hold(limit: number): void {
    if (this.#held || !this.#coarse || limit < 2) return
    this.#held = true
    resolved.then(this.#release)
  }

  readonly #release = (): void => {
    this.#held = false
  }
}
