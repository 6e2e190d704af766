import { describe, expect, it } from 'vitest'
import { RateLimiter } from '../../src/api/rate-limiter'
import { ManualClock } from '../helpers/clock'

describe('RateLimiter', () => {
  it('allows `limit` requests per window per key, refilling continuously', () => {
    const clock = new ManualClock()
    const limiter = new RateLimiter(4, 1000, 100, clock)
    for (let i = 0; i < 4; i++) expect(limiter.take('a').allowed).toBe(true)
    const refused = limiter.take('a')
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 250 })
    expect(limiter.take('b').allowed).toBe(true)
    clock.advance(250)
    expect(limiter.take('a')).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 })
    expect(limiter.take('a').allowed).toBe(false)
    clock.advance(10_000)
    expect(limiter.take('a').remaining).toBe(3)
  })

  it('forgets the least recently seen client past maxClients', () => {
    const clock = new ManualClock()
    const limiter = new RateLimiter(1, 60_000, 2, clock)
    limiter.take('a')
    limiter.take('b')
    limiter.take('a') // refused, but seen: b is now the least recent
    limiter.take('c')
    expect(limiter.size).toBe(2)
    expect(limiter.take('a').allowed).toBe(false) // still tracked
    expect(limiter.take('b').allowed).toBe(true) // forgotten, starts full
  })
})
