import { afterEach, describe, expect, it, vi } from 'vitest'
import { PerfBus, PredictionBatcher, type PredictionBatchEvent } from 'perfkit'
import { ArrivalClock, SHARED_READINGS } from '../../src/batch/arrival-clock'
import { DeadlineTimer } from '../../src/batch/deadline-timer'
import { takeBatch } from '../../src/batch/batch-run'
import { CallBatch, failWith } from '../../src/batch/call-batch'
import { CallHandle } from '../../src/batch/call-handle'
import { CallLatencyWindow } from '../../src/batch/call-latency'
import { CallQueue } from '../../src/batch/call-queue'
import { IN_FLIGHT, QUEUED, WAITING } from '../../src/batch/common'
import { LinkedQueue } from '../../src/batch/linked-queue'
import { PredictionStatsCounter } from '../../src/batch/prediction-stats'
import { SampleRing } from '../../src/batch/sample-ring'

interface Node {
  prev: Node | undefined
  next: Node | undefined
  id: number
}
const node = (id: number): Node => ({ prev: undefined, next: undefined, id })

/** The inputs of a queue's batches, lane by lane, batch by batch. */
function lanes<I, O>(queue: CallQueue<I, O>): { high: I[][]; normal: I[][] } {
  const list = (head: CallBatch<I, O> | undefined): I[][] => {
    const out: I[][] = []
    for (let b = head; b !== undefined; b = b.next) out.push(b.inputs.slice(0, b.count))
    return out
  }
  return { high: list(queue.high.head), normal: list(queue.normal.head) }
}

describe('SampleRing', () => {
  it('keeps the last `capacity` samples for percentiles and a lifetime mean', () => {
    const ring = new SampleRing(4)
    expect(ring.summary()).toEqual({ mean: 0, p50: 0, p95: 0, p99: 0 })
    for (const v of [100, 1, 2, 3, 4]) ring.push(v) // 100 falls out of the window
    expect(ring.quantile(0)).toBe(1)
    expect(ring.quantile(1)).toBe(4)
    expect(ring.quantile(0.5)).toBe(2.5)
    expect(ring.summary().mean).toBe(22) // 110 / 5, lifetime
    ring.clear()
    expect(ring.summary()).toEqual({ mean: 0, p50: 0, p95: 0, p99: 0 })
  })

  it('stays bounded however many samples it sees', () => {
    const ring = new SampleRing(8)
    for (let i = 0; i < 100_000; i++) ring.push(i)
    expect(ring.quantile(0)).toBe(100_000 - 8)
    expect(ring.count).toBe(100_000)
  })
})

describe('LinkedQueue', () => {
  it('removes from the middle, head and tail, keeping FIFO order and an exact size', () => {
    const queue = new LinkedQueue<Node>()
    const nodes = [1, 2, 3, 4, 5].map((id) => node(id))
    for (const n of nodes) queue.push(n)
    queue.remove(nodes[2] as Node)
    queue.remove(nodes[0] as Node)
    queue.remove(nodes[4] as Node)
    expect(queue.size).toBe(2)
    expect([queue.shift()?.id, queue.shift()?.id, queue.shift()]).toEqual([2, 4, undefined])
    expect(queue.size).toBe(0)
    expect(queue.head).toBeUndefined()
    expect(queue.tail).toBeUndefined()
  })
})

