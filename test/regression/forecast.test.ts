import { PerfkitInputError, RegressionDetector } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { normalDraw, seededRandom } from '../../src/regression/random'
import { gaussian } from './series'

const detector = new RegressionDetector()

describe('forecast', () => {
  it("extrapolates a trend with Holt's method, intervals widening with the horizon", () => {
    const series = gaussian(200, 1, 1, (i) => 50 + 0.5 * i)
    const f = detector.forecast(series, 10)
    expect(f.method).toBe('holt')
    expect(f.period).toBeNull()
    expect(f.points).toHaveLength(10)
    expect(f.points[0]).toMatchObject({ step: 1, index: 200 })
    expect(f.points[0]!.value).toBeCloseTo(150, -1)
    expect(f.points[9]!.value).toBeCloseTo(154.5, -1)
    const widths = f.points.map((p) => p.upper - p.lower)
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeGreaterThanOrEqual(widths[i - 1]!)
    expect(f.alpha).toBeGreaterThan(0)
    expect(f.alpha).toBeLessThan(1)
    expect(f.beta).toBeLessThanOrEqual(f.alpha)
    expect(f.sigma).toBeCloseTo(1, 0)
    expect(f.level).toBe(0.95)
  })

  it('gives prediction intervals with their nominal coverage (simulated ETS(A,A,N))', () => {
    const random = seededRandom(2)
    let inside1 = 0
    let inside5 = 0
    const runs = 150
    for (let run = 0; run < runs; run++) {
      let level = 100
      let trend = 0.2
      const ys: number[] = []
      for (let t = 0; t < 125; t++) {
        const e = 2 * normalDraw(random)
        ys.push(level + trend + e)
        level = level + trend + 0.3 * e
        trend = trend + 0.03 * e
      }
      const f = detector.forecast(ys.slice(0, 120), 5, { seasonality: false })
      if (ys[120]! >= f.points[0]!.lower && ys[120]! <= f.points[0]!.upper) inside1++
      if (ys[124]! >= f.points[4]!.lower && ys[124]! <= f.points[4]!.upper) inside5++
    }
    expect(inside1 / runs).toBeGreaterThan(0.88)
    expect(inside5 / runs).toBeGreaterThan(0.85)
    expect(inside1 / runs).toBeLessThan(0.995)
  })

  it('uses Holt-Winters on a seasonal series and follows the cycle', () => {
    const cycle = (i: number) => 100 + 20 * Math.sin((2 * Math.PI * i) / 24)
    const series = gaussian(24 * 12, 1, 3, cycle)
    const f = detector.forecast(series, 24)
    expect(f.method).toBe('holt-winters')
    expect(f.period).toBe(24)
    for (const p of f.points) expect(Math.abs(p.value - cycle(p.index))).toBeLessThan(4)
    expect(detector.forecast(series, 24, { seasonality: false }).method).toBe('holt')
  })

  it('extrapolates times and keeps lower bounds of non-negative data at 0', () => {
    const series = gaussian(60, 3, 4, () => 2).map((value, i) => ({ t: 5000 + i * 1000, value: Math.abs(value) }))
    const f = detector.forecast(series, 3)
    expect(f.points.map((p) => p.t)).toEqual([65_000, 66_000, 67_000])
    expect(Math.min(...f.points.map((p) => p.lower))).toBeGreaterThanOrEqual(0)
  })

  it('falls back to the last value, with no interval, below three points', () => {
    expect(detector.forecast([7, 9], 2).points).toEqual([
      { step: 1, index: 2, value: 9, lower: Number.NaN, upper: Number.NaN },
      { step: 2, index: 3, value: 9, lower: Number.NaN, upper: Number.NaN },
    ])
    expect(detector.forecast([], 1).points[0]!.value).toBeNaN()
    expect(detector.forecast([1, 2], 1).method).toBe('naive')
  })

  it('validates the horizon and the level', () => {
    expect(() => detector.forecast([1, 2, 3], 0)).toThrow(PerfkitInputError)
    expect(() => detector.forecast([1, 2, 3], 1.5)).toThrow(/horizon/)
    expect(() => detector.forecast([1, 2, 3], 1, { level: 1 })).toThrow(/level/)
  })
})
