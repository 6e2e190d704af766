import { describe, expect, it } from 'vitest'
import { NotFoundError, PerfkitConfigError, PerformanceMonitor } from 'perfkit'
import { failure, toJson } from '../../src/api/respond'
import { ApiError } from '../../src/api/validation'

describe('toJson', () => {
  it('renders errors, bigints, maps, sets and cycles instead of throwing', () => {
    const cyclic: Record<string, unknown> = { name: 'a' }
    cyclic.self = cyclic
    const shared = { x: 1 }
    const out = JSON.parse(
      toJson({ error: new TypeError('bad'), big: 10n, map: new Map([['k', 1]]), set: new Set([1, 2]), cyclic, left: shared, right: shared, nan: Number.NaN }),
    )
    expect(out).toEqual({
      error: { name: 'TypeError', message: 'bad' },
      big: '10',
      map: { k: 1 },
      set: [1, 2],
      cyclic: { name: 'a', self: '[Circular]' },
      left: { x: 1 },
      right: { x: 1 },
      nan: null,
    })
    expect(toJson(undefined)).toBe('null')
  })
})

describe('failure', () => {
  it('maps refusals and PerfkitError codes to statuses, and anything else to a reported 500', () => {
    const monitor = new PerformanceMonitor()
    const errors: Error[] = []
    monitor.bus.on('error', (error) => errors.push(error))
    expect(failure(new ApiError(429, 'RATE_LIMITED', 'slow down', { 'retry-after': '3' }), monitor)).toMatchObject({ status: 429, headers: { 'retry-after': '3' } })
    expect(failure(new PerfkitConfigError('maxBatchSize', 'an integer >= 1', 0), monitor).status).toBe(400)
    expect(failure(new NotFoundError('alert', 'x'), monitor).status).toBe(404)
    expect(failure({ code: 'PERFKIT_CLOSED', message: 'closed' }, monitor).status).toBe(503)
    const internal = failure(new Error('secret detail'), monitor)
    expect(internal.status).toBe(500)
    expect(internal.body).toBe('{"error":"internal error","code":"INTERNAL"}')
    expect(errors.map((e) => e.message)).toEqual(['secret detail'])
    void monitor.close()
  })
})
