import { afterEach, describe, expect, it, vi } from 'vitest'
import { BatchProcessor, PredictionBatcher } from '../../src/batch/index'
import { PerfBus } from '../../src/bus/bus'
import { MemoryCache } from '../../src/cache/index'
import { PerformanceMonitor } from '../../src/monitor/index'
import type { ObservableTarget } from '../../src/monitor/index'
import { ManualClock } from '../helpers/clock'

const monitors: PerformanceMonitor[] = []
function setup(): { m: PerformanceMonitor; clock: ManualClock } {
  const clock = new ManualClock()
  const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0 })
  monitors.push(m)
  return { m, clock }
}
afterEach(async () => {
  vi.useRealTimers()
  for (const m of monitors.splice(0)) await m.close()
})

describe('observe(cache)', () => {
  it('records hits, misses, evictions by reason, loads, hit ratio and entries', async () => {
    const { m, clock } = setup()
    const cache = new MemoryCache<string, number>({ name: 'users', max: 2, clock: clock.now })
    m.observe(cache)
    cache.set('a', 1)
    cache.set('b', 2)
    cache.get('a')
    cache.get('a')
    cache.get('a')
    cache.get('zzz')
    cache.set('c', 3) // evicts 'b' (capacity)
    cache.delete('a') // manual
    await cache.getOrLoad('d', async () => {
      clock.advance(40)
      return 4
    })
    await expect(
      cache.getOrLoad('e', async () => {
        throw new Error('db down')
      }),
    ).rejects.toThrow('db down')
    const l = { cache: 'users' }
    expect(m.value('cache_hits_total', l)).toBe(3)
    expect(m.value('cache_misses_total', l)).toBe(3) // 'zzz', and the misses before the loads of 'd' and 'e'
    expect(m.value('cache_evictions_total', { cache: 'users', reason: 'capacity' })).toBe(1) // 'b'
    expect(m.value('cache_evictions_total', { cache: 'users', reason: 'manual' })).toBe(1)
    expect(m.value('cache_loads_total', l)).toBe(1)
    expect(m.value('cache_load_errors_total', l)).toBe(1)
    expect(m.stats('cache_load_duration_seconds', l, { window: 'all' })?.max).toBeCloseTo(0.04, 9)
    expect(m.value('cache_hit_ratio', l)).toBeCloseTo(0.5, 9)
    expect(m.value('cache_entries', l)).toBe(cache.size)
    expect(m.metrics().find((x) => x.name === 'cache_hits_total')?.help).toBe('Cache reads that found a value.')
  })

  it('keeps a host’s own help text, and refuses a metric of another kind', () => {
    const { m } = setup()
    m.define('cache_hits_total', { kind: 'counter', help: 'Our hits.' })
    m.observe(new MemoryCache<string, number>({ name: 'a' }))
    expect(m.metrics().find((x) => x.name === 'cache_hits_total')?.help).toBe('Our hits.')
    const { m: other } = setup()
    other.setGauge('cache_misses_total', 1)
    expect(() => other.observe(new MemoryCache<string, number>({ name: 'b' }))).toThrow(expect.objectContaining({ code: 'PERFKIT_CONFIG', option: 'kind' }))
  })

  it('ignores other caches on a shared bus, stops when told, and observes once per cache', () => {
    const { m } = setup()
    const bus = new PerfBus()
    const users = new MemoryCache<string, number>({ name: 'users', bus })
    const orders = new MemoryCache<string, number>({ name: 'orders', bus })
    const stop = m.observe(users)
    expect(m.observe(users)).toBe(stop)
    users.get('x')
    orders.get('x')
    expect(m.value('cache_misses_total')).toBe(1)
    stop()
    users.get('x')
    expect(m.value('cache_misses_total')).toBe(1)
    expect(bus.hasListeners('cache:miss')).toBe(false)
    m.observe(users) // can observe again after stopping
    users.get('x')
    expect(m.value('cache_misses_total')).toBe(2)
  })
})

