import { PerfkitConfigError, PerfkitInputError, RegressionDetector } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { normalDraw, seededRandom } from '../../src/regression/random'
import { gaussian, latencies } from './series'

const detector = new RegressionDetector()

describe('detectAnomalies on a series', () => {
  it('finds spikes by robust z (median/MAD) with their expected value', () => {
    const series = gaussian(200, 1, 1, () => 50)
    series[40] = 70
    series[120] = 30
    const found = detector.detectAnomalies(series)
    expect(found.map((a) => [a.index, a.direction])).toEqual([
      [40, 'high'],
      [120, 'low'],
    ])
    expect(found[0]).toMatchObject({ value: 70, kind: 'spike', method: 'mad' })
    expect(found[0]!.expected).toBeCloseTo(50, 0)
    expect(found[0]!.score).toBeGreaterThan(15)
  })

  it('is not masked by the spikes themselves, unlike the plain z-score', () => {
    const series = gaussian(12, 1, 2, () => 10)
    series[3] = 100
    series[8] = 100
    expect(detector.detectAnomalies(series).map((a) => a.index)).toEqual([3, 8])
    // Two huge values inflate the standard deviation: each is only ~2.3 sd from the mean.
    expect(detector.detectAnomalies(series, { method: 'zscore' })).toEqual([])
    expect(detector.detectAnomalies(series, { method: 'zscore', threshold: 2 }).map((a) => a.index)).toEqual([3, 8])
  })

  it('judges each point against its neighbours with `window`, so a level shift is no anomaly', () => {
    const series = gaussian(400, 1, 3, (i) => (i < 200 ? 10 : 30))
    series[300] = 45
    expect(detector.detectAnomalies(series).length).toBe(0) // the spike hides in the bimodal whole
    const local = detector.detectAnomalies(series, { window: 21 })
    expect(local.map((a) => a.index)).toContain(300)
    expect(local.filter((a) => a.index >= 190 && a.index <= 210)).toEqual([]) // not the shift
    expect(local.find((a) => a.index === 300)!.expected).toBeCloseTo(30, 0)
  })

  it('judges ratios on the log scale', () => {
    const series = latencies(300, 100, 0.2, 4)
    series[100] = 320 // 3.2× the median: ~5.8 σ in log space, but lost in the right tail linearly
    const log = detector.detectAnomalies(series, { scale: 'log', threshold: 5 })
    expect(log.map((a) => a.index)).toEqual([100])
    expect(log[0]!.expected).toBeCloseTo(100, -1)
    expect(detector.detectAnomalies(series, { scale: 'auto', threshold: 5 })).toEqual(log)
    expect(() => detector.detectAnomalies([1, 0, 2], { scale: 'log' })).toThrow(PerfkitInputError)
  })

  it('keeps one side with `side`', () => {
    const series = gaussian(100, 1, 5, () => 0)
    series[10] = 20
    series[20] = -20
    expect(detector.detectAnomalies(series, { side: 'high' }).map((a) => a.index)).toEqual([10])
    expect(detector.detectAnomalies(series, { side: 'low' }).map((a) => a.index)).toEqual([20])
  })

  it('copes with a series that is mostly one value', () => {
    expect(detector.detectAnomalies([5, 5, 5, 5, 5, 5, 5, 9]).map((a) => a.index)).toEqual([7])
    expect(detector.detectAnomalies([5, 5, 5, 5])).toEqual([])
    expect(detector.detectAnomalies([])).toEqual([])
  })

  it('gives times for timestamped points', () => {
    const series = gaussian(50, 1, 6, () => 10).map((value, i) => ({ t: 1000 + i, value }))
    series[7]!.value = 40
    expect(detector.detectAnomalies(series)[0]).toMatchObject({ index: 7, t: 1007 })
  })

  it('validates its options', () => {
    expect(() => detector.detectAnomalies([1, 2], { method: 'lof' as never })).toThrow(PerfkitConfigError)
    expect(() => detector.detectAnomalies([1, 2], { threshold: 0 })).toThrow(/threshold/)
    expect(() => detector.detectAnomalies([1, 2], { window: 2 })).toThrow(/window/)
    expect(() => detector.detectAnomalies([1, 2], { method: 'isolation-forest', threshold: 2 })).toThrow(/threshold/)
  })
})

describe('detectAnomalies on multi-metric points (Isolation Forest)', () => {
  const random = seededRandom(11)
  // Latency and CPU move together; an outlier breaks the relation without being extreme in either.
  const points = Array.from({ length: 400 }, () => {
    const load = normalDraw(random)
    return [100 + 10 * load + normalDraw(random), 50 + 5 * load + 0.5 * normalDraw(random)]
  })
  points.push([160, 20])

  it('flags the point that stands apart, deterministically for a seed', () => {
    const found = detector.detectAnomalies(points)
    expect(found.at(-1)).toMatchObject({ index: 400, point: [160, 20], kind: 'spike', method: 'isolation-forest' })
    expect(found.at(-1)!.score).toBeGreaterThan(0.7)
    expect(found.length).toBeLessThan(5)
    expect(detector.detectAnomalies(points)).toEqual(found)
    const other = detector.detectAnomalies(points, { seed: 2, threshold: 0 })
    const same = detector.detectAnomalies(points, { seed: 1, threshold: 0 })
    expect(other.map((a) => a.score)).not.toEqual(same.map((a) => a.score))
  })

  it('scores ordinary points near or below 0.5', () => {
    const scores = detector.detectAnomalies(points, { threshold: 0 }).map((a) => a.score)
    const sorted = [...scores].sort((a, b) => a - b)
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(0.5)
  })

  it('flags a fixed fraction with `contamination`', () => {
    expect(detector.detectAnomalies(points, { contamination: 0.01 })).toHaveLength(Math.ceil(0.01 * 401))
  })

  it('scores new points against a `reference` baseline', () => {
    const found = detector.detectAnomalies([[100, 50], [160, 20]], { reference: points.slice(0, 400) })
    expect(found.map((a) => a.index)).toEqual([1])
  })

  it('also does robust z per dimension on points', () => {
    const found = detector.detectAnomalies(points, { method: 'mad' })
    expect(found.map((a) => a.index)).toContain(400)
  })

  it('rejects ragged or non-finite points', () => {
    expect(() => detector.detectAnomalies([[1, 2], [3]])).toThrow(/`points\[1\]`/)
    expect(() => detector.detectAnomalies([[1, Number.NaN]])).toThrow(/`points\[0\]\[1\]`/)
    expect(() => detector.detectAnomalies([[1, 2]], { reference: [[1, 2, 3]] })).toThrow(/reference/)
    expect(() => detector.detectAnomalies([[1, 2]], { contamination: 0.9 })).toThrow(PerfkitConfigError)
  })
})
