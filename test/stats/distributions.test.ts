// The distribution functions behind every p-value, against SciPy far into the tails.
import { describe, expect, it } from 'vitest'
import { erfc, fSf, logBeta, normalCdf, normalQuantile, normalSf, regularizedBeta, studentTCdf, studentTSf } from '../../src/stats/special'
import { expectClose, reference } from './reference'

const { distributions } = reference

describe('normal upper tail', () => {
  for (const c of distributions.normalSf) {
    it(`sf(${c.z})`, () => {
      // Below ~1e-300 the result is subnormal and has fewer significant bits.
      expectClose(normalSf(c.z), c.sf, `normalSf(${c.z})`, 1e-305)
    })
  }
  it('never computes a tail as 1 − cdf', () => {
    expect(normalSf(30)).toBeGreaterThan(0)
    expect(normalCdf(-30)).toBe(normalSf(30))
    expect(erfc(27.5)).toBe(0)
    expect(erfc(-1)).toBeCloseTo(2 - erfc(1), 15)
  })
})

describe("Student's t upper tail", () => {
  for (const c of distributions.studentTSf) {
    it(`sf(${c.t}; df ${c.df})`, () => {
      expectClose(studentTSf(c.t, c.df), c.sf, `studentTSf(${c.t}, ${c.df})`)
    })
  }
  it('handles infinities, NaN and infinite df', () => {
    expect(studentTSf(Number.POSITIVE_INFINITY, 3)).toBe(0)
    expect(studentTSf(Number.NEGATIVE_INFINITY, 3)).toBe(1)
    expect(studentTSf(1, Number.NaN)).toBeNaN()
    expect(studentTSf(1, 0)).toBeNaN()
    expect(studentTSf(2, Number.POSITIVE_INFINITY)).toBe(normalSf(2))
    expect(studentTCdf(-50, 30)).toBe(studentTSf(50, 30))
  })
})

describe('F upper tail and incomplete beta', () => {
  for (const c of distributions.fSf) {
    it(`sf(${c.f}; ${c.d1}, ${c.d2})`, () => {
      expectClose(fSf(c.f, c.d1, c.d2), c.sf, `fSf(${c.f}, ${c.d1}, ${c.d2})`)
    })
  }
  it('regularizedBeta has the closed forms of small integer parameters', () => {
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 15)
    expect(regularizedBeta(0.3, 2, 1)).toBeCloseTo(0.09, 15)
    expect(regularizedBeta(0.3, 1, 3)).toBeCloseTo(1 - 0.7 ** 3, 15)
    expect(regularizedBeta(0, 2, 3)).toBe(0)
    expect(regularizedBeta(1, 2, 3)).toBe(1)
  })
  it('logBeta stays accurate for large arguments', () => {
    // ln B(1e6, 0.5) from mpmath at 40 digits.
    expect(Math.abs(logBeta(1e6, 0.5) - -6.335390211057437)).toBeLessThan(1e-13)
    expect(logBeta(3, 4)).toBeCloseTo(Math.log(1 / 60), 14)
  })
})

describe('normal quantile', () => {
  for (const c of distributions.normalQuantile) {
    it(`ppf(${c.p})`, () => {
      expectClose(normalQuantile(c.p), c.z, `normalQuantile(${c.p})`, 1e-12)
    })
  }
})
