import { describe, expect, it, vi } from 'vitest'
import { AbortError, MemoryCache } from 'perfkit'

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('MemoryCache.getOrLoad', () => {
  it('runs the loader once for concurrent callers of the same missing key', async () => {
    const cache = new MemoryCache<string, number>()
    const gate = deferred<number>()
    const loader = vi.fn(() => gate.promise)
    const callers = Array.from({ length: 50 }, () => cache.getOrLoad('k', loader))
    expect(loader).toHaveBeenCalledTimes(1)
    gate.resolve(42)
    expect(await Promise.all(callers)).toEqual(Array(50).fill(42))
    expect(cache.get('k')).toBe(42)
    expect(cache.stats()).toMatchObject({ loads: 1, dedupedLoads: 49, loadErrors: 0 })
  })

  it('runs one loader per distinct key, concurrently', async () => {
    const cache = new MemoryCache<string, string>()
    const loader = vi.fn(async (key: string) => key.toUpperCase())
    const values = await Promise.all(['a', 'b', 'a', 'c', 'b'].map((k) => cache.getOrLoad(k, loader)))
    expect(values).toEqual(['A', 'B', 'A', 'C', 'B'])
    expect(loader).toHaveBeenCalledTimes(3)
  })

  it('serves a cached value without calling the loader, counting a hit', async () => {
    const cache = new MemoryCache<string, number>()
    cache.set('k', 1)
    const loader = vi.fn(async () => 2)
    expect(await cache.getOrLoad('k', loader)).toBe(1)
    expect(loader).not.toHaveBeenCalled()
    expect(cache.stats().hits).toBe(1)
  })

  it('caches nothing when the loader rejects, rejects every waiter with that error, and retries next time', async () => {
    const cache = new MemoryCache<string, number>()
    const failure = new Error('db down')
    const gate = deferred<number>()
    const waiters = [cache.getOrLoad('k', () => gate.promise), cache.getOrLoad('k', () => gate.promise)]
    gate.reject(failure)
    for (const w of waiters) await expect(w).rejects.toBe(failure)
    expect(cache.has('k')).toBe(false)
    expect(cache.stats()).toMatchObject({ loads: 0, loadErrors: 1 })
    expect(await cache.getOrLoad('k', async () => 7)).toBe(7)
  })

  it('treats a loader that throws synchronously like one that rejects', async () => {
    const cache = new MemoryCache<string, number>()
    await expect(
      cache.getOrLoad('k', () => {
        throw new Error('sync')
      }),
    ).rejects.toThrow('sync')
    expect(cache.stats().loadErrors).toBe(1)
  })

  it('rejects a loader that resolves to undefined instead of caching a hole', async () => {
    const cache = new MemoryCache<string, number>()
    await expect(cache.getOrLoad('k', async () => undefined as unknown as number)).rejects.toMatchObject({ code: 'PERFKIT_INPUT' })
    expect(cache.has('k')).toBe(false)
  })

  it('lets one waiter abort without cancelling the load for the others', async () => {
    const cache = new MemoryCache<string, number>()
    const gate = deferred<number>()
    const loader = vi.fn(() => gate.promise)
    const controller = new AbortController()
    const leaving = cache.getOrLoad('k', loader, { signal: controller.signal })
    const staying = cache.getOrLoad('k', loader)
    controller.abort(new Error('client went away'))
    await expect(leaving).rejects.toBeInstanceOf(AbortError)
    await expect(leaving).rejects.toMatchObject({ code: 'PERFKIT_ABORTED', cause: new Error('client went away') })
    gate.resolve(5)
    expect(await staying).toBe(5)
    expect(cache.get('k')).toBe(5)
    expect(loader).toHaveBeenCalledTimes(1)
  })

  it('rejects at once for an already aborted signal and starts no load', async () => {
    const cache = new MemoryCache<string, number>()
    const loader = vi.fn(async () => 1)
    await expect(cache.getOrLoad('k', loader, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError)
    expect(loader).not.toHaveBeenCalled()
  })

  it('does not overwrite a value deleted or set while its load was in flight', async () => {
    const cache = new MemoryCache<string, number>()
    const gate = deferred<number>()
    const load = cache.getOrLoad('k', () => gate.promise)
    cache.set('k', 99)
    gate.resolve(1)
    expect(await load).toBe(1)
    expect(cache.get('k')).toBe(99)

    const gate2 = deferred<number>()
    const load2 = cache.getOrLoad('j', () => gate2.promise)
    cache.clear()
    gate2.resolve(2)
    expect(await load2).toBe(2)
    expect(cache.has('j')).toBe(false)
  })

  it('applies the ttl option to the loaded entry', async () => {
    let now = 1000
    const cache = new MemoryCache<string, number>({ clock: () => now })
    await cache.getOrLoad('k', async () => 1, { ttl: 10 })
    now += 11
    expect(cache.get('k')).toBeUndefined()
  })

  it('emits load and load-error events with durations and waiter counts', async () => {
    let now = 1000
    const cache = new MemoryCache<string, number>({ name: 'models', clock: () => now })
    const events: unknown[] = []
    cache.bus.on('cache:load', (e) => events.push(['load', e]))
    cache.bus.on('cache:load-error', (e) => events.push(['error', e.key, e.durationMs, (e.error as Error).message]))
    const gate = deferred<number>()
    const a = cache.getOrLoad('k', () => gate.promise)
    const b = cache.getOrLoad('k', () => gate.promise)
    now += 25
    gate.resolve(3)
    await Promise.all([a, b])
    now += 5
    await cache.getOrLoad('bad', async () => {
      now += 7
      throw new Error('nope')
    }).catch(() => {})
    expect(events).toEqual([
      ['load', { cache: 'models', key: 'k', durationMs: 25, waiters: 2 }],
      ['error', 'bad', 7, 'nope'],
    ])
    expect(cache.stats().meanLoadTimeMs).toBe(25)
  })
})
