// Taking a batch out of the queue and settling its callers: the parts of PredictionBatcher
// that touch every call of a batch.
import { type PerfBus, reportError } from '../bus/bus'
import type { PredictionBatchEvent } from '../bus/events/batch'
import { BatchError, PerfkitInputError, describe, messageOf } from '../errors'
import { IN_FLIGHT, SETTLED } from './common'
import type { PriorityLanes } from './linked-queue'
import type { PredictionCache } from './prediction-options'
import type { PendingCall, RunningBatch } from './pending-call'
import type { PredictionStatsCounter } from './prediction-stats'

/** What was taken for one batch. */
export interface TakenBatch<I, O> {
  calls: PendingCall<I, O>[]
  inputs: I[]
}

/** Adds `delta` to the count of queued calls with `key`, dropping keys that reach 0. */
export function countKey(counts: Map<unknown, number>, key: unknown, delta: number): void {
  const count = (counts.get(key) ?? 0) + delta
  if (count > 0) counts.set(key, count)
  else counts.delete(key)
}

/**
 * Takes calls from the head of `queue` until `max` distinct inputs: one slot per call, or with
 * `queuedKeys` (the per-key counts of a keyed batcher, kept up to date here), calls whose key is
 * already in the batch share its slot. Marks them in flight and adds their waits to `stats`.
 */
export function takeBatch<I, O>(
  queue: PriorityLanes<PendingCall<I, O>>,
  max: number,
  queuedKeys: Map<unknown, number> | undefined,
  now: number,
  stats: PredictionStatsCounter,
): TakenBatch<I, O> {
  const calls: PendingCall<I, O>[] = []
  const inputs: I[] = []
  let waitSum = 0
  if (queuedKeys === undefined) {
    for (let slot = 0; slot < max; slot++) {
      const call = queue.shift()
      if (call === undefined) break
      call.state = IN_FLIGHT
      call.slot = slot
      waitSum += now - call.enqueuedAt
      inputs.push(call.input)
      calls.push(call)
    }
  } else {
    const slots = new Map<unknown, number>()
    for (let call = queue.peek(); call !== undefined; call = queue.peek()) {
      let slot = slots.get(call.key)
      if (slot === undefined) {
        if (inputs.length === max) break
        slot = inputs.length
        inputs.push(call.input)
        slots.set(call.key, slot)
      } else {
        stats.deduplicated++
      }
      queue.shift()
      countKey(queuedKeys, call.key, -1)
      call.state = IN_FLIGHT
      call.slot = slot
      waitSum += now - call.enqueuedAt
      calls.push(call)
    }
  }
  stats.waitSum += waitSum
  stats.waitCount += calls.length
  return { calls, inputs }
}

/** The key of each input slot of `calls`, for filling the cache. */
export function slotKeys<I, O>(calls: PendingCall<I, O>[], size: number): unknown[] {
  const keys: unknown[] = new Array(size)
  for (const call of calls) keys[call.slot] = call.key
  return keys
}

/** The BatchError for a batch that failed as a whole, or undefined when `values` can be handed out. */
export function batchFailure(name: string, size: number, values: unknown, failure: { error: unknown } | undefined): BatchError | undefined {
  if (failure !== undefined) {
    const cause = failure.error
    return new BatchError(`PredictionBatcher "${name}": predictMany failed for a batch of ${size}: ${messageOf(cause)}`, size, { cause })
  }
  if (Array.isArray(values) && values.length === size) return undefined
  const cause = new PerfkitInputError('predictMany(inputs)', `to resolve to an array of length ${size}`, values)
  return new BatchError(`PredictionBatcher "${name}": predictMany returned ${describe(values)} for ${size} inputs`, size, { cause })
}

/**
 * Settles every caller of `batch` still waiting (an aborted one already was): with its slot's
 * result, its slot's Error, or `batchError`. Records per-call latency. Returns how many callers
 * an Error result rejected.
 */
export function settleCalls<I, O>(
  batch: RunningBatch<I, O>,
  results: unknown[],
  batchError: BatchError | undefined,
  now: number,
  stats: PredictionStatsCounter,
): number {
  let itemErrors = 0
  for (const call of batch.calls) {
    if (call.state !== IN_FLIGHT) continue
    call.state = SETTLED
    if (call.signal !== undefined) call.signal.removeEventListener('abort', call)
    stats.callLatency.push(now - call.enqueuedAt)
    if (batchError !== undefined) {
      stats.errors++
      call.reject(batchError)
      continue
    }
    const value = results[call.slot]
    if (value instanceof Error) {
      stats.errors++
      itemErrors++
      call.reject(value)
    } else {
      call.resolve(value as O)
    }
  }
  return itemErrors
}

/** Stores every successful result under its slot's key; `null`/`undefined` and Errors are not cached. */
export function fillCache<O>(cache: PredictionCache<O>, keys: unknown[], results: unknown[], bus: PerfBus): void {
  for (let i = 0; i < keys.length; i++) {
    const value = results[i]
    if (value === undefined || value === null || value instanceof Error) continue
    try {
      cache.set(keys[i] as never, value as NonNullable<O>)
    } catch (error) {
      reportError(bus, error instanceof Error ? error : new Error(String(error)))
    }
  }
}

/** The `prediction:batch` payload of a finished batch. */
export function batchEvent<I, O>(
  name: string,
  batch: RunningBatch<I, O>,
  latencyMs: number,
  itemErrors: number,
  batchError: BatchError | undefined,
): PredictionBatchEvent {
  const waitsMs = batch.calls.map((call) => batch.startedAt - call.enqueuedAt)
  const waitMs = waitsMs.reduce((sum, wait) => sum + wait, 0) / waitsMs.length
  const event: PredictionBatchEvent = {
    batcher: name,
    size: batch.size,
    calls: batch.calls.length,
    waitsMs,
    waitMs,
    latencyMs,
    queueSize: batch.queueSize,
    inFlight: batch.inFlight,
    itemErrors,
  }
  if (batchError !== undefined) event.error = batchError.cause
  return event
}
