import { describe, expect, it } from 'vitest'
import { AbortError, MemoryCache } from 'perfkit'

describe('MemoryCache.preload', () => {
  it('writes entries', async () => {
    const cache = new MemoryCache<string, number>()
    const result = await cache.preload([
      ['a', 1],
      ['b', 2],
    ])
    expect(result).toEqual({ loaded: 2, skipped: 0, failed: 0, errors: [] })
    expect(cache.get('b')).toBe(2)
  })

  it('loads keys with at most `concurrency` loads at a time, skipping cached keys', async () => {
    const cache = new MemoryCache<number, number>()
    cache.set(0, 100)
    let running = 0
    let peak = 0
    const result = await cache.preload(
      Array.from({ length: 40 }, (_, i) => i),
      async (key) => {
        running++
        peak = Math.max(peak, running)
        await new Promise((resolve) => setImmediate(resolve))
        running--
        return key * 2
      },
      { concurrency: 3 },
    )
    expect(peak).toBe(3)
    expect(result).toMatchObject({ loaded: 39, skipped: 1, failed: 0 })
    expect(cache.get(0)).toBe(100)
    expect(cache.get(39)).toBe(78)
  })

  it('counts failed keys without rejecting', async () => {
    const cache = new MemoryCache<number, number>()
    const result = await cache.preload([1, 2, 3, 4], async (key) => {
      if (key % 2 === 0) throw new Error(`no ${key}`)
      return key
    })
    expect(result.loaded).toBe(2)
    expect(result.failed).toBe(2)
    expect(result.errors.map((e) => e.key).sort()).toEqual([2, 4])
    expect(cache.has(2)).toBe(false)
  })

  it('rejects with AbortError when its signal aborts', async () => {
    const cache = new MemoryCache<number, number>()
    const controller = new AbortController()
    const loading = cache.preload(
      Array.from({ length: 100 }, (_, i) => i),
      async (key) => {
        if (key === 5) controller.abort()
        return key
      },
      { concurrency: 1, signal: controller.signal },
    )
    await expect(loading).rejects.toBeInstanceOf(AbortError)
    expect(cache.size).toBeLessThan(100)
  })

  it('validates concurrency', async () => {
    const cache = new MemoryCache<number, number>()
    await expect(cache.preload([1], async (k) => k, { concurrency: 0 })).rejects.toMatchObject({ code: 'PERFKIT_CONFIG', option: 'concurrency' })
  })
})
