import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AbortError, BatchProcessor, ClosedError, PerfBus, PerfkitConfigError, PerfkitInputError, QueueFullError } from 'perfkit'
import { deferred, fakeNow, settle, track } from './helpers'

describe('BatchProcessor: queue bound, overflow, abort and close', () => {
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
    const gate = deferred<void>()
    const processor = new BatchProcessor<number>(() => gate.promise, { bus, maxBatchSize: 2, maxQueueSize: 3, clock: fakeNow })
    const accepted = [1, 2, 3, 4, 5].map((x) => track(processor.add(x))) // [1, 2] flushing, 3 4 5 queued
    const refused = track(processor.add(6))
    await settle()
    expect(refused.error).toBeInstanceOf(QueueFullError)
    expect(processor.stats()).toMatchObject({ queueDepth: 3, inFlightFlushes: 1, dropped: { queueFull: 1 } })
    expect(drops).toHaveBeenCalledWith({ processor: 'batch-processor', reason: 'queue-full', count: 1 })
    gate.resolve()
    await vi.advanceTimersByTimeAsync(1000)
    expect(accepted.every((a) => a.status === 'fulfilled')).toBe(true)
  })

  it("addMany() with overflow 'reject' queues all the items or none", async () => {
    const processor = new BatchProcessor<number>(async () => {}, { maxBatchSize: 10, maxQueueSize: 10, clock: fakeNow })
    void processor.addMany([1, 2, 3, 4, 5, 6, 7, 8])
    await expect(processor.addMany([9, 10, 11])).rejects.toBeInstanceOf(QueueFullError)
    expect(processor.stats()).toMatchObject({ queueDepth: 8, dropped: { queueFull: 3 } })
  })

  it("makes add() wait for room when overflow is 'wait', and keeps the bound", async () => {
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()]
    let flush = 0
    const handler = vi.fn((_: number[]) => (gates[flush++] as { promise: Promise<void> }).promise)
    const processor = new BatchProcessor<number>(handler, { maxBatchSize: 2, maxQueueSize: 2, overflow: 'wait', clock: fakeNow })
    const items = [1, 2, 3, 4, 5, 6].map((x) => track(processor.add(x)))
    expect(processor.stats()).toMatchObject({ inFlightFlushes: 1, queueDepth: 2, waiting: 2 })
    for (const gate of gates) {
      gate.resolve()
      await settle()
      expect(processor.stats().queueDepth).toBeLessThanOrEqual(2)
    }
    expect(handler.mock.calls).toEqual([[[1, 2]], [[3, 4]], [[5, 6]]])
    expect(items.every((i) => i.status === 'fulfilled')).toBe(true)
  })

  it('withdraws an item whose signal aborts while it waits for room or sits in the queue', async () => {
    const bus = new PerfBus()
    const drops = vi.fn()
    bus.on('batch:drop', drops)
    const gate = deferred<void>()
    const handler = vi.fn((_: number[]) => gate.promise)
    const processor = new BatchProcessor<number>(handler, { bus, maxBatchSize: 1, maxQueueSize: 1, overflow: 'wait', clock: fakeNow })
    void processor.add(1) // flushing
    const queued = new AbortController()
    const waiting = new AbortController()
    const a = track(processor.add(2, { signal: queued.signal }))
    const b = track(processor.add(3, { signal: waiting.signal }))
    expect(processor.stats()).toMatchObject({ queueDepth: 1, waiting: 1 })
    queued.abort()
    waiting.abort()
    await settle()
    expect(a.error).toBeInstanceOf(AbortError)
    expect(b.error).toBeInstanceOf(AbortError)
    expect(processor.stats()).toMatchObject({ queueDepth: 0, waiting: 0, dropped: { aborted: 2 } })
    expect(drops).toHaveBeenCalledTimes(2)
    gate.resolve()
    await settle()
    expect(handler.mock.calls).toEqual([[[1]]])
  })

  it('ignores an abort once the item is in a flush', async () => {
    const gate = deferred<string>()
    const processor = new BatchProcessor((_: number[]) => gate.promise, { maxBatchSize: 1, clock: fakeNow })
    const controller = new AbortController()
    const item = track(processor.add(1, { signal: controller.signal }))
    controller.abort()
    gate.resolve('done')
    await settle()
    expect(item.value).toBe('done')
  })

  it('rejects an already-aborted add() and invalid options without throwing', async () => {
    const processor = new BatchProcessor<number>(async () => {}, { clock: fakeNow })
    await expect(processor.add(1, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError)
    await expect(processor.add(1, { signal: 'x' as never })).rejects.toBeInstanceOf(PerfkitInputError)
    await expect(processor.addMany(5 as never)).rejects.toBeInstanceOf(PerfkitInputError)
    expect(processor.stats().queueDepth).toBe(0)
  })

  it('never runs more than maxConcurrentFlushes at once', async () => {
    let running = 0
    let peak = 0
    const processor = new BatchProcessor<number>(
      async () => {
        peak = Math.max(peak, ++running)
        await new Promise((resolve) => setTimeout(resolve, 10))
        running--
      },
      { maxBatchSize: 2, maxConcurrentFlushes: 3, clock: fakeNow },
    )
    const all = processor.addMany(Array.from({ length: 30 }, (_, i) => i))
    expect(processor.stats().inFlightFlushes).toBe(3)
    await vi.advanceTimersByTimeAsync(100)
    await all
    expect(peak).toBe(3)
  })

  it('close() flushes everything, waiting items included, then add() rejects with ClosedError', async () => {
    const handler = vi.fn(async (items: number[]) => items.length)
    const processor = new BatchProcessor(handler, { maxBatchSize: 3, maxQueueSize: 3, overflow: 'wait', flushIntervalMs: 60_000, clock: fakeNow })
    const items = processor.addMany([1, 2, 3, 4, 5, 6, 7])
    const closed = processor.close()
    expect(processor.close()).toBe(closed)
    await closed
    await expect(items).resolves.toEqual([3, 3, 3, 3, 3, 3, 1])
    await expect(processor.add(8)).rejects.toBeInstanceOf(ClosedError)
    await expect(processor.addMany([9, 10])).rejects.toBeInstanceOf(ClosedError)
    expect(processor.stats().dropped.closed).toBe(3)
  })

  it('closes when its signal aborts, and supports await using', async () => {
    const controller = new AbortController()
    const processor = new BatchProcessor<number>(async () => {}, { signal: controller.signal, clock: fakeNow })
    const item = processor.add(1)
    controller.abort()
    await item
    await expect(processor.add(2)).rejects.toBeInstanceOf(ClosedError)
    let outer: BatchProcessor<number> | undefined
    {
      await using scoped = new BatchProcessor<number>(async () => {}, { clock: fakeNow })
      outer = scoped
    }
    await expect(outer.add(1)).rejects.toBeInstanceOf(ClosedError)
  })

  it.each([
    [{ maxBatchSize: 0 }, 'maxBatchSize'],
    [{ flushIntervalMs: -1 }, 'flushIntervalMs'],
    [{ maxConcurrentFlushes: 1.5 }, 'maxConcurrentFlushes'],
    [{ maxQueueSize: 10, maxBatchSize: 50 }, 'maxQueueSize'],
    [{ overflow: 'block' }, 'overflow'],
    [{ timeoutMs: Number.POSITIVE_INFINITY }, 'timeoutMs'],
    [{ name: 3 }, 'name'],
    [{ bus: new EventTarget() }, 'bus'],
    [{ clock: 'now' }, 'clock'],
    [{ signal: {} }, 'signal'],
    [{ retry: 3 }, 'retry'],
  ])('rejects %o at construction, naming `%s`', (options, option) => {
    expect(() => new BatchProcessor(async () => {}, options as never)).toThrow(expect.objectContaining({ option, constructor: PerfkitConfigError }))
  })

  it('rejects a handler that is not a function', () => {
    expect(() => new BatchProcessor('insert' as never)).toThrow(PerfkitConfigError)
  })
})
