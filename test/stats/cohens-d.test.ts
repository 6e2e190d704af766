import { cohensD, PerfkitInputError } from 'perfkit'
import { describe, expect, it } from 'vitest'

describe('cohensD', () => {
  it('divides the mean difference (b − a) by the pooled sample deviation', () => {
    // a: mean 2, SS 2; b: mean 6, SS 8; pooled variance (2 + 8) / (3 + 3 − 2) = 2.5
    expect(cohensD([1, 2, 3], [4, 6, 8])).toBeCloseTo(4 / Math.sqrt(2.5), 14)
    expect(cohensD([4, 6, 8], [1, 2, 3])).toBeCloseTo(-4 / Math.sqrt(2.5), 14)
  })

  it('uses n − 1 weights for unequal sizes', () => {
    const a = [10, 12, 14, 16]
    const b = [20, 21]
    const pooled = Math.sqrt((20 + 0.5) / (4 + 2 - 2))
    expect(cohensD(a, b)).toBeCloseTo((20.5 - 13) / pooled, 12)
  })

  it('is NaN or infinite, never made up, on degenerate input', () => {
    expect(cohensD([], [1, 2])).toBeNaN()
    expect(cohensD([1], [2])).toBeNaN()
    expect(cohensD([3, 3], [3, 3])).toBeNaN()
    expect(cohensD([3, 3], [4, 4])).toBe(Number.POSITIVE_INFINITY)
  })

  it('throws PerfkitInputError for a non-finite value', () => {
    expect(() => cohensD([1, Number.NaN], [1, 2])).toThrow(PerfkitInputError)
  })
})
