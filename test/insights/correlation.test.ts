import { InsightEngine, PerfkitInputError } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { pearsonGrid } from '../../src/insights/math'
import { FakeMonitor } from './fake-monitor'

const wave = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i))

function monitorWith(n = 40): FakeMonitor {
  const m = new FakeMonitor()
  m.setHistory('queue_size', wave(n, (i) => Math.sin(i / 4) * 50 + 60))
  m.setHistory('latency_seconds', wave(n, (i) => (Math.sin(i / 4) * 50 + 60) * 0.01 + (i % 3) * 0.02))
  m.setHistory('free_workers', wave(n, (i) => 100 - Math.sin(i / 4) * 40))
  m.setHistory('unrelated', wave(n, (i) => ((i * 7919) % 17) - 8))
  return m
}

describe('correlations()', () => {
  it('reports correlated and anti-correlated pairs, not independent ones, strongest first', () => {
    const correlations = new InsightEngine({ monitor: monitorWith(), intervalMs: 0 }).correlations()
    const pairs = correlations.map((c) => `${c.a}~${c.b}:${c.direction}`)
    expect(pairs.sort()).toEqual(['latency_seconds~free_workers:negative', 'queue_size~free_workers:negative', 'queue_size~latency_seconds:positive'])
    expect(correlations.every((c) => Math.abs(c.r) >= 0.7 && c.n === 40)).toBe(true)
    for (let i = 1; i < correlations.length; i++) expect(Math.abs(correlations[i - 1]?.r as number)).toBeGreaterThanOrEqual(Math.abs(correlations[i]?.r as number))
    const latency = correlations.find((c) => c.a === 'queue_size' && c.b === 'latency_seconds')
    expect(latency?.insight).toMatch(/^latency_seconds rises and falls with queue_size \(r = 0\.\d+ over 40 points\); queue_size is a likely driver of latency_seconds\.$/)
  })

  it('honours threshold, metrics, minPoints and window', () => {
    const engine = new InsightEngine({ monitor: monitorWith(), intervalMs: 0 })
    expect(engine.correlations({ metrics: ['queue_size', 'unrelated'] })).toEqual([])
    expect(engine.correlations({ threshold: 0 }).length).toBe(6)
    expect(engine.correlations({ minPoints: 41 })).toEqual([])
    expect(engine.correlations({ windowMs: 30_000 * 5 })).toEqual([]) // 6 points < 10
  })

  it('rejects invalid options with a PerfkitInputError naming them', () => {
    const engine = new InsightEngine({ monitor: monitorWith(), intervalMs: 0 })
    expect(() => engine.correlations({ threshold: 1.5 })).toThrow(PerfkitInputError)
    expect(() => engine.correlations({ minPoints: 2 })).toThrow(/options.minPoints/)
    expect(() => engine.correlations({ bucketMs: 0 })).toThrow(/options.bucketMs/)
    expect(() => engine.correlations({ windowMs: Number.NaN })).toThrow(/options.windowMs/)
    expect(() => engine.correlations({ metrics: [1] as never })).toThrow(/options.metrics/)
  })

  it('aligns series whose timestamps differ slightly, and pairs sparse histories without a dense grid', () => {
    const m = new FakeMonitor()
    m.setHistory('a', wave(30, (i) => i * i))
    m.setHistory('b', wave(30, (i) => 3 * i * i + 1))
    // Shift b by 7 ms: same snapshot, a different source clock read.
    m.histories.set('b', (m.histories.get('b') ?? []).map((p) => ({ t: p.t + 7, value: p.value })))
    const engine = new InsightEngine({ monitor: m, intervalMs: 0 })
    expect(engine.correlations()[0]).toMatchObject({ a: 'a', b: 'b', n: 30 })
    expect(engine.correlations({ bucketMs: 1 })).toEqual([]) // 7 ms apart never share a 1 ms bucket
    // A 1 ms grid over a 15-minute span is too big to build: the sparse path pairs equal times.
    const same = new FakeMonitor()
    same.setHistory('a', wave(30, (i) => i * i))
    same.setHistory('b', wave(30, (i) => 3 * i * i + 1))
    const sparse = new InsightEngine({ monitor: same, intervalMs: 0 }).correlations({ bucketMs: 1 })
    expect(sparse[0]).toMatchObject({ a: 'a', b: 'b', n: 30 })
    expect(sparse[0]?.r).toBeCloseTo(1, 9)
  })
})

describe('pearsonGrid', () => {
  it('skips gaps in either grid', () => {
    const a = Float64Array.from([1, 2, Number.NaN, 4, 5])
    const b = Float64Array.from([2, 4, 6, Number.NaN, 10])
    const { r, n } = pearsonGrid(a, b)
    expect(n).toBe(3)
    expect(r).toBeCloseTo(1, 12)
  })
})
