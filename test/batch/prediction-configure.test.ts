import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PerfBus, PerfkitConfigError, PredictionBatcher } from 'perfkit'
import { fakeNow, manualModel, settle } from './helpers'

const identity = async (xs: number[]) => xs

describe('PredictionBatcher: options and configure()', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it.each([
    [{ maxBatchSize: 0 }, 'maxBatchSize'],
    [{ maxBatchSize: 2.5 }, 'maxBatchSize'],
    [{ maxWaitMs: -1 }, 'maxWaitMs'],
    [{ maxWaitMs: Number.NaN }, 'maxWaitMs'],
    [{ maxConcurrentBatches: 0 }, 'maxConcurrentBatches'],
    [{ enabled: 'yes' }, 'enabled'],
    [{ maxQueueSize: 5, maxBatchSize: 10 }, 'maxQueueSize'],
    [{ overflow: 'drop' }, 'overflow'],
    [{ adaptive: 1 }, 'adaptive'],
    [{ timeoutMs: -5 }, 'timeoutMs'],
    [{ name: '' }, 'name'],
    [{ key: 'id' }, 'key'],
    [{ cache: { get: 1 } }, 'cache'],
    [{ bus: {} }, 'bus'],
    [{ clock: 5 }, 'clock'],
    [{ signal: 'abort' }, 'signal'],
  ])('rejects %o at construction, naming `%s`', (options, option) => {
    const create = () => new PredictionBatcher(identity, options as never)
    expect(create).toThrow(PerfkitConfigError)
    try {
      create()
    } catch (error) {
      expect((error as PerfkitConfigError).option).toBe(option)
      expect((error as PerfkitConfigError).message).toContain(`\`${option}\``)
    }
  })

  it('rejects a missing batch function', () => {
    expect(() => new PredictionBatcher(undefined as never)).toThrow(PerfkitConfigError)
  })

  it('grows the default queue bound with a large maxBatchSize', () => {
    expect(new PredictionBatcher(identity, { maxBatchSize: 20_000 }).config.maxQueueSize).toBe(20_000)
  })

  it('validates configure() like the constructor and applies nothing on error', () => {
    const batcher = new PredictionBatcher(identity, { clock: fakeNow })
    expect(() => batcher.configure({ maxBatchSize: 4, maxWaitMs: -1 })).toThrow(PerfkitConfigError)
    expect(() => batcher.configure({ maxBatchSiz: 4 } as never)).toThrow(/maxBatchSiz/)
    expect(batcher.config.maxBatchSize).toBe(10)
  })

  it('applies a smaller maxBatchSize to the calls already queued', async () => {
    const predictMany = vi.fn(identity)
    const batcher = new PredictionBatcher(predictMany, { maxBatchSize: 10, clock: fakeNow })
    const calls = [1, 2, 3].map((x) => batcher.predict(x))
    batcher.configure({ maxBatchSize: 2 })
    expect(predictMany).toHaveBeenCalledWith([1, 2])
    await vi.advanceTimersByTimeAsync(100)
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3])
    expect(batcher.stats().batchingEfficiency).toBe(75) // 1.5 of 2
  })

  it('applies a shorter maxWaitMs to the timer already running', async () => {
    const predictMany = vi.fn(identity)
    const batcher = new PredictionBatcher(predictMany, { maxWaitMs: 1000, clock: fakeNow })
    void batcher.predict(1)
    await vi.advanceTimersByTimeAsync(10)
    batcher.configure({ maxWaitMs: 20 })
    await vi.advanceTimersByTimeAsync(9)
    expect(predictMany).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(predictMany).toHaveBeenCalledWith([1])
  })

  it('starts queued batches at once when maxConcurrentBatches grows', async () => {
    const model = manualModel((x: number) => x)
    const batcher = new PredictionBatcher(model.predictMany, { maxBatchSize: 1, maxConcurrentBatches: 1, clock: fakeNow })
    const calls = [1, 2, 3].map((x) => batcher.predict(x))
    expect(model.batches).toHaveLength(1)
    batcher.configure({ maxConcurrentBatches: 3 })
    expect(model.batches).toHaveLength(3)
    for (const batch of model.batches) batch.complete()
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3])
  })

  it('turns batching off and on at run time', async () => {
    const predictMany = vi.fn(identity)
    const batcher = new PredictionBatcher(predictMany, { maxBatchSize: 5, clock: fakeNow })
    void batcher.predict(1)
    batcher.configure({ enabled: false })
    void batcher.predict(2)
    expect(predictMany.mock.calls).toEqual([[[1]], [[2]]])
    batcher.configure({ enabled: true })
    void batcher.predict(3)
    void batcher.predict(4)
    expect(predictMany).toHaveBeenCalledTimes(2)
    await settle()
  })

  it('admits waiting callers when maxQueueSize grows', async () => {
    const model = manualModel((x: number) => x)
    const batcher = new PredictionBatcher(model.predictMany, {
      maxBatchSize: 1, maxQueueSize: 1, maxConcurrentBatches: 1, overflow: 'wait', bus: new PerfBus(), clock: fakeNow,
    })
    void batcher.predict(1)
    void batcher.predict(2)
    void batcher.predict(3)
    expect(batcher.stats()).toMatchObject({ queueSize: 1, waiting: 1 })
    batcher.configure({ maxQueueSize: 5 })
    expect(batcher.stats()).toMatchObject({ queueSize: 2, waiting: 0 })
  })
})
