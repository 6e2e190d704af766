// Randomized runs: thousands of calls with random priorities, aborts, per-item errors, batch
// failures and timing, on fake timers. Every promise must settle exactly once, with the value
// its batch's fate dictates, and the queue and concurrency bounds must hold at every moment.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AbortError, BatchError, BatchProcessor, ClosedError, FlushError, PredictionBatcher, QueueFullError } from 'perfkit'
import { fakeNow, settle, track, type Tracked } from './helpers'

/** mulberry32: a small seeded PRNG, so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Closes `primitive`, moving fake time on until the drain is complete (bounded). */
async function closeOnFakeTime(primitive: { close(): Promise<void> }): Promise<void> {
  const closed = track(primitive.close())
  for (let i = 0; i < 10_000 && closed.status === 'pending'; i++) await vi.advanceTimersByTimeAsync(10)
  expect(closed.status).toBe('fulfilled')
  await settle()
}

interface Input {
  id: number
  value: number
}

type Fate = { kind: 'ok' } | { kind: 'item'; error: Error } | { kind: 'batch'; error: Error } | { kind: 'length' }

describe('PredictionBatcher: randomized', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  // Configurations chosen to cover the grid; the seed drives the stream of calls.
  it.each([
    { seed: 1, maxBatchSize: 1, maxConcurrentBatches: 1, queueBatches: 4, overflow: 'wait', maxWaitMs: 0 },
    { seed: 2, maxBatchSize: 3, maxConcurrentBatches: 2, queueBatches: 1, overflow: 'reject', maxWaitMs: 3 },
    { seed: 3, maxBatchSize: 8, maxConcurrentBatches: 4, queueBatches: 2, overflow: 'wait', maxWaitMs: 10 },
    { seed: 4, maxBatchSize: 5, maxConcurrentBatches: 1, queueBatches: 2, overflow: 'reject', maxWaitMs: 10 },
    { seed: 5, maxBatchSize: 2, maxConcurrentBatches: 4, queueBatches: 4, overflow: 'reject', maxWaitMs: 0 },
    { seed: 6, maxBatchSize: 8, maxConcurrentBatches: 2, queueBatches: 1, overflow: 'wait', maxWaitMs: 3 },
  ] as const)('seed $seed (batch $maxBatchSize, concurrency $maxConcurrentBatches, $overflow): 2500 calls settle exactly once, correctly, within the bounds', async (config) => {
    const { seed, maxBatchSize, maxConcurrentBatches, overflow, maxWaitMs } = config
    const maxQueueSize = maxBatchSize * config.queueBatches
    const random = prng(seed)

    const fates = new Map<number, Fate>()
    const sentAt = new Map<number, number>()
    let step = 0
    let running = 0
    let violations = 0
    let batcher!: PredictionBatcher<Input, number>
    const checkBounds = () => {
      const stats = batcher.stats()
      if (stats.queueSize > maxQueueSize || stats.inFlightBatches > maxConcurrentBatches || running > maxConcurrentBatches) violations++
    }

    const predictMany = (inputs: Input[]): Promise<Array<number | Error>> | Array<number | Error> => {
      running++
      checkBounds()
      if (inputs.length > maxBatchSize) violations++
      for (const input of inputs) {
        if (sentAt.has(input.id)) violations++ // sent twice
        sentAt.set(input.id, step)
      }
      const roll = random()
      const batchError = roll < 0.08 ? new Error(`batch failed at step ${step}`) : undefined
      const wrongLength = roll >= 0.08 && roll < 0.1
      const results = inputs.map((input) => {
        if (batchError) fates.set(input.id, { kind: 'batch', error: batchError })
        else if (wrongLength) fates.set(input.id, { kind: 'length' })
        else if (random() < 0.1) {
          const error = new Error(`no prediction for ${input.id}`)
          fates.set(input.id, { kind: 'item', error })
          return error
        } else fates.set(input.id, { kind: 'ok' })
        return input.value * 2
      })
      const output = wrongLength ? results.slice(1) : results
      if (random() < 0.2) {
        running--
        if (batchError) throw batchError
        return output // synchronous
      }
      const delayMs = Math.floor(random() * 12)
      return new Promise((resolve, reject) => {
        setTimeout(() => {
          running--
          if (batchError) reject(batchError)
          else resolve(output)
        }, delayMs)
      })
    }

    batcher = new PredictionBatcher(predictMany, { maxBatchSize, maxConcurrentBatches, maxQueueSize, overflow, maxWaitMs, clock: fakeNow })
    const calls: Array<{ input: Input; tracked: Tracked<number>; abortedAt?: number }> = []
    for (let id = 0; id < 2500; id++) {
      step++
      const input = { id, value: Math.floor(random() * 1000) }
      const controller = random() < 0.25 ? new AbortController() : undefined
      const priority = random() < 0.1 ? 'high' : 'normal'
      const call: (typeof calls)[number] = { input, tracked: track(batcher.predict(input, { priority, ...(controller ? { signal: controller.signal } : {}) })) }
      calls.push(call)
      checkBounds()
      if (controller) {
        setTimeout(() => {
          call.abortedAt = step
          controller.abort()
          checkBounds()
        }, Math.floor(random() * 15))
      }
      if (random() < 0.3) await vi.advanceTimersByTimeAsync(Math.floor(random() * 4))
    }
    await closeOnFakeTime(batcher)

    expect(violations).toBe(0)
    const counts = { ok: 0, item: 0, batch: 0, aborted: 0, full: 0 }
    for (const { input, tracked, abortedAt } of calls) {
      expect(tracked.settlements).toBe(1)
      const fate = fates.get(input.id)
      const error = tracked.error
      if (error instanceof QueueFullError) {
        counts.full++
        expect(overflow).toBe('reject')
        expect(sentAt.has(input.id)).toBe(false)
        continue
      }
      if (error instanceof AbortError) {
        counts.aborted++
        expect(abortedAt).toBeDefined()
        // Never sent, or sent before the abort (then its result was dropped).
        if (sentAt.has(input.id)) expect(sentAt.get(input.id)).toBeLessThanOrEqual(abortedAt as number)
        continue
      }
      expect(fate).toBeDefined() // not refused, not aborted: it must have been sent
      if (fate?.kind === 'ok') {
        counts.ok++
        expect(tracked.value).toBe(input.value * 2)
      } else if (fate?.kind === 'item') {
        counts.item++
        expect(error).toBe(fate.error)
      } else {
        counts.batch++
        expect(error).toBeInstanceOf(BatchError)
        if (fate?.kind === 'batch') expect((error as BatchError).cause).toBe(fate.error)
      }
    }
    // The run exercised every path.
    expect(counts.ok).toBeGreaterThan(500)
    expect(counts.item + counts.batch + counts.aborted).toBeGreaterThan(100)
    const stats = batcher.stats()
    expect(stats).toMatchObject({ calls: 2500, queueSize: 0, waiting: 0, inFlightBatches: 0 })
    expect(stats.errors).toBe(counts.item + counts.batch)
    expect(stats.dropped.aborted).toBe(counts.aborted)
    expect(stats.dropped.queueFull).toBe(counts.full)
  })

  it('settles a 100 000-call run completely', async () => {
    const batcher = new PredictionBatcher((xs: number[]) => xs.map((x) => x + 1), {
      maxBatchSize: 32,
      maxQueueSize: 1000,
      overflow: 'wait',
      clock: fakeNow,
    })
    const calls: Promise<number>[] = new Array(100_000)
    for (let i = 0; i < 100_000; i++) calls[i] = batcher.predict(i)
    const closed = batcher.close()
    const results = await Promise.all(calls)
    await closed
    expect(results.length).toBe(100_000)
    expect(results.every((value, i) => value === i + 1)).toBe(true)
    expect(batcher.stats()).toMatchObject({ calls: 100_000, batches: 3125, queueSize: 0, waiting: 0, averageBatchSize: 32 })
  })
})