describe('CallQueue and CallBatch', () => {
  const noop = (): void => {}

  it('groups calls into batches of `capacity` as they arrive and hands a full one over as it is', () => {
    const queue = new CallQueue<number, number>(false)
    for (let i = 0; i < 7; i++) void queue.addPlain(i, 100 + i, 3)
    expect(queue.size).toBe(7)
    expect(lanes(queue).normal).toEqual([[0, 1, 2], [3, 4, 5], [6]])
    const first = queue.normal.head
    const taken = queue.takeWhole(3)
    expect(taken).toBe(first) // the batch that formed, not a copy
    expect(taken?.inputs).toEqual([0, 1, 2])
    expect(taken?.count).toBe(3)
    expect(queue.size).toBe(4)
    expect(queue.oldestAt()).toBe(103)
    expect(queue.takeWhole(3)?.inputs).toEqual([3, 4, 5])
    // The last one, still forming, goes whole when it is all there is...
    expect(queue.takeWhole(3)?.inputs).toEqual([6])
    expect(queue.size).toBe(0)
    expect(queue.oldestAt()).toBe(Infinity)
    // ...and the next call starts a new batch.
    void queue.addPlain(7, 200, 3)
    expect(lanes(queue).normal).toEqual([[7]])
  })

  it('serves the high lane first, topped up with normal calls in arrival order', () => {
    const queue = new CallQueue<string, string>(false)
    for (const x of ['a', 'b', 'c', 'd']) void queue.add(x, undefined, false, 10, undefined, 2)
    void queue.add('H', undefined, true, 20, undefined, 2)
    expect(queue.takeWhole(2)).toBeUndefined() // both lanes hold calls: a batch must be assembled
    expect(queue.oldestAt()).toBe(10)
    const stats = new PredictionStatsCounter()
    const batch = takeBatch(queue, 2, undefined, stats)
    expect(batch.inputs).toEqual(['H', 'a'])
    expect(lanes(queue)).toEqual({ high: [], normal: [['b'], ['c', 'd']] })
    expect([queue.size, queue.highSize]).toEqual([3, 0])
    expect(takeBatch(queue, 2, undefined, stats).inputs).toEqual(['b', 'c'])
    expect(lanes(queue).normal).toEqual([['d']])
  })

  it('removes a call from any position at once, unlinking a batch it empties', () => {
    const queue = new CallQueue<number, number>(false)
    for (let i = 0; i < 5; i++) void queue.addPlain(i, i, 2) // [0, 1] [2, 3] [4]
    const middle = queue.normal.head?.next as CallBatch<number, number>
    queue.removeAt(false, middle, 1)
    expect(lanes(queue).normal).toEqual([[0, 1], [2], [4]])
    queue.removeAt(false, middle, 0)
    expect(lanes(queue).normal).toEqual([[0, 1], [4]])
    queue.removeAt(false, queue.normal.tail as CallBatch<number, number>, 0)
    expect(lanes(queue).normal).toEqual([[0, 1]])
    expect(queue.normal.tail).toBe(queue.normal.head)
    expect(queue.size).toBe(2)
  })

  it('moves calls between queues, high lane first, with their handles', () => {
    const waiting = new CallQueue<number, number>(false)
    const queue = new CallQueue<number, number>(false)
    const signal = new AbortController().signal
    const handle = new CallHandle<number, number>(signal, false, WAITING, noop)
    void waiting.add(1, undefined, false, 0, handle, 10)
    void waiting.add(2, undefined, false, 0, undefined, 10)
    void waiting.add(3, undefined, true, 0, undefined, 10)
    const moved: unknown[] = []
    waiting.moveTo(queue, 2, 10, QUEUED, (key) => moved.push(key))
    expect(lanes(queue)).toEqual({ high: [[3]], normal: [[1]] })
    expect(lanes(waiting)).toEqual({ high: [], normal: [[2]] })
    expect([queue.size, queue.highSize, waiting.size, waiting.highSize]).toEqual([2, 1, 1, 0])
    expect(moved).toHaveLength(2)
    expect(handle.state).toBe(QUEUED)
    expect(handle.batch).toBe(queue.normal.head)
    expect(handle.index()).toBe(0)
  })

  it('marks the calls of an assembled batch in flight and keeps their handles findable', () => {
    const queue = new CallQueue<number, number>(false)
    const handle = new CallHandle<number, number>(new AbortController().signal, false, QUEUED, noop)
    void queue.add(1, undefined, false, 0, undefined, 4)
    void queue.add(2, undefined, false, 0, handle, 4)
    void queue.add(9, undefined, true, 0, undefined, 4)
    const batch = takeBatch(queue, 4, undefined, new PredictionStatsCounter())
    expect(batch.inputs).toEqual([9, 1, 2])
    expect(handle.state).toBe(IN_FLIGHT)
    expect(handle.batch).toBe(batch)
    expect(handle.index()).toBe(2)
  })

  it('rejects a caller through its resolve function with the same reason', async () => {
    const batch = new CallBatch<number, number>(false)
    const promise = new Promise<number>((resolve) => {
      batch.resolves[0] = resolve
    })
    const reason = new Error('no prediction')
    failWith(batch.resolves[0] as (value: number | PromiseLike<number>) => void, reason)
    await expect(promise).rejects.toBe(reason)
  })
})

