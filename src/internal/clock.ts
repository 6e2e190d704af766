// The clock every primitive reads, injectable so tests (and the alert engine) drive time.

/** A source of monotonic milliseconds. `performance` satisfies it. */
export interface Clock {
  now(): number
}

/** `performance.now()`: monotonic, sub-millisecond, unaffected by wall-clock changes. */
export const systemClock: Clock = performance

/** Resolves a `clock`/`now` option into a Clock. */
export function toClock(option: Clock | (() => number) | undefined): Clock {
  if (option === undefined) return systemClock
  if (typeof option === 'function') return { now: option }
  return option
}
