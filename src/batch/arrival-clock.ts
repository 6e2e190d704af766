import type { Clock } from '../internal/clock'

const resolved = Promise.resolve()

/** Most calls that share one clock reading within a synchronous run. */
export const SHARED_READINGS = 32

/**
 * Arrival times for PredictionBatcher calls, read cheaply during bursts.
 *
 * Timing every call is most of what batching costs per call: reading `performance.now()`
 * (about 40 ns here) and boxing one fresh number per call. So the calls of one synchronous run
 * share a reading: the first call reads the clock, the ones after it reuse that time (or the
 * start time of a batch started meanwhile), and the clock is read again every
 * {@link SHARED_READINGS} calls. The shared time expires at the next microtask, so an arrival
 * time is early by at most the host's own synchronous work between those calls (microseconds in
 * a loop), never late: queue waits can only be overstated, by that much. Only with the default
 * clock: an injected clock is read for every call, so tests that move it see exact times.
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

  /** The arrival time of a call: a reading shared with the calls around it in the same synchronous run. */
  arrival(): number {
    if (this.#held && this.#uses < SHARED_READINGS) {
      this.#uses++
      return this.#stamp
    }
    this.#uses = 0
    this.#stamp = this.#clock.now()
    if (!this.#held && this.#coarse) {
      this.#held = true
      resolved.then(this.#release)
    }
    return this.#stamp
  }

  /** A batch started at `now`: the calls that follow in this run may share this reading. */
  batchStarted(now: number): void {
    this.#stamp = now
    this.#uses = 0
  }

  readonly #release = (): void => {
    this.#held = false
  }
}
