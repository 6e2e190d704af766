// MemoryCache against a raw lru-cache built with the same options, in the same run.
import { LRUCache } from 'lru-cache'
import { MemoryCache } from 'perfkit'
import { compareSync } from './harness'

export default function cacheBench(): void {
  const size = 10_000
  const keys = Array.from({ length: size }, (_, i) => `key:${i}`)
  const missKeys = Array.from({ length: size }, (_, i) => `absent:${i}`)
  const mask = size

  for (const ttl of [0, 60_000]) {
    const label = ttl === 0 ? 'no ttl' : 'ttl 60 s'
    const cache = new MemoryCache<string, number>({ max: size, ...(ttl ? { ttl } : {}) })
    const raw = new LRUCache<string, number>({ max: size, ...(ttl ? { ttl } : {}) })
    for (let i = 0; i < size; i++) {
      cache.set(keys[i] as string, i)
      raw.set(keys[i] as string, i)
    }
    compareSync(`MemoryCache get (hit), ${label}, stats on`, [
      { name: 'MemoryCache.get', fn: (i) => cache.get(keys[i % mask] as string) },
      { name: 'lru-cache get', fn: (i) => raw.get(keys[i % mask] as string) },
    ])
    compareSync(`MemoryCache get (miss), ${label}`, [
      { name: 'MemoryCache.get', fn: (i) => cache.get(missKeys[i % mask] as string) },
      { name: 'lru-cache get', fn: (i) => raw.get(missKeys[i % mask] as string) },
    ])
    compareSync(`MemoryCache set (overwrite), ${label}`, [
      { name: 'MemoryCache.set', fn: (i) => cache.set(keys[i % mask] as string, i) },
      { name: 'lru-cache set', fn: (i) => raw.set(keys[i % mask] as string, i) },
    ])
  }
}
