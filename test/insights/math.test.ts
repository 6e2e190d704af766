import { describe, expect, it } from 'vitest'
import { align, fitLine, fractionAbove, pearson } from '../../src/insights/math'

// A small deterministic generator, so "independent" series are the same on every run.
function lcg(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

describe('pearson', () => {
  it('is 1 for a linear relation and -1 for an inverse one', () => {
    const xs = [1, 2, 3, 4, 5, 6]
    expect(pearson(xs, xs.map((x) => 3 * x + 7))).toBeCloseTo(1, 12)
    expect(pearson(xs, xs.map((x) => -0.5 * x + 2))).toBeCloseTo(-1, 12)
  })

  it('is near 0 for independent series', () => {
    const a = lcg(1)
    const b = lcg(99)
    const xs = Array.from({ length: 500 }, a)
    const ys = Array.from({ length: 500 }, b)
    expect(Math.abs(pearson(xs, ys) as number)).toBeLessThan(0.15)
  })

  it('matches the textbook value on a known sample', () => {
    // r for these two samples, computed by hand: 0.7745966692414834
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])).toBeCloseTo(0.7745966692, 9)
  })

  it('is undefined without variance or with fewer than 2 points', () => {
    expect(pearson([5, 5, 5], [1, 2, 3])).toBeUndefined()
    expect(pearson([1], [1])).toBeUndefined()
  })

  it('keeps precision on large offsets', () => {
    const xs = [1, 2, 3, 4].map((x) => 1e9 + x)
    expect(pearson(xs, [10, 20, 30, 40])).toBeCloseTo(1, 9)
  })
})

describe('align', () => {
  it('pairs points that fall in the same time bucket and drops the others', () => {
    const a = [
      { t: 0, value: 1 },
      { t: 1000, value: 2 },
      { t: 2000, value: 3 },
    ]
    const b = [
      { t: 5, value: 10 },
      { t: 2003, value: 30 },
      { t: 9000, value: 90 },
    ]
    const { xs, ys } = align(a, b, 1000)
    expect([...xs]).toEqual([1, 3])
    expect([...ys]).toEqual([10, 30])
  })
})

describe('fitLine', () => {
  it('finds the slope per second and R² of a steady rise', () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ t: i * 30_000, value: 100 + i * 60 }))
    const fit = fitLine(points)
    expect(fit?.slope).toBeCloseTo(2, 9) // 60 per 30 s
    expect(fit?.r2).toBeCloseTo(1, 9)
    expect(fit?.start).toBeCloseTo(100, 9)
    expect(fit?.end).toBeCloseTo(640, 9)
  })

  it('gives a low R² for noise and nothing for too few points', () => {
    const r = lcg(7)
    const noisy = Array.from({ length: 50 }, (_, i) => ({ t: i * 1000, value: r() }))
    expect(fitLine(noisy)?.r2).toBeLessThan(0.2)
    expect(fitLine(noisy.slice(0, 2))).toBeUndefined()
  })
})

describe('fractionAbove', () => {
  const s = { count: 1000, min: 0.01, max: 2, p50: 0.1, p90: 0.3, p95: 0.5, p99: 1, p999: 1.5 }
  it('reads the share above a threshold off the quantiles', () => {
    expect(fractionAbove(s, 0.5)).toBeCloseTo(0.05, 9)
    expect(fractionAbove(s, 1)).toBeCloseTo(0.01, 9)
    expect(fractionAbove(s, 0.75)).toBeCloseTo(0.03, 9) // halfway between p95 and p99
  })
  it('is 1 below the minimum and 0 at or past the maximum', () => {
    expect(fractionAbove(s, 0.001)).toBe(1)
    expect(fractionAbove(s, 2)).toBe(0)
    expect(fractionAbove({ ...s, count: 0 }, 0.001)).toBe(0)
  })
})
