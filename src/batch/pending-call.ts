import { QUEUED, type Settleable } from './common'
import type { LaneNode } from './linked-queue'

const noop = (): void => {}

/**
 * One `predict()` call from its arrival until it settles. It links itself into the queue, and
 * it is its own abort listener (`handleEvent`), so a call costs one object and one promise.
 */
export class PendingCall<I, O> implements LaneNode<PendingCall<I, O>>, Settleable<O> {
  prev: PendingCall<I, O> | undefined = undefined
  next: PendingCall<I, O> | undefined = undefined
  /** WAITING, QUEUED, IN_FLIGHT or SETTLED. */
  state = QUEUED
  /** Index of this call's input in its batch (shared by de-duplicated calls). */
  slot = 0
  resolve: (value: O) => void = noop
  reject: (reason: unknown) => void = noop
  /**
   * When the call arrived, in clock ms. Initialised with a non-number on purpose: V8 then keeps
   * the field "tagged", so the calls of a burst that share one arrival time store a pointer to
   * one boxed number. A field first written with a double is kept unboxed instead, and every
   * call would allocate its own box (about a third of the per-call cost, measured).
   */
  readonly enqueuedAt: number = null as unknown as number

  constructor(
    readonly input: I,
    /** `key(input)`, or undefined without a key function. */
    readonly key: unknown,
    readonly high: boolean,
    enqueuedAt: number,
    readonly signal: AbortSignal | undefined,
    readonly onAbort: (call: PendingCall<I, O>) => void,
  ) {
    this.enqueuedAt = enqueuedAt
  }

  handleEvent(): void {
    this.onAbort(this)
  }
}

/** A batch handed to `predictMany`, until it settles or times out. */
export class RunningBatch<I, O> {
  done = false
  timer: NodeJS.Timeout | undefined = undefined

  constructor(
    readonly calls: PendingCall<I, O>[],
    /** The key of each input slot, when results are cached. */
    readonly keys: unknown[] | undefined,
    /** Inputs sent (<= calls.length with de-duplication). */
    readonly size: number,
    readonly startedAt: number,
    readonly queueSize: number,
    readonly inFlight: number,
  ) {}
}
