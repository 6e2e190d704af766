import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PerfBus, PredictionBatcher, type PredictionBatchEvent } from 'perfkit'
import { fakeNow, manualModel, settle, track } from './helpers'

const double = async (xs: number[]) => xs.map((x) => x * 2)

describe('PredictionBatcher: forming batches', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('uses the reference system defaults: 10 per batch, 100 ms, 5 concurrent, enabled', () => {
    const batcher = new PredictionBatcher(double)
    expect(batcher.config).toMatchObject({ maxBatchSize: 10, maxWaitMs: 100, maxConcurrentBatches: 5, enabled: true })
    expect(batcher.config).toMatchObject({ maxQueueSize: 10_000, overflow: 'reject', adaptive: false, timeoutMs: 0 })
    expect(batcher.name).toBe('prediction-batcher')
  })

  it('sends a full batch at once, without waiting for the timer', async () => {
    const predictMany = vi.fn(double)
    const batcher = new PredictionBatcher(predictMany, { maxBatchSize: 3, clock: fakeNow })
    const results = [1, 2, 3].map((x) => batcher.predict(x))
    expect(predictMany).toHaveBeenCalledTimes(1)
    expect(predictMany).toHaveBeenCalledWith([1, 2, 3])
    await expect(Promise.all(results)).resolves.toEqual([2, 4, 6])
  })

  it('sends a partial batch when the oldest call has waited maxWaitMs, not before', async () => {
    const predictMany = vi.fn(double)
    const batcher = new PredictionBatcher(predictMany, { maxBatchSize: 10, maxWaitMs: 100, clock: fakeNow })
    const first = track(batcher.predict(1))
    await vi.advanceTimersByTimeAsync(60)
    const second = track(batcher.predict(2))
    await vi.advanceTimersByTimeAsync(39)
    expect(predictMany).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(predictMany).toHaveBeenCalledWith([1, 2])
    await settle()
    expect(first.value).toBe(2)
    expect(second.value).toBe(4)
  })

  it('gives each caller the output at its own position', async () => {
    const batcher = new PredictionBatcher(async (xs: string[]) => xs.map((x) => x.toUpperCase()), { maxBatchSize: 4, clock: fakeNow })
    await expect(Promise.all(['a', 'b', 'c', 'd'].map((x) => batcher.predict(x)))).resolves.toEqual(['A', 'B', 'C', 'D'])
  })

  it('accepts a synchronous batch function', async () => {
    const batcher = new PredictionBatcher((xs: number[]) => xs.map((x) => x + 1), { maxBatchSize: 2, clock: fakeNow })
    await expect(Promise.all([batcher.predict(1), batcher.predict(2)])).resolves.toEqual([2, 3])
  })

  it('splits a burst into batches of maxBatchSize, in arrival order', async () => {
    const predictMany = vi.fn(double)
    const batcher = new PredictionBatcher(predictMany, { maxBatchSize: 4, clock: fakeNow })
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => batcher.predict(i)))
    await vi.advanceTimersByTimeAsync(100)
    await expect(all).resolves.toEqual(Array.from({ length: 10 }, (_, i) => i * 2))
    expect(predictMany.mock.calls.map(([xs]) => xs)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
  })

  it('with enabled: false sends each call alone and at once, still timed and counted', async () => {
    const predictMany = vi.fn(double)
    const bus = new PerfBus()
    const events: PredictionBatchEvent[] = []
    bus.on('prediction:batch', (e) => events.push(e))
    const batcher = new PredictionBatcher(predictMany, { enabled: false, bus, clock: fakeNow })
    const results = Promise.all([batcher.predict(1), batcher.predict(2)])
    expect(predictMany.mock.calls).toEqual([[[1]], [[2]]])
    await expect(results).resolves.toEqual([2, 4])
    expect(events.map((e) => e.size)).toEqual([1, 1])
    expect(batcher.stats()).toMatchObject({ batches: 2, calls: 2, averageBatchSize: 1, effectiveBatchSize: 1, effectiveWaitMs: 0 })
  })

  it("priority 'high' sends the batch at once, with whatever else is queued", async () => {
    const predictMany = vi.fn(double)
    const batcher = new PredictionBatcher(predictMany, { maxBatchSize: 10, clock: fakeNow })
    const normal = track(batcher.predict(1))
    const urgent = track(batcher.predict(2, { priority: 'high' }))
    expect(predictMany).toHaveBeenCalledTimes(1)
    expect(predictMany).toHaveBeenCalledWith([2, 1]) // the high-priority call goes first
    await settle()
    expect([normal.value, urgent.value]).toEqual([2, 4])
  })

  it("puts 'high' calls ahead of normal ones while every slot is busy", async () => {
    const model = manualModel((x: number) => x)
    const batcher = new PredictionBatcher(model.predictMany, { maxBatchSize: 2, maxConcurrentBatches: 1, clock: fakeNow })
    const calls = [batcher.predict(1), batcher.predict(2), batcher.predict(3), batcher.predict(4), batcher.predict(5, { priority: 'high' })]
    expect(model.batches.map((b) => b.inputs)).toEqual([[1, 2]])
    model.batches[0]?.complete()
    await settle()
    expect(model.batches.map((b) => b.inputs)).toEqual([[1, 2], [5, 3]])
    model.batches[1]?.complete()
    await settle()
    expect(model.batches).toHaveLength(2) // [4] alone is neither full nor due yet
    await vi.advanceTimersByTimeAsync(100)
    expect(model.batches[2]?.inputs).toEqual([4])
    model.batches[2]?.complete()
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3, 4, 5])
  })

  it('flush() sends what is queued without waiting', async () => {
    const predictMany = vi.fn(double)
    const batcher = new PredictionBatcher(predictMany, { maxBatchSize: 10, clock: fakeNow })
    const results = Promise.all([batcher.predict(1), batcher.predict(2)])
    batcher.flush()
    expect(predictMany).toHaveBeenCalledWith([1, 2])
    await expect(results).resolves.toEqual([2, 4])
    batcher.flush() // nothing queued: nothing sent
    expect(predictMany).toHaveBeenCalledTimes(1)
  })

  it('emits prediction:batch with size, callers, waits, latency and state', async () => {
    const bus = new PerfBus()
    const events: PredictionBatchEvent[] = []
    bus.on('prediction:batch', (e) => events.push(e))
    const model = manualModel((x: number) => x)
    const batcher = new PredictionBatcher(model.predictMany, { name: 'scores', bus, maxBatchSize: 3, maxWaitMs: 50, clock: fakeNow })
    void batcher.predict(1)
    await vi.advanceTimersByTimeAsync(20)
    void batcher.predict(2)
    await vi.advanceTimersByTimeAsync(30) // the first call is due: the batch [1, 2] starts at t=50
    await vi.advanceTimersByTimeAsync(7)
    model.batches[0]?.complete()
    await settle()
    expect(events).toHaveLength(1)
    expect(events[0]).toEqual({
      batcher: 'scores', size: 2, calls: 2, waitsMs: [50, 30], waitMs: 40, latencyMs: 7, queueSize: 2, inFlight: 1, itemErrors: 0,
    })
  })

  it('reports the reference stats: averageBatchSize, batchingEfficiency, averageWaitTime, queueSize', async () => {
    const batcher = new PredictionBatcher(double, { maxBatchSize: 4, maxWaitMs: 10, clock: fakeNow })
    const calls = Array.from({ length: 6 }, (_, i) => batcher.predict(i)) // a batch of 4 now, one of 2 after 10 ms
    expect(batcher.stats().queueSize).toBe(2)
    await vi.advanceTimersByTimeAsync(10)
    await Promise.all(calls)
    const stats = batcher.stats()
    expect(stats).toMatchObject({ averageBatchSize: 3, batchingEfficiency: 75, queueSize: 0, batches: 2, calls: 6, errors: 0, inFlightBatches: 0 })
    expect(stats.averageWaitTime).toBeCloseTo((4 * 0 + 2 * 10) / 6)
    expect(stats.callLatencyMs.p99).toBe(10)
    expect(stats.batchLatencyMs.p50).toBe(0)
  })

  it('resetStats() zeroes counters and keeps queued calls', async () => {
    const batcher = new PredictionBatcher(double, { maxBatchSize: 2, clock: fakeNow })
    await Promise.all([batcher.predict(1), batcher.predict(2)])
    const pending = batcher.predict(3)
    batcher.resetStats()
    expect(batcher.stats()).toMatchObject({ batches: 0, calls: 0, queueSize: 1, averageWaitTime: 0 })
    batcher.flush()
    await expect(pending).resolves.toBe(6)
  })

  it('holds the process open while a call waits for its batch, and not once it is sent', async () => {
    vi.useRealTimers()
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const before = timeouts()
    const batcher = new PredictionBatcher(double, { maxWaitMs: 60_000 })
    const pending = batcher.predict(1)
    expect(batcher.stats().queueSize).toBe(1)
    expect(timeouts()).toBe(before + 1)
    batcher.flush()
    await expect(pending).resolves.toBe(2)
    expect(timeouts()).toBe(before) // the lazy timer is still armed, but no longer holds the process
  })
})
