import { afterEach, describe, expect, it } from 'vitest'
import { PROMETHEUS_CONTENT_TYPE, PerformanceMonitor } from '../../src/monitor/index'
import { ManualClock } from '../helpers/clock'

const monitors: PerformanceMonitor[] = []
function setup(options: ConstructorParameters<typeof PerformanceMonitor>[0] = {}): { m: PerformanceMonitor; clock: ManualClock } {
  const clock = new ManualClock()
  const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0, selfMetrics: false, ...options })
  monitors.push(m)
  return { m, clock }
}
afterEach(async () => {
  for (const m of monitors.splice(0)) await m.close()
})

describe('Prometheus exposition 0.0.4', () => {
  it('writes HELP and TYPE, counters with _total, gauges as they are', () => {
    const { m } = setup()
    m.define('jobs', { kind: 'counter', help: 'Jobs done.\nPer queue, with a \\ backslash.' })
    m.increment('jobs', 3, { queue: 'mail' })
    m.increment('requests_total')
    m.setGauge('temperature_celsius', -3.5)
    expect(m.prometheus()).toBe(
      [
        '# HELP jobs_total Jobs done.\\nPer queue, with a \\\\ backslash.',
        '# TYPE jobs_total counter',
        'jobs_total{queue="mail"} 3',
        '# HELP requests_total requests total',
        '# TYPE requests_total counter',
        'requests_total 1',
        '# HELP temperature_celsius temperature celsius',
        '# TYPE temperature_celsius gauge',
        'temperature_celsius -3.5',
        '',
      ].join('\n'),
    )
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8')
  })

  it('escapes label values: backslash, double quote, line feed', () => {
    const { m } = setup()
    m.increment('odd_total', 1, { path: 'C:\\dir "quoted"\nnext' })
    expect(m.prometheus()).toContain('odd_total{path="C:\\\\dir \\"quoted\\"\\nnext"} 1\n')
  })

  it('writes a distribution as a histogram with cumulative buckets, _sum and _count', () => {
    const { m } = setup()
    m.define('req_seconds', { kind: 'distribution', buckets: [0.1, 1] })
    for (const v of [0.05, 0.1, 0.5, 2]) m.record('req_seconds', v, { route: '/a' })
    expect(m.prometheus()).toBe(
      [
        '# HELP req_seconds req seconds',
        '# TYPE req_seconds histogram',
        'req_seconds_bucket{route="/a",le="0.1"} 2',
        'req_seconds_bucket{route="/a",le="1"} 3',
        'req_seconds_bucket{route="/a",le="+Inf"} 4',
        'req_seconds_sum{route="/a"} 2.65',
        'req_seconds_count{route="/a"} 4',
        '',
      ].join('\n'),
    )
  })

  it('writes a summary over the chosen window when asked, and both without clashing names', () => {
    const { m, clock } = setup({ expose: 'summary' })
    m.record('lat_seconds', 1)
    clock.advance(120_000)
    m.record('lat_seconds', 3)
    const oneMinute = m.prometheus()
    expect(oneMinute).toContain('# TYPE lat_seconds summary\n')
    expect(oneMinute).toContain('lat_seconds{quantile="0.5"} 3\n')
    expect(oneMinute).toContain('lat_seconds{quantile="0.999"} 3\n')
    expect(oneMinute).toContain('lat_seconds_sum 4\nlat_seconds_count 2\n') // whole-life sum and count
    expect(m.prometheus({ window: 'all' })).toContain('lat_seconds{quantile="0.5"} 1\n')
    m.define('both_seconds', { kind: 'distribution', expose: 'both', buckets: [1] })
    m.record('both_seconds', 0.5)
    const text = m.prometheus()
    expect(text).toContain('# TYPE both_seconds histogram\nboth_seconds_bucket{le="1"} 1\n')
    expect(text).toContain('# TYPE both_seconds_quantiles summary\nboth_seconds_quantiles{quantile="0.5"} 0.5\n')
    expect(text).toContain('both_seconds_quantiles_count 1\n')
  })

  it('writes NaN for a summary quantile over an empty window', () => {
    const { m, clock } = setup({ expose: 'summary' })
    m.record('lat_seconds', 1)
    clock.advance(120_000)
    expect(m.prometheus()).toContain('lat_seconds{quantile="0.99"} NaN\n')
  })

  it('leaves out metrics without series', () => {
    const { m } = setup()
    m.define('declared_total', { kind: 'counter' })
    expect(m.prometheus()).toBe('')
  })

  it('includes the monitor’s own figures unless selfMetrics is off', () => {
    const { m } = setup({ selfMetrics: true })
    m.increment('x_total')
    const text = m.prometheus()
    expect(text).toContain('# TYPE perfkit_monitor_records_total counter\nperfkit_monitor_records_total 1\n')
    expect(text).toContain('perfkit_monitor_series 1\n')
    expect(text).toContain('perfkit_monitor_collection_seconds_total{part="exposition"}')
  })

  it('prometheusAsync returns the same text, yielding to the event loop on the way', async () => {
    const { m } = setup()
    for (let i = 0; i < 300; i++) m.record('lat_seconds', 0.01 * (i % 7), { route: `/r/${i}` })
    m.increment('c_total')
    const sync = m.prometheus()
    let ticks = 0
    const ticking = setInterval(() => ticks++, 0)
    const text = await m.prometheusAsync({ maxBlockMs: 0.001 })
    clearInterval(ticking)
    expect(text).toBe(sync)
    expect(ticks).toBeGreaterThan(0)
    await expect(m.prometheusAsync({ maxBlockMs: 0 })).rejects.toMatchObject({ code: 'PERFKIT_INPUT' })
  })
})
