import { CallLatencyWindow } from './call-latency'
import type { DropCounts } from './processor-stats'
import { type LatencyPercentiles, SampleRing } from './sample-ring'

/**
 * A snapshot of a {@link PredictionBatcher}. The first four fields carry the reference
 * system's names and meaning; counters run since construction or `resetStats()`. Percentiles
 * cover the last 1024 samples: a fixed ring rather than a sketch, because recording then costs
 * one store on the per-call hot path, memory stays constant, and the figures describe the
 * batcher now rather than since it started.
 * @example
 * ```ts
 * const stats = scores.stats()
 * console.log(`${stats.batchingEfficiency.toFixed(0)} % full, p95 ${stats.callLatencyMs.p95} ms`)
 * ```
 */
export interface PredictionBatcherStats {
  name: string
  /** Inputs per `predictMany` call, averaged over finished batches; 0 before the first. */
  averageBatchSize: number
  /** averageBatchSize / maxBatchSize, in % (0..100). */
  batchingEfficiency: number
  /** Mean time a call waited in the queue before its batch started, in ms. */
  averageWaitTime: number
  /** Calls queued now, not yet sent to the model. */
  queueSize: number
  /** Calls waiting for room in a full queue now (overflow `'wait'`). */
  waiting: number
  /** `predictMany` calls running now. */
  inFlightBatches: number
  /** Batches finished (succeeded or failed). */
  batches: number
  /** `predict()` calls, every outcome included (cache hits, refusals). */
  calls: number
  /** Calls that rejected because their batch failed or their result was an Error. */
  errors: number
  /** Batches that failed as a whole (threw, rejected, wrong length, timed out). */
  failedBatches: number
  /** Calls answered from `cache` without queuing. */
  cacheHits: number
  /** Calls that shared another call's slot through `key`. */
  deduplicated: number
  dropped: DropCounts
  /** Duration of `predictMany` calls, in ms (percentiles over the last 1024 batches). */
  batchLatencyMs: LatencyPercentiles
  /** From `predict()` to the result, queue wait included, in ms (last 1024 calls served by a batch). */
  callLatencyMs: LatencyPercentiles
  /** Size at which a batch is sent now: `maxBatchSize`, 1 when disabled, or the adaptive choice. */
  effectiveBatchSize: number
  /** Wait before a partial batch is sent now, in ms. */
  effectiveWaitMs: number
}

/** The mutable counters behind {@link PredictionBatcherStats}. */
export class PredictionStatsCounter {
  calls = 0
  batches = 0
  /** Inputs sent in finished batches. */
  inputs = 0
  errors = 0
  failedBatches = 0
  cacheHits = 0
  deduplicated = 0
  waitSum = 0
  waitCount = 0
  dropped: DropCounts = { queueFull: 0, aborted: 0, closed: 0 }
  readonly batchLatency = new SampleRing()
  readonly callLatency = new CallLatencyWindow()

  /** The snapshot, given the current state the counters do not hold. */
  snapshot(
    name: string,
    maxBatchSize: number,
    state: Pick<PredictionBatcherStats, 'queueSize' | 'waiting' | 'inFlightBatches' | 'effectiveBatchSize' | 'effectiveWaitMs'>,
  ): PredictionBatcherStats {
    const averageBatchSize = this.batches === 0 ? 0 : this.inputs / this.batches
    return {
      name,
      averageBatchSize,
      batchingEfficiency: (averageBatchSize / maxBatchSize) * 100,
      averageWaitTime: this.waitCount === 0 ? 0 : this.waitSum / this.waitCount,
      queueSize: state.queueSize,
      waiting: state.waiting,
      inFlightBatches: state.inFlightBatches,
      batches: this.batches,
      calls: this.calls,
      errors: this.errors,
      failedBatches: this.failedBatches,
      cacheHits: this.cacheHits,
      deduplicated: this.deduplicated,
      dropped: { ...this.dropped },
      batchLatencyMs: this.batchLatency.summary(),
      callLatencyMs: this.callLatency.summary(),
      effectiveBatchSize: state.effectiveBatchSize,
      effectiveWaitMs: state.effectiveWaitMs,
    }
  }

  reset(): void {
    this.calls = this.batches = this.inputs = this.errors = this.failedBatches = 0
    this.cacheHits = this.deduplicated = this.waitSum = this.waitCount = 0
    this.dropped = { queueFull: 0, aborted: 0, closed: 0 }
    this.batchLatency.clear()
    this.callLatency.clear()
  }
}
