import type { FlushReason } from '../bus/events/batch'
import { type LatencyPercentiles, SampleRing } from './sample-ring'

/**
 * Calls refused or withdrawn before they reached the handler, by reason.
 * @example
 * ```ts
 * const { queueFull, aborted } = audit.stats().dropped
 * ```
 */
export interface DropCounts {
  /** Refused with QueueFullError (overflow `'reject'`). */
  queueFull: number
  /** Withdrawn by their AbortSignal. */
  aborted: number
  /** Refused with ClosedError after `close()`. */
  closed: number
}

/**
 * A snapshot of a {@link BatchProcessor}: counters since construction (or `resetStats()`) and current state.
 * @example
 * ```ts
 * const stats = audit.stats()
 * console.log(stats.queueDepth, stats.averageBatchSize, stats.flushDurationMs.p95)
 * ```
 */
export interface BatchProcessorStats {
  name: string
  /** Flushes that finished, successfully or not. */
  batches: number
  /** Items in those flushes. */
  items: number
  /** items / batches; 0 before the first flush finished. */
  averageBatchSize: number
  /** Flushes started, by what triggered them. */
  flushes: Record<FlushReason, number>
  /** Flushes that failed after all their attempts. */
  failures: number
  /** Items in failed flushes (their `add()` rejected with FlushError). */
  failedItems: number
  /** Retries run (attempts after the first). */
  retries: number
  dropped: DropCounts
  /** Items queued now, not yet handed to the handler. */
  queueDepth: number
  /** `add()` calls waiting for room now (overflow `'wait'`). */
  waiting: number
  /** Flushes running now, retries and backoff included. */
  inFlightFlushes: number
  /** Time from `add()` to the start of the item's flush, in ms (percentiles over the last 1024 items). */
  queueWaitMs: LatencyPercentiles
  /** Handler time of successful flushes (the successful attempt), in ms (last 1024 flushes). */
  flushDurationMs: LatencyPercentiles
}

/** The mutable counters behind {@link BatchProcessorStats}. */
export class ProcessorStatsCounter {
  batches = 0
  items = 0
  failures = 0
  failedItems = 0
  retries = 0
  flushes: Record<FlushReason, number> = { size: 0, time: 0, manual: 0, close: 0 }
  dropped: DropCounts = { queueFull: 0, aborted: 0, closed: 0 }
  readonly queueWait = new SampleRing()
  readonly flushDuration = new SampleRing()

  snapshot(name: string, queueDepth: number, waiting: number, inFlightFlushes: number): BatchProcessorStats {
    return {
      name,
      batches: this.batches,
      items: this.items,
      averageBatchSize: this.batches === 0 ? 0 : this.items / this.batches,
      flushes: { ...this.flushes },
      failures: this.failures,
      failedItems: this.failedItems,
      retries: this.retries,
      dropped: { ...this.dropped },
      queueDepth,
      waiting,
      inFlightFlushes,
      queueWaitMs: this.queueWait.summary(),
      flushDurationMs: this.flushDuration.summary(),
    }
  }

  reset(): void {
    this.batches = this.items = this.failures = this.failedItems = this.retries = 0
    this.flushes = { size: 0, time: 0, manual: 0, close: 0 }
    this.dropped = { queueFull: 0, aborted: 0, closed: 0 }
    this.queueWait.clear()
    this.flushDuration.clear()
  }
}
