import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BatchError, PerfBus, PerfkitInputError, PredictionBatcher, type PredictionBatchEvent, TimeoutError } from 'perfkit'
import { fakeNow, manualModel, settle, track } from './helpers'

describe('PredictionBatcher: failures', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('rejects every caller with a BatchError carrying the cause when predictMany rejects', async () => {
    const cause = new Error('model server down')
    const batcher = new PredictionBatcher(async (_: number[]): Promise<number[]> => Promise.reject(cause), { maxBatchSize: 2, clock: fakeNow })
    const results = await Promise.allSettled([batcher.predict(1), batcher.predict(2)])
    for (const result of results) {
      expect(result.status).toBe('rejected')
      const error = (result as PromiseRejectedResult).reason as BatchError
      expect(error).toBeInstanceOf(BatchError)
      expect(error.code).toBe('PERFKIT_BATCH_FAILED')
      expect(error.cause).toBe(cause)
      expect(error.batchSize).toBe(2)
      expect(error.message).toContain('model server down')
    }
    expect(batcher.stats()).toMatchObject({ errors: 2, failedBatches: 1, batches: 1 })
  })

  it('treats a synchronous throw like a rejection', async () => {
    const cause = new TypeError('bad tensor')
    const batcher = new PredictionBatcher(
      (_: number[]): number[] => {
        throw cause
      },
      { maxBatchSize: 1, clock: fakeNow },
    )
    const error = await batcher.predict(1).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BatchError)
    expect((error as BatchError).cause).toBe(cause)
  })

  it.each([
    ['too short', [1]],
    ['too long', [1, 2, 3]],
    ['not an array', { 0: 1, 1: 2 }],
  ])('rejects every caller when the result is %s', async (_, result) => {
    const batcher = new PredictionBatcher(async () => result as unknown as number[], { maxBatchSize: 2, clock: fakeNow })
    const results = await Promise.allSettled([batcher.predict(1), batcher.predict(2)])
    const errors = results.map((r) => (r as PromiseRejectedResult).reason as BatchError)
    expect(errors.every((e) => e instanceof BatchError)).toBe(true)
    expect(errors[0]?.cause).toBeInstanceOf(PerfkitInputError)
    expect(errors[0]?.message).toMatch(/for 2 inputs/)
  })

  it('rejects only the caller whose result is an Error, with that error', async () => {
    const itemError = new RangeError('no prediction for 2')
    const bus = new PerfBus()
    const events: PredictionBatchEvent[] = []
    bus.on('prediction:batch', (e) => events.push(e))
    const batcher = new PredictionBatcher(async (xs: number[]) => xs.map((x) => (x === 2 ? itemError : x * 10)), { maxBatchSize: 3, bus, clock: fakeNow })
    const [a, b, c] = await Promise.allSettled([batcher.predict(1), batcher.predict(2), batcher.predict(3)])
    expect(a).toEqual({ status: 'fulfilled', value: 10 })
    expect(b).toEqual({ status: 'rejected', reason: itemError })
    expect(c).toEqual({ status: 'fulfilled', value: 30 })
    expect(batcher.stats()).toMatchObject({ errors: 1, failedBatches: 0 })
    expect(events[0]?.itemErrors).toBe(1)
    expect(events[0]).not.toHaveProperty('error')
  })

  it('puts the cause of a whole-batch failure in the prediction:batch event', async () => {
    const bus = new PerfBus()
    const events: PredictionBatchEvent[] = []
    bus.on('prediction:batch', (e) => events.push(e))
    const cause = new Error('boom')
    const batcher = new PredictionBatcher(async (_: number[]): Promise<number[]> => Promise.reject(cause), { maxBatchSize: 1, bus, clock: fakeNow })
    await batcher.predict(1).catch(() => {})
    expect(events[0]?.error).toBe(cause)
  })

  it('fails a batch that outlives timeoutMs, frees its slot and ignores the late result', async () => {
    const model = manualModel((x: number) => x)
    const batcher = new PredictionBatcher(model.predictMany, { maxBatchSize: 1, maxConcurrentBatches: 1, timeoutMs: 500, clock: fakeNow })
    const slow = track(batcher.predict(1))
    const next = track(batcher.predict(2))
    await vi.advanceTimersByTimeAsync(499)
    expect(slow.status).toBe('pending')
    expect(model.batches).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(slow.status).toBe('rejected')
    expect((slow.error as BatchError).cause).toBeInstanceOf(TimeoutError)
    expect(model.batches).toHaveLength(2) // the slot went to the next batch
    model.batches[0]?.complete() // too late: nothing changes
    model.batches[1]?.complete()
    await settle()
    expect(slow.settlements).toBe(1)
    expect(next.value).toBe(2)
    expect(batcher.stats()).toMatchObject({ batches: 2, failedBatches: 1 })
  })

  it('rejects a call whose key function throws, and never queues it', async () => {
    const predictMany = vi.fn(async (xs: string[]) => xs)
    const batcher = new PredictionBatcher(predictMany, {
      key: (x) => {
        if (x === 'bad') throw new Error('unkeyable')
        return x
      },
      clock: fakeNow,
    })
    const error = await batcher.predict('bad').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PerfkitInputError)
    expect(((error as PerfkitInputError).cause as Error).message).toBe('unkeyable')
    expect(batcher.stats().queueSize).toBe(0)
  })

  it('rejects invalid per-call options with PerfkitInputError instead of throwing', async () => {
    const batcher = new PredictionBatcher(async (xs: number[]) => xs, { clock: fakeNow })
    await expect(batcher.predict(1, { priority: 'urgent' as 'high' })).rejects.toBeInstanceOf(PerfkitInputError)
    await expect(batcher.predict(1, { signal: {} as AbortSignal })).rejects.toBeInstanceOf(PerfkitInputError)
    expect(batcher.stats().queueSize).toBe(0)
  })
})
