import type { Clock } from '../internal/clock'
import { unrefTimeout } from '../internal/timers'

/**
 * One unref'd timer for "the oldest queued item is due". It is lazy: `ensure(deadline)` only
 * replaces the timer when the new deadline is earlier, and dispatching a batch does not cancel
 * it. A timer that fires early just makes the owner look again and re-arm, so a busy batcher
 * pays one setTimeout per wait period instead of a setTimeout + clearTimeout per batch.
 */
export class DeadlineTimer {
  readonly #clock: Clock
  readonly #onFire: () => void
  #timer: NodeJS.Timeout | undefined = undefined
  #at = Infinity

  constructor(clock: Clock, onFire: () => void) {
    this.#clock = clock
    this.#onFire = onFire
  }

  /** Makes sure the owner is called back no later than `deadline` (clock ms). */
  ensure(deadline: number): void {
    if (deadline >= this.#at) return
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#at = deadline
    this.#timer = unrefTimeout(this.#fire, Math.max(0, deadline - this.#clock.now()))
  }

  cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#at = Infinity
  }

  readonly #fire = (): void => {
    this.#timer = undefined
    this.#at = Infinity
    this.#onFire()
  }
}
