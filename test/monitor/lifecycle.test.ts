import { afterEach, describe, expect, it, vi } from 'vitest'
import { PerfBus } from '../../src/bus/bus'
import { PerfkitConfigError } from '../../src/errors'
import { PerformanceMonitor } from '../../src/monitor/index'
import type { PerformanceMonitorOptions } from '../../src/monitor/index'
import { ManualClock } from '../helpers/clock'
import { FakeProbe } from './helpers/fake-probe'

afterEach(() => {
  vi.useRealTimers()
})

describe('PerformanceMonitor lifecycle', () => {
  it('close() stops every timer, source and the sampler, and is idempotent', async () => {
    vi.useFakeTimers()
    const probe = new FakeProbe()
    const m = new PerformanceMonitor({ processMetrics: { probe } }) // default clock: a slot-end timer too
    m.addSource({ name: 'db', collect: () => undefined })
    expect(vi.getTimerCount()).toBeGreaterThanOrEqual(4)
    const closing = m.close()
    expect(m.close()).toBe(closing)
    await closing
    expect(vi.getTimerCount()).toBe(0)
    expect(probe.stopped).toBe(true)
    expect(m.sources()).toEqual([])
  })

  it('on the default clock, refreshes the write path where each 10 s slot ends, with one timer', async () => {
    vi.useFakeTimers()
    const m = new PerformanceMonitor({ historyIntervalMs: 0, seriesTtlMs: 0 })
    expect(vi.getTimerCount()).toBe(1)
    m.increment('jobs_total')
    // Seven slot ends later, with no write in between: the write path must know the slot moved,
    // or the next write lands in a slot that left the 1 m window long ago.
    vi.advanceTimersByTime(70_000)
    m.increment('jobs_total')
    expect(m.value('jobs_total')).toBe(2)
    expect(m.rate('jobs_total', undefined, { window: '1m' })).toBeGreaterThan(0) // 0 had it landed in slot 0
    expect(vi.getTimerCount()).toBe(1) // re-armed, not piling up
    await m.close()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('supports await using', async () => {
    vi.useFakeTimers()
    let closed: PerformanceMonitor | undefined
    {
      await using m = new PerformanceMonitor()
      closed = m
      m.increment('x_total')
    }
    closed.increment('x_total')
    expect(closed.value('x_total')).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('closes when its signal aborts', async () => {
    vi.useFakeTimers()
    const controller = new AbortController()
    const m = new PerformanceMonitor({ signal: controller.signal })
    controller.abort()
    m.increment('x_total')
    expect(m.value('x_total')).toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
    const early = new PerformanceMonitor({ signal: AbortSignal.abort() })
    early.increment('x_total')
    expect(early.overhead().dropped.closed).toBe(1)
  })

  it('shares a bus, and reads its injected clock', async () => {
    const bus = new PerfBus()
    const clock = new ManualClock()
    const m = new PerformanceMonitor({ bus, now: clock, historyIntervalMs: 0 })
    expect(m.bus).toBe(bus)
    clock.advance(500)
    expect(m.now()).toBe(1500)
    await m.close()
  })

  it('reports its own overhead', async () => {
    const clock = new ManualClock()
    const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0 })
    for (let i = 0; i < 100; i++) m.record('lat_seconds', 0.01, { route: `/r${i % 3}` })
    m.record('lat_seconds', -1)
    m.snapshot()
    clock.advance(10_000)
    for (let i = 0; i < 50; i++) m.increment('req_total')
    m.snapshot()
    const o = m.overhead()
    expect(o.records).toBe(150)
    expect(o.recordsPerSecond).toBeCloseTo(5, 9)
    expect(o.dropped['invalid-value']).toBe(1)
    expect(o.metrics).toBe(2)
    expect(o.series).toBe(4)
    expect(o.historyBytes).toBeGreaterThan(0)
    expect(o.collectionMs.total).toBe(o.collectionMs.sources + o.collectionMs.snapshots + o.collectionMs.exposition)
    await m.close()
  })
})

describe('options', () => {
  const bad: Array<[PerformanceMonitorOptions, string]> = [
    [{ maxMetrics: 0 }, 'maxMetrics'],
    [{ maxSeriesPerMetric: 1.5 }, 'maxSeriesPerMetric'],
    [{ seriesTtlMs: 5 }, 'seriesTtlMs'],
    [{ historyIntervalMs: -1 }, 'historyIntervalMs'],
    [{ historySize: 0 }, 'historySize'],
    [{ seriesHistorySize: -1 }, 'seriesHistorySize'],
    [{ sketch: 'hdr' as 'tdigest' }, 'sketch'],
    [{ relativeAccuracy: 0 }, 'relativeAccuracy'],
    [{ compression: 5 }, 'compression'],
    [{ buckets: [2, 1] }, 'buckets'],
    [{ buckets: [] }, 'buckets'],
    [{ expose: 'table' as 'summary' }, 'expose'],
    [{ summaryWindow: '2h' as '1m' }, 'summaryWindow'],
    [{ strict: 'yes' as unknown as boolean }, 'strict'],
    [{ bus: {} as PerfBus }, 'bus'],
    [{ now: 42 as unknown as () => number }, 'now'],
    [{ signal: 'abort' as unknown as AbortSignal }, 'signal'],
    [{ processMetrics: true, leakDetection: { windowMs: -1 } }, 'leakDetection.windowMs'],
  ]
  for (const [options, option] of bad) {
    it(`rejects a bad \`${option}\``, () => {
      const error = (() => {
        try {
          new PerformanceMonitor(options)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(PerfkitConfigError)
      expect((error as PerfkitConfigError).option).toBe(option)
    })
  }
})
