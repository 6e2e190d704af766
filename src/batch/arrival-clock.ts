import type { Clock } from '../internal/clock'

const resolved = Promise.resolve()

/** Most calls that share one clock reading within a synchronous run. */
export const SHARED_READINGS = 32

/**
 * Arrival times for PredictionBatcher calls, read cheaply during bursts.
 *
 * Timing every call would cost a clock read per call (`performance.now()`, about 40 ns here,
 * more than the rest of a call's queuing). So the calls of one synchronous run
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
  // Initialised with a non-number on purpose: V8 then keeps the field "tagged" (a pointer to
  // the clock's own number), which costs the per-call read less than an unboxed double field.
  #stamp: number = null as unknown as number
  /** Calls that may still share `#stamp`: counted down, 0 once the synchronous run is over. */
  #shares = 0
  /** A release is scheduled for the end of the synchronous run. */
  #held = false

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
    if (this.#shares > 0) {
      this.#shares--
      return this.#stamp
    }
    return this.#read()
  }

  #read(): number {
    const stamp = (this.#stamp = this.#clock.now())
    if (this.#coarse === true) {
      this.#shares = SHARED_READINGS
      if (this.#held === false) {
        this.#held = true
        resolved.then(this.#release)
      }
    }
    return stamp
  }

  /** A batch started at `now`: the calls that follow in this run may share this reading. */
  batchStarted(now: number): void {
    this.#stamp = now
    if (this.#held === true) this.#shares = SHARED_READINGS
  }

  readonly #release = (): void => {
    this.#held = false
    this.#shares = 0
  }
}
