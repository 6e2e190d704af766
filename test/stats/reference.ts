// Loads test/fixtures/stats-reference.json (written by scripts/make-stats-fixtures.py with
// SciPy) and compares numbers the way the fixture asks: 1e-6 relative unless a case carries an
// absolute tolerance, NaN only equal to NaN, infinities only to themselves.
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'

export type Encoded = number | 'NaN' | 'Infinity' | '-Infinity'

export interface Case {
  name: string
  note?: string
  absTolerance?: number
}

export interface TwoSampleCase<E> extends Case {
  a: number[]
  b: number[]
  expected: E
}

export interface Reference {
  scipy: string
  welch: TwoSampleCase<{ t: Encoded; df: Encoded; pValue: Encoded }>[]
  mannWhitney: TwoSampleCase<{ u: Encoded; pValue: Encoded }>[]
  linregress: Array<Case & { points: Array<[number, number]>; expected: Record<'slope' | 'intercept' | 'r' | 'r2' | 'pValue' | 'stderr' | 'interceptStderr', Encoded> }>
  quantile: Array<Case & { values: number[]; q: number[]; expected: Encoded[] }>
  distributions: {
    normalSf: Array<{ z: number; sf: Encoded }>
    studentTSf: Array<{ t: number; df: number; sf: Encoded }>
    fSf: Array<{ f: number; d1: number; d2: number; sf: Encoded }>
    normalQuantile: Array<{ p: number; z: Encoded }>
  }
}

export const reference = JSON.parse(
  readFileSync(new URL('../fixtures/stats-reference.json', import.meta.url), 'utf8'),
) as Reference

export function decode(value: Encoded): number {
  return typeof value === 'number' ? value : Number(value)
}

export const RELATIVE_TOLERANCE = 1e-6

/** Relative error of `actual` against `expected` (0 when both are the same non-finite value). */
export function relativeError(actual: number, expected: number): number {
  if (Number.isNaN(expected) || !Number.isFinite(expected)) return Object.is(actual, expected) ? 0 : Number.POSITIVE_INFINITY
  if (expected === 0) return Math.abs(actual)
  return Math.abs(actual - expected) / Math.abs(expected)
}

export function expectClose(actual: number, encoded: Encoded, label: string, absTolerance?: number): void {
  const expected = decode(encoded)
  if (Number.isNaN(expected)) {
    expect(actual, label).toBeNaN()
    return
  }
  if (!Number.isFinite(expected)) {
    expect(actual, label).toBe(expected)
    return
  }
  const error = Math.abs(actual - expected)
  const ok = error <= (absTolerance ?? 0) || error <= RELATIVE_TOLERANCE * Math.abs(expected)
  expect(ok, `${label}: got ${actual}, SciPy ${expected} (relative error ${relativeError(actual, expected)})`).toBe(true)
}
