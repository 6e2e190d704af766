// Pieces shared by BatchProcessor and PredictionBatcher.
import { PerfkitConfigError, PerfkitInputError } from '../errors'
import { positiveInt } from '../internal/validate'

/**
 * What `add()`/`predict()` does when the queue holds `maxQueueSize` items: `'reject'` fails
 * the call at once with a {@link QueueFullError}; `'wait'` makes it wait, in arrival order,
 * until there is room (its `signal` can end the wait with an {@link AbortError}).
 * @example
 * ```ts
 * const overflow: OverflowStrategy = 'wait'
 * const audit = new BatchProcessor(writeBatch, { maxQueueSize: 5_000, overflow })
 * ```
 */
export type OverflowStrategy = 'reject' | 'wait'

export const OVERFLOW_STRATEGIES = ['reject', 'wait'] as const

// Life of a queued item. Plain numbers: `const enum` does not survive isolatedModules.
export const WAITING = 0 // waiting for room in a full queue (overflow 'wait')
export const QUEUED = 1
export const IN_FLIGHT = 2
export const SETTLED = 3

/** `maxQueueSize` must leave room for a full batch, or the size trigger could never fire. */
export function queueSizeAtLeastBatch(maxQueueSize: unknown, maxBatchSize: number): number {
  positiveInt('maxQueueSize', maxQueueSize)
  if ((maxQueueSize as number) < maxBatchSize) {
    throw new PerfkitConfigError('maxQueueSize', `an integer >= maxBatchSize (${maxBatchSize})`, maxQueueSize)
  }
  return maxQueueSize as number
}

/** The `signal` of a per-call options object, checked without throwing. */
export function callSignal(signal: unknown): AbortSignal | PerfkitInputError | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal
  return new PerfkitInputError('options.signal', 'an AbortSignal', signal)
}

// `new Promise(capture)` hands out a promise without allocating an executor closure per call:
// the executor runs synchronously, so the resolvers are read back right after.
let capturedResolve: (value: never) => void = () => {}
let capturedReject: (reason: unknown) => void = () => {}
function capture(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  capturedResolve = resolve
  capturedReject = reject
}

/** Something that receives the resolvers of the promise handed to its caller. */
export interface Settleable<T> {
  resolve: (value: T) => void
  reject: (reason: unknown) => void
}

/** Creates a promise and stores its resolvers on `target`; returns the promise. */
export function promiseFor<T>(target: Settleable<T>): Promise<T> {
  const promise = new Promise<T>(capture as (resolve: (value: T) => void, reject: (reason: unknown) => void) => void)
  target.resolve = capturedResolve as (value: T) => void
  target.reject = capturedReject
  return promise
}
