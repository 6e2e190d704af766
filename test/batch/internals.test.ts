import { afterEach, describe, expect, it, vi } from 'vitest'
import { PerfBus, PredictionBatcher, type PredictionBatchEvent } from 'perfkit'
import { ArrivalClock, SHARED_READINGS } from '../../src/batch/arrival-clock'
import { DeadlineTimer } from '../../src/batch/deadline-timer'
import { LinkedQueue, PriorityLanes } from '../../src/batch/linked-queue'
import { SampleRing } from '../../src/batch/sample-ring'

interface Node {
  prev: Node | undefined
  next: Node | undefined
  high: boolean
  enqueuedAt: number
  id: number
}
const node = (id: number, high = false, enqueuedAt = id): Node => ({ prev: undefined, next: undefined, high, enqueuedAt, id })

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

describe('LinkedQueue and PriorityLanes', () => {
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

  it('serves the high lane first and reports the oldest arrival across lanes', () => {
    const lanes = new PriorityLanes<Node>()
    expect(lanes.oldestAt()).toBe(Infinity)
    lanes.push(node(1, false, 10))
    lanes.push(node(2, true, 20))
    lanes.push(node(3, false, 30))
    expect(lanes.oldestAt()).toBe(10)
    expect(lanes.size).toBe(3)
    expect([lanes.shift()?.id, lanes.shift()?.id]).toEqual([2, 1])
    expect(lanes.oldestAt()).toBe(30)
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
