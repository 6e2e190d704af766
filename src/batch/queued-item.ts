import { QUEUED, type Settleable } from './common'
import type { QueueNode } from './linked-queue'

/**
 * Options of one {@link BatchProcessor.add} or {@link BatchProcessor.addMany}.
 * @example
 * ```ts
 * await audit.add(event, { signal: AbortSignal.timeout(5_000) })
 * ```
 */
export interface AddOptions {
  /**
   * Withdraws the item while it waits for room or sits in the queue: its promise rejects with
   * an {@link AbortError} and the handler never sees it. Once its flush has started, the item
   * belongs to the handler and aborting changes nothing.
   */
  signal?: AbortSignal
}

const noop = (): void => {}

/** One `add()`ed item from its arrival until its flush settles. It is its own abort listener. */
export class QueuedItem<T, R> implements QueueNode<QueuedItem<T, R>>, Settleable<R> {
  prev: QueuedItem<T, R> | undefined = undefined
  next: QueuedItem<T, R> | undefined = undefined
  /** WAITING, QUEUED, IN_FLIGHT or SETTLED. */
  state = QUEUED
  /** Arrival order once admitted to the queue; flush() waits for everything up to a seq. */
  seq = 0
  resolve: (value: R) => void = noop
  reject: (reason: unknown) => void = noop

  constructor(
    readonly item: T,
    readonly enqueuedAt: number,
    readonly signal: AbortSignal | undefined,
    readonly onAbort: (entry: QueuedItem<T, R>) => void,
  ) {}

  handleEvent(): void {
    this.onAbort(this)
  }
}

/** A flush in progress: its items, retries and backoff included. */
export interface RunningFlush<T, R> {
  entries: QueuedItem<T, R>[]
  firstSeq: number
  reason: import('../bus/events/batch').FlushReason
  /** Mean queue wait of the items, ms. */
  waitMs: number
}
