import { PerfkitConfigError, PerfkitInputError, RegressionDetector } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { gaussian, latencies, shaped } from './series'

const detector = new RegressionDetector()

describe('compare: significance and a practical effect', () => {
  it('flags a clear slowdown with both tests, the effect size and a reason', () => {
    const r = detector.compare(latencies(200, 100, 0.1, 1), latencies(200, 125, 0.1, 2))
    expect(r.regressed).toBe(true)
    expect(r.direction).toBe('increase')
    expect(r.changePercent).toBeGreaterThan(20)
    expect(r.welch.pValue).toBeLessThan(1e-20)
    expect(r.mannWhitney.pValue).toBeLessThan(1e-20)
    expect(r.pValue).toBe(Math.max(r.welch.pValue, r.mannWhitney.pValue))
    expect(r.effectSize).toBeGreaterThan(1)
    expect(r.confidence).toBeGreaterThan(0.99)
    expect(r.kind).toBe('sudden-step')
    expect(r.reason).toMatch(/rose from .* to .*\+2\d\.\d%/)
  })

  it('does not alarm on a 1 % shift that only huge samples make significant', () => {
    const baseline = gaussian(100_000, 10, 3, () => 100)
    const current = gaussian(100_000, 10, 4, () => 101)
    const r = detector.compare(baseline, current)
    expect(r.significant).toBe(true) // p is tiny...
    expect(r.pValue).toBeLessThan(1e-50)
    expect(r.practical).toBe(false) // ...but 1 % is under the 5 % minimum
    expect(r.regressed).toBe(false)
    expect(r.kind).toBeNull()
    expect(r.reason).toMatch(/significant but small: \+1\.\d% is under the 5% minimum/)
  })

  it('needs the minimum effect size too: a 6 % shift buried in wide noise is not practical', () => {
    const baseline = gaussian(20_000, 60, 5, () => 100)
    const current = gaussian(20_000, 60, 6, () => 106)
    const r = detector.compare(baseline, current)
    expect(r.significant).toBe(true)
    expect(Math.abs(r.changePercent)).toBeGreaterThan(5)
    expect(Math.abs(r.effectSize)).toBeLessThan(0.2)
    expect(r.regressed).toBe(false)
    expect(r.reason).toMatch(/effect size/)
  })

  it('calls nothing on noise', () => {
    const r = detector.compare(latencies(100, 100, 0.2, 7), latencies(100, 100, 0.2, 8))
    expect(r.significant).toBe(false)
    expect(r.regressed).toBe(false)
    expect(r.reason).toMatch(/^no significant change/)
  })

  it('treats an improvement as no regression, unless worseWhen says otherwise', () => {
    const fast = latencies(100, 80, 0.1, 9)
    const slow = latencies(100, 100, 0.1, 10)
    const r = detector.compare(slow, fast)
    expect(r.direction).toBe('decrease')
    expect(r.regressed).toBe(false)
    expect(r.reason).toMatch(/improvement/)
    expect(detector.compare(slow, fast, { worseWhen: 'decrease' }).regressed).toBe(true)
    expect(detector.compare(slow, fast, { worseWhen: 'either' }).regressed).toBe(true)
    const throughput = new RegressionDetector({ worseWhen: 'decrease' })
    expect(throughput.compare(slow, fast).regressed).toBe(true)
  })

  it('honours alpha, minChangePercent and the test choice per call', () => {
    const baseline = latencies(60, 100, 0.15, 11)
    const current = latencies(60, 108, 0.15, 12)
    expect(detector.compare(baseline, current, { minChangePercent: 20 }).regressed).toBe(false)
    const strict = detector.compare(baseline, current, { alpha: 1e-12 })
    expect(strict.significant).toBe(false)
    const welchOnly = detector.compare(baseline, current, { test: 'welch' })
    expect(welchOnly.pValue).toBe(welchOnly.welch.pValue)
  })

  it('reports not enough data instead of guessing', () => {
    const r = detector.compare([100], [120, 130])
    expect(r.regressed).toBe(false)
    expect(r.welch.pValue).toBeNaN()
    expect(r.confidence).toBe(0)
    expect(r.reason).toMatch(/not enough data: 1 baseline and 2 current/)
  })

  it('accepts { t, value } points from monitor.history()', () => {
    const toPoints = (values: number[]) => values.map((value, i) => ({ t: i * 10_000, value }))
    const r = detector.compare(toPoints(latencies(50, 100, 0.1, 13)), toPoints(latencies(50, 140, 0.1, 14)))
    expect(r.regressed).toBe(true)
  })

  it('throws typed errors for bad input and bad options', () => {
    expect(() => detector.compare([1, 2, Number.NaN], [1, 2])).toThrow(PerfkitInputError)
    expect(() => detector.compare([1, 2, Number.NaN], [1, 2])).toThrow('`baseline[2]`')
    expect(() => detector.compare([1, 2], [{ t: 1, value: Number.POSITIVE_INFINITY }])).toThrow('`current[0].value`')
    expect(() => detector.compare([1, 2], [3, 4], { alpha: 0 })).toThrow(PerfkitConfigError)
    expect(() => detector.compare([1, 2], [3, 4], { worseWhen: 'up' as never })).toThrow(/worseWhen/)
    expect(() => new RegressionDetector({ minChangePercent: -1 })).toThrow(PerfkitConfigError)
    expect(() => new RegressionDetector({ bus: {} as never })).toThrow(/`bus`/)
  })
})

describe('compare: the shape of the change', () => {
  it('calls a steady climb through the current window a gradual degradation', () => {
    const baseline = shaped(60, 100, 0.03, 21, () => 1)
    const current = shaped(60, 100, 0.03, 22, (i) => 1 + (0.4 * (i + 1)) / 60)
    const r = detector.compare(baseline, current)
    expect(r.regressed).toBe(true)
    expect(r.kind).toBe('gradual-degradation')
  })

  it('calls an improving baseline followed by a climb a trend reversal', () => {
    const baseline = shaped(60, 100, 0.02, 23, (i) => 1.2 - (0.2 * i) / 60)
    const current = shaped(60, 100, 0.02, 24, (i) => 1 + (0.5 * (i + 1)) / 60)
    const r = detector.compare(baseline, current)
    expect(r.regressed).toBe(true)
    expect(r.kind).toBe('trend-reversal')
  })

  it('calls a mean carried by a few extreme points a spike', () => {
    const baseline = gaussian(40, 1, 25, () => 100)
    const current = gaussian(40, 1, 26, () => 100)
    current[10] = 400
    current[30] = 420
    const r = detector.compare(baseline, current, { test: 'welch', alpha: 0.2, minEffectSize: 0 })
    expect(r.practical).toBe(true)
    expect(r.kind).toBe('spike')
  })
})
