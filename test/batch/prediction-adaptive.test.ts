import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PredictionBatcher } from 'perfkit'
import { AdaptiveSizer } from '../../src/batch/adaptive'
import { fakeNow } from './helpers'

describe('AdaptiveSizer: the rule', () => {
  it('uses the configured maxima until both the arrival rate and the latency are known', () => {
    const sizer = new AdaptiveSizer(32, 50, 0)
    expect([sizer.size, sizer.waitMs]).toEqual([32, 50])
    sizer.observeLatency(10)
    expect([sizer.size, sizer.waitMs]).toEqual([32, 50])
  })

  it('size = ceil(rate × latency) and wait = size / rate, within the bounds', () => {
    const sizer = new AdaptiveSizer(32, 50, 0)
    sizer.observeArrivals(100, 50) // 0.5 calls per ms
    sizer.observeLatency(20) // 0.5 × 20 = 10 calls arrive during one batch
    expect(sizer.size).toBe(10)
    expect(sizer.waitMs).toBe(20)
  })

  it('falls to batches of 1, sent at once, under light traffic', () => {
    const sizer = new AdaptiveSizer(32, 50, 0)
    sizer.observeArrivals(1000, 1) // 1 call per second
    sizer.observeLatency(5)
    expect(sizer.size).toBe(1)
  })

  it('never exceeds maxBatchSize or maxWaitMs', () => {
    const sizer = new AdaptiveSizer(8, 5, 0)
    sizer.observeArrivals(10, 10_000)
    sizer.observeLatency(1000)
    expect(sizer.size).toBe(8)
    sizer.setBounds(4, 2)
    expect(sizer.size).toBe(4)
    expect(sizer.waitMs).toBeLessThanOrEqual(2)
  })

  it('follows a change of traffic through moving averages', () => {
    const sizer = new AdaptiveSizer(100, 100, 0)
    sizer.observeArrivals(10, 10) // 1 per ms
    sizer.observeLatency(10)
    expect(sizer.size).toBe(10)
    let t = 10
    let calls = 10
    for (let i = 0; i < 30; i++) sizer.observeArrivals((t += 10), (calls += 50)) // now 5 per ms
    expect(sizer.size).toBe(50)
  })
})

describe('PredictionBatcher with adaptive: true', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('stops making sparse callers wait once it has measured the traffic', async () => {
    const predictMany = vi.fn(async (xs: number[]) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return xs
    })
    const batcher = new PredictionBatcher(predictMany, { adaptive: true, maxBatchSize: 16, maxWaitMs: 100, clock: fakeNow })
    expect(batcher.stats().effectiveBatchSize).toBe(16)
    for (let i = 0; i < 5; i++) {
      const call = batcher.predict(i)
      await vi.advanceTimersByTimeAsync(1000) // one call per second
      await call
    }
    expect(batcher.stats().effectiveBatchSize).toBe(1)
    const started = Date.now()
    const call = batcher.predict(99)
    expect(predictMany).toHaveBeenLastCalledWith([99]) // sent at once, no 100 ms wait
    await vi.advanceTimersByTimeAsync(5)
    await call
    expect(Date.now() - started).toBe(5)
  })

  it('grows batches under a steady stream of calls, up to maxBatchSize', async () => {
    const predictMany = vi.fn(async (xs: number[]) => {
      await new Promise((resolve) => setTimeout(resolve, 20))
      return xs
    })
    const batcher = new PredictionBatcher(predictMany, { adaptive: true, maxBatchSize: 8, maxWaitMs: 50, maxConcurrentBatches: 10, clock: fakeNow })
    const calls: Promise<number>[] = []
    for (let ms = 0; ms < 2000; ms++) {
      calls.push(batcher.predict(ms)) // 1 call per ms, 20 ms per batch: about 20 calls per batch period
      await vi.advanceTimersByTimeAsync(1)
    }
    await vi.advanceTimersByTimeAsync(100)
    await Promise.all(calls)
    const stats = batcher.stats()
    expect(stats.effectiveBatchSize).toBe(8)
    expect(stats.averageBatchSize).toBeGreaterThan(6)
  })
})