describe('BatchProcessor: randomized', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it.each([7, 8, 9])('seed %i: 2000 items with aborts, failures and retries settle exactly once within the bounds', async (seed) => {
    const random = prng(seed)
    const maxBatchSize = 1 + Math.floor(random() * 6)
    const maxConcurrentFlushes = 1 + Math.floor(random() * 3)
    const maxQueueSize = maxBatchSize * 3
    const overflow = random() < 0.5 ? 'reject' : 'wait'
    let running = 0
    let violations = 0
    let processor!: BatchProcessor<number, string>
    const check = () => {
      const stats = processor.stats()
      if (stats.queueDepth > maxQueueSize || stats.inFlightFlushes > maxConcurrentFlushes || running > maxConcurrentFlushes) violations++
    }
    processor = new BatchProcessor(
      async (items: number[]) => {
        running++
        check()
        if (items.length > maxBatchSize) violations++
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 5)))
        running--
        if (random() < 0.3) throw new Error('flaky')
        return items.join(',')
      },
      { maxBatchSize, maxConcurrentFlushes, maxQueueSize, overflow, flushIntervalMs: 5, retry: { attempts: 2, backoff: { initialDelayMs: 3 } }, clock: fakeNow },
    )
    processor.bus.on('batch:flush', () => check())
    const items: Array<{ tracked: Tracked<string>; aborted: boolean }> = []
    for (let i = 0; i < 2000; i++) {
      const controller = random() < 0.15 ? new AbortController() : undefined
      const entry = { tracked: track(processor.add(i, controller ? { signal: controller.signal } : {})), aborted: false }
      items.push(entry)
      check()
      if (controller) {
        setTimeout(() => {
          entry.aborted = true
          controller.abort()
        }, Math.floor(random() * 10))
      }
      if (random() < 0.3) await vi.advanceTimersByTimeAsync(Math.floor(random() * 3))
    }
    await closeOnFakeTime(processor)
    expect(violations).toBe(0)
    let succeeded = 0
    let failed = 0
    for (const { tracked, aborted } of items) {
      expect(tracked.settlements).toBe(1)
      if (tracked.status === 'fulfilled') succeeded++
      else if (tracked.error instanceof FlushError) failed++
      else if (tracked.error instanceof AbortError) expect(aborted).toBe(true)
      else expect(tracked.error).toBeInstanceOf(overflow === 'reject' ? QueueFullError : ClosedError)
    }
    expect(succeeded).toBeGreaterThan(200)
    expect(failed).toBeGreaterThan(0)
    const stats = processor.stats()
    expect(stats.items).toBe(succeeded + failed)
    expect(stats.failedItems).toBe(failed)
    expect(stats).toMatchObject({ queueDepth: 0, waiting: 0, inFlightFlushes: 0 })
  })
})
