import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MonitorValueDroppedEvent } from '../../src/bus/events/monitor'
import { ClosedError, PerfkitInputError } from '../../src/errors'
import { PerformanceMonitor } from '../../src/monitor/index'
import { ManualClock } from '../helpers/clock'

const monitors: PerformanceMonitor[] = []
function monitor(options: ConstructorParameters<typeof PerformanceMonitor>[0] = {}): PerformanceMonitor {
  const m = new PerformanceMonitor({ now: new ManualClock().now, historyIntervalMs: 0, ...options })
  monitors.push(m)
  return m
}
afterEach(async () => {
  for (const m of monitors.splice(0)) await m.close()
})

describe('invalid values: dropped and counted, never recorded', () => {
  it('drops NaN, ±Infinity and negative distribution values without touching the percentiles', () => {
    const m = monitor()
    const dropped: MonitorValueDroppedEvent[] = []
    m.bus.on('monitor:value-dropped', (e) => dropped.push(e))
    for (const v of [0.1, 0.2, 0.3]) m.record('latency_seconds', v)
    for (const v of [Number.NaN, Infinity, -Infinity, -0.5]) expect(() => m.record('latency_seconds', v)).not.toThrow()
    m.record('latency_seconds', '0.4' as unknown as number) // a string from untyped code
    const s = m.stats('latency_seconds', undefined, { window: 'all' })
    expect(s?.count).toBe(3)
    expect(s?.max).toBe(0.3)
    expect(s?.sum).toBeCloseTo(0.6, 12)
    expect(Number.isFinite(s?.p99)).toBe(true)
    expect(dropped.map((e) => e.reason)).toEqual(Array(5).fill('invalid-value'))
    expect(dropped[0]).toMatchObject({ metric: 'latency_seconds', value: Number.NaN })
    expect(m.overhead().dropped['invalid-value']).toBe(5)
    expect(m.prometheus()).toContain('perfkit_monitor_dropped_total{reason="invalid-value"} 5')
  })

  it('drops negative or non-finite counter steps and non-finite gauges', () => {
    const m = monitor()
    m.increment('jobs_total', 2)
    m.increment('jobs_total', -1)
    m.increment('jobs_total', Number.NaN)
    m.increment('jobs_total', Infinity)
    m.setGauge('temp', 3)
    m.setGauge('temp', Number.NaN)
    m.adjustGauge('temp', Infinity)
    m.setGauge('temp', -4) // a gauge may be negative
    expect(m.value('jobs_total')).toBe(2)
    expect(m.value('temp')).toBe(-4)
    expect(m.overhead().dropped['invalid-value']).toBe(5)
  })

  it('drops writes with a bad name, bad labels or the wrong kind', () => {
    const m = monitor()
    const reasons: string[] = []
    m.bus.on('monitor:value-dropped', (e) => reasons.push(e.reason))
    m.record('bad name', 1)
    m.record('ok_seconds', 1, { 'bad-label': 'x' })
    m.record('ok_seconds', 1, { __reserved: 'x' })
    m.record('ok_seconds', 1, { le: '1' }) // reserved by the histogram lines
    m.record('ok_seconds', 1, 'route=/a' as unknown as Record<string, string>)
    m.increment('ok_seconds')
    expect(reasons).toEqual(['invalid-name', 'invalid-labels', 'invalid-labels', 'invalid-labels', 'invalid-labels', 'kind-mismatch'])
    // The metric exists (its name is valid) but holds no series.
    expect(m.metrics().map((x) => [x.name, x.series.length])).toEqual([['ok_seconds', 0]])
    m.increment('le_total', 1, { le: 'fine on a counter' })
    expect(m.value('le_total')).toBe(1)
  })

  it('drops metrics past maxMetrics', () => {
    const m = monitor({ maxMetrics: 2 })
    m.increment('a_total')
    m.increment('b_total')
    m.increment('c_total')
    expect(m.value('c_total')).toBeUndefined()
    expect(m.overhead().dropped['too-many-metrics']).toBe(1)
  })

  it('drops writes after close(), but still answers reads', async () => {
    const m = monitor()
    m.increment('jobs_total')
    await m.close()
    m.increment('jobs_total')
    m.record('latency_seconds', 1)
    m.setGauge('g', 1)
    expect(m.value('jobs_total')).toBe(1)
    expect(m.overhead().dropped.closed).toBe(3)
  })

  it('emits nothing when nobody listens (no payload is built)', () => {
    const m = monitor()
    const emit = vi.spyOn(m.bus, 'emit')
    m.record('x_seconds', Number.NaN)
    expect(emit).not.toHaveBeenCalled()
  })

  it('throws in strict mode instead of dropping', async () => {
    const m = monitor({ strict: true })
    expect(() => m.record('x_seconds', -1)).toThrow(PerfkitInputError)
    expect(() => m.record('x_seconds', Number.NaN)).toThrow(expect.objectContaining({ code: 'PERFKIT_INPUT', argument: 'value' }))
    expect(() => m.increment('bad name')).toThrow(expect.objectContaining({ argument: 'name' }))
    expect(() => m.record('x_seconds', 1, { 'a-b': '1' })).toThrow(expect.objectContaining({ argument: 'labels' }))
    m.record('x_seconds', 1)
    expect(() => m.increment('x_seconds')).toThrow(expect.objectContaining({ argument: 'name' }))
    await m.close()
    expect(() => m.record('x_seconds', 1)).toThrow(ClosedError)
  })
})
