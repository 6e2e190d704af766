import { describe, expect, it } from 'vitest'
import { MemoryCache, PerfBus } from 'perfkit'

describe('MemoryCache basics', () => {
  it('gets, sets, peeks, checks and deletes like a Map', () => {
    const cache = new MemoryCache<string, number>()
    expect(cache.get('a')).toBeUndefined()
    cache.set('a', 1).set('b', 2)
    expect(cache.get('a')).toBe(1)
    expect(cache.has('b')).toBe(true)
    expect(cache.peek('b')).toBe(2)
    expect(cache.size).toBe(2)
    expect(cache.delete('a')).toBe(true)
    expect(cache.delete('a')).toBe(false)
    expect(cache.has('a')).toBe(false)
    cache.clear()
    expect(cache.size).toBe(0)
  })

  it('lists keys from most to least recently used', () => {
    const cache = new MemoryCache<string, number>({ max: 3 })
    cache.set('a', 1).set('b', 2).set('c', 3)
    cache.get('a')
    expect([...cache.keys()]).toEqual(['a', 'c', 'b'])
  })

  it('counts hits, misses and sets; peek and has count neither', () => {
    const cache = new MemoryCache<string, number>()
    cache.set('a', 1)
    cache.get('a')
    cache.get('a')
    cache.get('zz')
    cache.peek('a')
    cache.has('zz')
    const stats = cache.stats()
    expect(stats).toMatchObject({ hits: 2, misses: 1, sets: 1, entries: 1, staleHits: 0 })
    expect(stats.hitRate).toBeCloseTo(2 / 3, 12)
  })

  it('reports hitRate 0 before any read, and resetStats zeroes counters but keeps entries', () => {
    const cache = new MemoryCache<string, number>({ name: 'models' })
    expect(cache.stats().hitRate).toBe(0)
    cache.set('a', 1)
    cache.get('a')
    cache.resetStats()
    expect(cache.stats()).toMatchObject({ name: 'models', hits: 0, sets: 0, entries: 1, hitRate: 0 })
    expect(cache.get('a')).toBe(1)
  })

  it('emits hit, miss and set events carrying the cache name', () => {
    const bus = new PerfBus()
    const cache = new MemoryCache<string, number>({ name: 'users', bus, ttl: 500 })
    const events: unknown[] = []
    bus.on('cache:hit', (e) => events.push(['hit', e]))
    bus.on('cache:miss', (e) => events.push(['miss', e]))
    bus.on('cache:set', (e) => events.push(['set', e]))
    cache.set('a', 1)
    cache.set('b', 2, { ttl: 50 })
    cache.get('a')
    cache.get('x')
    expect(events).toEqual([
      ['set', { cache: 'users', key: 'a', ttl: 500 }],
      ['set', { cache: 'users', key: 'b', ttl: 50 }],
      ['hit', { cache: 'users', key: 'a', stale: false }],
      ['miss', { cache: 'users', key: 'x' }],
    ])
  })

  it('lets several caches share one bus and creates its own bus otherwise', () => {
    const bus = new PerfBus()
    const a = new MemoryCache<string, number>({ name: 'a', bus })
    const b = new MemoryCache<string, number>({ name: 'b', bus })
    const own = new MemoryCache<string, number>()
    expect(a.bus).toBe(bus)
    expect(b.bus).toBe(bus)
    expect(own.bus).toBeInstanceOf(PerfBus)
    expect(own.bus).not.toBe(bus)
    const names: string[] = []
    bus.on('cache:miss', (e) => names.push(e.cache))
    a.get('x')
    b.get('x')
    own.get('x')
    expect(names).toEqual(['a', 'b'])
  })

  it('a throwing listener never reaches the caller of get()', () => {
    const cache = new MemoryCache<string, number>()
    const errors: Error[] = []
    cache.bus.on('error', (e) => errors.push(e))
    cache.bus.on('cache:hit', () => {
      throw new Error('listener bug')
    })
    cache.set('a', 1)
    expect(cache.get('a')).toBe(1)
    expect(errors).toHaveLength(1)
  })

  it('rejects undefined and null values with a PerfkitInputError', () => {
    const cache = new MemoryCache<string, number>()
    expect(() => cache.set('a', undefined as unknown as number)).toThrow(/value/)
    expect(() => cache.set('a', null as unknown as number)).toThrowError(expect.objectContaining({ code: 'PERFKIT_INPUT' }))
  })
})
