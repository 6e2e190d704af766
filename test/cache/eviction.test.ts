import { describe, expect, it } from 'vitest'
import { type CacheEvictEvent, MemoryCache } from 'perfkit'

function track(cache: MemoryCache<string, string>): CacheEvictEvent[] {
  const events: CacheEvictEvent[] = []
  cache.bus.on('cache:evict', (e) => events.push(e))
  return events
}

describe('MemoryCache eviction reasons', () => {
  it('evicts the least recently used entry at `max` with reason capacity', () => {
    const cache = new MemoryCache<string, string>({ max: 2 })
    const events = track(cache)
    cache.set('a', 'A').set('b', 'B')
    cache.get('a')
    cache.set('c', 'C')
    expect(events).toEqual([{ cache: 'cache', key: 'b', reason: 'capacity' }])
    expect(cache.stats().evictions).toEqual({ capacity: 1, size: 0, expired: 0, manual: 0, total: 1 })
  })

  it('evicts by total size with reason size and tracks calculatedSize', () => {
    const cache = new MemoryCache<string, string>({ max: 100, maxSize: 10, sizeCalculation: (v) => v.length })
    const events = track(cache)
    cache.set('a', 'xxxx').set('b', 'xxxx')
    expect(cache.stats().calculatedSize).toBe(8)
    cache.set('c', 'xxxx')
    expect(events).toEqual([{ cache: 'cache', key: 'a', reason: 'size' }])
    expect(cache.stats()).toMatchObject({ calculatedSize: 8, entries: 2, maxSize: 10 })
  })

  it('counts delete() and clear() as manual evictions', () => {
    const cache = new MemoryCache<string, string>()
    const events = track(cache)
    cache.set('a', 'A').set('b', 'B').set('c', 'C')
    cache.delete('a')
    cache.clear()
    expect(events.map((e) => e.reason)).toEqual(['manual', 'manual', 'manual'])
    expect(cache.stats().evictions.manual).toBe(3)
  })

  it('does not count an overwrite as an eviction', () => {
    const cache = new MemoryCache<string, string>()
    const events = track(cache)
    cache.set('a', 'A').set('a', 'B')
    expect(events).toEqual([])
    expect(cache.get('a')).toBe('B')
  })

  it('rejects a size that is not a positive integer', () => {
    const cache = new MemoryCache<string, string>({ maxSize: 10, sizeCalculation: (v) => (v === 'bad' ? 0.5 : 1) })
    expect(() => cache.set('a', 'bad')).toThrowError(expect.objectContaining({ code: 'PERFKIT_INPUT' }))
    expect(cache.has('a')).toBe(false)
  })
})