describe('observe(batchProcessor)', () => {
  it('records flush size, duration, queue wait, flushes, retries, failures and drops', async () => {
    vi.useFakeTimers()
    const { m, clock } = setup()
    let failing = false
    const processor = new BatchProcessor<number>(
      async () => {
        clock.advance(25)
        if (failing) throw new Error('sink down')
      },
      { name: 'audit', maxBatchSize: 2, flushIntervalMs: 1000, clock: clock.now, retry: { attempts: 2, backoff: () => 10 }, maxQueueSize: 4 },
    )
    m.observe(processor)
    await Promise.all([processor.add(1), processor.add(2)])
    failing = true
    const failed = Promise.allSettled([processor.add(3), processor.add(4)])
    await vi.advanceTimersByTimeAsync(100)
    await failed
    failing = false
    const l = { processor: 'audit' }
    expect(m.value('batch_flushes_total', l)).toBe(1)
    expect(m.stats('batch_flush_size', l, { window: 'all' })).toMatchObject({ count: 1, max: 2 })
    expect(m.stats('batch_flush_duration_seconds', l, { window: 'all' })?.max).toBeCloseTo(0.025, 9)
    expect(m.stats('batch_queue_wait_seconds', l, { window: 'all' })?.count).toBe(1)
    expect(m.value('batch_retries_total', l)).toBe(1)
    expect(m.value('batch_failures_total', l)).toBe(1)
    await processor.close()
    await expect(processor.add(5)).rejects.toMatchObject({ code: 'PERFKIT_CLOSED' })
    expect(m.value('batch_dropped_total', { processor: 'audit', reason: 'closed' })).toBe(1)
    expect(m.value('batch_queue_depth', l)).toBe(0)
  })
})

describe('observe(predictionBatcher)', () => {
  it('records per-call latency and wait, batch latency and size, calls, batches, errors and queue size', async () => {
    vi.useFakeTimers()
    const { m, clock } = setup()
    let failing = false
    const batcher = new PredictionBatcher<number, number>(
      async (inputs) => {
        clock.advance(30)
        if (failing) throw new Error('model down')
        return inputs.map((x) => x * 2)
      },
      { name: 'churn', maxBatchSize: 3, maxWaitMs: 20, clock: clock.now },
    )
    m.observe(batcher)
    const first = batcher.predict(1)
    clock.advance(20)
    const rest = [batcher.predict(2), batcher.predict(3)]
    await Promise.all([first, ...rest])
    failing = true
    const failed = batcher.predict(4)
    const settled = failed.catch((e: unknown) => e)
    clock.advance(20)
    await vi.advanceTimersByTimeAsync(20)
    expect(await settled).toMatchObject({ code: 'PERFKIT_BATCH_FAILED' })
    const l = { batcher: 'churn' }
    expect(m.value('prediction_calls_total', l)).toBe(4)
    expect(m.value('prediction_batches_total', l)).toBe(2)
    expect(m.value('prediction_errors_total', l)).toBe(1)
    expect(m.stats('prediction_batch_size', l, { window: 'all' })).toMatchObject({ count: 2, min: 1, max: 3 })
    expect(m.stats('prediction_batch_latency_seconds', l, { window: 'all' })?.max).toBeCloseTo(0.03, 9)
    const wait = m.stats('prediction_queue_wait_seconds', l, { window: 'all' })
    expect(wait?.count).toBe(4)
    expect(wait?.max).toBeCloseTo(0.02, 9)
    // Per call: its wait plus the batch latency.
    expect(m.stats('prediction_latency_seconds', l, { window: 'all' })?.max).toBeCloseTo(0.05, 9)
    expect(m.value('prediction_queue_size', l)).toBe(0)
    await batcher.close()
    await expect(batcher.predict(9)).rejects.toMatchObject({ code: 'PERFKIT_CLOSED' })
    expect(m.value('prediction_dropped_total', { batcher: 'churn', reason: 'closed' })).toBe(1)
  })
})

describe('observe() of something else', () => {
  it('refuses what it cannot recognize, and honours an explicit kind', () => {
    const { m } = setup()
    expect(() => m.observe({} as ObservableTarget)).toThrow(expect.objectContaining({ code: 'PERFKIT_INPUT', argument: 'target' }))
    const bus = new PerfBus()
    const custom: ObservableTarget = { bus, name: 'edge', kind: 'cache' }
    m.observe(custom)
    bus.emit('cache:hit', { cache: 'edge', key: 'k', stale: false })
    expect(m.value('cache_hits_total', { cache: 'edge' })).toBe(1)
    expect(m.value('cache_entries', { cache: 'edge' })).toBeUndefined() // no `size` to read
  })

  it('close() stops every observation', async () => {
    const { m } = setup()
    const cache = new MemoryCache<string, number>({ name: 'c' })
    m.observe(cache)
    await m.close()
    expect(cache.bus.hasListeners('cache:hit')).toBe(false)
    expect(() => m.observe(cache)).toThrow(expect.objectContaining({ code: 'PERFKIT_CLOSED' }))
  })
})
