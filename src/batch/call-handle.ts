import type { CallBatch } from './call-batch'

const noop = (): void => {}

/**
 * What a call with a `signal` carries besides its entries in a {@link CallBatch}: its state and
 * where it is, so that an abort can find it. It is its own abort listener (`handleEvent`), so
 * such a call costs one object more than a plain one, and a plain call costs none.
 */
export class CallHandle<I, O> {
  /** The batch the call is in: in the waiting lanes, in the queue, or running. */
  batch: CallBatch<I, O> | undefined = undefined
  /** Rejects the call's promise (an abort rejects at once, not through `resolve`). */
  reject: (reason: unknown) => void = noop

  constructor(
    readonly signal: AbortSignal,
    /** Its lane: a queued call is found in the high or the normal lane. */
    readonly high: boolean,
    /** WAITING, QUEUED, IN_FLIGHT or SETTLED. */
    public state: number,
    readonly onAbort: (handle: CallHandle<I, O>) => void,
  ) {}

  /** Its position in its batch: O(batch), paid on abort only. */
  index(): number {
    return (this.batch?.handles ?? []).indexOf(this)
  }

  handleEvent(): void {
    this.onAbort(this)
  }
}
