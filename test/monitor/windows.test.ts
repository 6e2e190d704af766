import { afterEach, describe, expect, it } from 'vitest'
import { PerfBus } from '../../src/bus/bus'
import { PerformanceMonitor } from '../../src/monitor/index'
import { MetricStore } from '../../src/monitor/store'
import { ManualClock } from '../helpers/clock'

const monitors: PerformanceMonitor[] = []
function setup(): { m: PerformanceMonitor; clock: ManualClock } {
  const clock = new ManualClock() // t = 1000: fine slot 0, minute 0
  const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0 })
  monitors.push(m)
  return { m, clock }
}
afterEach(async () => {
  for (const m of monitors.splice(0)) await m.close()
})

const count = (m: PerformanceMonitor, window: '1m' | '5m' | '15m' | 'all'): number | undefined => m.stats('lat_seconds', undefined, { window })?.count

describe('rolling windows', () => {
  it('the 1 m window keeps 6 slots of 10 s and drops older ones', () => {
    const { m, clock } = setup()
    for (let i = 0; i < 10; i++) m.record('lat_seconds', 0.01 * (i + 1))
    clock.t = 59_999 // slot 5: slots 0..5 are the last minute
    expect(count(m, '1m')).toBe(10)
    clock.t = 60_000 // slot 6: slot 0 left the window
    expect(count(m, '1m')).toBe(0)
    expect(m.stats('lat_seconds', undefined, { window: '1m' })?.p99).toBeNaN()
    expect(count(m, '5m')).toBe(10)
    expect(count(m, 'all')).toBe(10)
  })

  it('the 5 m and 15 m windows expire by whole minutes; whole-life totals stay', () => {
    const { m, clock } = setup()
    m.record('lat_seconds', 1)
    clock.t = 299_999 // minute 4: minutes 0..4 are the last five
    expect(count(m, '5m')).toBe(1)
    clock.t = 300_000
    expect(count(m, '5m')).toBe(0)
    expect(count(m, '15m')).toBe(1)
    clock.t = 900_000
    expect(count(m, '15m')).toBe(0)
    expect(m.stats('lat_seconds', undefined, { window: 'all' })).toMatchObject({ count: 1, max: 1 })
  })

  it('merges values from many slots into one window', () => {
    const { m, clock } = setup()
    for (let slot = 0; slot < 12; slot++) {
      m.record('lat_seconds', slot + 1)
      clock.advance(10_000)
    }
    // Now in slot 12: the 1 m window holds slots 7..12, i.e. the values 8..12.
    const s = m.stats('lat_seconds')
    expect(s).toMatchObject({ count: 5, min: 8, max: 12 })
    expect(m.stats('lat_seconds', undefined, { window: '5m' })?.count).toBe(12)
  })

  it('the t-digest option keeps the same windows', async () => {
    const clock = new ManualClock()
    const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0, sketch: 'tdigest' })
    for (let slot = 0; slot < 12; slot++) {
      for (let i = 0; i < 100; i++) m.record('lat_seconds', slot + 1)
      clock.advance(10_000)
    }
    const s = m.stats('lat_seconds')
    expect(s).toMatchObject({ count: 500, min: 8, max: 12 })
    expect(s?.p50).toBeCloseTo(10, 1)
    expect(m.stats('lat_seconds', undefined, { window: 'all' })).toMatchObject({ count: 1200, min: 1, max: 12 })
    await m.close()
  })

  it('windows stay right for a series idle for a while, then written again', () => {
    const { m, clock } = setup()
    m.record('lat_seconds', 5)
    clock.t = 1000 + 10 * 60_000
    m.record('lat_seconds', 7)
    expect(m.stats('lat_seconds')).toMatchObject({ count: 1, min: 7 })
    expect(m.stats('lat_seconds', undefined, { window: '15m' })).toMatchObject({ count: 2, min: 5, max: 7 })
  })

  it('counter rates: increase over the covered time, never reaching before creation', () => {
    const { m, clock } = setup()
    m.increment('req_total', 60)
    clock.t = 11_000 // 10 s after creation
    expect(m.rate('req_total')).toBeCloseTo(6, 9)
    expect(m.increase('req_total')).toBe(60)
    clock.t = 60_000 // slot 6: the increments of slot 0 left the minute
    expect(m.rate('req_total')).toBe(0)
    expect(m.rate('req_total', undefined, { window: '5m' })).toBeCloseTo(60 / 59, 9)
    expect(m.rate('req_total', undefined, { window: 'all' })).toBeCloseTo(60 / 59, 9)
    expect(m.value('req_total')).toBe(60)
  })

  it('a rate over less than a second is taken over one second', () => {
    const { m } = setup()
    m.increment('burst_total', 5)
    expect(m.rate('burst_total')).toBe(5)
    m.record('lat_seconds', 1)
    expect(m.stats('lat_seconds')?.ratePerSec).toBe(1)
  })

  it('distribution ratePerSec and rate() agree', () => {
    const { m, clock } = setup()
    for (let i = 0; i < 30; i++) m.record('lat_seconds', 0.1)
    clock.t = 31_000
    expect(m.stats('lat_seconds')?.ratePerSec).toBeCloseTo(1, 9)
    expect(m.rate('lat_seconds')).toBeCloseTo(1, 9)
    expect(m.increase('lat_seconds')).toBe(30)
  })

  it('a snapshot in the middle of a slot loses nothing from the window', () => {
    const { m, clock } = setup()
    m.record('lat_seconds', 1)
    m.snapshot()
    m.record('lat_seconds', 2)
    clock.advance(5000)
    m.snapshot()
    m.record('lat_seconds', 3)
    clock.advance(10_000)
    expect(m.stats('lat_seconds')).toMatchObject({ count: 3, min: 1, max: 3 })
    expect(m.stats('lat_seconds', undefined, { window: 'all' })?.count).toBe(3)
  })

  it('survives a clock that goes backwards', () => {
    const { m, clock } = setup()
    clock.t = 100_000
    m.record('lat_seconds', 1)
    m.increment('c_total')
    clock.t = 50_000
    m.record('lat_seconds', 2)
    m.increment('c_total')
    expect(m.stats('lat_seconds', undefined, { window: 'all' })?.count).toBe(2)
    expect(m.value('c_total')).toBe(2)
  })

  it('rejects an unknown window', () => {
    const { m } = setup()
    m.record('lat_seconds', 1)
    expect(() => m.stats('lat_seconds', undefined, { window: '2m' as '1m' })).toThrow(expect.objectContaining({ code: 'PERFKIT_INPUT' }))
  })
})

describe('slot time on the default clock', () => {
  const settings = {
    maxMetrics: 10,
    maxSeriesPerMetric: 10,
    sketch: 'ddsketch' as const,
    relativeAccuracy: 0.01,
    compression: 200,
    buckets: undefined,
    expose: 'histogram' as const,
    historySize: 10,
    seriesHistorySize: 0,
  }

  it('is refreshed every 256 writes (and by reads and the slot-end timer), not on every write', () => {
    const clock = new ManualClock()
    const store = new MetricStore(settings, clock, false, new PerfBus(), false)
    store.increment('c_total', 1, undefined)
    clock.t = 100_000 // slot 10, but the write path has not looked yet
    store.increment('c_total', 1, undefined)
    expect(store.k).toBe(0)
    for (let i = 0; i < 256; i++) store.increment('c_total', 1, undefined)
    expect(store.k).toBe(10)
    expect(store.refresh()).toBe(10)
  })

  it('follows an injected clock on every write', () => {
    const clock = new ManualClock()
    const store = new MetricStore(settings, clock, true, new PerfBus(), false)
    store.increment('c_total', 1, undefined)
    clock.t = 100_000
    store.increment('c_total', 1, undefined)
    expect(store.k).toBe(10)
  })
})
