import { type BusOption, PerfBus } from '../bus/bus'
import { PerfkitConfigError } from '../errors'
import { type Clock, toClock } from '../internal/clock'
import { nonEmptyString, nonNegativeFinite, oneOf, optionalSignal, positiveInt } from '../internal/validate'
import { OVERFLOW_STRATEGIES, type OverflowStrategy, queueSizeAtLeastBatch } from './common'
import { type RetryOptions, type RetryPolicy, resolveRetry } from './retry'

/**
 * Options of {@link BatchProcessor}.
 * @example
 * ```ts
 * const audit = new BatchProcessor<AuditEvent>((batch) => db.insertMany('audit', batch), {
 *   name: 'audit', maxBatchSize: 500, flushIntervalMs: 2000,
 * })
 * ```
 */
export interface BatchProcessorOptions extends BusOption {
  /** Used in events and metrics (the `processor` label). @defaultValue `'batch-processor'` */
  name?: string
  /** Flush as soon as this many items are queued; also the most items per flush. @defaultValue 100 */
  maxBatchSize?: number
  /**
   * Longest time the oldest queued item waits for a flush, in ms. 0 flushes on the next
   * turn of the event loop. @defaultValue 1000
   */
  flushIntervalMs?: number
  /** Most flushes running at once, retries included. 1 keeps batches in order. @defaultValue 1 */
  maxConcurrentFlushes?: number
  /** Most items queued (not yet handed to the handler), >= `maxBatchSize`. @defaultValue 10_000 */
  maxQueueSize?: number
  /** What `add()` does when the queue is full. @defaultValue `'reject'` */
  overflow?: OverflowStrategy
  /** How failed flushes are retried. @defaultValue 3 attempts, backoff 100 ms × 2^n with full jitter, capped at 30 s */
  retry?: RetryOptions
  /**
   * Longest one handler attempt may take, in ms; past it the attempt fails with a
   * {@link TimeoutError} (and may be retried). The handler is not cancelled: a late result is
   * ignored. 0 means no limit. @defaultValue 0
   */
  timeoutMs?: number
  /** Clock for queue waits and flush durations. @defaultValue `performance` */
  clock?: Clock | (() => number)
  /** Aborting it closes the processor (see {@link BatchProcessor.close}). */
  signal?: AbortSignal
}

/** Validated options. */
export interface ProcessorSettings {
  name: string
  maxBatchSize: number
  flushIntervalMs: number
  maxConcurrentFlushes: number
  maxQueueSize: number
  overflow: OverflowStrategy
  retry: RetryPolicy
  timeoutMs: number
  clock: Clock
  bus: PerfBus
  signal: AbortSignal | undefined
}

export function resolveProcessorOptions(options: BatchProcessorOptions): ProcessorSettings {
  if (typeof options !== 'object' || options === null) throw new PerfkitConfigError('options', 'an object', options)
  const {
    name = 'batch-processor',
    maxBatchSize = 100,
    flushIntervalMs = 1000,
    maxConcurrentFlushes = 1,
    maxQueueSize = Math.max(10_000, maxBatchSize),
    overflow = 'reject',
    retry,
    timeoutMs = 0,
    clock,
    bus = new PerfBus(),
    signal,
  } = options
  if (!(bus instanceof PerfBus)) throw new PerfkitConfigError('bus', 'a PerfBus', bus)
  if (clock !== undefined && typeof clock !== 'function' && typeof (clock as Clock | null)?.now !== 'function') {
    throw new PerfkitConfigError('clock', 'a function or an object with now()', clock)
  }
  return {
    name: nonEmptyString('name', name),
    maxBatchSize: positiveInt('maxBatchSize', maxBatchSize),
    flushIntervalMs: nonNegativeFinite('flushIntervalMs', flushIntervalMs),
    maxConcurrentFlushes: positiveInt('maxConcurrentFlushes', maxConcurrentFlushes),
    maxQueueSize: queueSizeAtLeastBatch(maxQueueSize, maxBatchSize),
    overflow: oneOf('overflow', overflow, OVERFLOW_STRATEGIES),
    retry: resolveRetry(retry),
    timeoutMs: nonNegativeFinite('timeoutMs', timeoutMs),
    clock: toClock(clock),
    bus,
    signal: optionalSignal('signal', signal),
  }
}
