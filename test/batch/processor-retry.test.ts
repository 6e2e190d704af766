import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type BatchErrorEvent, BatchProcessor, type BatchRetryEvent, FlushError, PerfBus, PerfkitConfigError, TimeoutError } from 'perfkit'
import { resolveRetry } from '../../src/batch/retry'
import { fakeNow, settle, track } from './helpers'

describe('BatchProcessor: retries', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('retries with exponential backoff and settles with the result of the attempt that worked', async () => {
    const bus = new PerfBus()
    const retries: BatchRetryEvent[] = []
    bus.on('batch:retry', (e) => retries.push(e))
    const flushes = vi.fn()
    bus.on('batch:flush', flushes)
    let calls = 0
    const processor = new BatchProcessor(
      async (items: number[]) => {
        if (++calls < 3) throw new Error(`flaky ${calls}`)
        return items.length
      },
      { bus, maxBatchSize: 2, retry: { attempts: 3, backoff: { initialDelayMs: 100, factor: 2, jitter: 0 } }, clock: fakeNow },
    )
    const result = track(processor.add(1))
    void processor.add(2)
    await vi.advanceTimersByTimeAsync(99)
    expect(calls).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls).toBe(2)
    await vi.advanceTimersByTimeAsync(200)
    expect(calls).toBe(3)
    await settle()
    expect(result.value).toBe(2)
    expect(retries.map((r) => [r.attempt, r.delayMs, (r.error as Error).message])).toEqual([
      [2, 100, 'flaky 1'],
      [3, 200, 'flaky 2'],
    ])
    expect(flushes).toHaveBeenCalledWith(expect.objectContaining({ attempts: 3, size: 2 }))
    expect(processor.stats()).toMatchObject({ retries: 2, failures: 0, batches: 1 })
  })

  it('rejects every item with FlushError (cause, attempts) once the attempts are spent', async () => {
    const bus = new PerfBus()
    const errors: BatchErrorEvent[] = []
    bus.on('batch:error', (e) => errors.push(e))
    const cause = new Error('disk full')
    const processor = new BatchProcessor<number>(
      async () => {
        throw cause
      },
      { name: 'writer', bus, maxBatchSize: 2, retry: { attempts: 2, backoff: { initialDelayMs: 10, jitter: 0 } }, clock: fakeNow },
    )
    const results = Promise.allSettled([processor.add(1), processor.add(2)])
    await vi.advanceTimersByTimeAsync(10)
    for (const result of await results) {
      const error = (result as PromiseRejectedResult).reason as FlushError
      expect(error).toBeInstanceOf(FlushError)
      expect(error.code).toBe('PERFKIT_FLUSH_FAILED')
      expect(error.cause).toBe(cause)
      expect(error.attempts).toBe(2)
      expect(error.batchSize).toBe(2)
      expect(error.message).toContain('writer')
    }
    expect(errors).toEqual([{ processor: 'writer', size: 2, attempts: 2, error: cause }])
    expect(processor.stats()).toMatchObject({ failures: 1, failedItems: 2, retries: 1 })
  })

  it('does not retry what retryOn refuses', async () => {
    const handler = vi.fn(async () => {
      throw new TypeError('bad record')
    })
    const processor = new BatchProcessor<number>(handler, {
      maxBatchSize: 1,
      retry: { attempts: 5, retryOn: (error) => !(error instanceof TypeError) },
      clock: fakeNow,
    })
    await expect(processor.add(1)).rejects.toMatchObject({ attempts: 1 })
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('hands each attempt a fresh copy of the items', async () => {
    const seen: number[][] = []
    const processor = new BatchProcessor(
      async (items: number[]) => {
        seen.push([...items])
        items.length = 0 // a handler that consumes its array
        if (seen.length === 1) throw new Error('again')
      },
      { maxBatchSize: 2, retry: { backoff: () => 0 }, clock: fakeNow },
    )
    const all = Promise.all([processor.add(1), processor.add(2)])
    await vi.advanceTimersByTimeAsync(0)
    await all
    expect(seen).toEqual([[1, 2], [1, 2]])
  })

  it('fails an attempt that outlives timeoutMs with TimeoutError, then retries it', async () => {
    let calls = 0
    const processor = new BatchProcessor<number>(
      () => (++calls === 1 ? new Promise<void>(() => {}) : Promise.resolve()),
      { maxBatchSize: 1, timeoutMs: 1000, retry: { attempts: 2, backoff: { initialDelayMs: 0 } }, clock: fakeNow },
    )
    const bus = processor.bus
    const retry = vi.fn()
    bus.on('batch:retry', retry)
    const item = track(processor.add(1))
    await vi.advanceTimersByTimeAsync(1000)
    expect(retry.mock.calls[0]?.[0].error).toBeInstanceOf(TimeoutError)
    await vi.advanceTimersByTimeAsync(1) // the retry, after a 0 ms backoff (a 1 ms timer, as in Node)
    await settle()
    expect(item.status).toBe('fulfilled')
  })

  it('keeps retrying during close() and resolves close() once the batch is done', async () => {
    let calls = 0
    const processor = new BatchProcessor<number>(
      async () => {
        if (++calls < 3) throw new Error('not yet')
      },
      { maxBatchSize: 10, retry: { attempts: 3, backoff: { initialDelayMs: 1000, jitter: 0 } }, clock: fakeNow },
    )
    const item = track(processor.add(1))
    const closed = track(processor.close())
    await vi.advanceTimersByTimeAsync(2999)
    expect(closed.status).toBe('pending')
    await vi.advanceTimersByTimeAsync(1)
    await settle()
    expect(calls).toBe(3)
    expect(item.status).toBe('fulfilled')
    expect(closed.status).toBe('fulfilled')
  })
})

