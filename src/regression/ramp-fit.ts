// Least-squares fits used to tell a sudden step from a gradual ramp: a piecewise-constant
// model with given breaks, and a continuous flat–ramp–flat model whose ramp ends are searched.
// Both evaluate in O(1) per candidate from prefix sums.

/** Prefix sums of 1, i, i², y, i·y, y² over a window, with i and y centered for precision. */
export class PrefixSums {
  readonly start: number
  /** The mean subtracted from y before summing (add it back to fitted levels). */
  readonly center: number
  readonly #s1: Float64Array
  readonly #s2: Float64Array
  readonly #y: Float64Array
  readonly #iy: Float64Array
  readonly #yy: Float64Array

  constructor(values: ArrayLike<number>, start: number, end: number) {
    this.start = start
    const m = end - start
    let center = 0
    for (let i = start; i < end; i++) center += values[i] as number
    center /= m
    this.center = center
    this.#s1 = new Float64Array(m + 1)
    this.#s2 = new Float64Array(m + 1)
    this.#y = new Float64Array(m + 1)
    this.#iy = new Float64Array(m + 1)
    this.#yy = new Float64Array(m + 1)
    for (let k = 0; k < m; k++) {
      const y = (values[start + k] as number) - center
      this.#s1[k + 1] = (this.#s1[k] as number) + k
      this.#s2[k + 1] = (this.#s2[k] as number) + k * k
      this.#y[k + 1] = (this.#y[k] as number) + y
      this.#iy[k + 1] = (this.#iy[k] as number) + k * y
      this.#yy[k + 1] = (this.#yy[k] as number) + y * y
    }
  }

  /** Sums over absolute indices [from, to): [count, Σk, Σk², Σy, Σk·y, Σy²] with k local. */
  range(from: number, to: number): [number, number, number, number, number, number] {
    const a = from - this.start
    const b = to - this.start
    return [
      b - a,
      (this.#s1[b] as number) - (this.#s1[a] as number),
      (this.#s2[b] as number) - (this.#s2[a] as number),
      (this.#y[b] as number) - (this.#y[a] as number),
      (this.#iy[b] as number) - (this.#iy[a] as number),
      (this.#yy[b] as number) - (this.#yy[a] as number),
    ]
  }

  /** Residual sum of squares of a constant fit on [from, to). */
  flatSse(from: number, to: number): number {
    const [n, , , y, , yy] = this.range(from, to)
    return n > 0 ? Math.max(0, yy - (y * y) / n) : 0
  }
}

/** SSE of a piecewise-constant fit of [from, to) with the given sorted breaks. */
export function stepSse(sums: PrefixSums, from: number, to: number, breaks: readonly number[]): number {
  let sse = 0
  let lo = from
  for (const b of breaks) {
    sse += sums.flatSse(lo, b)
    lo = b
  }
  return sse + sums.flatSse(lo, to)
}

/**
 * Least-squares fit of the continuous model "level μ₁ on [from, a), linear from μ₁ to μ₂ on
 * [a, b), level μ₂ on [b, to)": its SSE and the two levels.
 */
export function rampLevels(sums: PrefixSums, from: number, to: number, a: number, b: number): { sse: number; mu1: number; mu2: number } {
  const [n0, , , y0, , yy0] = sums.range(from, a)
  const [n2, , , y2, , yy2] = sums.range(b, to)
  const [n1, k1, k2, y1, ky1, yy1] = sums.range(a, b)
  const d = b - a
  const a0 = a - sums.start
  // Ramp weights w = (k − a0)/d on [a, b): their sums from the local prefix sums.
  const sw = (k1 - a0 * n1) / d
  const sww = (k2 - 2 * a0 * k1 + a0 * a0 * n1) / (d * d)
  const syw = (ky1 - a0 * y1) / d
  const uu = n0 + (n1 - 2 * sw + sww) // Σ(1 − w)²
  const uw = sw - sww // Σ(1 − w)w
  const ww = sww + n2 // Σw²
  const yu = y0 + (y1 - syw)
  const yw = syw + y2
  const det = uu * ww - uw * uw
  if (!(Math.abs(det) > 1e-12)) return { sse: Number.POSITIVE_INFINITY, mu1: Number.NaN, mu2: Number.NaN }
  const mu1 = (yu * ww - yw * uw) / det
  const mu2 = (yw * uu - yu * uw) / det
  return { sse: Math.max(0, yy0 + yy1 + yy2 - mu1 * yu - mu2 * yw), mu1: mu1 + sums.center, mu2: mu2 + sums.center }
}

/** SSE of {@link rampLevels}. */
export function rampSse(sums: PrefixSums, from: number, to: number, a: number, b: number): number {
  return rampLevels(sums, from, to, a, b).sse
}

/**
 * Best ramp [a, b) with a in [aLo, aHi], b in [bLo, bHi], b − a ≥ 2: a 33 × 33 grid, then
 * finer grids around the best cell until the step is one sample (about 2 000 fits whatever
 * the window, instead of the millions of an exhaustive search).
 */
export function fitRamp(
  sums: PrefixSums,
  from: number,
  to: number,
  aRange: readonly [number, number],
  bRange: readonly [number, number],
): { a: number; b: number; sse: number } {
  const best = { a: aRange[0], b: Math.max(bRange[0], aRange[0] + 2), sse: Number.POSITIVE_INFINITY }
  let [aLo, aHi] = aRange
  let [bLo, bHi] = bRange
  for (;;) {
    const stepA = Math.max(1, Math.ceil((aHi - aLo) / 32))
    const stepB = Math.max(1, Math.ceil((bHi - bLo) / 32))
    for (let a = aLo; a <= aHi; a += stepA) {
      for (let b = Math.max(bLo, a + 2); b <= bHi; b += stepB) {
        const sse = rampSse(sums, from, to, a, b)
        if (sse < best.sse) {
          best.a = a
          best.b = b
          best.sse = sse
        }
      }
    }
    if (stepA === 1 && stepB === 1) return best
    aLo = Math.max(aRange[0], best.a - stepA)
    aHi = Math.min(aRange[1], best.a + stepA)
    bLo = Math.max(bRange[0], best.b - stepB)
    bHi = Math.min(bRange[1], best.b + stepB)
  }
}
