// PredictionBatcher's queue: calls grouped into batches in the making (CallBatch), in two FIFO
// lanes, high priority first. A new call joins the last batch of its lane until that batch
// holds `capacity` calls (the batch size), so in a burst each batch is complete when it is
// taken and goes out whole. Taking fewer calls, or calls from several batches (a high-priority
// call topped up with normal ones, a smaller maxBatchSize set by configure(), de-duplication),
// copies them into a new batch: the rarer path.
//
// An aborted call is spliced out of its batch at once, so the size is always exact (that is
// what `maxQueueSize` is measured on) and nothing dead is kept: a batch left empty is unlinked.
import { CallBatch } from './call-batch'
import type { CallHandle } from './call-handle'

/** One FIFO lane: a doubly linked list of batches, never an empty one. */
export class CallLane<I, O> {
  head: CallBatch<I, O> | undefined = undefined
  tail: CallBatch<I, O> | undefined = undefined

  /** The batch a new call joins: the last one, or a new one when that holds `capacity` calls. */
  open(capacity: number, keyed: boolean): CallBatch<I, O> {
    const tail = this.tail
    if (tail !== undefined && tail.count < capacity) return tail
    const batch = new CallBatch<I, O>(keyed)
    batch.prev = tail
    if (tail === undefined) this.head = batch
    else tail.next = batch
    this.tail = batch
    return batch
  }

  /** Unlinks `batch`, which must be in this lane. */
  unlink(batch: CallBatch<I, O>): void {
    if (batch.prev === undefined) this.head = batch.next
    else batch.prev.next = batch.next
    if (batch.next === undefined) this.tail = batch.prev
    else batch.next.prev = batch.prev
    batch.prev = batch.next = undefined
  }

  /** Removes the first `n` calls of the head batch (all of them unlinks it). */
  dropFront(n: number): void {
    const head = this.head as CallBatch<I, O>
    if (n === head.count) this.unlink(head)
    else head.removeCalls(0, n)
  }
}

/** The two lanes of queued calls (or of calls waiting for room), with their sizes. */
export class CallQueue<I, O> {
  readonly high = new CallLane<I, O>()
  readonly normal = new CallLane<I, O>()
  /**
   * Calls ever added, and calls that ever left (taken, moved, withdrawn). Two running totals
   * rather than a size, so that adding a call costs one increment; `added` doubles as the
   * arrival count that adaptive sizing measures.
   */
  added = 0
  left = 0
  /** Calls in the high lane. */
  highSize = 0

  /** @param keyed whether calls carry a key (the batcher has a `key` function). */
  constructor(readonly keyed: boolean) {}

  /** Calls in both lanes. */
  get size(): number {
    return this.added - this.left
  }

  /**
   * Queues a call without key, signal or priority (the common call) and returns its promise.
   * `capacity` is the batch size: the most calls a batch in the making takes.
   */
  addPlain(input: I, arrival: number, capacity: number): Promise<O> {
    const batch = this.normal.open(capacity, false)
    const at = batch.count++
    // The executor stores `resolve` straight into the batch. V8 inlines it (no closure is
    // allocated), and the batch is a young object, so the store needs no write barrier; parking
    // it in a module variable instead (see promiseFor) costs a barrier call per call, as a
    // module's context lives in the old generation.
    const promise = new Promise<O>((resolve) => {
      batch.resolves[at] = resolve
    })
    batch.inputs[at] = input
    batch.arrivals[at] = arrival
    this.added++
    return promise
  }

  /** Queues any call at the back of its lane and returns its promise (see {@link addPlain}). */
  add(input: I, key: unknown, high: boolean, arrival: number, handle: CallHandle<I, O> | undefined, capacity: number): Promise<O> {
    const batch = (high ? this.high : this.normal).open(capacity, this.keyed)
    const at = batch.count++
    const promise = new Promise<O>((resolve, reject) => {
      batch.resolves[at] = resolve
      if (handle !== undefined) handle.reject = reject // an abort rejects at once
    })
    batch.inputs[at] = input
    batch.arrivals[at] = arrival
    if (batch.keys !== undefined) batch.keys[at] = key
    if (handle !== undefined) batch.setHandle(at, handle)
    this.added++
    if (high) this.highSize++
    return promise
  }

