import { PerfkitConfigError, PerfkitInputError, RegressionDetector } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { gaussian, latencies, shaped } from './series'

const detector = new RegressionDetector()

describe('detectChangePoints', () => {
  it('finds a step, where it is, with the segments on either side', () => {
    const series = shaped(600, 100, 0.1, 1, (i) => (i < 350 ? 1 : 1.3))
    const [c, ...rest] = detector.detectChangePoints(series)
    expect(rest).toEqual([])
    expect(Math.abs(c!.index - 350)).toBeLessThanOrEqual(3)
    expect(c!.kind).toBe('sudden-step')
    expect(c!.change).toBe('level')
    expect(c!.direction).toBe('increase')
    expect(c!.endIndex).toBe(c!.index)
    expect(c!.before.n).toBe(c!.index)
    expect(c!.after.n).toBe(600 - c!.index)
    expect(c!.before.median).toBeCloseTo(100, -1)
    expect(c!.after.median).toBeCloseTo(130, -1)
    expect(c!.magnitude).toBeGreaterThan(0.25)
    expect(c!.magnitude).toBeLessThan(0.35)
    expect(c!.pValue).toBeLessThan(1e-20)
  })

  it('finds several changes in one series, up and down', () => {
    const series = shaped(900, 50, 0.08, 2, (i) => (i < 300 ? 1 : i < 600 ? 1.5 : 1.2))
    const found = detector.detectChangePoints(series)
    expect(found.map((c) => c.direction)).toEqual(['increase', 'decrease'])
    expect(Math.abs(found[0]!.index - 300)).toBeLessThanOrEqual(3)
    expect(Math.abs(found[1]!.index - 600)).toBeLessThanOrEqual(3)
    // Each change is summarized between its neighbours.
    expect(found[0]!.after.n).toBe(found[1]!.index - found[0]!.index)
  })

  it('finds a 5 % step when the noise allows it', () => {
    const series = shaped(800, 200, 0.04, 3, (i) => (i < 400 ? 1 : 1.05))
    const found = detector.detectChangePoints(series)
    expect(found).toHaveLength(1)
    expect(Math.abs(found[0]!.index - 400)).toBeLessThanOrEqual(10)
  })

  it('stays silent on noise, however skewed', () => {
    for (const seed of [4, 5, 6]) expect(detector.detectChangePoints(latencies(1000, 100, 0.35, seed))).toEqual([])
  })

  it('treats single spikes as anomalies, not change points', () => {
    const series = latencies(800, 100, 0.1, 7)
    for (const i of [100, 250, 400, 401 - 300 + 500, 700]) series[i] = 2000
    expect(detector.detectChangePoints(series)).toEqual([])
    expect(detector.detectAnomalies(series).map((a) => a.index)).toEqual([100, 250, 400, 601, 700])
  })

  it('stays silent on a seasonal series without change', () => {
    const series = shaped(1200, 100, 0.05, 8, (i) => Math.exp(0.3 * Math.sin((2 * Math.PI * i) / 96)))
    expect(detector.detectChangePoints(series)).toEqual([])
    expect(detector.seasonality(series).period).toBeCloseTo(96, 0)
  })

  it('still finds a step inside a seasonal series', () => {
    const series = shaped(1200, 100, 0.05, 9, (i) => Math.exp(0.3 * Math.sin((2 * Math.PI * i) / 96)) * (i < 700 ? 1 : 1.4))
    const found = detector.detectChangePoints(series)
    expect(found).toHaveLength(1)
    expect(Math.abs(found[0]!.index - 700)).toBeLessThanOrEqual(5)
  })

  it('reports a change of spread alone as a spread change', () => {
    const random = latencies(800, 1, 1, 10).map(Math.log) // standard normal draws
    const series = random.map((z, i) => 100 * Math.exp((i < 500 ? 0.05 : 0.15) * z))
    const found = detector.detectChangePoints(series)
    expect(found).toHaveLength(1)
    expect(found[0]!.change).toBe('spread')
    expect(Math.abs(found[0]!.index - 500)).toBeLessThanOrEqual(15)
    expect(found[0]!.magnitude).toBeGreaterThan(1) // MAD about 3×
    expect(detector.detectChangePoints(series, { detectSpread: false })).toEqual([])
  })

  it('reports a ramp as one gradual change with its extent', () => {
    const series = shaped(800, 100, 0.05, 11, (i) => 1 + 0.6 * Math.min(1, Math.max(0, (i - 300) / 200)))
    const found = detector.detectChangePoints(series)
    expect(found).toHaveLength(1)
    expect(found[0]!.kind).toBe('gradual-degradation')
    expect(Math.abs(found[0]!.index - 300)).toBeLessThanOrEqual(25)
    expect(Math.abs(found[0]!.endIndex - 500)).toBeLessThanOrEqual(25)
    expect(found[0]!.after.median).toBeCloseTo(160, -1)
  })

  it('keeps close steps apart from a ramp', () => {
    const series = shaped(900, 100, 0.04, 12, (i) => (i < 300 ? 1 : i < 450 ? 1.25 : 1.5))
    const found = detector.detectChangePoints(series)
    expect(found.map((c) => c.kind)).toEqual(['sudden-step', 'sudden-step'])
  })

  it('works on series with zeros and negatives (no log scale)', () => {
    const series = gaussian(600, 1, 13, (i) => (i < 300 ? -5 : 5))
    const found = detector.detectChangePoints(series)
    expect(found).toHaveLength(1)
    expect(found[0]!.index).toBeGreaterThanOrEqual(297)
    expect(found[0]!.index).toBeLessThanOrEqual(303)
    expect(found[0]!.magnitude).toBeCloseTo(2, 0) // median from about −5 to about 5, relative to |−5|
    expect(detector.detectChangePoints([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toEqual([])
  })

  it('gives times with timestamped points', () => {
    const series = shaped(400, 100, 0.05, 14, (i) => (i < 200 ? 1 : 1.5)).map((value, i) => ({ t: 1_000_000 + i * 10_000, value }))
    const [c] = detector.detectChangePoints(series)
    expect(c!.t).toBe(1_000_000 + c!.index * 10_000)
  })

  it('returns nothing for series too short to split', () => {
    expect(detector.detectChangePoints([])).toEqual([])
    expect(detector.detectChangePoints([1, 2, 3, 100, 100, 100])).toEqual([])
    expect(detector.detectChangePoints(Array.from({ length: 19 }, (_, i) => (i < 10 ? 1 : 9)))).toEqual([])
  })

  it('finds a short episode in the middle of a long series (seeded intervals)', () => {
    const series = latencies(1000, 100, 0.1, 15)
    for (let i = 500; i < 530; i++) series[i] = series[i]! * 1.4
    const found = detector.detectChangePoints(series)
    expect(found.map((c) => c.direction)).toEqual(['increase', 'decrease'])
    expect(Math.abs(found[0]!.index - 500)).toBeLessThanOrEqual(5)
    expect(Math.abs(found[1]!.index - 530)).toBeLessThanOrEqual(5)
    // A burst of a few points is a cluster of spikes, too short to be a change.
    const burst = latencies(600, 100, 0.05, 16)
    for (let i = 300; i < 306; i++) burst[i] = burst[i]! * 3
    expect(detector.detectChangePoints(burst)).toEqual([])
    expect(detector.detectAnomalies(burst)).toHaveLength(6)
  })

  it('honours minSegmentLength, minRelativeChange and maxChangePoints', () => {
    const late = shaped(600, 100, 0.05, 19, (i) => (i < 585 ? 1 : 1.5))
    expect(detector.detectChangePoints(late).map((c) => c.index)).toEqual([585])
    // Closer to the end than minSegmentLength: placed minSegmentLength from it.
    expect(detector.detectChangePoints(late, { minSegmentLength: 20 }).map((c) => c.index)).toEqual([580])
    const small = shaped(2000, 100, 0.02, 16, (i) => (i < 1000 ? 1 : 1.03))
    expect(detector.detectChangePoints(small)).toHaveLength(1)
    expect(detector.detectChangePoints(small, { minRelativeChange: 0.05 })).toEqual([])
    const steps = shaped(1000, 100, 0.03, 17, (i) => 1 + 0.3 * Math.floor(i / 200))
    expect(detector.detectChangePoints(steps)).toHaveLength(4)
    expect(detector.detectChangePoints(steps, { maxChangePoints: 2 })).toHaveLength(2)
  })

  it('uses the defaults given to the constructor', () => {
    const strict = new RegressionDetector({ changePoints: { minRelativeChange: 0.5 } })
    expect(strict.detectChangePoints(shaped(400, 100, 0.05, 18, (i) => (i < 200 ? 1 : 1.3)))).toEqual([])
  })

  it('throws typed errors', () => {
    expect(() => detector.detectChangePoints([1, Number.NaN])).toThrow(PerfkitInputError)
    expect(() => detector.detectChangePoints('abc' as never)).toThrow(/`series`/)
    expect(() => detector.detectChangePoints([1, 2], { minSegmentLength: 0 })).toThrow(PerfkitConfigError)
    expect(() => detector.detectChangePoints([1, 2], { seasonality: 1 })).toThrow(/seasonality/)
    expect(() => new RegressionDetector({ changePoints: { alpha: 2 } })).toThrow(/alpha/)
  })
})
