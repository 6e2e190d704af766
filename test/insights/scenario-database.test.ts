import type { OptimizationHookContext } from 'perfkit'
import { describe, expect, it, vi } from 'vitest'
import { rig } from './rig'

/** One minute of traffic: fast lookups, and `slow` findOrders calls around `slowSeconds`. */
function traffic(record: (name: string, value: number, labels?: Record<string, string>) => void, minute: number, slow: number, slowSeconds: number) {
  for (let i = 0; i < 60; i++) record('db_query_duration_seconds', 0.004 + (i % 7) * 0.003, { operation: i % 2 ? 'getUser' : 'listItems' })
  for (let i = 0; i < slow; i++) record('db_query_duration_seconds', slowSeconds + ((i + minute) % 4) * 0.1, { operation: 'findOrders' })
}

describe('scenario: slow queries', () => {
  it('finds the database bottleneck, names the slowest query series, and ranks the index recommendation first', async () => {
    const { engine, monitor, step } = rig()
    for (let minute = 0; minute < 6; minute++) step(60_000, () => traffic((n, v, l) => monitor.record(n, v, l), minute, 6, 0.9))
    const db = engine.bottlenecks().find((b) => b.kind === 'database')
    expect(db).toMatchObject({ id: 'database', title: 'Slow database queries' })
    expect(['medium', 'high']).toContain(db?.severity)
    const slow = db?.evidence.find((e) => e.stat === 'slow-queries')
    expect(slow?.value).toBeGreaterThan(20) // 6 a minute over the 5-minute window, estimated from the quantiles
    expect(slow?.value).toBeLessThan(40)
    expect(slow?.threshold).toBe(5)
    const slowest = db?.evidence.filter((e) => e.labels !== undefined)
    expect(slowest?.map((e) => e.labels)).toEqual([{ operation: 'findOrders' }])
    expect(db?.description).toMatch(/Slowest: findOrders \(p95 1\.\d+ s\)/)
    expect(engine.recommendations()[0]?.id).toBe('database.index:database')
    // The more specific database finding replaces a generic I/O one.
    expect(engine.bottlenecks().some((b) => b.kind === 'io')).toBe(false)
  })

  it('reads a slow-query counter when the host keeps one', async () => {
    const { engine, monitor, step } = rig()
    for (let minute = 0; minute < 6; minute++) step(60_000, () => monitor.increment('db_slow_queries_total', 3))
    const db = engine.bottlenecks().find((b) => b.kind === 'database')
    expect(db?.evidence.find((e) => e.stat === 'slow-queries')).toMatchObject({ metric: 'db_slow_queries_total', value: 15 })
    expect(db?.severity).toBe('medium')
  })

  it('calls the reportSlowQueries hook once per 15-minute cooldown, with the slowest series as targets', async () => {
    const seen: Array<{ at: number; targets: OptimizationHookContext['targets'] }> = []
    const { engine, monitor, step, clock } = rig({ hooks: { reportSlowQueries: (ctx) => void seen.push({ at: clock.now(), targets: ctx.targets }) } })
    for (let minute = 0; minute < 40; minute++) {
      step(60_000, () => traffic((n, v, l) => monitor.record(n, v, l), minute, 6, 0.9))
      await engine.evaluate()
    }
    expect(seen).toHaveLength(3)
    expect((seen[1]?.at as number) - (seen[0]?.at as number)).toBe(15 * 60_000)
    expect((seen[2]?.at as number) - (seen[1]?.at as number)).toBe(15 * 60_000)
    expect(seen[0]?.targets).toEqual([{ operation: 'findOrders' }])
    expect(engine.optimizations().map((o) => o.rule)).toEqual(['slow-queries', 'slow-queries', 'slow-queries'])
  })

  it('correlates response time with query time, and not with an independent metric', async () => {
    const { engine, monitor, step } = rig()
    for (let minute = 0; minute < 30; minute++) {
      // Query time wanders; response time follows it; the queue gauge does its own thing.
      const db = 0.05 + 0.04 * Math.sin(minute / 3) + 0.02 * Math.sin(minute * 1.7)
      step(60_000, () => {
        for (let i = 0; i < 20; i++) {
          monitor.record('db_query_duration_seconds', db * (0.9 + (i % 3) * 0.1))
          monitor.record('http_server_request_duration_seconds', 0.02 + db * 1.1 * (0.9 + (i % 3) * 0.1))
        }
        monitor.setGauge('worker_pool_idle', (minute * 7919) % 13)
      })
    }
    const correlations = engine.correlations()
    const pair = correlations.find((c) => [c.a, c.b].sort().join() === 'db_query_duration_seconds,http_server_request_duration_seconds')
    expect(pair?.r).toBeGreaterThan(0.95)
    expect(pair).toMatchObject({ direction: 'positive', strength: 'very strong' })
    expect(pair?.n).toBeGreaterThanOrEqual(28)
    expect(pair?.insight).toMatch(/rises and falls with/)
    expect(correlations.some((c) => c.a === 'worker_pool_idle' || c.b === 'worker_pool_idle')).toBe(false)
    expect(engine.report().correlations).toEqual(correlations)
  })
})

describe('scenario: a database monitoring source', () => {
  it("reads the source's slow-query gauge, and a failing database source as evidence", async () => {
    vi.useFakeTimers()
    try {
      const { engine, monitor } = rig()
      let failing = false
      monitor.addSource({
        name: 'database',
        priority: 'high',
        intervalMs: 60_000,
        collect: () => {
          if (failing) throw new Error('connection timed out')
          return { db_slow_queries: 9 }
        },
      })
      await vi.advanceTimersByTimeAsync(0)
      const fromGauge = engine.bottlenecks().find((b) => b.kind === 'database')
      expect(fromGauge?.evidence.find((e) => e.stat === 'slow-queries')).toMatchObject({ metric: 'db_slow_queries', value: 9, note: 'reported by the database source' })
      expect(fromGauge?.severity).toBe('medium')

      failing = true
      monitor.setGauge('db_slow_queries', 0)
      await vi.advanceTimersByTimeAsync(60_000)
      const fromSource = engine.bottlenecks().find((b) => b.kind === 'database')
      expect(fromSource?.evidence.find((e) => e.metric === 'source:database')).toMatchObject({ stat: 'consecutive-failures', value: 1 })
      expect(fromSource?.description).toBe('The database source is failing.')
      await monitor.close()
    } finally {
      vi.useRealTimers()
    }
  })
})
