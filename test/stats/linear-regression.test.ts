import { linearRegression, PerfkitInputError } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { expectClose, reference } from './reference'

describe('linearRegression against SciPy linregress', () => {
  for (const c of reference.linregress) {
    it(c.name, () => {
      const r = linearRegression(c.points)
      for (const key of ['slope', 'intercept', 'r', 'r2', 'pValue', 'stderr', 'interceptStderr'] as const) {
        expectClose(r[key], c.expected[key], key, c.absTolerance)
      }
      expect(r.n).toBe(c.points.length)
    })
  }
})

describe('linearRegression input', () => {
  it('returns NaN fields for no points', () => {
    const r = linearRegression([])
    expect(r.slope).toBeNaN()
    expect(r.r2).toBeNaN()
    expect(r.n).toBe(0)
  })

  it('throws PerfkitInputError for a malformed or non-finite point', () => {
    expect(() => linearRegression([[1, 2], [2] as never])).toThrow(PerfkitInputError)
    expect(() => linearRegression([[1, 2], [2, Number.NaN]])).toThrow('`points[1][1]`')
    expect(() => linearRegression([[Number.POSITIVE_INFINITY, 2]])).toThrow('`points[0][0]`')
    expect(() => linearRegression({} as never)).toThrow('`points`')
  })
})
