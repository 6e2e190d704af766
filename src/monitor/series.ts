// One labelled series of a metric, with its rolling windows.
//
// Time is cut into 10 s "fine" slots. A write lands in the series' current cell; when the
// clock enters a new slot the cell is flushed into the ring of fine slots (the 1 m window),
// the ring of 1 min "coarse" slots (5 m and 15 m), the whole-life total and the
// since-last-snapshot accumulator that history reads. Windows are merged on read, so a
// write stays one add whatever the number of windows.
import type { Labels } from '../bus/events/monitor'
import type { BucketIndex } from './buckets'
import type { HistoryRing } from './history-ring'
import type { Sketch, SketchFactory } from './sketch'

/** Width of a fine slot, ms. The 1 m window is exact to within one slot. */
export const SLOT_MS = 10_000
/** Fine slots kept: 1 m. */
export const FINE_SLOTS = 6
/** Fine slots per coarse slot: coarse slots are 1 min wide. */
export const SLOTS_PER_COARSE = 6
export const COARSE_MS = SLOT_MS * SLOTS_PER_COARSE
/** Coarse slots kept: 15 m. */
export const COARSE_SLOTS = 15

/**
 * A read window: the last 1, 5 or 15 minutes, or the series' whole life.
 * @example
 * ```ts
 * const window: StatsWindow = '5m'
 * monitor.stats('http_server_request_duration_seconds', undefined, { window })?.p95
 * ```
 */
export type StatsWindow = '1m' | '5m' | '15m' | 'all'

/** Coarse slots each window spans (`all` and `1m` do not use them). */
const COARSE_SPAN: Readonly<Record<StatsWindow, number>> = { '1m': 0, '5m': 5, '15m': 15, all: 0 }

/** The fine slot holding clock time `t` (ms). */
export function slotOf(t: number): number {
  return Math.floor(t / SLOT_MS)
}

function mod(k: number, n: number): number {
  const r = k % n
  return r < 0 ? r + n : r
}

/**
 * Clock time (ms) where `window` begins when the current fine slot is `k`: the start of its
 * oldest slot. The window then covers between its length minus one slot and its length.
 */
export function windowStart(window: StatsWindow, k: number): number {
  if (window === '1m') return (k - FINE_SLOTS + 1) * SLOT_MS
  if (window === 'all') return -Infinity
  const c = Math.floor(k / SLOTS_PER_COARSE)
  return (c - COARSE_SPAN[window] + 1) * COARSE_MS
}

/** What every series has. */
export abstract class Series {
  readonly labels: Labels
  /** The series map key. */
  readonly key: string
  /** Labels rendered for the exposition format, without braces. */
  readonly rendered: string
  /** Clock time of creation, ms: rates never reach back past it. */
  readonly created: number
  /** Fine slot of the current cell. */
  slot: number
  /** Fine slot of the last write: idle series expire from it. */
  touched: number
  /** This series' own history, for labelled series. */
  history: HistoryRing | undefined
  /** Set when the series expired: handles and caches holding it must look again. */
  dead = false
  /** Clock time of the last history snapshot (creation before the first), ms. */
  snapshotAt: number

  constructor(labels: Labels, key: string, rendered: string, created: number, slot: number) {
    this.labels = labels
    this.key = key
    this.rendered = rendered
    this.created = created
    this.snapshotAt = created
    this.slot = slot
    this.touched = slot
  }
}

/** A distribution series: sketches per slot plus exact cumulative histogram buckets. */
export class DistributionSeries extends Series {
  readonly factory: SketchFactory
  /** The cell writes land in. */
  cur: Sketch
  readonly #fine: Array<Sketch | undefined> = new Array<Sketch | undefined>(FINE_SLOTS).fill(undefined)
  readonly #fineStamp = new Float64Array(FINE_SLOTS).fill(Number.NaN)
  readonly #coarse: Array<Sketch | undefined> = new Array<Sketch | undefined>(COARSE_SLOTS).fill(undefined)
  readonly #coarseStamp = new Float64Array(COARSE_SLOTS).fill(Number.NaN)
  #lifetime: Sketch | undefined
  /** Everything flushed since the last history snapshot. */
  #pending: Sketch | undefined
  /** `#pending` is a fine slot, not a copy: it must not be merged into. */
  #pendingShared = false
  /** Count per histogram bucket (not cumulative); the last one is +Inf. */
  readonly buckets: Float64Array
  readonly #index: BucketIndex

