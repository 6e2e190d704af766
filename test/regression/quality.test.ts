// The quality bar of change-point detection, on a subset of the labelled synthetic suite
// (scripts/regression-quality.ts runs the whole of it and prints the figures).
import { RegressionDetector } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { generateSuite, matchChanges, NULL_SHAPES } from '../fixtures/synthetic-suite'

describe('change-point quality on the labelled suite', () => {
  const detector = new RegressionDetector()
  const suite = generateSuite({ perShape: 25 })
  let tp = 0
  let fp = 0
  let fn = 0
  const nullDetections: string[] = []
  for (const s of suite) {
    const found = detector.detectChangePoints(s.values)
    const m = matchChanges(s.changes, found.map((c) => ({ index: c.index, end: c.endIndex })), s.values.length)
    tp += m.truePositives
    fp += m.falsePositives
    fn += m.falseNegatives
    if (NULL_SHAPES.includes(s.shape) && found.length > 0) nullDetections.push(`${s.id}: ${found.map((c) => c.index).join(', ')}`)
  }

  it('covers every shape of the suite', () => {
    expect(new Set(suite.map((s) => s.shape))).toEqual(new Set(['step', 'multi-step', 'variance', 'ramp', 'spike', 'noise', 'seasonal']))
    expect(tp + fn).toBeGreaterThan(100)
  })

  it('reaches F1 >= 0.95', () => {
    const precision = tp / (tp + fp)
    const recall = tp / (tp + fn)
    const f1 = (2 * precision * recall) / (precision + recall)
    expect(f1).toBeGreaterThanOrEqual(0.95)
    expect(precision).toBeGreaterThanOrEqual(0.95)
    expect(recall).toBeGreaterThanOrEqual(0.95)
  })

  it('detects nothing on noise-only, spike-only and seasonal series', () => {
    expect(nullDetections).toEqual([])
  })
})

describe('the synthetic suite itself', () => {
  it('is reproducible from its seed and changes with it', () => {
    const a = generateSuite({ perShape: 2, seed: 7 })
    const b = generateSuite({ perShape: 2, seed: 7 })
    const c = generateSuite({ perShape: 2, seed: 8 })
    expect(a).toEqual(b)
    expect(a[0]!.values).not.toEqual(c[0]!.values)
  })

  it('labels steps of 5–100 %, on lognormal latency levels', () => {
    const steps = generateSuite({ perShape: 60, shapes: ['step'] }).flatMap((s) => s.changes)
    const sizes = steps.map((c) => Math.abs(c.size))
    expect(Math.min(...sizes)).toBeCloseTo(0.05, 5)
    expect(Math.max(...sizes)).toBeCloseTo(1, 5)
  })

  it('matches detections to labels one to one within the tolerance', () => {
    const labels = [{ type: 'step' as const, index: 100, end: 100, size: 0.2 }, { type: 'ramp' as const, index: 300, end: 400, size: 0.5 }]
    const m = matchChanges(labels, [{ index: 104, end: 104 }, { index: 106, end: 106 }, { index: 390, end: 420 }], 500)
    expect(m).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 0 })
    expect(matchChanges(labels, [{ index: 140, end: 140 }], 500)).toMatchObject({ truePositives: 0, falsePositives: 1, falseNegatives: 2 })
  })
})
