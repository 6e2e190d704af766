// PredictionBatcher against DataLoader, in the same run: the same trivial batch function and
// the same maxBatchSize, so the figures are the per-call cost of the batching machinery itself.
// DataLoader runs with `cache: false` (PredictionBatcher does not de-duplicate by default).
// BatchProcessor is measured against a hand-written array buffer, the least a host would write.
import DataLoader from 'dataloader'
import { BatchProcessor, PredictionBatcher } from 'perfkit'
import { type AsyncCase, compareAsync, smoke } from './harness'

const double = async (inputs: readonly number[]): Promise<number[]> => inputs.map((x) => x * 2)

/** Issues `n` calls in waves of `wave` per macrotask (as requests arrive), then awaits them all. */
function burst(call: (i: number) => Promise<number>, wave: number) {
  return async (n: number): Promise<unknown> => {
    const pending: Promise<number>[] = new Array(n)
    for (let i = 0; i < n; ) {
      const end = Math.min(n, i + wave)
      for (; i < end; i++) pending[i] = call(i)
      if (i < n) await new Promise<void>((resolve) => setImmediate(resolve))
    }
    return Promise.all(pending)
  }
}

export default async function batchBench(): Promise<void> {
  const maxBatchSize = 10
  // 1 call per turn is server traffic (DataLoader then sends batches of 1; PredictionBatcher
  // waits up to maxWaitMs to fill them); 100 and 10 000 per turn are synchronous bursts.
  for (const wave of [1, 100, 10_000]) {
    const cases: AsyncCase[] = []
    for (const maxConcurrentBatches of [5, 1000]) {
      const batcher = new PredictionBatcher(double, { maxBatchSize, maxConcurrentBatches, maxQueueSize: 1_000_000 })
      cases.push({ name: `PredictionBatcher (maxConcurrentBatches ${maxConcurrentBatches})`, run: burst((i) => batcher.predict(i), wave) })
    }
    const loader = new DataLoader(double, { maxBatchSize, cache: false })
    cases.push({ name: 'DataLoader (cache off)', run: burst((i) => loader.load(i), wave) })
    const title = `PredictionBatcher vs DataLoader: per call, maxBatchSize ${maxBatchSize}, ${wave} call${wave === 1 ? '' : 's'} per event-loop turn`
    await compareAsync(title, cases, wave === 1 ? { ops: smoke ? 200 : 20_000 } : {})
  }

  const processor = new BatchProcessor<number, number>((items) => items.length, { maxBatchSize: 100, maxQueueSize: 1_000_000, retry: { attempts: 1 } })
  await compareAsync('BatchProcessor.add vs a bare array buffer: per item, batches of 100', [
    {
      name: 'BatchProcessor.add',
      run: async (n) => {
        const pending: Promise<number>[] = new Array(n)
        for (let i = 0; i < n; i++) pending[i] = processor.add(i)
        await processor.flush()
        return Promise.all(pending)
      },
    },
    {
      name: 'array buffer + Promise per item',
      run: async (n) => {
        // What a host writes by hand: an array of items with their resolvers, flushed every 100.
        let buffer: Array<{ item: number; resolve: (v: number) => void }> = []
        const pending: Promise<number>[] = new Array(n)
        const flush = async () => {
          const batch = buffer
          buffer = []
          const result = await Promise.resolve(batch.length)
          for (const entry of batch) entry.resolve(result)
        }
        for (let i = 0; i < n; i++) {
          pending[i] = new Promise<number>((resolve) => buffer.push({ item: i, resolve }))
          if (buffer.length === 100) void flush()
        }
        if (buffer.length > 0) void flush()
        return Promise.all(pending)
      },
    },
  ])
  await processor.close()
}
