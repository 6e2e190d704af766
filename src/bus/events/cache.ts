/**
 * Why an entry left a `MemoryCache`.
 * @example
 * ```ts
 * users.bus.on('cache:evict', (e) => { if (e.reason === 'capacity') console.log(`${e.key} pushed out: raise max?`) })
 * ```
 */
export type CacheEvictionReason = 'capacity' | 'size' | 'expired' | 'manual'

/**
 * Payload of `cache:hit`: a read that found a value.
 * @example
 * ```ts
 * users.bus.on('cache:hit', (e) => { if (e.stale) console.log(`served stale ${e.key} from ${e.cache}`) })
 * ```
 */
export interface CacheHitEvent {
  /** The cache's `name`. */
  cache: string
  key: unknown
  /** True when an expired value was served because `allowStale` is on. */
  stale: boolean
}

/**
 * Payload of `cache:miss`: a read that found nothing.
 * @example
 * ```ts
 * users.bus.on('cache:miss', (e) => console.log(`${e.cache} miss: ${String(e.key)}`))
 * ```
 */
export interface CacheMissEvent {
  cache: string
  key: unknown
}

/**
 * Payload of `cache:set`: a value written to the cache.
 * @example
 * ```ts
 * users.bus.on('cache:set', (e) => console.log(e.cache, e.key, e.ttl === 0 ? 'no ttl' : `${e.ttl} ms`))
 * ```
 */
export interface CacheSetEvent {
  cache: string
  key: unknown
  /** Time to live in ms; 0 means the entry has none. */
  ttl: number
}

/**
 * Payload of `cache:evict`: an entry that left the cache, and why.
 * @example
 * ```ts
 * users.bus.on('cache:evict', (e) => console.log(`${e.key} left ${e.cache}: ${e.reason}`))
 * ```
 */
export interface CacheEvictEvent {
  cache: string
  key: unknown
  reason: CacheEvictionReason
}

/**
 * Payload of `cache:load`: a loader run of `getOrLoad()` or `preload()` that succeeded.
 * @example
 * ```ts
 * users.bus.on('cache:load', (e) => console.log(`${e.key} loaded in ${e.durationMs} ms for ${e.waiters} caller(s)`))
 * ```
 */
export interface CacheLoadEvent {
  cache: string
  key: unknown
  durationMs: number
  /** How many callers were waiting for this load (1 + de-duplicated callers). */
  waiters: number
}

/**
 * Payload of `cache:load-error`: a loader run that threw or rejected.
 * @example
 * ```ts
 * users.bus.on('cache:load-error', (e) => log.warn({ err: e.error }, `loading ${String(e.key)} failed after ${e.durationMs} ms`))
 * ```
 */
export interface CacheLoadErrorEvent {
  cache: string
  key: unknown
  durationMs: number
  error: unknown
}

/**
 * Events emitted by `MemoryCache`.
 * @example
 * ```ts
 * users.bus.on('cache:miss', (e) => console.log(e.key))
 * users.bus.on('cache:load-error', (e) => log.warn(e.error))
 * ```
 */
export interface CacheEvents {
  'cache:hit': (event: CacheHitEvent) => void
  'cache:miss': (event: CacheMissEvent) => void
  'cache:set': (event: CacheSetEvent) => void
  'cache:evict': (event: CacheEvictEvent) => void
  'cache:load': (event: CacheLoadEvent) => void
  'cache:load-error': (event: CacheLoadErrorEvent) => void
}
