import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type BatchFlushEvent, BatchProcessor, PerfBus } from 'perfkit'
import { deferred, fakeNow, settle, track } from './helpers'

describe('BatchProcessor: when batches flush', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('flushes a full batch at once, never waiting for the timer', async () => {
    const handler = vi.fn(async (items: number[]) => items.length)
    const processor = new BatchProcessor(handler, { maxBatchSize: 3, flushIntervalMs: 10_000, clock: fakeNow })
    const results = [1, 2, 3].map((x) => processor.add(x))
    expect(handler).toHaveBeenCalledWith([1, 2, 3])
    await expect(Promise.all(results)).resolves.toEqual([3, 3, 3])
  })

  it('flushes when the oldest item has waited flushIntervalMs', async () => {
    const handler = vi.fn(async () => {})
    const processor = new BatchProcessor<string>(handler, { maxBatchSize: 100, flushIntervalMs: 1000, clock: fakeNow })
    void processor.add('a')
    await vi.advanceTimersByTimeAsync(400)
    void processor.add('b')
    await vi.advanceTimersByTimeAsync(599)
    expect(handler).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(handler).toHaveBeenCalledWith(['a', 'b'])
  })

  it('resolves add() only once the handler has finished with its batch, with its result', async () => {
    const done = deferred<string>()
    const processor = new BatchProcessor((_: number[]) => done.promise, { maxBatchSize: 2, clock: fakeNow })
    const a = track(processor.add(1))
    const b = track(processor.add(2))
    await settle()
    expect(a.status).toBe('pending')
    done.resolve('written')
    await settle()
    expect([a.value, b.value]).toEqual(['written', 'written'])
  })

  it('addMany() queues in order and resolves with one result per item', async () => {
    const handler = vi.fn(async (items: string[]) => items.join('+'))
    const processor = new BatchProcessor(handler, { maxBatchSize: 2, clock: fakeNow })
    const all = processor.addMany(['a', 'b', 'c'])
    await vi.advanceTimersByTimeAsync(1000)
    await expect(all).resolves.toEqual(['a+b', 'a+b', 'c'])
    expect(handler.mock.calls).toEqual([[['a', 'b']], [['c']]])
  })

  it('flush() sends everything queued now and resolves when those items are done', async () => {
    const handler = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50))
    })
    const processor = new BatchProcessor<number>(handler, { maxBatchSize: 2, maxConcurrentFlushes: 1, clock: fakeNow })
    const items = [1, 2, 3, 4, 5].map((x) => track(processor.add(x))) // [1, 2] and [3, 4] flush by size; 5 waits
    const flushed = track(processor.flush())
    await vi.advanceTimersByTimeAsync(100)
    expect(flushed.status).toBe('pending') // the third flush is still running
    await vi.advanceTimersByTimeAsync(50)
    expect(flushed.status).toBe('fulfilled')
    expect(items.every((i) => i.status === 'fulfilled')).toBe(true)
    expect(handler.mock.calls).toEqual([[[1, 2]], [[3, 4]], [[5]]])
    await expect(processor.flush()).resolves.toBeUndefined() // nothing left
  })

  it('counts flushes by reason and emits batch:flush with size, reason, duration, attempts and wait', async () => {
    const bus = new PerfBus()
    const events: BatchFlushEvent[] = []
    bus.on('batch:flush', (e) => events.push(e))
    const handler = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const processor = new BatchProcessor<number>(handler, { name: 'audit', bus, maxBatchSize: 2, flushIntervalMs: 100, clock: fakeNow })
    void processor.add(1)
    void processor.add(2) // size
    await vi.advanceTimersByTimeAsync(10)
    void processor.add(3)
    await vi.advanceTimersByTimeAsync(100) // time
    void processor.add(4)
    await vi.advanceTimersByTimeAsync(20)
    void processor.flush() // manual
    void processor.add(5)
    const closed = processor.close() // close
    await vi.advanceTimersByTimeAsync(20)
    await closed
    expect(events.map((e) => e.reason)).toEqual(['size', 'time', 'manual', 'close'])
    expect(events[0]).toEqual({ processor: 'audit', size: 2, reason: 'size', durationMs: 5, attempts: 1, waitMs: 0 })
    expect(events[1]).toMatchObject({ size: 1, waitMs: 100 })
    expect(events[2]).toMatchObject({ size: 1, waitMs: 20 })
    const stats = processor.stats()
    expect(stats.flushes).toEqual({ size: 1, time: 1, manual: 1, close: 1 })
    expect(stats).toMatchObject({ batches: 4, items: 5, averageBatchSize: 1.25, failures: 0, queueDepth: 0, inFlightFlushes: 0 })
    // Waits: 0 and 0 (size), 100 (time), 20 (manual), 5 (close: behind the manual flush still running).
    expect(stats.queueWaitMs.mean).toBe((0 + 0 + 100 + 20 + 5) / 5)
    expect(stats.queueWaitMs.p95).toBeCloseTo(84) // interpolated between 20 and 100
    expect(stats.flushDurationMs.mean).toBe(5)
  })

  it('keeps batches in order with the default single concurrent flush', async () => {
    const order: number[][] = []
    const processor = new BatchProcessor(
      async (items: number[]) => {
        await new Promise((resolve) => setTimeout(resolve, 30 - items[0]!)) // later batches are faster
        order.push(items)
      },
      { maxBatchSize: 1, clock: fakeNow },
    )
    const all = Promise.all([1, 2, 3].map((x) => processor.add(x)))
    await vi.advanceTimersByTimeAsync(100)
    await all
    expect(order).toEqual([[1], [2], [3]])
  })

  it('holds the process open with its interval timer only while items wait', async () => {
    vi.useRealTimers()
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const before = timeouts()
    const processor = new BatchProcessor<number>(async () => {}, { flushIntervalMs: 60_000 })
    expect(timeouts()).toBe(before)
    const pending = processor.add(1)
    expect(timeouts()).toBe(before + 1)
    await processor.close()
    await pending
    expect(timeouts()).toBe(before)
  })
})
