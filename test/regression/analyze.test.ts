import { RegressionDetector } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { gaussian, shaped } from './series'

const detector = new RegressionDetector()

describe('analyze: every finding classified', () => {
  it('lists a step, a ramp and a spike, each with its kind, in order', () => {
    const series = shaped(1200, 100, 0.05, 1, (i) => (i < 300 ? 1 : i < 600 ? 1.3 : 1.3 * (1 + 0.4 * Math.min(1, (i - 800) / 200 > 0 ? (i - 800) / 200 : 0))))
    series[450] = 900
    const report = detector.analyze(series)
    expect(report.findings.map((f) => f.kind)).toEqual(['sudden-step', 'spike', 'gradual-degradation'])
    const [step, spike, ramp] = report.findings
    expect(Math.abs(step!.index - 300)).toBeLessThanOrEqual(3)
    expect(step!.direction).toBe('increase')
    expect(step!.degradation).toBe(true)
    expect(step!.message).toMatch(/^sudden step at \d+: median \+3\d\.\d%/)
    expect(spike).toMatchObject({ index: 450, endIndex: 450, kind: 'spike', pValue: null, direction: 'increase' })
    expect(Math.abs(ramp!.index - 800)).toBeLessThanOrEqual(25)
    expect(Math.abs(ramp!.endIndex - 1000)).toBeLessThanOrEqual(25)
    expect(ramp!.magnitude).toBeCloseTo(0.4, 1)
    expect(report.changePoints).toHaveLength(2)
    expect(report.anomalies.map((a) => a.index)).toEqual([450])
    expect(report.seasonality.period).toBeNull()
  })

  it('reports a trend reversal and a slow drift that has no change point', () => {
    const vee = gaussian(400, 1, 2, (i) => (i < 200 ? 150 - 0.25 * i : 100 + 0.25 * (i - 200)))
    const kinds = detector.analyze(vee).findings.map((f) => f.kind)
    expect(kinds).toContain('trend-reversal')
    const drift = gaussian(400, 3, 3, (i) => 100 + 0.05 * i)
    const report = detector.analyze(drift)
    if (report.changePoints.some((c) => c.change === 'level')) {
      expect(report.findings.some((f) => f.kind === 'gradual-degradation')).toBe(true)
    } else {
      expect(report.findings.at(-1)).toMatchObject({ kind: 'gradual-degradation', index: 0, endIndex: 399, degradation: true })
    }
  })

  it('finds nothing in noise', () => {
    expect(detector.analyze(shaped(800, 100, 0.2, 4, () => 1)).findings).toEqual([])
  })

  it('marks improvements as no degradation', () => {
    const faster = shaped(600, 100, 0.05, 5, (i) => (i < 300 ? 1 : 0.7))
    const [f] = detector.analyze(faster).findings
    expect(f).toMatchObject({ kind: 'sudden-step', direction: 'decrease', degradation: false })
  })
})
