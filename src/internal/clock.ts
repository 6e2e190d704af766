// The clock every primitive reads, injectable so tests (and the alert engine) drive time.

/**
 * A source of monotonic milliseconds. `performance` satisfies it. Every primitive's `clock`
 * (or `now`) option takes one, or a plain `() => number`.
 * @example
 * ```ts
 * let t = 0
 * const clock: Clock = { now: () => t } // tests move time by hand: t += 60_000
 * const cache = new MemoryCache({ ttl: 1_000, clock })
 * ```
 */
export interface Clock {
  now(): number
}

/**
 * `performance.now()`: monotonic, sub-millisecond, unaffected by wall-clock changes. It looks
 * `performance` up on every call rather than keeping the object, so a host's tests that fake
 * timers (which replace the global `performance`) move perfkit's default clock too.
 */
export const systemClock: Clock = { now: () => performance.now() }

/** Resolves a `clock`/`now` option into a Clock. */
export function toClock(option: Clock | (() => number) | undefined): Clock {
  if (option === undefined) return systemClock
  if (typeof option === 'function') return { now: option }
  return option
}
