import { describe, expect, it } from 'vitest'
import { type CacheEvictEvent, MemoryCache } from 'perfkit'
import { ManualClock } from '../helpers/clock'

function cacheWith(options: ConstructorParameters<typeof MemoryCache<string, number>>[0] = {}) {
  const clock = new ManualClock()
  const cache = new MemoryCache<string, number>({ clock, ...options })
  const evictions: CacheEvictEvent[] = []
  cache.bus.on('cache:evict', (e) => evictions.push(e))
  return { clock, cache, evictions }
}

describe('MemoryCache TTL', () => {
  it('expires entries after the default ttl and counts the expiry', () => {
    const { clock, cache, evictions } = cacheWith({ ttl: 100 })
    cache.set('a', 1)
    clock.advance(100)
    expect(cache.get('a')).toBe(1)
    clock.advance(1)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.stats().evictions.expired).toBe(1)
    expect(evictions).toEqual([{ cache: 'cache', key: 'a', reason: 'expired' }])
  })

  it('honours a per-entry ttl over the default', () => {
    const { clock, cache } = cacheWith({ ttl: 1000 })
    cache.set('short', 1, { ttl: 10 })
    cache.set('long', 2)
    clock.advance(11)
    expect(cache.get('short')).toBeUndefined()
    expect(cache.get('long')).toBe(2)
  })

  it('gives a per-entry ttl to an entry of a cache without a default ttl', () => {
    const { clock, cache } = cacheWith()
    cache.set('a', 1, { ttl: 10 })
    cache.set('forever-ish', 2)
    clock.advance(11)
    expect(cache.has('a')).toBe(false)
    expect(cache.get('forever-ish')).toBe(2)
  })

  it('prune() removes every expired entry and returns the count', () => {
    const { clock, cache, evictions } = cacheWith({ ttl: 100 })
    cache.set('a', 1)
    cache.set('b', 2)
    clock.advance(50)
    cache.set('c', 3)
    clock.advance(51)
    expect(cache.prune()).toBe(2)
    expect(cache.size).toBe(1)
    expect(evictions.map((e) => [e.key, e.reason])).toEqual([
      ['a', 'expired'],
      ['b', 'expired'],
    ])
    expect(cache.prune()).toBe(0)
  })

  it('prune() keeps an entry whose ttl was renewed by a later set', () => {
    const { clock, cache } = cacheWith({ ttl: 100 })
    cache.set('a', 1)
    clock.advance(80)
    cache.set('a', 2)
    clock.advance(30)
    expect(cache.prune()).toBe(0)
    expect(cache.get('a')).toBe(2)
    clock.advance(71)
    expect(cache.prune()).toBe(1)
  })

  it('evicts expired entries before live ones when full', () => {
    const { clock, cache, evictions } = cacheWith({ max: 3, ttl: 1000 })
    cache.set('old', 1, { ttl: 10 })
    cache.set('b', 2)
    cache.set('c', 3)
    cache.get('old') // most recently used: lru order alone would keep it and drop `b`
    clock.advance(20)
    cache.set('d', 4)
    expect(evictions).toEqual([{ cache: 'cache', key: 'old', reason: 'expired' }])
    expect([...cache.keys()].sort()).toEqual(['b', 'c', 'd'])
  })

  it('with updateAgeOnGet, reading renews the ttl', () => {
    const { clock, cache } = cacheWith({ ttl: 100, updateAgeOnGet: true })
    cache.set('a', 1)
    for (let i = 0; i < 5; i++) {
      clock.advance(90)
      expect(cache.get('a')).toBe(1)
    }
    clock.advance(101)
    expect(cache.get('a')).toBeUndefined()
  })

  it('with updateAgeOnGet, an entry read all the time still dies at maxAgeMs (never immortal)', () => {
    const { clock, cache, evictions } = cacheWith({ ttl: 100, updateAgeOnGet: true, maxAgeMs: 300 })
    cache.set('hot', 1)
    const seen: Array<number | undefined> = []
    for (let i = 0; i < 6; i++) {
      clock.advance(60)
      seen.push(cache.get('hot'))
    }
    expect(seen).toEqual([1, 1, 1, 1, 1, undefined])
    expect(evictions).toEqual([{ cache: 'cache', key: 'hot', reason: 'expired' }])
    expect(cache.has('hot')).toBe(false)
  })

  it('maxAgeMs defaults to ten ttls', () => {
    const { clock, cache } = cacheWith({ ttl: 10, updateAgeOnGet: true })
    cache.set('hot', 1)
    let alive = 0
    for (let i = 0; i < 20 && cache.get('hot') !== undefined; i++) {
      alive++
      clock.advance(9)
    }
    expect(alive).toBe(12) // reads at 0, 9, …, 99 succeed; at 108 the entry is past 100 ms old
  })

  it('with allowStale, serves an expired value once as a stale hit, then drops it', () => {
    const { clock, cache, evictions } = cacheWith({ ttl: 100, allowStale: true })
    const hits: boolean[] = []
    cache.bus.on('cache:hit', (e) => hits.push(e.stale))
    cache.set('a', 1)
    expect(cache.get('a')).toBe(1)
    clock.advance(150)
    expect(cache.get('a')).toBe(1)
    expect(cache.get('a')).toBeUndefined()
    expect(hits).toEqual([false, true])
    expect(cache.stats()).toMatchObject({ hits: 2, staleHits: 1, misses: 1 })
    expect(evictions.map((e) => e.reason)).toEqual(['expired'])
  })

  it('rejects a per-entry ttl that would make an entry immortal or is not a number', () => {
    const { cache } = cacheWith({ ttl: 100 })
    for (const ttl of [0, -1, Number.POSITIVE_INFINITY, Number.NaN, '5' as unknown as number]) {
      expect(() => cache.set('a', 1, { ttl })).toThrowError(expect.objectContaining({ code: 'PERFKIT_INPUT', argument: 'ttl' }))
    }
  })

  it('keeps its expiry queue proportional to the cache under constant overwrites', () => {
    const { clock, cache } = cacheWith({ max: 10, ttl: 1000 })
    for (let i = 0; i < 50_000; i++) {
      cache.set(`k${i % 10}`, i)
      if (i % 1000 === 0) clock.advance(1)
    }
    clock.advance(1000)
    expect(cache.prune()).toBe(10)
    expect(cache.size).toBe(0)
  })

  it('a shorter per-entry ttl on overwrite takes effect for expired-first eviction', () => {
    const { clock, cache, evictions } = cacheWith({ max: 2, ttl: 1000 })
    cache.set('a', 1)
    cache.set('b', 2)
    cache.set('a', 3, { ttl: 10 })
    cache.get('a')
    clock.advance(11)
    cache.set('c', 4)
    expect(evictions).toEqual([{ cache: 'cache', key: 'a', reason: 'expired' }])
    expect(cache.get('b')).toBe(2)
  })

  it('stays correct while deleted keys leave orphaned deadlines behind', () => {
    const { clock, cache } = cacheWith({ max: 1000, ttl: 1000 })
    for (let i = 0; i < 10_000; i++) {
      cache.set(`k${i}`, i)
      if (i % 100 !== 0) cache.delete(`k${i}`)
    }
    expect(cache.size).toBe(100)
    clock.advance(1001)
    expect(cache.prune()).toBe(100)
  })
})
