import { PerfkitInputError, welchTTest } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { expectClose, reference } from './reference'

describe('welchTTest against SciPy ttest_ind(equal_var=False)', () => {
  for (const c of reference.welch) {
    it(c.name, () => {
      const r = welchTTest(c.a, c.b)
      expectClose(r.t, c.expected.t, 't', c.absTolerance)
      expectClose(r.df, c.expected.df, 'df', c.absTolerance)
      expectClose(r.pValue, c.expected.pValue, 'pValue', c.absTolerance)
    })
  }

  it('reaches p-values near 1e-300 with full relative accuracy', () => {
    const tail = reference.welch.find((c) => c.name.startsWith('tail p~1e-300'))!
    const { pValue } = welchTTest(tail.a, tail.b)
    expect(pValue).toBeGreaterThan(1e-301)
    expect(pValue).toBeLessThan(1e-299)
  })
})

describe('welchTTest input', () => {
  it('is symmetric: swapping the samples flips t and keeps p', () => {
    const a = [10, 12, 11, 13, 12]
    const b = [14, 15, 13, 16]
    const ab = welchTTest(a, b)
    const ba = welchTTest(b, a)
    expect(ba.t).toBeCloseTo(-ab.t, 12)
    expect(ba.pValue).toBeCloseTo(ab.pValue, 14)
  })

  it('accepts typed arrays', () => {
    const r = welchTTest(Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6))
    expect(r.t).toBeCloseTo(-3.6742346141747673, 12)
  })

  it('throws PerfkitInputError naming the first non-finite element', () => {
    expect(() => welchTTest([1, Number.NaN], [2, 3])).toThrow(PerfkitInputError)
    try {
      welchTTest([1, 2], [3, Number.POSITIVE_INFINITY])
    } catch (error) {
      expect((error as PerfkitInputError).argument).toBe('b[1]')
      expect((error as PerfkitInputError).code).toBe('PERFKIT_INPUT')
    }
    expect(() => welchTTest('1,2' as never, [1, 2])).toThrow(/`a` to be an array of finite numbers/)
  })
})
