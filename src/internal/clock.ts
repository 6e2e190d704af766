// The clock every primitive reads, injectable so tests (and the alert engine) drive time.

/** A source of monotonic milliseconds. `performance` satisfies it. */
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
