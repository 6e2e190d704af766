// The default sketch: Datadog's DDSketch with a logarithmic mapping, which guarantees every
// quantile within `relativeAccuracy` of the true value.
//
// Memory is bounded whatever values arrive: past `BIN_LIMIT` bins (about 17 orders of
// magnitude at 1 %) the lowest bins are folded into one, and later values below it land in
// it, so only the lowest quantiles of such a spread lose accuracy. The collapse is done here
// on the dense store: the package's LogCollapsingLowestDenseDDSketch miscounts when values
// keep extending its top (its bins then add up to more than its count).
import { DDSketch } from '@datadog/sketches-js'
import { PerfkitInputError } from '../errors'
import { boundsToState, type DDSketchState, type Sketch, type SketchFactory, totalsFromState } from './sketch'

const BIN_LIMIT = 2048
/** A collapse keeps this many bins fewer than the limit, so the next one is not at the next value. */
const COLLAPSE_SLACK = 128
/**
 * The store grows its bins by this many at a time (the package's default is 128): most slot
 * sketches hold few values over a narrow range, and a series keeps a couple dozen of them.
 */
const CHUNK = 32

type DenseStore = DDSketch['store']
type Mapping = DDSketch['mapping']

/** The negative store of every sketch: values are >= 0, so it stays empty, and one is enough. */
let emptyNegativeStore: DenseStore | undefined

/** A DDSketch that also keeps the sum of squares. The values are >= 0 (checked by the monitor). */
export class DDSketchSketch extends DDSketch implements Sketch {
  sumSq = 0
  readonly relativeAccuracy: number
  /** Keys below this were folded into it (-Infinity until the first collapse). */
  floorKey = -Infinity

  constructor(relativeAccuracy: number, mapping?: Mapping) {
    super({ relativeAccuracy })
    this.relativeAccuracy = relativeAccuracy
    // Share what every sketch of a metric would otherwise hold its own copy of.
    if (mapping !== undefined) this.mapping = mapping
    this.negativeStore = emptyNegativeStore ??= this.negativeStore
    this.store = newStore(this.store)
  }

  add(value: number): number {
    // accept() inlined, to hand the bin key back: it picks the histogram bucket too.
    let key = Number.NaN
    const mapping = this.mapping
    if (value > mapping.minPossible) {
      key = mapping.key(value)
      const store = this.store
      if (key >= store.minKey && key <= store.maxKey) {
        // The common case, DenseStore.add() without its range checks and default argument.
        const bins = store.bins
        const i = key - store.offset
        bins[i] = (bins[i] as number) + 1
        store.count++
      } else {
        store.add(key < this.floorKey ? this.floorKey : key, 1)
        if (store.maxKey - store.minKey >= BIN_LIMIT) this.#collapse()
      }
    } else {
      this.zeroCount++
    }
    this.count++
    this.sum += value
    this.sumSq += value * value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
    return key
  }

  mergeFrom(other: Sketch): void {
    if (other.count === 0) return
    if (other instanceof FrozenDDSketch) {
      other.forEachBin((key, count) => this.store.add(key < this.floorKey ? this.floorKey : key, count))
      this.zeroCount += other.zeroCount
      this.count += other.count
      this.sum += other.sum
      if (other.min < this.min) this.min = other.min
      if (other.max > this.max) this.max = other.max
    } else {
      this.merge(other as DDSketchSketch)
    }
    this.sumSq += other.sumSq
    const floor = (other as DDSketchSketch | FrozenDDSketch).floorKey
    if (floor > this.floorKey) this.floorKey = floor
    if (this.store.maxKey - this.store.minKey >= BIN_LIMIT) this.#collapse()
  }

  quantile(q: number): number {
    if (this.count === 0) return Number.NaN
    const value = this.getValueAtQuantile(q)
    // The bin's representative value can lie just outside what was seen; the extremes are known exactly.
    return value < this.min ? this.min : value > this.max ? this.max : value
  }

  freeze(): Sketch {
    return new FrozenDDSketch(this)
  }

  toState(): DDSketchState {
    const bins: number[] = []
    let offset = 0
    const { store } = this
    if (store.count > 0) {
      offset = store.minKey
      for (let key = store.minKey; key <= store.maxKey; key++) bins.push(store.bins[key - store.offset] ?? 0)
    }
    return stateOf(this, offset, bins)
  }

  /** Folds the lowest bins so that the store spans fewer than BIN_LIMIT keys. */
  #collapse(): void {
    const old = this.store
    const floor = old.maxKey - (BIN_LIMIT - COLLAPSE_SLACK) + 1
    const store = newStore(old)
    let low = 0
    for (let key = old.minKey; key <= old.maxKey; key++) {
      const count = old.bins[key - old.offset] ?? 0
      if (key <= floor) low += count
      else if (count > 0) store.add(key, count)
    }
    if (low > 0) store.add(floor, low)
    this.store = store
    this.floorKey = floor
  }
}

/**
 * A closed slot, compacted: the bins in a typed array, sparse (key, count pairs) or dense
 * (counts from an offset), whichever is smaller. A series keeps about twenty closed slots,
 * so this is most of its memory. Read-only: it is only ever merged into a live sketch.
 */
