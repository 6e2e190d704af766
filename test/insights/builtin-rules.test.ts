import { InsightEngine, PerfkitConfigError } from 'perfkit'
import type { OptimizationHookContext, OptimizationHooks } from 'perfkit'
import { describe, expect, it, vi } from 'vitest'
import { FakeMonitor, dist } from './fake-monitor'

const engineFor = (monitor: FakeMonitor, hooks: OptimizationHooks, extra: Record<string, unknown> = {}) =>
  new InsightEngine({ monitor, intervalMs: 0, heapLimitBytes: 1000, hooks, ...extra })

describe('built-in optimization rules', () => {
  it('registers a rule only when one of its hooks is given, with the reference priorities and cooldowns', () => {
    const noop = () => undefined
    expect(engineFor(new FakeMonitor(), {}).rules()).toEqual([])
    const all = engineFor(new FakeMonitor(), { cacheSlowEndpoints: noop, gc: noop, reportSlowQueries: noop, warmCache: noop }).rules()
    expect(all.map((r) => [r.id, r.priority, r.cooldownMs / 60_000])).toEqual([
      ['high-response-time', 1, 10],
      ['memory-pressure', 2, 5],
      ['slow-queries', 3, 15],
      ['low-cache-hit-rate', 4, 20],
    ])
    expect(engineFor(new FakeMonitor(), { gc: noop }, { builtinRules: false }).rules()).toEqual([])
  })

  it('rejects a hook that is not a function', () => {
    expect(() => engineFor(new FakeMonitor(), { gc: 'yes' as never })).toThrow(PerfkitConfigError)
    expect(() => engineFor(new FakeMonitor(), { gc: 'yes' as never })).toThrow(/hooks.gc/)
  })

  it('high response time: mean over 1 s runs cacheSlowEndpoints with the slowest routes', async () => {
    const monitor = new FakeMonitor()
      .setStats('http_server_request_duration_seconds', dist(2.4, { mean: 1.3 }))
      .setSeries('http_server_request_duration_seconds', [{ route: '/search' }, { route: '/health' }, { route: '/report' }])
      .setStats('http_server_request_duration_seconds', dist(3.1), { route: '/search' })
      .setStats('http_server_request_duration_seconds', dist(0.01), { route: '/health' })
      .setStats('http_server_request_duration_seconds', dist(4.2), { route: '/report' })
    let ctx: OptimizationHookContext | undefined
    const engine = engineFor(monitor, { cacheSlowEndpoints: (c) => { ctx = c; return 'cached 2 routes for 60 s' } })
    const { optimizations } = await engine.evaluate()
    expect(ctx?.targets).toEqual([{ route: '/report' }, { route: '/search' }])
    expect(ctx?.trigger.reason).toBe('mean response time 1.3 s is over 1 s')
    expect(optimizations[0]).toMatchObject({ rule: 'high-response-time', outcome: 'applied', impact: 'cached 2 routes for 60 s' })
  })

  it('does not trigger under the levels', async () => {
    const monitor = new FakeMonitor().setStats('http_server_request_duration_seconds', dist(0.9, { mean: 0.4 })).set('system_memory_usage_percent', 70)
    const hooks = { cacheSlowEndpoints: vi.fn(), gc: vi.fn(), raiseTtl: vi.fn(), reportSlowQueries: vi.fn() }
    await engineFor(monitor, hooks).evaluate()
    for (const hook of Object.values(hooks)) expect(hook).not.toHaveBeenCalled()
  })

  it('holds back cache-growing actions while memory is under pressure, and frees memory instead', async () => {
    const monitor = new FakeMonitor()
      .set('system_memory_usage_percent', 91)
      .setStats('http_server_request_duration_seconds', dist(3, { mean: 2 }))
      .setSeries('cache_hit_ratio', [{ cache: 'users' }])
      .set('cache_hit_ratio', 0.2, { cache: 'users' })
    const hooks = { cacheSlowEndpoints: vi.fn(), raiseTtl: vi.fn(), warmCache: vi.fn(), pruneCaches: vi.fn(() => 'pruned') }
    const { optimizations } = await engineFor(monitor, hooks).evaluate()
    expect(optimizations.map((o) => o.rule)).toEqual(['memory-pressure'])
    expect(hooks.pruneCaches).toHaveBeenCalledOnce()
    expect(hooks.cacheSlowEndpoints).not.toHaveBeenCalled()
    expect(hooks.raiseTtl).not.toHaveBeenCalled()
    expect(hooks.warmCache).not.toHaveBeenCalled()
  })

  it('honours the thresholds option', async () => {
    const monitor = new FakeMonitor().set('system_memory_usage_percent', 72)
    const gc = vi.fn()
    await engineFor(monitor, { gc }, { thresholds: { memoryPercent: { warning: 70 } } }).evaluate()
    expect(gc).toHaveBeenCalledOnce()
  })

  it('can be removed or disabled by id like any rule', async () => {
    const monitor = new FakeMonitor().set('system_memory_usage_percent', 95)
    const gc = vi.fn()
    const engine = engineFor(monitor, { gc })
    engine.setRuleEnabled('memory-pressure', false)
    await engine.evaluate()
    expect(gc).not.toHaveBeenCalled()
    expect(engine.removeRule('memory-pressure')).toBe(true)
    expect(engine.rules()).toEqual([])
  })
})
