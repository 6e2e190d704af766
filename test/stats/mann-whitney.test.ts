import { mannWhitneyU, PerfkitInputError } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { normalSf } from '../../src/stats/special'
import { expectClose, reference } from './reference'

describe("mannWhitneyU against SciPy mannwhitneyu(method='asymptotic')", () => {
  for (const c of reference.mannWhitney) {
    it(c.name, () => {
      const r = mannWhitneyU(c.a, c.b)
      expectClose(r.u, c.expected.u, 'u', c.absTolerance)
      expectClose(r.pValue, c.expected.pValue, 'pValue', c.absTolerance)
    })
  }
})

describe('mannWhitneyU statistic', () => {
  it('reports u of the first sample and a z signed towards the larger sample', () => {
    const low = mannWhitneyU([1, 2, 3], [4, 5, 6])
    const high = mannWhitneyU([4, 5, 6], [1, 2, 3])
    expect(low.u).toBe(0)
    expect(high.u).toBe(9)
    expect(low.z).toBeLessThan(0)
    expect(high.z).toBeCloseTo(-low.z, 14)
    expect(high.pValue).toBe(low.pValue)
  })

  it('computes z with tie and continuity correction', () => {
    // Pooled [1, 2, 2, 3 | 2, 3, 4]: ranks 1, 3, 3, 5.5 | 3, 5.5, 7; ties: three 2s, two 3s.
    const r = mannWhitneyU([1, 2, 2, 3], [2, 3, 4])
    const u = 1 + 3 + 3 + 5.5 - (4 * 5) / 2
    const tieTerm = 3 ** 3 - 3 + (2 ** 3 - 2)
    const sigma = Math.sqrt(((4 * 3) / 12) * (7 + 1 - tieTerm / (7 * 6)))
    const z = -(Math.abs(u - 6) - 0.5) / sigma
    expect(r.u).toBe(u)
    expect(r.z).toBeCloseTo(z, 14)
    expect(r.pValue).toBeCloseTo(2 * normalSf(Math.abs(z)), 14)
  })

  it('gives z = 0 and p = 1 when every value is tied', () => {
    expect(mannWhitneyU([2, 2], [2, 2, 2])).toEqual({ u: 3, z: 0, pValue: 1 })
  })

  it('throws PerfkitInputError for a non-finite value', () => {
    expect(() => mannWhitneyU([1, 2], [Number.NaN])).toThrow(PerfkitInputError)
    expect(() => mannWhitneyU([1, 2], [Number.NaN])).toThrow('`b[0]`')
  })
})
