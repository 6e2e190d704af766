import { PerfkitConfigError, RegressionDetector } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { gaussian } from './series'

const detector = new RegressionDetector()

describe('detectTrend', () => {
  it('fits slope, intercept and r2 and flags a steady climb as gradual degradation', () => {
    const series = gaussian(300, 2, 1, (i) => 100 + 0.1 * i)
    const r = detector.detectTrend(series)
    expect(r.slope).toBeCloseTo(0.1, 2)
    expect(r.intercept).toBeCloseTo(100, 0)
    expect(r.r2).toBeGreaterThan(0.8)
    expect(r.pValue).toBeLessThan(1e-50)
    expect(r.direction).toBe('increasing')
    expect(r.changePercent).toBeCloseTo(30, -1)
    expect(r.gradualDegradation).toBe(true)
    expect(r.kind).toBe('gradual-degradation')
    expect(r.reversals).toEqual([])
  })

  it('does not call a sudden step gradual, even though a line fits it', () => {
    const r = detector.detectTrend(gaussian(300, 1, 2, (i) => (i < 150 ? 100 : 130)))
    expect(r.direction).toBe('increasing')
    expect(r.gradualDegradation).toBe(false)
    expect(r.kind).toBeNull()
  })

  it('calls noise flat, and a tiny but significant drift flat too', () => {
    expect(detector.detectTrend(gaussian(300, 2, 3, () => 100)).direction).toBe('flat')
    const drift = detector.detectTrend(gaussian(5000, 0.5, 4, (i) => 100 + 0.0002 * i))
    expect(drift.pValue).toBeLessThan(0.01)
    expect(drift.direction).toBe('flat') // +1 % over the span is under minChangePercent
    expect(drift.gradualDegradation).toBe(false)
  })

  it('finds a trend reversal: improving, then degrading', () => {
    const series = gaussian(400, 1, 5, (i) => (i < 250 ? 150 - 0.2 * i : 100 + 0.25 * (i - 250)))
    const r = detector.detectTrend(series)
    expect(r.reversals).toHaveLength(1)
    const [rev] = r.reversals
    expect(Math.abs(rev!.index - 250)).toBeLessThanOrEqual(8)
    expect(rev).toMatchObject({ kind: 'trend-reversal', from: 'decreasing', to: 'increasing' })
    expect(rev!.slopeBefore).toBeCloseTo(-0.2, 1)
    expect(rev!.slopeAfter).toBeCloseTo(0.25, 1)
    expect(rev!.pValue).toBeLessThan(1e-10)
    // The latest leg degrades: that is what the flag reports.
    expect(r.gradualDegradation).toBe(true)
  })

  it('finds several reversals and ignores a step (no change of slope sign)', () => {
    const zigzag = gaussian(600, 1, 6, (i) => (i < 200 ? 100 + 0.2 * i : i < 400 ? 140 - 0.2 * (i - 200) : 100 + 0.2 * (i - 400)))
    expect(detector.detectTrend(zigzag).reversals.map((r) => r.to)).toEqual(['decreasing', 'increasing'])
    expect(detector.detectTrend(gaussian(400, 1, 7, (i) => (i < 200 ? 100 : 120))).reversals).toEqual([])
  })

  it('is not thrown off by a spike', () => {
    const series = gaussian(300, 2, 8, () => 100)
    series[150] = 5000
    const r = detector.detectTrend(series)
    expect(r.direction).toBe('flat')
    expect(r.reversals).toEqual([])
  })

  it('reports slopes per ms for timestamped points', () => {
    const series = gaussian(200, 1, 9, (i) => 50 + 0.5 * i).map((value, i) => ({ t: 1.7e12 + i * 10_000, value }))
    const r = detector.detectTrend(series)
    expect(Math.abs(r.slope / (0.5 / 10_000) - 1)).toBeLessThan(0.01)
    expect(r.slope * 1.7e12 + r.intercept).toBeCloseTo(50, -1)
  })

  it('follows worseWhen: a falling throughput is the degradation', () => {
    const falling = gaussian(300, 1, 10, (i) => 200 - 0.2 * i)
    expect(detector.detectTrend(falling).gradualDegradation).toBe(false)
    expect(detector.detectTrend(falling, { worseWhen: 'decrease' }).gradualDegradation).toBe(true)
    expect(new RegressionDetector({ worseWhen: 'decrease' }).detectTrend(falling).gradualDegradation).toBe(true)
  })

  it('returns NaN fields, not a throw, for too little data', () => {
    const r = detector.detectTrend([5])
    expect(r.slope).toBeNaN()
    expect(r.direction).toBe('flat')
    expect(r.reversals).toEqual([])
    expect(() => detector.detectTrend([1, 2], { alpha: 1 })).toThrow(PerfkitConfigError)
  })
})
