// Taking a batch out of the queue and settling its callers: the parts of PredictionBatcher
// that touch every call of a batch.
import { type PerfBus, reportError } from '../bus/bus'
import type { PredictionBatchEvent } from '../bus/events/batch'
import { BatchError, PerfkitInputError, describe, messageOf } from '../errors'
import { CallBatch, failWith } from './call-batch'
import type { CallHandle } from './call-handle'
import type { CallLane, CallQueue } from './call-queue'
import { IN_FLIGHT, SETTLED } from './common'
import type { PredictionCache } from './prediction-options'
import type { PredictionStatsCounter } from './prediction-stats'

/** Adds `delta` to the count of queued calls with `key`, dropping keys that reach 0. */
export function countKey(counts: Map<unknown, number>, key: unknown, delta: number): void {
  const count = (counts.get(key) ?? 0) + delta
  if (count > 0) counts.set(key, count)
  else counts.delete(key)
}

/**
 * Takes the next batch from `queue` when it cannot go out as it formed (see
 * CallQueue.takeWhole), high lane first, until `max` distinct inputs: one slot per call, or with
 * `queuedKeys` (the per-key counts of a keyed batcher, kept up to date here), calls whose key is
 * already in the batch share its slot. Marks the calls that have a handle in flight.
 */
export function takeBatch<I, O>(
  queue: CallQueue<I, O>,
  max: number,
  queuedKeys: Map<unknown, number> | undefined,
  stats: PredictionStatsCounter,
): CallBatch<I, O> {
  if (queuedKeys !== undefined) return takeKeyed(queue, max, queuedKeys, stats)
  const batch = new CallBatch<I, O>(false)
  const high = queue.takeFront(queue.high, max, batch, IN_FLIGHT)
  queue.takeFront(queue.normal, max - high, batch, IN_FLIGHT)
  return batch
}

/** Marks the calls of a batch taken whole, among `handles`, in flight. */
export function markInFlight<I, O>(handles: Array<CallHandle<I, O> | undefined>): void {
  for (const handle of handles) if (handle !== undefined) handle.state = IN_FLIGHT
}

/** Records that `batch` starts at `now` with `queueSize` calls queued, and adds its calls' waits to `stats`. */
export function recordStart<I, O>(batch: CallBatch<I, O>, now: number, queueSize: number, stats: PredictionStatsCounter): void {
  const { arrivals, count } = batch
  let waitSum = 0
  for (let i = 0; i < count; i++) waitSum += now - (arrivals[i] as number)
  batch.waitSum = waitSum
  stats.waitSum += waitSum
  stats.waitCount += count
  batch.size = batch.inputs.length
  batch.startedAt = now
  batch.queueSize = queueSize
}

/** The de-duplicating take: a new batch with one input per distinct key and each call's slot. */
function takeKeyed<I, O>(queue: CallQueue<I, O>, max: number, queuedKeys: Map<unknown, number>, stats: PredictionStatsCounter): CallBatch<I, O> {
  const batch = new CallBatch<I, O>(false)
  const slots: number[] = (batch.slots = [])
  const slotKeys: unknown[] = (batch.slotKeys = [])
  const slotOf = new Map<unknown, number>()
  const fromLane = (lane: CallLane<I, O>): boolean => {
    for (let from = lane.head; from !== undefined; from = lane.head) {
      const keys = from.keys as unknown[]
      let i = 0
      let full = false
      for (; i < from.count; i++) {
        const key = keys[i]
        let slot = slotOf.get(key)
        if (slot === undefined) {
          if (slotKeys.length === max) {
            full = true
            break
          }
          slot = slotKeys.length
          slotKeys.push(key)
          batch.inputs[slot] = from.inputs[i] as I
          slotOf.set(key, slot)
        } else {
          stats.deduplicated++
        }
        countKey(queuedKeys, key, -1)
        batch.appendFrom(from, i, IN_FLIGHT)
        slots.push(slot)
      }
      if (i > 0) {
        lane.dropFront(i)
        queue.removed(lane, i)
      }
      if (full) return false
    }
    return true
  }
  if (fromLane(queue.high)) fromLane(queue.normal)
  return batch
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
  batch: CallBatch<I, O>,
  results: unknown[],
  batchError: BatchError | undefined,
  now: number,
  stats: PredictionStatsCounter,
): number {
  const { resolves, arrivals, handles, slots, count } = batch
  let itemErrors = 0
  if (handles === undefined && slots === undefined && batchError === undefined) {
    // The common batch: every call is still waiting and has the slot of its own index. Each
    // call's latency is `now` minus its arrival, so their sum is count × batch latency + waits.
    stats.callLatency.add(now, arrivals, count, count * (now - batch.startedAt) + batch.waitSum)
    for (let i = 0; i < count; i++) {
      const value = results[i]
      const resolve = resolves[i] as (value: O | PromiseLike<O>) => void
      if (value instanceof Error) {
        itemErrors++
        failWith(resolve, value)
      } else {
        resolve(value as O)
      }
    }
    stats.errors += itemErrors
    return itemErrors
  }
  const settled: number[] = []
  let latencySum = 0
  for (let i = 0; i < count; i++) {
    const handle = handles?.[i]
    if (handle !== undefined) {
      if (handle.state !== IN_FLIGHT) continue // aborted in flight: already rejected
      handle.state = SETTLED
      handle.signal.removeEventListener('abort', handle)
    }
    const arrival = arrivals[i] as number
    settled.push(arrival)
    latencySum += now - arrival
    const resolve = resolves[i] as (value: O | PromiseLike<O>) => void
    if (batchError !== undefined) {
      stats.errors++
      failWith(resolve, batchError)
      continue
    }
    const value = results[slots === undefined ? i : (slots[i] as number)]
    if (value instanceof Error) {
      stats.errors++
      itemErrors++
      failWith(resolve, value)
    } else {
      resolve(value as O)
    }
  }
  stats.callLatency.add(now, settled, settled.length, latencySum)
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
  batch: CallBatch<I, O>,
  latencyMs: number,
  itemErrors: number,
  batchError: BatchError | undefined,
): PredictionBatchEvent {
  const { startedAt, arrivals, count } = batch
  const waitsMs: number[] = new Array(count)
  for (let i = 0; i < count; i++) waitsMs[i] = startedAt - (arrivals[i] as number)
  const waitMs = waitsMs.reduce((sum, wait) => sum + wait, 0) / waitsMs.length
  const event: PredictionBatchEvent = {
    batcher: name,
    size: batch.size,
    calls: batch.count,
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
