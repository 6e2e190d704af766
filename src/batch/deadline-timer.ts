import type { Clock } from '../internal/clock'

/**
 * One timer for "the oldest queued item is due". Unlike perfkit's background timers it is
 * not unref'd: callers are waiting on it, and a script whose only pending work is a queued
 * `predict()` must not exit before the batch runs (it is armed only while items wait, for at
 * most one wait period). It is lazy: `ensure(deadline)` only
 * replaces the timer when the new deadline is earlier, and dispatching a batch does not cancel
 * it. A timer that fires early just makes the owner look again and re-arm, so a busy batcher
 * pays one setTimeout per wait period instead of a setTimeout + clearTimeout per batch.
 */
export class DeadlineTimer {
  readonly #clock: Clock
  readonly #onFire: () => void
  #timer: NodeJS.Timeout | undefined = undefined
  #at = Infinity
  /** Whether the timer holds the process open (it does while items wait for it). */
  #held = false

  constructor(clock: Clock, onFire: () => void) {
    this.#clock = clock
    this.#onFire = onFire
  }

  /** Makes sure the owner is called back no later than `deadline` (clock ms). */
  ensure(deadline: number): void {
    if (deadline >= this.#at) {
      if (this.#held === false) {
        this.#timer?.ref()
        this.#held = true
      }
      return
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#at = deadline
    this.#timer = setTimeout(this.#fire, Math.max(0, deadline - this.#clock.now()))
    this.#held = true
  }

  /**
   * Nothing waits for the deadline any more: the timer stays armed (lazy, see above) but no
   * longer holds the process open.
   */
  release(): void {
    if (this.#held === false) return
    this.#timer?.unref()
    this.#held = false
  }

  cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#at = Infinity
    this.#held = false
  }

  readonly #fire = (): void => {
    this.#timer = undefined
    this.#at = Infinity
    this.#held = false
    this.#onFire()
  }
}
