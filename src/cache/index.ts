export { MemoryCache } from './memory-cache'
export type { CacheSetOptions, GetOrLoadOptions, MemoryCacheOptions, PreloadOptions, PreloadResult } from './memory-cache'
export type { CacheStats } from './stats'