describe('retry policy', () => {
  it('defaults to 3 attempts, 100 ms doubling, capped at 30 s, full jitter', () => {
    const policy = resolveRetry(undefined, () => 0) // random() = 0: the top of the jitter range
    expect(policy.attempts).toBe(3)
    expect([1, 2, 3, 20].map((n) => policy.delayMs(n, null))).toEqual([100, 200, 400, 30_000])
    const jittered = resolveRetry(undefined, () => 0.999)
    expect(jittered.delayMs(1, null)).toBeCloseTo(0.1)
  })

  it('draws the jitter from [delay × (1 - jitter), delay]', () => {
    const policy = resolveRetry({ backoff: { initialDelayMs: 1000, jitter: 0.5 } }, () => 1)
    expect(policy.delayMs(1, null)).toBe(500)
  })

  it('sanitises a custom backoff and a throwing retryOn', () => {
    const policy = resolveRetry({
      backoff: (attempt) => (attempt === 1 ? Number.NaN : -5),
      retryOn: () => {
        throw new Error('oops')
      },
    })
    expect(policy.delayMs(1, null)).toBe(0)
    expect(policy.delayMs(2, null)).toBe(0)
    expect(policy.retryOn(new Error('x'), 1)).toBe(false)
  })

  it.each([
    [{ attempts: 0 }, 'retry.attempts'],
    [{ backoff: { factor: 0.5 } }, 'retry.backoff.factor'],
    [{ backoff: { jitter: 2 } }, 'retry.backoff.jitter'],
    [{ backoff: { initialDelayMs: -1 } }, 'retry.backoff.initialDelayMs'],
    [{ backoff: 'fast' }, 'retry.backoff'],
    [{ retryOn: true }, 'retry.retryOn'],
  ])('rejects %o naming `%s`', (retry, option) => {
    expect(() => new BatchProcessor(async () => {}, { retry: retry as never })).toThrow(
      expect.objectContaining({ option, constructor: PerfkitConfigError }),
    )
  })
})
