import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MemoryCache, PerfBus, PredictionBatcher, type PredictionBatchEvent } from 'perfkit'
import { fakeNow } from './helpers'

interface Row {
  id: string
  value: number
}

describe('PredictionBatcher: key and cache', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('sends identical keys once per batch and gives every caller the result', async () => {
    const predictMany = vi.fn(async (rows: Row[]) => rows.map((r) => r.value * 2))
    const bus = new PerfBus()
    const events: PredictionBatchEvent[] = []
    bus.on('prediction:batch', (e) => events.push(e))
    const batcher = new PredictionBatcher(predictMany, { key: (row) => row.id, maxBatchSize: 2, bus, clock: fakeNow })
    const calls = [
      batcher.predict({ id: 'a', value: 1 }),
      batcher.predict({ id: 'a', value: 1 }),
      batcher.predict({ id: 'b', value: 2 }),
      batcher.predict({ id: 'a', value: 1 }),
      batcher.predict({ id: 'c', value: 3 }),
    ]
    expect(predictMany).toHaveBeenCalledTimes(2) // both batches filled: no timer needed
    await expect(Promise.all(calls)).resolves.toEqual([2, 2, 4, 2, 6])
    // maxBatchSize counts distinct inputs: a, a, b fill the first batch (2 slots, 3 callers);
    // the later a is not merged into a batch already sent.
    expect(predictMany.mock.calls.map(([rows]) => rows.map((r) => r.id))).toEqual([['a', 'b'], ['a', 'c']])
    expect(events.map((e) => [e.size, e.calls])).toEqual([[2, 3], [2, 2]])
    expect(batcher.stats()).toMatchObject({ deduplicated: 1, calls: 5, averageBatchSize: 2 })
  })

  it('counts distinct keys, not calls, toward a full batch', () => {
    const predictMany = vi.fn(async (ids: string[]) => ids)
    const batcher = new PredictionBatcher(predictMany, { key: (id) => id, maxBatchSize: 2, clock: fakeNow })
    for (let i = 0; i < 5; i++) void batcher.predict('same')
    expect(predictMany).not.toHaveBeenCalled()
    expect(batcher.stats().queueSize).toBe(5)
    void batcher.predict('other')
    expect(predictMany).toHaveBeenCalledWith(['same', 'other'])
    expect(batcher.stats().queueSize).toBe(0)
  })

  it('rejects every caller of a slot whose result is an Error', async () => {
    const failure = new Error('unknown id')
    const batcher = new PredictionBatcher(async (ids: string[]) => ids.map((id) => (id === 'x' ? failure : id.length)), {
      key: (id) => id,
      maxBatchSize: 3,
      maxWaitMs: 0,
      clock: fakeNow,
    })
    const results = Promise.allSettled([batcher.predict('x'), batcher.predict('ok'), batcher.predict('x')])
    await vi.advanceTimersByTimeAsync(0)
    expect((await results).map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected'])
  })

  it('answers from the cache without queuing, and fills it after each batch', async () => {
    const predictMany = vi.fn(async (ids: string[]) => ids.map((id) => `p(${id})`))
    const cache = new MemoryCache<string, string>({ max: 100 })
    cache.set('warm', 'cached')
    const batcher = new PredictionBatcher(predictMany, { cache, maxBatchSize: 2, clock: fakeNow })
    await expect(batcher.predict('warm')).resolves.toBe('cached')
    expect(batcher.stats()).toMatchObject({ cacheHits: 1, queueSize: 0, calls: 1 })
    await expect(Promise.all([batcher.predict('a'), batcher.predict('b')])).resolves.toEqual(['p(a)', 'p(b)'])
    expect(cache.peek('a')).toBe('p(a)')
    await expect(batcher.predict('a')).resolves.toBe('p(a)')
    expect(predictMany).toHaveBeenCalledTimes(1)
    expect(batcher.stats().cacheHits).toBe(2)
  })

  it('keys the cache with key(input) and does not cache Errors or nullish results', async () => {
    const cache = new MemoryCache<string, number>()
    const batcher = new PredictionBatcher(
      async (rows: Row[]) => rows.map((r) => (r.id === 'err' ? new Error('no') : r.id === 'none' ? null : r.value)),
      { key: (row: Row) => row.id, cache, maxBatchSize: 3, clock: fakeNow },
    )
    const results = await Promise.allSettled([
      batcher.predict({ id: 'ok', value: 7 }),
      batcher.predict({ id: 'err', value: 0 }),
      batcher.predict({ id: 'none', value: 0 }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect([...cache.keys()]).toEqual(['ok'])
    expect(cache.peek('ok')).toBe(7)
  })
})