  /** When the longest-queued call arrived; Infinity when empty. */
  oldestAt(): number {
    const high = this.high.head
    const normal = this.normal.head
    const a = high === undefined ? Infinity : (high.arrivals[0] as number)
    const b = normal === undefined ? Infinity : (normal.arrivals[0] as number)
    return a < b ? a : b
  }

  /**
   * The next batch when it can go out as it formed: one lane is empty and the other's first
   * batch holds exactly `max` calls, or all of that lane's calls and no more than `max`. It is
   * unlinked and returned; otherwise undefined (the caller then assembles one with {@link takeFront}).
   */
  takeWhole(max: number): CallBatch<I, O> | undefined {
    const highSize = this.highSize
    const high = highSize > 0
    if (high && highSize < this.size) return undefined // both lanes hold calls
    const lane = high ? this.high : this.normal
    const head = lane.head as CallBatch<I, O>
    const n = head.count
    if (n !== max && (n > max || head !== lane.tail)) return undefined
    lane.unlink(head)
    this.removed(lane, n)
    return head
  }

  /**
   * Moves up to `n` calls from the front of `lane` (one of this queue's) to the back of `batch`,
   * inputs and keys included; their handles, if any, take `state`. Returns how many moved.
   */
  takeFront(lane: CallLane<I, O>, n: number, batch: CallBatch<I, O>, state: number): number {
    let moved = 0
    for (let from = lane.head; from !== undefined && moved < n; from = lane.head) {
      const take = Math.min(n - moved, from.count)
      for (let i = 0; i < take; i++) {
        batch.inputs[batch.count] = from.inputs[i] as I
        if (batch.keys !== undefined) batch.keys[batch.count] = from.keys?.[i]
        batch.appendFrom(from, i, state)
      }
      lane.dropFront(take)
      moved += take
    }
    this.removed(lane, moved)
    return moved
  }

  /**
   * Moves the first `n` calls (high lane first) to the back of the same lanes of `target`,
   * regrouped into batches of `capacity`; their handles, if any, take `state`. Calls `onMove`
   * with the key of each call moved.
   */
  moveTo(target: CallQueue<I, O>, n: number, capacity: number, state: number, onMove?: (key: unknown) => void): void {
    let left = n
    for (const lane of [this.high, this.normal]) {
      const high = lane === this.high
      const into = high ? target.high : target.normal
      for (let from = lane.head; from !== undefined && left > 0; from = lane.head) {
        const take = Math.min(left, from.count)
        for (let i = 0; i < take; i++) {
          const batch = into.open(capacity, target.keyed)
          const key = from.keys?.[i]
          batch.inputs[batch.count] = from.inputs[i] as I
          if (batch.keys !== undefined) batch.keys[batch.count] = key
          batch.appendFrom(from, i, state)
          onMove?.(key)
        }
        lane.dropFront(take)
        this.removed(lane, take)
        target.added += take
        if (high) target.highSize += take
        left -= take
      }
    }
  }

  /** Removes call `index` of `batch`, a batch in this queue's high (`high`) or normal lane. */
  removeAt(high: boolean, batch: CallBatch<I, O>, index: number): void {
    const lane = high ? this.high : this.normal
    if (batch.count === 1) lane.unlink(batch)
    else batch.removeCalls(index, 1)
    this.removed(lane, 1)
  }

  /** Accounts for `n` calls that left `lane`. */
  removed(lane: CallLane<I, O>, n: number): void {
    this.left += n
    if (lane === this.high) this.highSize -= n
  }
}
