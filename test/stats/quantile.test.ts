import { PerfkitInputError, quantile } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { expectClose, reference } from './reference'

describe("quantile against NumPy's default (linear) method", () => {
  for (const c of reference.quantile) {
    it(c.name, () => {
      const many = quantile(c.values, c.q)
      c.q.forEach((q, i) => {
        expectClose(quantile(c.values, q), c.expected[i]!, `q=${q}`)
        expectClose(many[i]!, c.expected[i]!, `q=${q} (array form)`)
      })
    })
  }
})

describe('quantile input', () => {
  it('does not reorder the caller array', () => {
    const values = [3, 1, 2]
    quantile(values, 0.5)
    expect(values).toEqual([3, 1, 2])
  })

  it('throws PerfkitInputError for q outside [0, 1] or a non-finite value', () => {
    expect(() => quantile([1, 2], 1.5)).toThrow(PerfkitInputError)
    expect(() => quantile([1, 2], Number.NaN)).toThrow('`q`')
    expect(() => quantile([1, 2], [0.5, -0.1])).toThrow('`q[1]`')
    expect(() => quantile([1, Number.NaN], 0.5)).toThrow('`values[1]`')
  })
})
