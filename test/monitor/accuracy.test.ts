import { describe, expect, it } from 'vitest'
import { BucketIndex } from '../../src/monitor/buckets'
import { DDSketchFactory } from '../../src/monitor/ddsketch'
import { PerformanceMonitor } from '../../src/monitor/index'
import { DEFAULT_DURATION_BUCKETS } from '../../src/monitor/registry'
import { TDigestSketch } from '../../src/monitor/tdigest-sketch'
import { ManualClock } from '../helpers/clock'

/** A seeded uniform generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297
  }
}

function lognormal(n: number, seed: number, median = 0.05, sigma = 0.8): Float64Array {
  const u = random(seed)
  return Float64Array.from({ length: n }, () => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())))
}

const exactQuantile = (sorted: Float64Array, q: number): number => sorted[Math.floor(q * (sorted.length - 1))] as number
const relativeError = (estimate: number | undefined, truth: number): number => Math.abs((estimate as number) - truth) / truth

describe('quantile accuracy and bounded memory', () => {
  it('DDSketch: p50..p999 within 1 % on 1 000 000 lognormal samples', () => {
    const values = lognormal(1_000_000, 1)
    const m = new PerformanceMonitor({ now: new ManualClock().now, historyIntervalMs: 0 })
    for (const v of values) m.record('latency_seconds', v)
    const s = m.stats('latency_seconds', undefined, { window: 'all' })
    const sorted = values.slice().sort()
    for (const [field, q] of [['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p99', 0.99], ['p999', 0.999]] as const) {
      expect(relativeError(s?.[field], exactQuantile(sorted, q)), field).toBeLessThanOrEqual(0.01)
    }
    expect(s?.count).toBe(1_000_000)
    expect(s?.max).toBe(sorted[sorted.length - 1])
    void m.close()
  })

  it('t-digest: p99 within 1 % on 1 000 000 lognormal samples', () => {
    const values = lognormal(1_000_000, 2)
    const m = new PerformanceMonitor({ now: new ManualClock().now, historyIntervalMs: 0, sketch: 'tdigest' })
    for (const v of values) m.record('latency_seconds', v)
    const s = m.stats('latency_seconds', undefined, { window: 'all' })
    const sorted = values.slice().sort()
    expect(relativeError(s?.p50, exactQuantile(sorted, 0.5))).toBeLessThanOrEqual(0.01)
    expect(relativeError(s?.p99, exactQuantile(sorted, 0.99))).toBeLessThanOrEqual(0.01)
    void m.close()
  })

  it('a series holds the same memory after 1 000 or 300 000 values', () => {
    const m = new PerformanceMonitor({ now: new ManualClock().now, historyIntervalMs: 0 })
    const binsAfter = (n: number, seed: number): number => {
      for (const v of lognormal(n, seed)) m.record('x_seconds', v)
      const state = m.exportState().metrics[0]?.series[0]?.sketch
      return state?.type === 'ddsketch' ? state.bins.length : -1
    }
    const small = binsAfter(1_000, 3)
    const large = binsAfter(300_000, 4)
    expect(large).toBeLessThan(small * 2)
    expect(large).toBeLessThanOrEqual(2048)
    void m.close()
  })

  it('DDSketch bins are capped at 2048 even over 300 orders of magnitude', () => {
    const sketch = new DDSketchFactory(0.01).create()
    let n = 0
    for (let e = -150; e <= 150; e += 0.01, n++) sketch.add(10 ** e)
    const state = sketch.toState()
    expect(state.bins.length).toBeLessThanOrEqual(2048)
    expect(state.bins.reduce((a, b) => a + b, 0) + state.zeroCount).toBe(n) // no count lost or doubled by the collapse
    expect(sketch.quantile(0.99)).toBeGreaterThan(1e140) // the top keeps its accuracy; only the lowest bins collapse
  })

  it('t-digest keeps a bounded number of centroids', () => {
    const digest = new TDigestSketch(200)
    for (const v of lognormal(200_000, 5)) digest.add(v)
    expect(digest.centroids().length).toBeLessThan(200)
    expect(digest.count).toBe(200_000)
  })
})

describe('histogram buckets are exact', () => {
  it('the key table agrees with a plain scan, on bounds themselves and around them', () => {
    const factory = new DDSketchFactory(0.01)
    const bounds = [...DEFAULT_DURATION_BUCKETS, 10.05, 11] // two bounds in neighbouring bins
    const index = new BucketIndex(bounds, factory.key)
    const scan = (v: number): number => {
      let i = 0
      while (i < bounds.length && v > (bounds[i] as number)) i++
      return i
    }
    const values = [0, 1e-12, ...bounds, ...bounds.map((b) => b * (1 + 1e-12)), ...bounds.map((b) => b * (1 - 1e-12)), 1e9, ...lognormal(50_000, 6, 0.1, 2)]
    for (const v of values) expect(index.of(v, v > 0 ? factory.key(v) : Number.NaN), `value ${v}`).toBe(scan(v))
    expect(index.of(0.3, Number.NaN)).toBe(scan(0.3)) // t-digest series: no key, a scan
  })

  it('exposes exact cumulative counts', () => {
    const m = new PerformanceMonitor({ now: new ManualClock().now, historyIntervalMs: 0, selfMetrics: false })
    const values = lognormal(20_000, 7, 0.1, 1.5)
    for (const v of values) m.record('req_seconds', v)
    const text = m.prometheus()
    for (const b of DEFAULT_DURATION_BUCKETS) {
      const expected = values.filter((v) => v <= b).length
      expect(text).toContain(`req_seconds_bucket{le="${b}"} ${expected}\n`)
    }
    expect(text).toContain(`req_seconds_bucket{le="+Inf"} 20000\n`)
    void m.close()
  })
})
