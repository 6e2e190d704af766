// Seeded series for the regression tests.
import { normalDraw, seededRandom } from '../../src/regression/random'

/** `n` lognormal latencies around `median` with log-σ `sigma`, from `seed`. */
export function latencies(n: number, median: number, sigma: number, seed: number): number[] {
  const random = seededRandom(seed)
  return Array.from({ length: n }, () => median * Math.exp(sigma * normalDraw(random)))
}

/** Lognormal noise around a level that follows `shape(i)` (a multiplier of `median`). */
export function shaped(n: number, median: number, sigma: number, seed: number, shape: (i: number) => number): number[] {
  const random = seededRandom(seed)
  return Array.from({ length: n }, (_, i) => median * shape(i) * Math.exp(sigma * normalDraw(random)))
}

/** Normal noise around `level(i)`. */
export function gaussian(n: number, sd: number, seed: number, level: (i: number) => number): number[] {
  const random = seededRandom(seed)
  return Array.from({ length: n }, (_, i) => level(i) + sd * normalDraw(random))
}