export class FrozenDDSketch implements Sketch {
  readonly count: number
  readonly sum: number
  readonly sumSq: number
  readonly min: number
  readonly max: number
  readonly zeroCount: number
  readonly floorKey: number
  readonly relativeAccuracy: number
  readonly #mapping: Mapping
  /** Sparse form: `counts[i]` is the count of key `keys[i]`; undefined for the dense form. */
  readonly #keys: Int32Array | undefined
  /** Dense form: `counts[i]` is the count of key `offset + i`. */
  readonly #offset: number
  readonly #counts: Float64Array

  constructor(source: DDSketchSketch) {
    this.count = source.count
    this.sum = source.sum
    this.sumSq = source.sumSq
    this.min = source.min
    this.max = source.max
    this.zeroCount = source.zeroCount
    this.floorKey = source.floorKey
    this.relativeAccuracy = source.relativeAccuracy
    this.#mapping = source.mapping
    const { store } = source
    const range = store.count > 0 ? store.maxKey - store.minKey + 1 : 0
    let used = 0
    for (let key = store.minKey; key < store.minKey + range; key++) if ((store.bins[key - store.offset] ?? 0) > 0) used++
    this.#offset = store.count > 0 ? store.minKey : 0
    if (used * 12 < range * 8) {
      this.#keys = new Int32Array(used)
      this.#counts = new Float64Array(used)
      for (let key = store.minKey, j = 0; key < store.minKey + range; key++) {
        const count = store.bins[key - store.offset] ?? 0
        if (count === 0) continue
        this.#keys[j] = key
        this.#counts[j++] = count
      }
    } else {
      this.#keys = undefined
      this.#counts = new Float64Array(range)
      for (let i = 0; i < range; i++) this.#counts[i] = store.bins[this.#offset + i - store.offset] ?? 0
    }
  }

  forEachBin(fn: (key: number, count: number) => void): void {
    const counts = this.#counts
    const keys = this.#keys
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i] as number
      if (count > 0) fn(keys === undefined ? this.#offset + i : (keys[i] as number), count)
    }
  }

  add(): number {
    throw new Error('a closed slot is read-only')
  }

  mergeFrom(): void {
    throw new Error('a closed slot is read-only')
  }

  quantile(q: number): number {
    return this.#thaw().quantile(q)
  }

  freeze(): Sketch {
    return this
  }

  toState(): DDSketchState {
    const thawed = this.#thaw()
    return thawed.toState()
  }

  #thaw(): DDSketchSketch {
    const sketch = new DDSketchSketch(this.relativeAccuracy, this.#mapping)
    sketch.mergeFrom(this)
    return sketch
  }
}

function stateOf(sketch: Sketch & { zeroCount: number; relativeAccuracy: number }, offset: number, bins: number[]): DDSketchState {
  return {
    type: 'ddsketch',
    relativeAccuracy: sketch.relativeAccuracy,
    count: sketch.count,
    sum: sketch.sum,
    sumSq: sketch.sumSq,
    ...boundsToState(sketch.min, sketch.max),
    zeroCount: sketch.zeroCount,
    offset,
    bins,
  }
}

/** An empty dense store of the same class as `like`, growing by CHUNK bins. */
function newStore(like: DenseStore): DenseStore {
  return new (like.constructor as new (chunkSize: number) => DenseStore)(CHUNK)
}

/** Makes DDSketches of one relative accuracy. */
export class DDSketchFactory implements SketchFactory {
  readonly type = 'ddsketch'
  readonly parameter: number
  readonly key: (value: number) => number

  readonly #mapping: Mapping

  constructor(relativeAccuracy: number) {
    this.parameter = relativeAccuracy
    const mapping = (this.#mapping = new DDSketchSketch(relativeAccuracy).mapping)
    this.key = (value) => mapping.key(value)
  }

  create(): DDSketchSketch {
    return new DDSketchSketch(this.parameter, this.#mapping)
  }

  fromState(state: unknown, argument: string): DDSketchSketch {
    const fail = (what: string): never => {
      throw new PerfkitInputError(`${argument}.${what}`, 'part of a valid DDSketch state from exportState()', state)
    }
    if (typeof state !== 'object' || state === null || (state as { type?: unknown }).type !== 'ddsketch') fail('type')
    const s = state as Record<string, unknown>
    if (s.relativeAccuracy !== this.parameter) {
      throw new PerfkitInputError(`${argument}.relativeAccuracy`, `${this.parameter} (the metric's relative accuracy)`, s.relativeAccuracy)
    }
    const totals = totalsFromState(s, fail)
    const { zeroCount, offset, bins } = s
    if (typeof zeroCount !== 'number' || !(zeroCount >= 0)) fail('zeroCount')
    if (typeof offset !== 'number' || !Number.isInteger(offset)) fail('offset')
    if (!Array.isArray(bins) || bins.length > 1_000_000) fail('bins')
    const sketch = this.create()
    let binTotal = 0
    for (let i = 0; i < (bins as unknown[]).length; i++) {
      const weight = (bins as unknown[])[i]
      if (typeof weight !== 'number' || !(weight >= 0) || !Number.isFinite(weight)) fail(`bins[${i}]`)
      if ((weight as number) > 0) sketch.store.add((offset as number) + i, weight as number)
      binTotal += weight as number
    }
    if (Math.abs(binTotal + (zeroCount as number) - totals.count) > 1e-6 * Math.max(1, totals.count)) fail('count')
    sketch.zeroCount = zeroCount as number
    sketch.count = totals.count
    sketch.sum = totals.sum
    sketch.sumSq = totals.sumSq
    sketch.min = totals.min
    sketch.max = totals.max
    return sketch
  }
}
