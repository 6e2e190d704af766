import { describe, expectTypeOf, it } from 'vitest'
import { type CacheEvictionReason, MemoryCache, PerfBus, type PerfkitEventName } from 'perfkit'

describe('PerfBus types', () => {
  it('types listeners by event name', () => {
    const bus = new PerfBus()
    bus.on('cache:evict', (e) => {
      expectTypeOf(e.reason).toEqualTypeOf<CacheEvictionReason>()
      expectTypeOf(e.cache).toEqualTypeOf<string>()
    })
    bus.on('cache:load', (e) => {
      expectTypeOf(e.durationMs).toEqualTypeOf<number>()
    })
    bus.on('error', (e) => {
      expectTypeOf(e).toEqualTypeOf<Error>()
    })
  })

  it('rejects unknown names and wrong payloads', () => {
    const bus = new PerfBus()
    // @ts-expect-error: not an event of the library
    bus.on('cache:nope', () => {})
    // @ts-expect-error: missing `stale`
    bus.emit('cache:hit', { cache: 'c', key: 1 })
    // @ts-expect-error: reason is a closed set
    bus.emit('cache:evict', { cache: 'c', key: 1, reason: 'lost' })
    expectTypeOf<'cache:hit'>().toMatchTypeOf<PerfkitEventName>()
  })

  it('exposes the bus of a primitive with the same map', () => {
    const cache = new MemoryCache<string, number>()
    expectTypeOf(cache.bus).toEqualTypeOf<PerfBus>()
    expectTypeOf(cache.get('a')).toEqualTypeOf<number | undefined>()
    expectTypeOf(cache.getOrLoad('a', async () => 1)).toEqualTypeOf<Promise<number>>()
    // @ts-expect-error: values are typed
    cache.set('a', 'text')
  })
})
