import { PerfkitConfigError, RegressionDetector } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { gaussian, latencies, shaped } from './series'

const detector = new RegressionDetector()

describe('seasonality', () => {
  it('finds the period and strength of a daily-like cycle', () => {
    const series = shaped(1440, 120, 0.05, 1, (i) => Math.exp(0.3 * Math.sin((2 * Math.PI * i) / 144)))
    const r = detector.seasonality(series)
    expect(r.period).toBeCloseTo(144, 0)
    expect(r.strength).toBeGreaterThan(0.8)
    expect(r.strength).toBeLessThanOrEqual(1)
    expect(r.autocorrelation).toBeGreaterThan(0.5)
  })

  it('finds a period that is not a whole number of samples', () => {
    const series = gaussian(2000, 0.2, 2, (i) => 10 + Math.sin((2 * Math.PI * i) / 37.5))
    expect(Math.abs(detector.seasonality(series).period! - 37.5)).toBeLessThanOrEqual(0.2)
  })

  it('prefers the fundamental period to its multiples', () => {
    const series = gaussian(1200, 0.3, 3, (i) => 50 + 5 * Math.sin((2 * Math.PI * i) / 24) + 2 * Math.sin((4 * Math.PI * i) / 24))
    expect(Math.round(detector.seasonality(series).period!)).toBe(24)
  })

  it('reports no period for noise, a trend, or a step', () => {
    for (const series of [latencies(1000, 100, 0.3, 4), gaussian(1000, 1, 5, (i) => 0.05 * i), gaussian(1000, 1, 6, (i) => (i < 500 ? 10 : 20))]) {
      expect(detector.seasonality(series)).toEqual({ period: null, strength: 0, autocorrelation: 0 })
    }
  })

  it('needs three cycles, and honours minPeriod / maxPeriod', () => {
    const series = gaussian(300, 0.2, 7, (i) => Math.sin((2 * Math.PI * i) / 120))
    expect(detector.seasonality(series).period).toBeNull() // 2.5 cycles
    const short = gaussian(600, 0.2, 8, (i) => Math.sin((2 * Math.PI * i) / 12))
    expect(detector.seasonality(short).period).toBeCloseTo(12, 0)
    expect(detector.seasonality(short, { minPeriod: 20, maxPeriod: 60 }).period).not.toBe(12)
    expect(() => detector.seasonality(short, { minPeriod: 1 })).toThrow(PerfkitConfigError)
  })
})
