import { MemoryCache } from 'perfkit'
import type { OptimizationHookContext, InsightBottleneckEvent } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { rig } from './rig'

/**
 * A 100-entry cache read 300 times every 30 s: a share `hot` of the reads go to 20 hot keys,
 * the rest to keys never seen before. Lowering `hot` makes the hit rate fall, and every cold
 * key pushes an entry out: capacity evictions.
 */
function setup(hooks: Parameters<typeof rig>[0] = {}) {
  const r = rig(hooks)
  const cache = new MemoryCache<string, number>({ name: 'users', max: 100, clock: r.clock })
  r.monitor.observe(cache)
  let seed = 42
  let cold = 0
  const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32
  const readStep = (hot: number) => {
    for (let i = 0; i < 300; i++) {
      const key = random() < hot ? `hot:${Math.floor(random() * 20)}` : `cold:${cold++}`
      if (cache.get(key) === undefined) cache.set(key, i)
    }
  }
  return { ...r, cache, readStep }
}

describe('scenario: falling cache hit rate', () => {
  it('finds the falling hit rate of the cache, says capacity evictions cause it, and recommends a bigger cache', async () => {
    const { engine, step, readStep } = setup()
    const events: InsightBottleneckEvent[] = []
    engine.bus.on('insight:bottleneck', (e) => events.push(e))
    // The hit ratio slides from ~0.93 to ~0.15 over 10 minutes.
    for (let s = 0; s <= 20; s++) {
      step(30_000, () => readStep(Math.max(0.2, 1 - s * 0.04)))
      await engine.evaluate()
    }
    const cache = engine.bottlenecks().find((b) => b.kind === 'cache')
    expect(cache).toMatchObject({ id: 'cache:users', labels: { cache: 'users' }, title: 'Falling cache hit rate in users' })
    expect(['high', 'critical']).toContain(cache?.severity)
    const ratio = cache?.evidence.find((e) => e.metric === 'cache_hit_ratio' && e.stat === 'value')
    expect(ratio?.value).toBeLessThan(0.5)
    expect(ratio?.labels).toEqual({ cache: 'users' })
    const change = cache?.evidence.find((e) => e.stat === 'change')
    expect(change?.value).toBeLessThan(-0.15)
    const evictions = cache?.evidence.filter((e) => e.metric === 'cache_evictions_total')
    expect(evictions?.[0]?.labels).toEqual({ cache: 'users', reason: 'capacity' })
    expect(cache?.description).toMatch(/Most evictions are for capacity/)
    const recs = engine.recommendations().filter((r) => r.kind === 'cache')
    expect(recs[0]?.id).toBe('cache.size:cache:users')
    expect(recs[0]?.steps[0]).toMatch(/Raise `max` \(or `maxSize`\) of `users`/)
    // It was first reported while still mild, then escalated as it fell.
    const mine = events.filter((e) => e.bottleneck.id === 'cache:users')
    expect(mine[0]?.change).toBe('detected')
    expect(mine.some((e) => e.change === 'escalated')).toBe(true)
  })

  it('runs the raiseTtl and warmCache hooks for that cache once per 20-minute cooldown', async () => {
    const calls: Array<{ hook: string; at: number; targets: OptimizationHookContext['targets'] }> = []
    const { engine, step, readStep, clock } = setup({
      hooks: {
        raiseTtl: (ctx) => void calls.push({ hook: 'raiseTtl', at: clock.now(), targets: ctx.targets }),
        warmCache: (ctx) => {
          calls.push({ hook: 'warmCache', at: clock.now(), targets: ctx.targets })
          return `warmed ${ctx.targets.length} cache(s)`
        },
      },
    })
    // 10 min with a fitting key space, then 45 min with one ten times the cache size.
    for (let s = 0; s < 110; s++) {
      step(30_000, () => readStep(s < 20 ? 1 : 0.1))
      await engine.evaluate()
    }
    const raises = calls.filter((c) => c.hook === 'raiseTtl')
    expect(raises).toHaveLength(3)
    expect((raises[1]?.at as number) - (raises[0]?.at as number)).toBe(20 * 60_000)
    expect((raises[2]?.at as number) - (raises[1]?.at as number)).toBe(20 * 60_000)
    expect(raises[0]?.targets).toEqual([{ cache: 'users' }])
    expect(calls.filter((c) => c.hook === 'warmCache')).toHaveLength(3)
    expect(engine.optimizations()[0]).toMatchObject({ rule: 'low-cache-hit-rate', outcome: 'applied', impact: 'raiseTtl() ran; warmed 1 cache(s)' })
  })

  it('leaves a healthy cache alone', async () => {
    const { engine, step, readStep } = setup({ hooks: { warmCache: () => { throw new Error('must not run') } } })
    for (let s = 0; s < 20; s++) {
      step(30_000, () => readStep(1))
      await engine.evaluate()
    }
    expect(engine.bottlenecks().some((b) => b.kind === 'cache')).toBe(false)
    expect(engine.optimizations()).toEqual([])
    expect(engine.health().components.find((c) => c.name === 'cache')?.score).toBe(100)
  })
})
