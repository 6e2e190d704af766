/** Why an entry left a `MemoryCache`. */
export type CacheEvictionReason = 'capacity' | 'size' | 'expired' | 'manual'

export interface CacheHitEvent {
  /** The cache's `name`. */
  cache: string
  key: unknown
  /** True when an expired value was served because `allowStale` is on. */
  stale: boolean
}

export interface CacheMissEvent {
  cache: string
  key: unknown
}

export interface CacheSetEvent {
  cache: string
  key: unknown
  /** Time to live in ms; 0 means the entry has none. */
  ttl: number
}

export interface CacheEvictEvent {
  cache: string
  key: unknown
  reason: CacheEvictionReason
}

export interface CacheLoadEvent {
  cache: string
  key: unknown
  durationMs: number
  /** How many callers were waiting for this load (1 + de-duplicated callers). */
  waiters: number
}

export interface CacheLoadErrorEvent {
  cache: string
  key: unknown
  durationMs: number
  error: unknown
}

/** Events emitted by `MemoryCache`. */
export interface CacheEvents {
  'cache:hit': (event: CacheHitEvent) => void
  'cache:miss': (event: CacheMissEvent) => void
  'cache:set': (event: CacheSetEvent) => void
  'cache:evict': (event: CacheEvictEvent) => void
  'cache:load': (event: CacheLoadEvent) => void
  'cache:load-error': (event: CacheLoadErrorEvent) => void
}
