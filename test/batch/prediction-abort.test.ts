import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AbortError, type BatchDropEvent, PerfBus, PredictionBatcher } from 'perfkit'
import { fakeNow, manualModel, settle, track } from './helpers'

describe('PredictionBatcher: AbortSignal', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('removes an aborted queued call at once; it is never sent to the model', async () => {
    const predictMany = vi.fn(async (xs: number[]) => xs)
    const bus = new PerfBus()
    const drops: BatchDropEvent[] = []
    bus.on('batch:drop', (e) => drops.push(e))
    const batcher = new PredictionBatcher(predictMany, { maxBatchSize: 10, bus, clock: fakeNow })
    const controller = new AbortController()
    const kept = batcher.predict(1)
    const aborted = track(batcher.predict(2, { signal: controller.signal }))
    expect(batcher.stats().queueSize).toBe(2)
    controller.abort(new Error('client went away'))
    await settle()
    expect(aborted.status).toBe('rejected')
    expect(aborted.error).toBeInstanceOf(AbortError)
    expect((aborted.error as AbortError).code).toBe('PERFKIT_ABORTED')
    expect(((aborted.error as AbortError).cause as Error).message).toBe('client went away')
    expect(batcher.stats().queueSize).toBe(1)
    expect(batcher.stats().dropped.aborted).toBe(1)
    expect(drops).toEqual([{ processor: 'prediction-batcher', reason: 'aborted', count: 1 }])
    await vi.advanceTimersByTimeAsync(100)
    expect(predictMany).toHaveBeenCalledWith([1])
    await expect(kept).resolves.toBe(1)
  })

  it('does not count an aborted call toward a full batch', async () => {
    const predictMany = vi.fn(async (xs: number[]) => xs)
    const batcher = new PredictionBatcher(predictMany, { maxBatchSize: 3, clock: fakeNow })
    const controller = new AbortController()
    void batcher.predict(1)
    void batcher.predict(2, { signal: controller.signal }).catch(() => {})
    controller.abort()
    void batcher.predict(3)
    expect(predictMany).not.toHaveBeenCalled()
    void batcher.predict(4)
    expect(predictMany).toHaveBeenCalledWith([1, 3, 4])
  })

  it('rejects a call already in flight at once and drops its result; the others still get theirs', async () => {
    const model = manualModel((x: number) => x * 2)
    const batcher = new PredictionBatcher(model.predictMany, { maxBatchSize: 2, clock: fakeNow })
    const controller = new AbortController()
    const aborted = track(batcher.predict(1, { signal: controller.signal }))
    const other = track(batcher.predict(2))
    expect(model.batches[0]?.inputs).toEqual([1, 2])
    controller.abort()
    await settle()
    expect(aborted.error).toBeInstanceOf(AbortError)
    model.batches[0]?.complete()
    await settle()
    expect(aborted.settlements).toBe(1)
    expect(other.value).toBe(4)
  })

  it('rejects at once, without queuing, when the signal is already aborted', async () => {
    const batcher = new PredictionBatcher(async (xs: number[]) => xs, { clock: fakeNow })
    await expect(batcher.predict(1, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError)
    expect(batcher.stats()).toMatchObject({ queueSize: 0, dropped: { aborted: 1 } })
  })

  it('removes its abort listener once the call settles', async () => {
    const batcher = new PredictionBatcher(async (xs: number[]) => xs, { maxBatchSize: 1, clock: fakeNow })
    const controller = new AbortController()
    const remove = vi.spyOn(controller.signal, 'removeEventListener')
    await batcher.predict(1, { signal: controller.signal })
    expect(remove).toHaveBeenCalledWith('abort', expect.anything())
    controller.abort() // nothing left to reject
  })
})