describe('CallLatencyWindow', () => {
  it('gives the percentiles of a ring of the last calls, recorded a batch at a time', () => {
    const window = new CallLatencyWindow(8)
    const ring = new SampleRing(8)
    let t = 0
    for (let b = 0; b < 20; b++) {
      const n = 1 + (b % 5)
      const arrivals = Array.from({ length: n }, (_, i) => t + i * 0.5)
      t += 10
      let sum = 0
      for (const a of arrivals) {
        ring.push(t - a)
        sum += t - a
      }
      window.add(t, arrivals, n, sum)
    }
    expect(window.summary()).toEqual(ring.summary())
    expect(window.count).toBe(ring.count)
  })

  it('reads only the first `n` arrivals of a batch, and clears', () => {
    const window = new CallLatencyWindow(4)
    const arrivals = new Array<number>(16)
    arrivals[0] = 1
    arrivals[1] = 2
    window.add(5, arrivals, 2, 7)
    expect(window.summary()).toMatchObject({ mean: 3.5, p50: 3.5 })
    window.clear()
    expect(window.summary()).toEqual({ mean: 0, p50: 0, p95: 0, p99: 0 })
  })
})

describe('DeadlineTimer', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('keeps the earliest deadline and fires once', () => {
    vi.useFakeTimers()
    const fired = vi.fn()
    const timer = new DeadlineTimer({ now: () => Date.now() }, fired)
    const t0 = Date.now()
    timer.ensure(t0 + 100)
    timer.ensure(t0 + 500) // later: ignored
    timer.ensure(t0 + 50) // earlier: replaces
    vi.advanceTimersByTime(49)
    expect(fired).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fired).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1000)
    expect(fired).toHaveBeenCalledTimes(1)
    timer.ensure(Date.now() + 10)
    timer.cancel()
    vi.advanceTimersByTime(100)
    expect(fired).toHaveBeenCalledTimes(1)
  })
})

describe('ArrivalClock', () => {
  it('shares one reading among the calls of a synchronous run, until the next microtask', async () => {
    let t = 5
    const now = vi.fn(() => t)
    const clock = new ArrivalClock({ now }, true)
    expect(clock.arrival()).toBe(5)
    t = 6
    expect(clock.arrival()).toBe(5) // same run: shared, never later than the truth
    expect(now).toHaveBeenCalledTimes(1)
    await Promise.resolve() // the run is over
    expect(clock.arrival()).toBe(6)
    expect(now).toHaveBeenCalledTimes(2)
  })

  it(`reads again after ${SHARED_READINGS} shared calls, and after a batch start shares that start time`, () => {
    let t = 100
    const now = vi.fn(() => t)
    const clock = new ArrivalClock({ now }, true)
    expect(clock.arrival()).toBe(100)
    t = 101
    const shared = Array.from({ length: SHARED_READINGS }, () => clock.arrival())
    expect(new Set(shared)).toEqual(new Set([100]))
    expect(clock.arrival()).toBe(101) // the next one reads the clock
    clock.batchStarted(120)
    t = 130
    expect(clock.arrival()).toBe(120)
    expect(now).toHaveBeenCalledTimes(2)
  })

  it('reads an injected clock for every call', () => {
    let t = 0
    const clock = new ArrivalClock({ now: () => t }, false)
    clock.batchStarted(0)
    for (let i = 0; i < 3; i++) {
      t += 7
      expect(clock.arrival()).toBe(t)
    }
  })
})

describe('PredictionBatcher on the default clock', () => {
  it('handles a synchronous burst with non-negative waits and every result in place', async () => {
    const bus = new PerfBus()
    const events: PredictionBatchEvent[] = []
    bus.on('prediction:batch', (e) => events.push(e))
    const batcher = new PredictionBatcher(async (xs: number[]) => xs.map((x) => x * 3), { maxBatchSize: 4, bus })
    const calls = Array.from({ length: 103 }, (_, i) => batcher.predict(i))
    batcher.flush()
    const results = await Promise.all(calls)
    expect(results).toEqual(Array.from({ length: 103 }, (_, i) => i * 3))
    expect(events.reduce((n, e) => n + e.calls, 0)).toBe(103)
    expect(events.every((e) => e.waitsMs.every((w) => w >= 0) && e.latencyMs >= 0)).toBe(true)
    const stats = batcher.stats()
    expect(stats.averageWaitTime).toBeGreaterThanOrEqual(0)
    expect(stats.callLatencyMs.p99).toBeGreaterThanOrEqual(stats.callLatencyMs.p50)
  })
})
