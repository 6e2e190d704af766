// The optional sketch: a t-digest, for users who want rank-error behaviour at the extremes.
// Pushing values one by one into the `tdigest` package costs over a microsecond each (a tree
// search per value), so values land in a flat buffer and are folded in bulk: sort the buffer,
// merge it with the centroids in one linear pass, and re-cluster under the k1 scale function
// (the "merging digest"). Quantiles are read through the package's `TDigest`, built from the
// centroids on demand and kept until the next change.
import { TDigest } from 'tdigest'
import { PerfkitInputError } from '../errors'
import { boundsToState, type Sketch, type SketchFactory, type TDigestState, totalsFromState } from './sketch'

const EMPTY = new Float64Array(0)
/** Values buffered before a fold: big enough to amortise the sort and the pass. */
const BUFFER_SIZE = 1024

// Scratch arrays for the merge pass, shared by every digest (JavaScript runs one fold at a time).
let scratchMeans = new Float64Array(BUFFER_SIZE * 2)
let scratchWeights = new Float64Array(BUFFER_SIZE * 2)

function scratch(length: number): void {
  if (scratchMeans.length >= length) return
  scratchMeans = new Float64Array(length * 2)
  scratchWeights = new Float64Array(length * 2)
}

/** Highest quantile a centroid starting at `q0` may reach: k1(q) = δ/2π · asin(2q − 1), one unit of k per centroid. */
function quantileLimit(q0: number, compression: number): number {
  const k = Math.min((compression / (2 * Math.PI)) * Math.asin(2 * q0 - 1) + 1, compression / 4)
  return (Math.sin((2 * Math.PI * k) / compression) + 1) / 2
}

/** A t-digest over values >= 0. */
export class TDigestSketch implements Sketch {
  count = 0
  sum = 0
  sumSq = 0
  min = Infinity
  max = -Infinity
  readonly compression: number
  #means: Float64Array = EMPTY
  #weights: Float64Array = EMPTY
  #buffer: Float64Array | undefined
  #buffered = 0
  #digest: TDigest | undefined

  constructor(compression: number) {
    this.compression = compression
  }

