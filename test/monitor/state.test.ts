import { afterEach, describe, expect, it } from 'vitest'
import { PerformanceMonitor } from '../../src/monitor/index'
import type { MonitorState } from '../../src/monitor/index'
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

const values = (n: number, offset: number): number[] => Array.from({ length: n }, (_, i) => 0.001 * (1 + ((i * 7919 + offset) % 997)))

describe('exportState / mergeState', () => {
  for (const sketch of ['ddsketch', 'tdigest'] as const) {
    it(`${sketch}: two processes merged equal one that saw everything`, () => {
      const a = monitor({ sketch })
      const b = monitor({ sketch })
      const all = monitor({ sketch })
      for (const v of values(3000, 1)) {
        a.record('lat_seconds', v, { route: '/x' })
        all.record('lat_seconds', v, { route: '/x' })
      }
      for (const v of values(2000, 2)) {
        b.record('lat_seconds', v, { route: '/x' })
        all.record('lat_seconds', v, { route: '/x' })
      }
      a.increment('req_total', 3000)
      b.increment('req_total', 2000)
      const combined = monitor({ sketch })
      // Through JSON, as states travel between processes.
      combined.mergeState(JSON.parse(JSON.stringify(a.exportState())) as MonitorState)
      combined.mergeState(JSON.parse(JSON.stringify(b.exportState())) as MonitorState)
      const merged = combined.stats('lat_seconds', { route: '/x' }, { window: 'all' })
      const truth = all.stats('lat_seconds', { route: '/x' }, { window: 'all' })
      expect(merged?.count).toBe(5000)
      expect(merged?.sum).toBeCloseTo(truth?.sum as number, 9)
      expect(merged?.min).toBe(truth?.min)
      expect(merged?.max).toBe(truth?.max)
      expect(merged?.stddev).toBeCloseTo(truth?.stddev as number, 9)
      if (sketch === 'ddsketch') expect(merged?.p99).toBe(truth?.p99) // DDSketch merges are exact
      else expect(Math.abs((merged?.p99 as number) - (truth?.p99 as number)) / (truth?.p99 as number)).toBeLessThan(0.02)
      expect(combined.value('req_total')).toBe(5000)
      // Merged values count as recorded now: they are in the current window too.
      expect(combined.stats('lat_seconds')?.count).toBe(5000)
      const scrape = combined.prometheus()
      expect(scrape).toContain('lat_seconds_bucket{route="/x",le="+Inf"} 5000')
      expect(scrape).toContain('lat_seconds_count{route="/x"} 5000')
    })
  }

  it('adds labels to keep instances apart', () => {
    const worker = monitor()
    worker.record('lat_seconds', 0.1)
    worker.setGauge('queue_depth', 4)
    const primary = monitor()
    primary.mergeState(worker.exportState(), { labels: { instance: 'w1' } })
    primary.mergeState(worker.exportState(), { labels: { instance: 'w2' } })
    expect(primary.stats('lat_seconds', { instance: 'w2' }, { window: 'all' })?.count).toBe(1)
    expect(primary.stats('lat_seconds', undefined, { window: 'all' })?.count).toBe(2)
    expect(primary.value('queue_depth')).toBe(8)
    expect(primary.value('queue_depth', { instance: 'w1' })).toBe(4)
  })

  it('rejects a malformed state before writing anything', () => {
    const m = monitor()
    m.increment('req_total', 1)
    const good = monitor()
    good.increment('req_total', 5)
    good.record('lat_seconds', 0.2)
    const state = good.exportState()
    const broken = JSON.parse(JSON.stringify(state)) as MonitorState
    const latency = broken.metrics.find((x) => x.name === 'lat_seconds')
    ;(latency?.series[0]?.buckets as number[])[0] = 99 // buckets no longer add up to the sketch count
    expect(() => m.mergeState(broken)).toThrow(expect.objectContaining({ code: 'PERFKIT_INPUT' }))
    expect(m.value('req_total')).toBe(1) // the counter, checked first, was not applied
    expect(() => m.mergeState({} as MonitorState)).toThrow(expect.objectContaining({ argument: 'state.format' }))
    expect(() => m.mergeState(null as unknown as MonitorState)).toThrow(expect.objectContaining({ code: 'PERFKIT_INPUT' }))
    const negative = JSON.parse(JSON.stringify(state)) as MonitorState
    ;(negative.metrics[0]?.series[0] as { value: number }).value = -1
    expect(() => m.mergeState(negative)).toThrow(expect.objectContaining({ code: 'PERFKIT_INPUT' }))
  })

  it('refuses sketches or buckets that do not match', () => {
    const coarse = monitor({ relativeAccuracy: 0.05 })
    coarse.record('lat_seconds', 0.1)
    const fine = monitor()
    fine.record('lat_seconds', 0.1)
    expect(() => fine.mergeState(coarse.exportState())).toThrow(expect.objectContaining({ argument: expect.stringContaining('relativeAccuracy') }))
    const other = monitor({ buckets: [1, 2, 3] })
    other.record('lat_seconds', 0.1)
    expect(() => fine.mergeState(other.exportState())).toThrow(expect.objectContaining({ argument: expect.stringContaining('bounds') }))
    const digest = monitor({ sketch: 'tdigest' })
    digest.record('lat_seconds', 0.1)
    expect(() => fine.mergeState(digest.exportState())).toThrow(expect.objectContaining({ code: 'PERFKIT_INPUT' }))
    const counter = monitor()
    counter.increment('lat_seconds')
    expect(() => fine.mergeState(counter.exportState())).toThrow(expect.objectContaining({ code: 'PERFKIT_INPUT' }))
  })

  it('creates missing metrics with the exporter’s configuration', () => {
    const source = monitor({ relativeAccuracy: 0.02 })
    source.define('size_bytes', { kind: 'distribution', help: 'Sizes.', buckets: [10, 100] })
    source.record('size_bytes', 50)
    const target = monitor()
    target.mergeState(source.exportState())
    expect(target.metrics()[0]).toMatchObject({ name: 'size_bytes', help: 'Sizes.' })
    expect(target.prometheus()).toContain('size_bytes_bucket{le="100"} 1')
    target.mergeState(source.exportState()) // the accuracy came along, so merging again works
    expect(target.stats('size_bytes', undefined, { window: 'all' })?.count).toBe(2)
  })

  it('refuses to merge into a closed monitor', async () => {
    const m = monitor()
    await m.close()
    expect(() => m.mergeState(monitor().exportState())).toThrow(expect.objectContaining({ code: 'PERFKIT_CLOSED' }))
  })
})
