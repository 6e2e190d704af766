import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AbortError, ClosedError, PerfBus, PredictionBatcher, QueueFullError } from 'perfkit'
import { fakeNow, manualModel, settle, track } from './helpers'

describe('PredictionBatcher: queue bound, concurrency and close', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("rejects with QueueFullError past maxQueueSize when overflow is 'reject'", async () => {
    const bus = new PerfBus()
    const drops = vi.fn()
    bus.on('batch:drop', drops)
    const model = manualModel((x: number) => x)
    const batcher = new PredictionBatcher(model.predictMany, { maxBatchSize: 2, maxQueueSize: 2, maxConcurrentBatches: 1, bus, clock: fakeNow })
    const calls = [1, 2, 3, 4].map((x) => track(batcher.predict(x))) // [1, 2] in flight, [3, 4] queued
    const refused = track(batcher.predict(5))
    await settle()
    expect(refused.error).toBeInstanceOf(QueueFullError)
    expect((refused.error as QueueFullError).maxQueueSize).toBe(2)
    expect(drops).toHaveBeenCalledWith({ processor: 'prediction-batcher', reason: 'queue-full', count: 1 })
    expect(batcher.stats()).toMatchObject({ queueSize: 2, inFlightBatches: 1, dropped: { queueFull: 1 } })
    model.batches[0]?.complete()
    await settle()
    model.batches[1]?.complete()
    await settle()
    expect(calls.map((c) => c.value)).toEqual([1, 2, 3, 4])
  })

  it("makes callers wait for room, in order, when overflow is 'wait'", async () => {
    const model = manualModel((x: number) => x)
    const batcher = new PredictionBatcher(model.predictMany, { maxBatchSize: 2, maxQueueSize: 2, maxConcurrentBatches: 1, overflow: 'wait', clock: fakeNow })
    const calls = [1, 2, 3, 4, 5, 6].map((x) => track(batcher.predict(x)))
    expect(batcher.stats()).toMatchObject({ queueSize: 2, waiting: 2, inFlightBatches: 1 })
    for (let i = 0; i < 3; i++) {
      model.batches[i]?.complete()
      await settle()
    }
    expect(model.batches.map((b) => b.inputs)).toEqual([[1, 2], [3, 4], [5, 6]])
    expect(calls.map((c) => c.value)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('lets a caller waiting for room give up through its signal', async () => {
    const model = manualModel((x: number) => x)
    const batcher = new PredictionBatcher(model.predictMany, { maxBatchSize: 1, maxQueueSize: 1, maxConcurrentBatches: 1, overflow: 'wait', clock: fakeNow })
    void batcher.predict(1)
    void batcher.predict(2)
    const controller = new AbortController()
    const waiting = track(batcher.predict(3, { signal: controller.signal }))
    expect(batcher.stats().waiting).toBe(1)
    controller.abort()
    await settle()
    expect(waiting.error).toBeInstanceOf(AbortError)
    expect(batcher.stats().waiting).toBe(0)
    model.batches[0]?.complete()
    await settle()
    model.batches[1]?.complete()
    await settle()
    expect(model.batches.map((b) => b.inputs)).toEqual([[1], [2]])
  })

  it('never runs more than maxConcurrentBatches at once', async () => {
    let running = 0
    let peak = 0
    const batcher = new PredictionBatcher(
      async (xs: number[]) => {
        peak = Math.max(peak, ++running)
        await new Promise((resolve) => setTimeout(resolve, 10))
        running--
        return xs
      },
      { maxBatchSize: 2, maxConcurrentBatches: 3, clock: fakeNow },
    )
    const all = Promise.all(Array.from({ length: 40 }, (_, i) => batcher.predict(i)))
    expect(batcher.stats().inFlightBatches).toBe(3)
    await vi.advanceTimersByTimeAsync(200)
    await expect(all).resolves.toHaveLength(40)
    expect(peak).toBe(3)
  })

  it('close() drains every queued and waiting call, then rejects new ones with ClosedError', async () => {
    const predictMany = vi.fn(async (xs: number[]) => xs.map((x) => 100 + x))
    const bus = new PerfBus()
    const drops = vi.fn()
    bus.on('batch:drop', drops)
    const batcher = new PredictionBatcher(predictMany, { maxBatchSize: 3, maxQueueSize: 3, maxWaitMs: 60_000, overflow: 'wait', maxConcurrentBatches: 1, bus, clock: fakeNow })
    const calls = Array.from({ length: 8 }, (_, i) => batcher.predict(i))
    const closed = batcher.close()
    expect(batcher.close()).toBe(closed) // idempotent
    await closed
    await expect(Promise.all(calls)).resolves.toEqual([100, 101, 102, 103, 104, 105, 106, 107])
    expect(predictMany.mock.calls.map(([xs]) => xs)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]])
    await expect(batcher.predict(9)).rejects.toBeInstanceOf(ClosedError)
    expect(drops).toHaveBeenCalledWith({ processor: 'prediction-batcher', reason: 'closed', count: 1 })
    expect(batcher.stats()).toMatchObject({ queueSize: 0, waiting: 0, inFlightBatches: 0, dropped: { closed: 1 } })
  })

  it('close() waits for batches in flight', async () => {
    const model = manualModel((x: number) => x)
    const batcher = new PredictionBatcher(model.predictMany, { maxBatchSize: 1, clock: fakeNow })
    const call = track(batcher.predict(1))
    const closed = track(batcher.close())
    await settle()
    expect(closed.status).toBe('pending')
    model.batches[0]?.complete()
    await settle()
    expect(closed.status).toBe('fulfilled')
    expect(call.value).toBe(1)
  })

  it('closes when its signal aborts, and supports await using', async () => {
    const controller = new AbortController()
    const batcher = new PredictionBatcher(async (xs: number[]) => xs, { signal: controller.signal, clock: fakeNow })
    const pending = batcher.predict(1)
    controller.abort()
    await expect(pending).resolves.toBe(1)
    await expect(batcher.predict(2)).rejects.toBeInstanceOf(ClosedError)

    let outer: PredictionBatcher<number, number> | undefined
    {
      await using scoped = new PredictionBatcher(async (xs: number[]) => xs, { clock: fakeNow })
      outer = scoped
      void scoped.predict(1)
    }
    await expect(outer.predict(2)).rejects.toBeInstanceOf(ClosedError)
  })
})