  constructor(labels: Labels, key: string, rendered: string, created: number, slot: number, factory: SketchFactory, index: BucketIndex) {
    super(labels, key, rendered, created, slot)
    this.factory = factory
    this.cur = factory.create()
    this.#index = index
    this.buckets = new Float64Array(index.bounds.length + 1)
  }

  /** Records `value` in the current cell and its histogram bucket. */
  add(value: number): void {
    const bucket = this.#index.of(value, this.cur.add(value))
    const b = this.buckets
    b[bucket] = (b[bucket] as number) + 1
  }

  /** Moves to fine slot `k`, flushing the current cell first. */
  advance(k: number): void {
    if (k <= this.slot) return
    this.flush()
    // The slot just left (and its minute, if that ended too) will not be written again: compact them.
    const old = this.slot
    const fine = mod(old, FINE_SLOTS)
    if (this.#fineStamp[fine] === old) this.#fine[fine] = (this.#fine[fine] as Sketch).freeze()
    const minute = Math.floor(old / SLOTS_PER_COARSE)
    const coarse = mod(minute, COARSE_SLOTS)
    if (Math.floor(k / SLOTS_PER_COARSE) > minute && this.#coarseStamp[coarse] === minute) {
      this.#coarse[coarse] = (this.#coarse[coarse] as Sketch).freeze()
    }
    // The positions of the slots entered (skipped ones included) hold data over a minute old: free them.
    for (let slot = old + 1; slot <= k && slot <= old + FINE_SLOTS; slot++) {
      const position = mod(slot, FINE_SLOTS)
      this.#fine[position] = undefined
      this.#fineStamp[position] = Number.NaN
    }
    this.slot = k
  }

  /** Flushes the current cell into the windows, the whole-life total and the snapshot accumulator. */
  flush(): void {
    const cell = this.cur
    if (cell.count === 0) return
    const k = this.slot
    const i = mod(k, FINE_SLOTS)
    let slot: Sketch
    if (this.#fineStamp[i] === k) {
      slot = this.#fine[i] as Sketch
      slot.mergeFrom(cell)
    } else {
      slot = this.#fine[i] = cell // the cell itself becomes the slot: no copy
      this.#fineStamp[i] = k
    }
    const c = Math.floor(k / SLOTS_PER_COARSE)
    const j = mod(c, COARSE_SLOTS)
    if (this.#coarseStamp[j] !== c) {
      this.#coarse[j] = this.factory.create()
      this.#coarseStamp[j] = c
    }
    ;(this.#coarse[j] as Sketch).mergeFrom(cell)
    ;(this.#lifetime ??= this.factory.create()).mergeFrom(cell)
    // With snapshots as often as slots (the default), everything since the last snapshot is
    // one fine slot: share it instead of copying, and copy only if a second slot joins.
    if (this.#pending === undefined) {
      this.#pending = slot
      this.#pendingShared = true
    } else if (this.#pendingShared && this.#pending !== slot) {
      const own = this.factory.create()
      own.mergeFrom(this.#pending)
      own.mergeFrom(cell)
      this.#pending = own
      this.#pendingShared = false
    } else if (!this.#pendingShared) {
      this.#pending.mergeFrom(cell)
    } // else: pending is this very slot, which already took the cell in
    this.cur = this.factory.create()
  }

  /** Merges what `window` covers at fine slot `k` into `into` (the series must be advanced to `k`). */
  collect(window: StatsWindow, k: number, into: Sketch): void {
    if (window === 'all') {
      if (this.#lifetime !== undefined) into.mergeFrom(this.#lifetime)
    } else if (window === '1m') {
      for (let i = 0; i < FINE_SLOTS; i++) {
        const stamp = this.#fineStamp[i] as number
        if (stamp > k - FINE_SLOTS && stamp <= k) into.mergeFrom(this.#fine[i] as Sketch)
      }
    } else {
      const c = Math.floor(k / SLOTS_PER_COARSE)
      const span = COARSE_SPAN[window]
      for (let i = 0; i < COARSE_SLOTS; i++) {
        const stamp = this.#coarseStamp[i] as number
        if (stamp > c - span && stamp <= c) into.mergeFrom(this.#coarse[i] as Sketch)
      }
    }
    into.mergeFrom(this.cur)
  }

  /** Sum of every value over the series' life. */
  get lifetimeSum(): number {
    return (this.#lifetime?.sum ?? 0) + this.cur.sum
  }

  /** Returns what was flushed since the last call and starts a new accumulator. */
  takePending(): Sketch | undefined {
    const pending = this.#pending
    this.#pending = undefined
    this.#pendingShared = false
    return pending
  }

  /** Adds a whole-life state (from another process) as if recorded now. */
  absorb(sketch: Sketch, buckets: ArrayLike<number>): void {
    this.cur.mergeFrom(sketch)
    const own = this.buckets
    for (let i = 0; i < own.length; i++) own[i] = (own[i] as number) + (buckets[i] as number)
  }
}

/** A counter series: a total plus increases per fine and coarse slot. */
export class CounterSeries extends Series {
  total = 0
  /** `total` at the last history snapshot. */
  snapshotTotal = 0
  /** Index of the current fine and coarse cells. */
  pos: number
  cpos: number
  readonly fine = new Float64Array(FINE_SLOTS)
  readonly #fineStamp = new Float64Array(FINE_SLOTS).fill(Number.NaN)
  readonly coarse = new Float64Array(COARSE_SLOTS)
  readonly #coarseStamp = new Float64Array(COARSE_SLOTS).fill(Number.NaN)

  constructor(labels: Labels, key: string, rendered: string, created: number, slot: number) {
    super(labels, key, rendered, created, slot)
    this.pos = 0
    this.cpos = 0
    this.advance(this.slot, true)
  }

  /** Adds `by` to the total and the current cells. */
  add(by: number): void {
    const fine = this.fine
    const coarse = this.coarse
    fine[this.pos] = (fine[this.pos] as number) + by
    coarse[this.cpos] = (coarse[this.cpos] as number) + by
    this.total += by
  }

  /** Points the current cells at fine slot `k`, zeroing cells left from older slots. */
  advance(k: number, force = false): void {
    if (k <= this.slot && !force) return
    this.slot = k
    const i = mod(k, FINE_SLOTS)
    if (this.#fineStamp[i] !== k) {
      this.fine[i] = 0
      this.#fineStamp[i] = k
    }
    const c = Math.floor(k / SLOTS_PER_COARSE)
    const j = mod(c, COARSE_SLOTS)
    if (this.#coarseStamp[j] !== c) {
      this.coarse[j] = 0
      this.#coarseStamp[j] = c
    }
    this.pos = i
    this.cpos = j
  }

  /** Increase over `window` at fine slot `k`. */
  increase(window: StatsWindow, k: number): number {
    if (window === 'all') return this.total
    let sum = 0
    if (window === '1m') {
      for (let i = 0; i < FINE_SLOTS; i++) {
        const stamp = this.#fineStamp[i] as number
        if (stamp > k - FINE_SLOTS && stamp <= k) sum += this.fine[i] as number
      }
      return sum
    }
    const c = Math.floor(k / SLOTS_PER_COARSE)
    const span = COARSE_SPAN[window]
    for (let i = 0; i < COARSE_SLOTS; i++) {
      const stamp = this.#coarseStamp[i] as number
      if (stamp > c - span && stamp <= c) sum += this.coarse[i] as number
    }
    return sum
  }
}

/** A gauge series: the last value set. */
export class GaugeSeries extends Series {
  value = 0
}
