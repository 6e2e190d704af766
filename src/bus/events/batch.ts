/** Why a `BatchProcessor` flushed. */
export type FlushReason = 'size' | 'time' | 'manual' | 'close'

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

export interface BatchErrorEvent {
  processor: string
  size: number
  attempts: number
  error: unknown
}

export interface BatchRetryEvent {
  processor: string
  size: number
  /** The attempt about to run (2 for the first retry). */
  attempt: number
  delayMs: number
  error: unknown
}

export interface BatchDropEvent {
  /** The BatchProcessor or PredictionBatcher `name`. */
  processor: string
  reason: 'queue-full' | 'aborted' | 'closed'
  count: number
}

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

/** Events emitted by BatchProcessor and PredictionBatcher. */
export interface BatchEvents {
  'batch:flush': (event: BatchFlushEvent) => void
  'batch:error': (event: BatchErrorEvent) => void
  'batch:retry': (event: BatchRetryEvent) => void
  'batch:drop': (event: BatchDropEvent) => void
  'prediction:batch': (event: PredictionBatchEvent) => void
}
