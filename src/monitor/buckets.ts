// Histogram bucket of a value, without a scan of the bounds on the write path. A DDSketch
// write computes the value's bin key anyway (ceil of a logarithm); a bin lies either wholly
// between two bounds, or has a bound inside it. A table from bin key to bucket answers the
// first case with one load; only values in a bin holding a bound are compared. Keys are
// monotonic in the value, so a key below (above) a bound's key means a value below (above) it.

/** Largest table, in bin keys (bounds spread wider fall back to a scan). */
const MAX_TABLE = 1 << 16

export class BucketIndex {
  readonly bounds: Float64Array
  readonly #minKey: number
  /** >= 0: the bucket; < 0: -(j + 1), scan from bound j. */
  readonly #table: Int32Array | undefined

  constructor(bounds: readonly number[], key: ((value: number) => number) | undefined) {
    this.bounds = Float64Array.from(bounds)
    const n = bounds.length
    const first = bounds[0]
    if (key === undefined || n === 0 || first === undefined || !(first > 0)) {
      this.#minKey = 0
      this.#table = undefined
      return
    }
    const keys = bounds.map(key)
    const minKey = keys[0] as number
    const size = (keys[n - 1] as number) - minKey + 1
    this.#minKey = minKey
    if (!(size > 0 && size <= MAX_TABLE)) {
      this.#table = undefined
      return
    }
    const table = new Int32Array(size)
    let j = 0 // first bound whose key is >= the current key
    for (let k = minKey; k < minKey + size; k++) {
      while (j < n && (keys[j] as number) < k) j++
      table[k - minKey] = j < n && keys[j] === k ? -(j + 1) : j
    }
    this.#table = table
  }

  /** The bucket of `value` (the first bound >= value, or the +Inf bucket); `key` is its DDSketch key, or NaN. */
  of(value: number, key: number): number {
    const table = this.#table
    let j = 0
    if (table !== undefined && key === key) {
      const i = key - this.#minKey
      if (i < 0) return 0
      if (i >= table.length) return this.bounds.length
      const entry = table[i] as number
      if (entry >= 0) return entry
      j = -entry - 1
    }
    const bounds = this.bounds
    const n = bounds.length
    while (j < n && value > (bounds[j] as number)) j++
    return j
  }
}
