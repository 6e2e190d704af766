import { describe, expectTypeOf, it } from 'vitest'
import {
  type BatchFlushEvent,
  BatchProcessor,
  type BatchProcessorStats,
  type FlushReason,
  MemoryCache,
  PerfBus,
  PredictionBatcher,
  type PredictionBatcherConfig,
  type PredictionBatcherStats,
} from 'perfkit'

interface Features {
  id: string
  x: number
}

describe('PredictionBatcher types', () => {
  it('infers input and output from the batch function', () => {
    const batcher = new PredictionBatcher(async (rows: Features[]) => rows.map((r) => r.x > 0))
    expectTypeOf(batcher).toEqualTypeOf<PredictionBatcher<Features, boolean>>()
    expectTypeOf(batcher.predict({ id: 'a', x: 1 })).toEqualTypeOf<Promise<boolean>>()
    // @ts-expect-error: the input type is enforced
    void batcher.predict('a')
    // @ts-expect-error: priority is a closed set
    void batcher.predict({ id: 'a', x: 1 }, { priority: 'urgent' })
    expectTypeOf(batcher.stats()).toEqualTypeOf<PredictionBatcherStats>()
    expectTypeOf(batcher.config).toEqualTypeOf<Readonly<PredictionBatcherConfig>>()
    expectTypeOf(batcher.bus).toEqualTypeOf<PerfBus>()
  })

  it('lets results carry per-item Errors and accepts a synchronous batch function', () => {
    const batcher = new PredictionBatcher((ids: string[]) => ids.map((id) => (id ? id.length : new Error('empty'))))
    expectTypeOf(batcher.predict('abc')).toEqualTypeOf<Promise<number>>()
  })

  it('types key and cache against the input and output', () => {
    const cache = new MemoryCache<string, boolean>()
    new PredictionBatcher(async (rows: Features[]) => rows.map(() => true), { key: (row) => row.id, cache })
    // @ts-expect-error: the cache must hold outputs
    new PredictionBatcher(async (rows: Features[]) => rows.map(() => true), { key: (row) => row.id, cache: new MemoryCache<string, number>() })
    new PredictionBatcher(async (rows: Features[]) => rows.map(() => true), {
      // @ts-expect-error: key receives the input type
      key: (row: number) => row,
    })
  })

  it('checks configure() keys and values', () => {
    const batcher = new PredictionBatcher(async (xs: number[]) => xs)
    batcher.configure({ maxBatchSize: 32, enabled: false, overflow: 'wait' })
    // @ts-expect-error: unknown setting
    batcher.configure({ maxBatch: 32 })
    // @ts-expect-error: overflow is a closed set
    batcher.configure({ overflow: 'drop' })
  })
})

describe('BatchProcessor types', () => {
  it('resolves add() with the handler result type', () => {
    const processor = new BatchProcessor(async (items: string[]) => items.length)
    expectTypeOf(processor).toEqualTypeOf<BatchProcessor<string, number>>()
    expectTypeOf(processor.add('a')).toEqualTypeOf<Promise<number>>()
    expectTypeOf(processor.addMany(['a', 'b'])).toEqualTypeOf<Promise<number[]>>()
    expectTypeOf(processor.flush()).toEqualTypeOf<Promise<void>>()
    expectTypeOf(processor.stats()).toEqualTypeOf<BatchProcessorStats>()
    // @ts-expect-error: the item type is enforced
    void processor.add(1)
  })

  it('defaults the result to void', () => {
    const processor = new BatchProcessor<number>(async () => {})
    expectTypeOf(processor.add(1)).toEqualTypeOf<Promise<void>>()
  })

  it('types retry options and the batch events', () => {
    new BatchProcessor(async (_: number[]) => {}, { retry: { attempts: 5, backoff: { initialDelayMs: 50, jitter: 0.5 }, retryOn: (e) => e instanceof Error } })
    new BatchProcessor(async (_: number[]) => {}, { retry: { backoff: (attempt) => attempt * 100 } })
    // @ts-expect-error: overflow is a closed set
    new BatchProcessor(async (_: number[]) => {}, { overflow: 'drop' })
    const bus = new PerfBus()
    bus.on('batch:flush', (e) => {
      expectTypeOf(e).toEqualTypeOf<BatchFlushEvent>()
      expectTypeOf(e.reason).toEqualTypeOf<FlushReason>()
    })
    bus.on('batch:drop', (e) => {
      expectTypeOf(e.reason).toEqualTypeOf<'queue-full' | 'aborted' | 'closed'>()
    })
    bus.on('prediction:batch', (e) => {
      expectTypeOf(e.waitsMs).toEqualTypeOf<readonly number[]>()
      expectTypeOf(e.itemErrors).toEqualTypeOf<number | undefined>()
    })
  })
})
