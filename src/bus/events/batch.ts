/**
 * Why a `BatchProcessor` flushed.
 * @example
 * ```ts
 * audit.bus.on('batch:flush', (e) => { if (e.reason === 'time') console.log(`partial batch of ${e.size}`) })
 * ```
 */
export type FlushReason = 'size' | 'time' | 'manual' | 'close'

/**
 * Payload of `batch:flush`: a `BatchProcessor` batch that its handler accepted.
 * @example
 * ```ts
 * audit.bus.on('batch:flush', (e) => console.log(`${e.processor}: ${e.size} items (${e.reason}) in ${e.durationMs} ms, ${e.attempts} attempt(s)`))
 * ```
 */
export interface BatchFlushEvent {
  /** The processor's `name`. */
  processor: string
  size: number
  reason: FlushReason
  /** Handler time of the successful attempt, in ms. */
  durationMs: number
  /** 1 + retries used. */
  attempts: number
  /** Mean time the batch's items waited in the queue before the flush began, in ms. */
  waitMs: number
}

/**
 * Payload of `batch:error`: a `BatchProcessor` batch that failed all its attempts.
 * @example
 * ```ts
 * audit.bus.on('batch:error', (e) => log.error({ err: e.error }, `${e.processor} lost ${e.size} items after ${e.attempts} attempts`))
 * ```
 */
export interface BatchErrorEvent {
  processor: string
  size: number
  attempts: number
  error: unknown
}

/**
 * Payload of `batch:retry`: a failed `BatchProcessor` batch about to be attempted again.
 * @example
 * ```ts
 * audit.bus.on('batch:retry', (e) => console.log(`${e.processor}: attempt ${e.attempt} in ${e.delayMs} ms`))
 * ```
 */
export interface BatchRetryEvent {
  processor: string
  size: number
  /** The attempt about to run (2 for the first retry). */
  attempt: number
  delayMs: number
  error: unknown
}

/**
 * Payload of `batch:drop`: items or calls refused or withdrawn before they were processed.
 * @example
 * ```ts
 * audit.bus.on('batch:drop', (e) => dropped.inc({ processor: e.processor, reason: e.reason }, e.count))
 * ```
 */
export interface BatchDropEvent {
  /** The BatchProcessor or PredictionBatcher `name`. */
  processor: string
  reason: 'queue-full' | 'aborted' | 'closed'
  count: number
}

/**
 * Payload of `prediction:batch`: one `predictMany` call of a `PredictionBatcher`, successful or not.
 * @example
 * ```ts
 * scores.bus.on('prediction:batch', (e) => console.log(`${e.batcher}: ${e.size} inputs for ${e.calls} calls in ${e.latencyMs} ms`))
 * ```
 */
export interface PredictionBatchEvent {
  /** The PredictionBatcher's `name`. */
  batcher: string
  /** Inputs sent to the batch function (after de-duplication). */
  size: number
  /** Callers served by this batch (>= size when `key` de-duplicates). */
  calls: number
  /** Time each caller waited in the queue before the batch started, in ms, one per caller. */
  waitsMs: readonly number[]
  /** Mean of `waitsMs`. */
  waitMs: number
  /** Time the batch function took, in ms. */
  latencyMs: number
  /** Queue length when the batch started. */
  queueSize: number
  /** Batches running, this one included. */
  inFlight: number
  /** Set when the whole batch failed. */
  error?: unknown
  /**
   * Callers rejected by an `Error` at their position in the results (the batch itself
   * succeeded). Absent means 0.
   */
  itemErrors?: number
}

/**
 * Events emitted by BatchProcessor and PredictionBatcher.
 * @example
 * ```ts
 * audit.bus.on('batch:error', (e) => log.error(e.error))
 * scores.bus.on('prediction:batch', (e) => console.log(e.size, e.waitMs))
 * ```
 */
export interface BatchEvents {
  'batch:flush': (event: BatchFlushEvent) => void
  'batch:error': (event: BatchErrorEvent) => void
  'batch:retry': (event: BatchRetryEvent) => void
  'batch:drop': (event: BatchDropEvent) => void
  'prediction:batch': (event: PredictionBatchEvent) => void
}
