import type { CacheEvictionReason } from '../bus/events/cache'

/**
 * A snapshot of a {@link MemoryCache}'s counters and occupancy.
 * @example
 * ```ts
 * const { hitRate, evictions } = cache.stats()
 * console.log(`hit rate ${(hitRate * 100).toFixed(1)} %, ${evictions.total} evictions`)
 * ```
 */
export interface CacheStats {
  name: string
  /** Reads that found a value (stale hits included). */
  hits: number
  /** Reads that found nothing. */
  misses: number
  /** Hits that returned an expired value because `allowStale` is on. */
  staleHits: number
  /** hits / (hits + misses), from 0 to 1; 0 before the first read. */
  hitRate: number
  /** Values written by `set()`, `getOrLoad()` and `preload()`. */
  sets: number
  /** Loader runs that succeeded. */
  loads: number
  /** Loader runs that threw or rejected. */
  loadErrors: number
  /** `getOrLoad()` calls that joined a load already in flight instead of starting one. */
  dedupedLoads: number
  /** Mean duration of a successful load, in ms; 0 before the first. */
  meanLoadTimeMs: number
  /** Entries that left the cache, by reason, and in total. */
  evictions: Record<CacheEvictionReason, number> & { total: number }
  /** Entries held now. */
  entries: number
  /** Total size held now, in `sizeCalculation` units; 0 without `maxSize`. */
  calculatedSize: number
  max: number
  /** 0 without `maxSize`. */
  maxSize: number
}

/** The mutable counters behind {@link CacheStats}; plain fields so the hot path is one increment. */
export class CacheStatsCounter {
  hits = 0
  misses = 0
  staleHits = 0
  sets = 0
  loads = 0
  loadErrors = 0
  dedupedLoads = 0
  loadTimeTotalMs = 0
  evictions: Record<CacheEvictionReason, number> = { capacity: 0, size: 0, expired: 0, manual: 0 }

  recordLoad(durationMs: number): void {
    this.loads++
    this.loadTimeTotalMs += durationMs
  }

  reset(): void {
    this.hits = this.misses = this.staleHits = this.sets = 0
    this.loads = this.loadErrors = this.dedupedLoads = this.loadTimeTotalMs = 0
    this.evictions = { capacity: 0, size: 0, expired: 0, manual: 0 }
  }

  snapshot(name: string, entries: number, calculatedSize: number, max: number, maxSize: number): CacheStats {
    const reads = this.hits + this.misses
    const e = this.evictions
    return {
      name,
      hits: this.hits,
      misses: this.misses,
      staleHits: this.staleHits,
      hitRate: reads === 0 ? 0 : this.hits / reads,
      sets: this.sets,
      loads: this.loads,
      loadErrors: this.loadErrors,
      dedupedLoads: this.dedupedLoads,
      meanLoadTimeMs: this.loads === 0 ? 0 : this.loadTimeTotalMs / this.loads,
      evictions: { ...e, total: e.capacity + e.size + e.expired + e.manual },
      entries,
      calculatedSize,
      max,
      maxSize,
    }
  }
}
