// A small seeded PRNG, so that every randomized algorithm (Isolation Forest) and every
// synthetic test series is reproducible from its seed.

/** A source of uniform numbers in [0, 1). */
export type Random = () => number

/**
 * mulberry32: 32-bit state, period 2³², passes the usual statistical batteries; plenty for
 * sampling and random splits. Seeds are mixed with splitmix32 first so that 1, 2, 3 … give
 * unrelated streams.
 */
export function seededRandom(seed: number): Random {
  let state = splitmix32(seed >>> 0)
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function splitmix32(seed: number): number {
  let z = (seed + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** A standard normal draw (Box–Muller) from `random`. */
export function normalDraw(random: Random): number {
  let u = 0
  while (u === 0) u = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}