  add(value: number): number {
    const buffer = (this.#buffer ??= new Float64Array(BUFFER_SIZE))
    buffer[this.#buffered++] = value
    this.count++
    this.sum += value
    this.sumSq += value * value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
    this.#digest = undefined
    if (this.#buffered === BUFFER_SIZE) this.#fold()
    return Number.NaN
  }

  mergeFrom(other: Sketch): void {
    const digest = other as TDigestSketch
    if (digest.count === 0) return
    digest.#fold()
    this.#fold()
    this.#mergeCentroids(digest.#means, digest.#weights, digest.#means.length)
    this.count += digest.count
    this.sum += digest.sum
    this.sumSq += digest.sumSq
    if (digest.min < this.min) this.min = digest.min
    if (digest.max > this.max) this.max = digest.max
  }

  quantile(q: number): number {
    if (this.count === 0) return Number.NaN
    this.#fold()
    if (this.#digest === undefined) {
      // K = 0: no automatic recompression; CX = Infinity: cumulate only when a read asks for it.
      const digest = new TDigest(1 / this.compression, 0, Infinity)
      // Ascending, distinct means: each push appends a centroid past the current maximum.
      for (let i = 0; i < this.#means.length; i++) digest.push_centroid({ mean: this.#means[i] as number, n: this.#weights[i] as number })
      this.#digest = digest
    }
    const value = this.#digest.percentile(q)
    return value < this.min ? this.min : value > this.max ? this.max : value
  }

  /** Folds the buffer and lets it go: closed slots hold centroids only. */
  freeze(): Sketch {
    this.#fold()
    this.#buffer = undefined
    return this
  }

  /** Centroids after folding the buffer (for tests and state). */
  centroids(): Array<[number, number]> {
    this.#fold()
    return Array.from(this.#means, (mean, i) => [mean, this.#weights[i] as number])
  }

  toState(): TDigestState {
    return {
      type: 'tdigest',
      compression: this.compression,
      count: this.count,
      sum: this.sum,
      sumSq: this.sumSq,
      ...boundsToState(this.min, this.max),
      centroids: this.centroids(),
    }
  }

  /** Restores centroids checked by the factory. */
  restore(means: Float64Array, weights: Float64Array): void {
    this.#means = means
    this.#weights = weights
    this.#digest = undefined
  }

  #fold(): void {
    const n = this.#buffered
    if (n === 0) return
    this.#buffered = 0
    const sorted = (this.#buffer as Float64Array).subarray(0, n).sort()
    this.#mergeCentroids(sorted, undefined, n)
  }

  /** Merges sorted centroids (weights undefined: all 1) into this digest's, then re-clusters. */
  #mergeCentroids(means: Float64Array, weights: Float64Array | undefined, n: number): void {
    const own = this.#means.length
    const length = own + n
    scratch(length)
    const m = scratchMeans
    const w = scratchWeights
    let total = 0
    for (let i = 0, j = 0, k = 0; k < length; k++) {
      if (j >= n || (i < own && (this.#means[i] as number) <= (means[j] as number))) {
        m[k] = this.#means[i] as number
        w[k] = this.#weights[i++] as number
      } else {
        m[k] = means[j] as number
        w[k] = weights === undefined ? 1 : (weights[j] as number)
        j++
      }
      total += w[k] as number
    }
    // One linear pass: grow the current centroid while it stays under its quantile limit.
    let out = 0
    let cumulative = 0
    let mean = m[0] as number
    let weight = w[0] as number
    let limit = quantileLimit(0, this.compression) * total
    for (let k = 1; k < length; k++) {
      const wk = w[k] as number
      if (cumulative + weight + wk <= limit) {
        weight += wk
        mean += (((m[k] as number) - mean) * wk) / weight
      } else {
        m[out] = mean
        w[out++] = weight
        cumulative += weight
        limit = quantileLimit(cumulative / total, this.compression) * total
        mean = m[k] as number
        weight = wk
      }
    }
    m[out] = mean
    w[out++] = weight
    this.#means = m.slice(0, out)
    this.#weights = w.slice(0, out)
    this.#digest = undefined
  }
}

/** Makes t-digests of one compression. */
export class TDigestFactory implements SketchFactory {
  readonly type = 'tdigest'
  readonly parameter: number
  readonly key = undefined

  constructor(compression: number) {
    this.parameter = compression
  }

  create(): TDigestSketch {
    return new TDigestSketch(this.parameter)
  }

  fromState(state: unknown, argument: string): TDigestSketch {
    const fail = (what: string): never => {
      throw new PerfkitInputError(`${argument}.${what}`, 'part of a valid t-digest state from exportState()', state)
    }
    if (typeof state !== 'object' || state === null || (state as { type?: unknown }).type !== 'tdigest') fail('type')
    const s = state as Record<string, unknown>
    if (s.compression !== this.parameter) {
      throw new PerfkitInputError(`${argument}.compression`, `${this.parameter} (the metric's compression)`, s.compression)
    }
    const totals = totalsFromState(s, fail)
    const centroids = s.centroids
    if (!Array.isArray(centroids) || centroids.length > 100_000) fail('centroids')
    const list = centroids as unknown[]
    const means = new Float64Array(list.length)
    const weights = new Float64Array(list.length)
    let weightTotal = 0
    for (let i = 0; i < list.length; i++) {
      const c = list[i]
      if (!Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') fail(`centroids[${i}]`)
      const [mean, weight] = c as [number, number]
      if (!(mean >= 0) || !Number.isFinite(mean) || !(weight > 0) || !Number.isFinite(weight)) fail(`centroids[${i}]`)
      if (i > 0 && mean < (means[i - 1] as number)) fail(`centroids[${i}]`)
      means[i] = mean
      weights[i] = weight
      weightTotal += weight
    }
    if (Math.abs(weightTotal - totals.count) > 1e-6 * Math.max(1, totals.count)) fail('count')
    const sketch = new TDigestSketch(this.parameter)
    sketch.restore(means, weights)
    Object.assign(sketch, totals)
    return sketch
  }
}
