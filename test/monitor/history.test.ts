import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MonitorSnapshotEvent } from '../../src/bus/events/monitor'
import { PerformanceMonitor } from '../../src/monitor/index'
import { ManualClock } from '../helpers/clock'

const monitors: PerformanceMonitor[] = []
function setup(options: ConstructorParameters<typeof PerformanceMonitor>[0] = {}): { m: PerformanceMonitor; clock: ManualClock } {
  const clock = new ManualClock()
  const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0, ...options })
  monitors.push(m)
  return { m, clock }
}
afterEach(async () => {
  vi.useRealTimers()
  for (const m of monitors.splice(0)) await m.close()
})

describe('history', () => {
  it('a distribution point summarizes the values recorded since the previous snapshot', () => {
    const { m, clock } = setup()
    for (let i = 1; i <= 100; i++) m.record('lat_seconds', i / 1000)
    clock.advance(10_000)
    m.snapshot()
    for (let i = 1; i <= 10; i++) m.record('lat_seconds', 1)
    clock.advance(10_000)
    m.snapshot()
    clock.advance(10_000)
    m.snapshot() // nothing recorded: p95 has no point, count has a 0
    expect(m.history('lat_seconds', { stat: 'count' })).toEqual([
      { t: 11_000, value: 100 },
      { t: 21_000, value: 10 },
      { t: 31_000, value: 0 },
    ])
    const p95 = m.history('lat_seconds') // default stat for a distribution
    expect(p95).toHaveLength(2)
    expect(p95[0]?.value).toBeGreaterThan(0.094)
    expect(p95[0]?.value).toBeLessThan(0.097)
    expect(p95[1]).toEqual({ t: 21_000, value: 1 })
    expect(m.history('lat_seconds', { stat: 'mean' })[0]?.value).toBeCloseTo(0.0505, 9)
    expect(m.history('lat_seconds', { stat: 'ratePerSec' })[0]?.value).toBeCloseTo(10, 9)
    expect(m.history('lat_seconds', { stat: 'max' })[1]?.value).toBe(1)
  })

  it('a point spanning several slots sums them without disturbing the windows', () => {
    const { m, clock } = setup()
    for (let slot = 0; slot < 3; slot++) {
      for (let i = 0; i < 10; i++) m.record('lat_seconds', slot + 1)
      clock.advance(10_000)
    }
    m.snapshot()
    expect(m.history('lat_seconds', { stat: 'count' }).map((p) => p.value)).toEqual([30])
    expect(m.history('lat_seconds', { stat: 'mean' })[0]?.value).toBeCloseTo(2, 9)
    m.record('lat_seconds', 9)
    clock.advance(10_000)
    m.snapshot()
    expect(m.history('lat_seconds', { stat: 'count' }).map((p) => p.value)).toEqual([30, 1])
    // Each slot still holds only its own values.
    expect(m.stats('lat_seconds')).toMatchObject({ count: 31, min: 1, max: 9 })
    clock.t = 1000 + 70_000 // slots 0..1 left the minute
    expect(m.stats('lat_seconds')).toMatchObject({ count: 11, min: 3, max: 9 })
  })

  it('counters default to their rate; value and increase are there too; gauges to their value', () => {
    const { m, clock } = setup()
    m.increment('req_total', 50)
    m.setGauge('queue', 3)
    clock.advance(10_000)
    m.snapshot()
    m.increment('req_total', 20)
    m.setGauge('queue', 8)
    clock.advance(5000)
    m.snapshot()
    expect(m.history('req_total')).toEqual([
      { t: 11_000, value: 5 },
      { t: 16_000, value: 4 },
    ])
    expect(m.history('req_total', { stat: 'increase' }).map((p) => p.value)).toEqual([50, 20])
    expect(m.history('req_total', { stat: 'value' }).map((p) => p.value)).toEqual([50, 70])
    expect(m.history('queue').map((p) => p.value)).toEqual([3, 8])
    expect(() => m.history('queue', { stat: 'p95' })).toThrow(expect.objectContaining({ code: 'PERFKIT_INPUT', argument: 'stat' }))
    expect(m.history('nothing')).toEqual([])
  })

  it('selects series by labels, combines several, and filters by time', () => {
    const { m, clock } = setup()
    for (let round = 0; round < 3; round++) {
      m.record('lat_seconds', 0.1, { route: '/a', method: 'GET' })
      m.record('lat_seconds', 0.3, { route: '/b', method: 'GET' })
      m.record('lat_seconds', 0.3, { route: '/b', method: 'GET' })
      m.increment('req_total', 1, { route: '/a' })
      m.increment('req_total', 2, { route: '/b' })
      clock.advance(10_000)
      m.snapshot()
    }
    expect(m.history('lat_seconds', { labels: { route: '/a' }, stat: 'max' }).map((p) => p.value)).toEqual([0.1, 0.1, 0.1])
    expect(m.history('lat_seconds', { labels: { method: 'GET' }, stat: 'count' }).map((p) => p.value)).toEqual([3, 3, 3])
    expect(m.history('lat_seconds', { labels: { method: 'GET' }, stat: 'mean' })[0]?.value).toBeCloseTo(0.7 / 3, 9)
    expect(m.history('lat_seconds', { labels: { method: 'GET' }, stat: 'min' })[0]?.value).toBe(0.1)
    // Quantiles over several series: the count-weighted mean of theirs.
    const p50 = m.history('lat_seconds', { labels: { method: 'GET' }, stat: 'p50' })[0]?.value as number
    expect(p50).toBeCloseTo((0.1 + 2 * 0.3) / 3, 2)
    expect(m.history('req_total', { labels: { route: '/b' }, stat: 'increase' }).map((p) => p.value)).toEqual([2, 2, 2])
    expect(m.history('req_total', { stat: 'increase', from: 21_000, to: 31_000 })).toEqual([
      { t: 21_000, value: 3 },
      { t: 31_000, value: 3 },
    ])
    expect(m.history('lat_seconds', { labels: { route: '/none' } })).toEqual([])
  })

  it('keeps at most historySize points per metric and seriesHistorySize per labelled series', () => {
    const { m, clock } = setup({ historySize: 5, seriesHistorySize: 2 })
    for (let i = 0; i < 8; i++) {
      m.increment('req_total', 1, { k: 'a' })
      clock.advance(1000)
      m.snapshot()
    }
    const all = m.history('req_total', { stat: 'value' })
    expect(all.map((p) => p.value)).toEqual([4, 5, 6, 7, 8])
    expect(m.history('req_total', { labels: { k: 'a' }, stat: 'value' }).map((p) => p.value)).toEqual([7, 8])
  })

  it('snapshots on its own timer, emits monitor:snapshot, and coarsens with setHistoryResolution', () => {
    vi.useFakeTimers()
    const { m } = setup({ historyIntervalMs: 10_000 })
    const events: MonitorSnapshotEvent[] = []
    m.bus.on('monitor:snapshot', (e) => events.push(e))
    m.increment('req_total')
    vi.advanceTimersByTime(30_000)
    expect(events).toHaveLength(3)
    expect(events[0]?.points).toBe(1)
    m.setHistoryResolution(3)
    vi.advanceTimersByTime(60_000)
    expect(events).toHaveLength(5)
    m.setHistoryResolution(1)
    vi.advanceTimersByTime(10_000)
    expect(events).toHaveLength(6)
    expect(() => m.setHistoryResolution(0.5)).toThrow(expect.objectContaining({ code: 'PERFKIT_CONFIG' }))
  })

  it('exportJSON gives JSON-safe rows of every metric and series', () => {
    const { m, clock } = setup()
    m.record('lat_seconds', 0.2, { route: '/a' })
    m.increment('req_total', 4)
    m.setGauge('queue', 2)
    clock.advance(10_000)
    m.snapshot()
    clock.advance(10_000)
    m.snapshot()
    const exported = JSON.parse(JSON.stringify(m.exportJSON())) as ReturnType<PerformanceMonitor['exportJSON']>
    expect(exported).toMatchObject({ format: 'perfkit-monitor-history', version: 1, exportedAt: 21_000 })
    const lat = exported.metrics.find((x) => x.name === 'lat_seconds')
    expect(lat?.history[0]).toMatchObject({ t: 11_000, count: 1, p95: 0.2, max: 0.2 })
    expect(lat?.history[1]).toMatchObject({ t: 21_000, count: 0, p95: null, mean: null })
    expect(lat?.series[0]?.labels).toEqual({ route: '/a' })
    expect(exported.metrics.find((x) => x.name === 'req_total')?.history[0]).toMatchObject({ value: 4, increase: 4, rate: 0.4 })
    expect(m.exportJSON({ series: false, from: 20_000 }).metrics.find((x) => x.name === 'lat_seconds')).toMatchObject({ series: [], history: [{ t: 21_000 }] })
  })
})
