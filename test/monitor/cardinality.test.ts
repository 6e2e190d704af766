import { afterEach, describe, expect, it } from 'vitest'
import type { MonitorSeriesDroppedEvent } from '../../src/bus/events/monitor'
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
  for (const m of monitors.splice(0)) await m.close()
})

describe('series limits', () => {
  it('folds label sets past the limit into one overflow series, counts and announces them', () => {
    const { m, clock } = setup({ maxSeriesPerMetric: 3 })
    const events: MonitorSeriesDroppedEvent[] = []
    m.bus.on('monitor:series-dropped', (e) => events.push(e))
    for (let user = 0; user < 10; user++) m.increment('logins_total', 1, { user: `u${user}` })
    const info = m.metrics()[0]
    expect(info?.series).toHaveLength(4)
    expect(info?.series).toContainEqual({ overflow: 'true' })
    expect(info?.overflowed).toBe(7)
    expect(m.value('logins_total')).toBe(10) // nothing lost from the total
    expect(m.value('logins_total', { overflow: 'true' })).toBe(7)
    expect(m.value('logins_total', { user: 'u1' })).toBe(1)
    // One event per minute and metric, carrying the count since the last one.
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ metric: 'logins_total', labels: { user: 'u3' }, limit: 3, folded: 1, foldedTotal: 1 })
    clock.advance(60_000)
    m.increment('logins_total', 1, { user: 'u99' })
    expect(events).toHaveLength(2)
    expect(events[1]).toMatchObject({ folded: 7, foldedTotal: 8, labels: { user: 'u99' } })
    expect(m.prometheus()).toContain('perfkit_monitor_overflow_total{metric="logins_total"} 8')
  })

  it('keeps writing to existing series once the limit is reached', () => {
    const { m } = setup({ maxSeriesPerMetric: 2 })
    m.record('lat_seconds', 1, { route: '/a' })
    m.record('lat_seconds', 1, { route: '/b' })
    m.record('lat_seconds', 1, { route: '/c' })
    m.record('lat_seconds', 2, { route: '/a' })
    expect(m.stats('lat_seconds', { route: '/a' }, { window: 'all' })?.count).toBe(2)
    expect(m.stats('lat_seconds', { overflow: 'true' }, { window: 'all' })?.count).toBe(1)
  })

  it('a per-metric maxSeries overrides the monitor default', () => {
    const { m } = setup({ maxSeriesPerMetric: 100 })
    m.define('tenant_requests_total', { kind: 'counter', maxSeries: 1 })
    m.increment('tenant_requests_total', 1, { tenant: 'a' })
    m.increment('tenant_requests_total', 1, { tenant: 'b' })
    expect(m.metrics()[0]?.overflowed).toBe(1)
  })

  it('memory stays bounded under unbounded label values', () => {
    const { m } = setup({ maxSeriesPerMetric: 50 })
    for (let i = 0; i < 20_000; i++) m.record('lat_seconds', 0.01, { request_id: String(i) })
    expect(m.overhead().series).toBe(51)
    expect(m.metrics()[0]?.overflowed).toBe(20_000 - 50)
  })
})

describe('idle series expiry', () => {
  it('removes series not written for seriesTtlMs at the next snapshot', () => {
    const { m, clock } = setup({ seriesTtlMs: 120_000 })
    m.increment('jobs_total', 1, { queue: 'old' })
    m.record('lat_seconds', 1)
    clock.advance(90_000)
    m.increment('jobs_total', 1, { queue: 'new' })
    m.snapshot()
    expect(m.metrics().find((x) => x.name === 'jobs_total')?.series).toHaveLength(2)
    clock.advance(40_000) // 'old' and the latency series: 130 s idle
    m.snapshot()
    expect(m.metrics().find((x) => x.name === 'jobs_total')?.series).toEqual([{ queue: 'new' }])
    expect(m.stats('lat_seconds')).toBeUndefined()
    expect(m.overhead().series).toBe(1)
    // A removed series comes back empty when written again.
    m.increment('jobs_total', 5, { queue: 'old' })
    expect(m.value('jobs_total', { queue: 'old' })).toBe(5)
  })

  it('reads do not keep a series alive, writes do', () => {
    const { m, clock } = setup({ seriesTtlMs: 60_000 })
    m.setGauge('g', 1, { k: 'read-only' })
    m.setGauge('g', 1, { k: 'written' })
    for (let i = 0; i < 7; i++) {
      clock.advance(10_000)
      m.setGauge('g', 2, { k: 'written' })
      expect(m.value('g', { k: 'read-only' })).toBe(1)
    }
    m.snapshot()
    expect(m.metrics()[0]?.series).toEqual([{ k: 'written' }])
  })

  it('never expires with seriesTtlMs: 0', () => {
    const { m, clock } = setup({ seriesTtlMs: 0 })
    m.increment('x_total')
    clock.advance(365 * 24 * 3600 * 1000)
    m.snapshot()
    expect(m.value('x_total')).toBe(1)
  })
})

describe('reused frozen label objects', () => {
  it('write to the series of their values, alternating with other objects of the same and other values', () => {
    const { m } = setup()
    const a = Object.freeze({ method: 'GET', route: '/a' })
    const b = Object.freeze({ method: 'GET', route: '/b' })
    for (let i = 0; i < 3; i++) {
      m.increment('req_total', 1, a)
      m.increment('req_total', 10, b)
      m.increment('req_total', 100, { method: 'GET', route: '/a' })
      m.increment('req_total', 1, a)
    }
    expect(m.value('req_total', { method: 'GET', route: '/a' })).toBe(306)
    expect(m.value('req_total', { method: 'GET', route: '/b' })).toBe(30)
    expect(m.metrics()[0]?.series).toHaveLength(2)
  })

  it('find their series again after it expired and came back', () => {
    const { m, clock } = setup({ seriesTtlMs: 60_000 })
    const labels = Object.freeze({ route: '/a' })
    m.record('lat_seconds', 1, labels)
    m.record('lat_seconds', 1, labels)
    clock.advance(70_000)
    m.snapshot()
    expect(m.stats('lat_seconds', labels)).toBeUndefined()
    m.record('lat_seconds', 2, labels)
    m.record('lat_seconds', 2, labels)
    expect(m.stats('lat_seconds', labels, { window: 'all' })?.count).toBe(2)
    expect(m.stats('lat_seconds', labels, { window: 'all' })?.max).toBe(2)
  })

  it('are not confused with a mutable object that changes its values between writes', () => {
    const { m } = setup()
    const frozen = Object.freeze({ route: '/a' })
    const mutable: { route: string } = { route: '/a' }
    m.increment('req_total', 1, frozen)
    m.increment('req_total', 1, mutable)
    mutable.route = '/b'
    m.increment('req_total', 1, mutable)
    m.increment('req_total', 1, frozen)
    expect(m.value('req_total', { route: '/a' })).toBe(3)
    expect(m.value('req_total', { route: '/b' })).toBe(1)
  })
})
