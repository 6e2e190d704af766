import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { MonitorSourceErrorEvent, MonitorSourceRecoveredEvent } from '../../src/bus/events/monitor'
import { ClosedError, PerfkitInputError, TimeoutError } from '../../src/errors'
import { PerformanceMonitor } from '../../src/monitor/index'
import type { SourceContext } from '../../src/monitor/index'
import { ManualClock } from '../helpers/clock'

let clock: ManualClock
let m: PerformanceMonitor
beforeEach(() => {
  vi.useFakeTimers()
  clock = new ManualClock()
  m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0 })
})
afterEach(async () => {
  await m.close()
  vi.useRealTimers()
})

/** Moves the monitor clock and the timers together. */
async function advance(ms: number): Promise<void> {
  clock.advance(ms)
  await vi.advanceTimersByTimeAsync(ms)
}

describe('monitoring sources', () => {
  it('runs right away and then every intervalMs, applying what collect returns', async () => {
    let calls = 0
    m.addSource({
      name: 'db',
      intervalMs: 10_000,
      collect: () => {
        calls++
        return { db_pool_active_connections: calls, db_pool_idle_connections: 10 - calls }
      },
    })
    m.addSource({
      name: 'queue',
      intervalMs: 10_000,
      collect: async () => [
        { name: 'queue_depth', value: 7, labels: { queue: 'mail' } },
        { name: 'queue_processed_total', value: 3, kind: 'counter' },
        { name: 'queue_wait_seconds', value: 0.5, kind: 'distribution' },
      ],
    })
    await advance(0)
    expect(calls).toBe(1)
    expect(m.value('db_pool_active_connections')).toBe(1)
    await advance(10_000)
    expect(calls).toBe(2)
    expect(m.value('db_pool_idle_connections')).toBe(8)
    expect(m.value('queue_depth', { queue: 'mail' })).toBe(7)
    expect(m.value('queue_processed_total')).toBe(6)
    expect(m.stats('queue_wait_seconds', undefined, { window: 'all' })?.count).toBe(2)
    const health = m.sources().find((s) => s.name === 'db')
    expect(health).toMatchObject({ status: 'healthy', healthy: true, runs: 2, failures: 0, priority: 'medium', intervalMs: 10_000, timeoutMs: 10_000, lastSuccessAt: 11_000 })
  })

  it('a failing source turns unhealthy, is reported, and recovers', async () => {
    const errors: MonitorSourceErrorEvent[] = []
    const recovered: MonitorSourceRecoveredEvent[] = []
    m.bus.on('monitor:source-error', (e) => errors.push(e))
    m.bus.on('monitor:source-recovered', (e) => recovered.push(e))
    let fail = true
    const boom = new Error('connection refused')
    m.addSource({
      name: 'redis',
      intervalMs: 5000,
      collect: () => {
        if (fail) throw boom
      },
    })
    await advance(0)
    await advance(5000)
    expect(m.sources()[0]).toMatchObject({ status: 'unhealthy', healthy: false, failures: 2, consecutiveFailures: 2, lastError: boom, lastErrorAt: 6000 })
    expect(errors).toHaveLength(2)
    expect(errors[1]).toMatchObject({ source: 'redis', error: boom, timedOut: false, consecutiveFailures: 2 })
    fail = false
    await advance(5000)
    expect(m.sources()[0]).toMatchObject({ status: 'healthy', consecutiveFailures: 0, failures: 2, runs: 3 })
    expect(recovered).toEqual([{ source: 'redis', failures: 2, downMs: 10_000 }])
  })

  it('a hung source times out, is aborted, and never delays another', async () => {
    const errors: MonitorSourceErrorEvent[] = []
    m.bus.on('monitor:source-error', (e) => errors.push(e))
    let signal: AbortSignal | undefined
    let release: () => void = () => {}
    let released = false
    m.addSource({
      name: 'hung',
      intervalMs: 1000,
      timeoutMs: 3000,
      collect: (context: SourceContext) => {
        signal = context.signal
        if (released) return undefined
        return new Promise<void>((resolve) => {
          release = resolve
        })
      },
    })
    let fast = 0
    m.addSource({ name: 'fast', intervalMs: 1000, collect: () => void fast++ })
    await advance(0)
    await advance(2000)
    expect(fast).toBe(3) // on schedule while the other hangs
    await advance(1000)
    const hung = m.sources().find((s) => s.name === 'hung')
    expect(hung).toMatchObject({ status: 'unhealthy', timeouts: 1, running: true, lastDurationMs: 3000 })
    expect(hung?.lastError).toBeInstanceOf(TimeoutError)
    expect(signal?.aborted).toBe(true)
    expect(errors[0]).toMatchObject({ source: 'hung', timedOut: true, durationMs: 3000 })
    await advance(3000)
    expect(m.sources().find((s) => s.name === 'hung')?.skipped).toBeGreaterThanOrEqual(3) // no second run piles up
    expect(fast).toBe(7)
    released = true
    release()
    await advance(1000)
    expect(m.sources().find((s) => s.name === 'hung')?.runs).toBe(2) // runs again once the hung call settled
  })

  it('discards a result that arrives after the timeout', async () => {
    m.addSource({
      name: 'slow',
      intervalMs: 60_000,
      timeoutMs: 100,
      collect: () => new Promise((resolve) => setTimeout(() => resolve({ late_gauge: 1 }), 500)),
    })
    await advance(1000)
    expect(m.value('late_gauge')).toBeUndefined()
    expect(m.sources()[0]?.status).toBe('unhealthy')
  })

  it('a malformed result makes the run fail', async () => {
    m.addSource({ name: 'odd', collect: () => 42 as unknown as undefined })
    m.addSource({ name: 'odd2', collect: () => [{ value: 1 }] as unknown as [] })
    await advance(0)
    for (const s of m.sources()) {
      expect(s.status).toBe('unhealthy')
      expect(s.lastError).toBeInstanceOf(PerfkitInputError)
    }
  })

  it('sheds sources below the priority floor, and restores them', async () => {
    const runs = { critical: 0, high: 0, medium: 0, low: 0 }
    for (const priority of ['critical', 'high', 'medium', 'low'] as const) {
      m.addSource({ name: priority, priority, intervalMs: 1000, collect: () => void runs[priority]++ })
    }
    await advance(0)
    m.setSourcePriorityFloor('high')
    await advance(3000)
    expect(runs).toEqual({ critical: 4, high: 4, medium: 1, low: 1 })
    expect(m.sources().map((s) => s.status)).toEqual(['healthy', 'healthy', 'shed', 'shed'])
    m.setSourcePriorityFloor(undefined)
    await advance(1000)
    expect(runs.low).toBe(2)
    expect(m.sources().every((s) => s.status === 'healthy')).toBe(true)
  })

  it('removes sources, refuses duplicates and bad options', async () => {
    let calls = 0
    const remove = m.addSource({ name: 'x', intervalMs: 1000, collect: () => void calls++ })
    await advance(0)
    remove()
    await advance(5000)
    expect(calls).toBe(1)
    expect(m.sources()).toEqual([])
    expect(m.removeSource('x')).toBe(false)
    m.addSource({ name: 'y', collect: () => undefined, immediate: false })
    expect(() => m.addSource({ name: 'y', collect: () => undefined })).toThrow(expect.objectContaining({ code: 'PERFKIT_CONFIG', option: 'name' }))
    expect(() => m.addSource({ name: 'z', collect: 'no' as unknown as () => undefined })).toThrow(expect.objectContaining({ option: 'collect' }))
    expect(() => m.addSource({ name: 'z', collect: () => undefined, intervalMs: -1 })).toThrow(expect.objectContaining({ option: 'intervalMs' }))
    expect(() => m.addSource({ name: 'z', collect: () => undefined, priority: 'urgent' as 'high' })).toThrow(expect.objectContaining({ option: 'priority' }))
    expect(m.sources()[0]?.status).toBe('pending')
  })

  it('counts collection time in overhead() and stops everything on close()', async () => {
    await m.close()
    // Collection time is real time: keep `performance` real here.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'] })
    m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0 })
    m.addSource({
      name: 'a',
      intervalMs: 1000,
      collect: () => {
        const until = performance.now() + 2
        while (performance.now() < until) {
          // a collection that takes 2 ms
        }
        return { a_gauge: 1 }
      },
    })
    await advance(3000)
    expect(m.overhead().collectionMs.sources).toBeGreaterThanOrEqual(8)
    await m.close()
    expect(vi.getTimerCount()).toBe(0)
    expect(() => m.addSource({ name: 'b', collect: () => undefined })).toThrow(ClosedError)
  })
})
