// The calls of one PredictionBatcher batch, first while it forms in the queue, then while it runs.
//
// Why parallel arrays and not one object per call: in a synchronous burst the per-call cost is
// dominated by allocation and garbage collection, so a call is stored as one entry in each of a
// few arrays (its input, its promise's resolve function, its arrival time as an unboxed double)
// and costs no object of its own. Its reject function is not kept: a failed call is rejected
// through `resolve` with a rejected promise (see `failWith`), so the reject function dies young
// and the queue holds less for the garbage collector to copy. Calls arrive straight into the batch they will be sent in, so a
// full batch is handed to `predictMany` as it is, with no per-call copying. The rare kinds of
// call carry more: a keyed batcher keeps `keys`, and a call with a `signal` has a CallHandle
// (its abort listener) in `handles`, an array that exists only once such a call joins.
//
// The per-call arrays other than `inputs` are internal, so they are allocated with room for 16
// calls up front and filled by index up to `count`: a batch of up to 16 then never grows them
// (entries past `count` are holes; a larger batch grows them as it fills). `inputs` is handed to
// `predictMany`, so it holds exactly the batch's inputs.
import type { CallHandle } from './call-handle'

export class CallBatch<I, O> {
  /** Calls in the batch (aborted ones included once it runs); the per-call arrays are valid up to it. */
  count = 0
  /** Per call while queued; once running, the inputs sent (one per slot, fewer than calls with `key`). */
  readonly inputs: I[] = []
  // A constant length, which V8 allocates inline (a variable one costs a runtime call).
  readonly resolves: Array<(value: O | PromiseLike<O>) => void> = new Array(16)
  /** When each call arrived, in clock ms. */
  readonly arrivals: number[] = new Array(16)
  /** `key(input)` of each queued call, in a keyed batcher only. */
  readonly keys: unknown[] | undefined
  /** The handle of each call that has a signal (a hole for the others); undefined until one joins. */
  handles: Array<CallHandle<I, O> | undefined> | undefined = undefined
  // Queue links (a batch in the making sits in a CallLane).
  prev: CallBatch<I, O> | undefined = undefined
  next: CallBatch<I, O> | undefined = undefined

  // Set when the batch starts.
  /** With `key`: the input slot of each call. Without, call i has slot i. */
  slots: number[] | undefined = undefined
  /** With `key`: the key of each input slot, for the cache. */
  slotKeys: unknown[] | undefined = undefined
  /** Inputs sent (read before `predictMany` can touch the array). */
  size = 0
  startedAt = 0
  /** The sum of its calls' queue waits. */
  waitSum = 0
  /** Calls queued when it started, and batches in flight with it (for the event). */
  queueSize = 0
  inFlight = 0
  done = false
  timer: NodeJS.Timeout | undefined = undefined

  constructor(keyed: boolean) {
    this.keys = keyed ? [] : undefined
  }

  /** Records `handle` for call `index`. */
  setHandle(index: number, handle: CallHandle<I, O>): void {
    ;(this.handles ??= [])[index] = handle
    handle.batch = this
  }

  /**
   * Appends call `index` of `from` except its input and key (the caller places those: a
   * de-duplicated batch sends one input per slot); its handle, if any, moves here with `state`.
   */
  appendFrom(from: CallBatch<I, O>, index: number, state: number): void {
    const at = this.count++
    this.resolves[at] = from.resolves[index] as (value: O | PromiseLike<O>) => void
    this.arrivals[at] = from.arrivals[index] as number
    const handle = from.handles?.[index]
    if (handle !== undefined) {
      this.setHandle(at, handle)
      handle.state = state
    }
  }

  /** Removes `n` calls from `index` on (O(batch): a batch holds at most one batch's worth of calls). */
  removeCalls(index: number, n: number): void {
    this.inputs.splice(index, n)
    this.resolves.splice(index, n)
    this.arrivals.splice(index, n)
    this.keys?.splice(index, n)
    this.handles?.splice(index, n)
    this.count -= n
  }
}

/**
 * Rejects the caller whose promise `resolve` settles, with `reason`: resolving a promise with a
 * rejected one rejects it with the same reason (two microtask turns later than a direct reject).
 */
export function failWith<O>(resolve: (value: O | PromiseLike<O>) => void, reason: unknown): void {
  resolve(Promise.reject(reason))
}
