import type { InsightBottleneckEvent, InsightResolvedEvent } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { calm, cpuSaturation } from './patterns'
import { rig } from './rig'

describe('scenario: CPU saturation', () => {
  it('finds a CPU-bound bottleneck with its evidence and a recommendation, once, and resolves it', async () => {
    const { engine, play } = rig()
    const found: InsightBottleneckEvent[] = []
    const resolved: InsightResolvedEvent[] = []
    engine.bus.on('insight:bottleneck', (e) => found.push(e))
    engine.bus.on('insight:resolved', (e) => resolved.push(e))

    await play(cpuSaturation(20), 30_000, () => engine.evaluate())
    const cpu = engine.bottlenecks().find((b) => b.kind === 'cpu')
    expect(cpu).toMatchObject({ id: 'cpu', severity: 'critical', title: 'CPU saturated' })
    expect(cpu?.confidence).toBeGreaterThanOrEqual(0.8)
    const current = cpu?.evidence.find((e) => e.metric === 'process_cpu_usage_percent' && e.stat === 'value')
    expect(current?.value).toBeGreaterThan(94)
    expect(current?.threshold).toBe(70)
    expect(cpu?.evidence.find((e) => e.stat === 'share-above-warning')?.value).toBeGreaterThan(0.6)
    expect(cpu?.evidence.some((e) => e.metric === 'nodejs_eventloop_utilization_ratio')).toBe(true)
    expect(cpu?.description).toMatch(/Process CPU is at 9\d(\.\d+)? %, at or above 70 % for \d+ % of the last 5 min/)
    expect(cpu?.recommendation).toMatch(/cpu-prof/)

    // One detection (maybe one escalation), not one event per evaluation.
    const cpuEvents = found.filter((e) => e.bottleneck.kind === 'cpu')
    expect(cpuEvents[0]?.change).toBe('detected')
    expect(cpuEvents.filter((e) => e.change === 'detected')).toHaveLength(1)
    expect(cpuEvents.length).toBeLessThanOrEqual(3)
    expect(cpuEvents.at(-1)?.bottleneck.severity).toBe('critical')

    const recs = engine.recommendations().filter((r) => r.kind === 'cpu')
    expect(recs.map((r) => r.id)).toEqual(['cpu.profile:cpu', 'cpu.scale:cpu', 'cpu.offload:cpu'])
    expect(recs[0]).toMatchObject({ impact: 5, effort: 2, score: 2.5, severity: 'critical' })
    expect(recs[0]?.steps.length).toBeGreaterThanOrEqual(3)

    // No false I/O finding: slow responses would be explained by the busy CPU.
    expect(engine.bottlenecks().some((b) => b.kind === 'io')).toBe(false)

    await play(calm(12), 30_000, () => engine.evaluate())
    expect(engine.bottlenecks().some((b) => b.kind === 'cpu')).toBe(false)
    expect(resolved.filter((e) => e.id === 'cpu')).toHaveLength(1)
    expect(resolved[0]?.durationMs).toBeGreaterThan(0)
  })

  it('does not report a single spike as saturation', async () => {
    const { engine, play } = rig()
    const frames = calm(10).map((f, i) => (i === 9 ? { ...f, process_cpu_usage_percent: 85 } : f))
    await play(frames)
    expect(engine.bottlenecks().some((b) => b.kind === 'cpu')).toBe(false)
  })
})

describe('scenario: CPU saturation slows responses', () => {
  it('runs cacheSlowEndpoints once per 10-minute cooldown with the slow routes, and correlates latency with CPU', async () => {
    const seen: Array<{ at: number; targets: readonly Record<string, string>[] }> = []
    const { engine, monitor, play, clock } = rig({ hooks: { cacheSlowEndpoints: (ctx) => void seen.push({ at: clock.now(), targets: ctx.targets }) } })
    // 25 minutes; responses slow down with CPU (queueing behind a busy process).
    await play(cpuSaturation(50), 30_000, async (i) => {
      const cpu = monitor.value('process_cpu_usage_percent') as number
      for (let r = 0; r < 30; r++) {
        monitor.record('http_server_request_duration_seconds', (cpu / 40) * (r % 3 === 0 ? 1.4 : 0.6), { method: 'GET', route: '/search', status_class: '2xx' })
        if (r % 3 === 0) monitor.record('http_server_request_duration_seconds', 0.004, { method: 'GET', route: '/health', status_class: '2xx' })
      }
      await engine.evaluate()
      if (i === 0) expect(seen).toEqual([]) // at 30 % CPU responses are fast
    })
    expect(seen.length).toBe(3)
    for (let i = 1; i < seen.length; i++) expect((seen[i]?.at as number) - (seen[i - 1]?.at as number)).toBe(10 * 60_000)
    expect(seen[0]?.targets).toEqual([{ route: '/search' }])
    const applied = engine.optimizations()
    expect(applied.every((o) => o.rule === 'high-response-time' && o.outcome === 'applied')).toBe(true)
    expect(applied[0]?.evidence[0]).toMatchObject({ metric: 'http_server_request_duration_seconds', stat: 'mean', threshold: 1 })
    const latencyCpu = engine.correlations().find((c) => [c.a, c.b].includes('http_server_request_duration_seconds') && [c.a, c.b].includes('process_cpu_usage_percent'))
    expect(latencyCpu?.r).toBeGreaterThan(0.9)
    expect(latencyCpu?.insight).toMatch(/process_cpu_usage_percent is a likely driver of http_server_request_duration_seconds/)
  })
})

describe('scenario: one saturated JavaScript thread on a many-core machine', () => {
  it('calls a main thread busy all the time CPU-bound, though process CPU (a share of all cores) looks low', async () => {
    const { engine, play } = rig()
    const frames = cpuSaturation(12).map((f) => ({ ...f, process_cpu_usage_percent: 12.4, system_cpu_usage_percent: 14, nodejs_eventloop_utilization_ratio: 0.985, nodejs_eventloop_delay_p99_seconds: 0.035 }))
    await play(frames)
    const found = engine.bottlenecks()
    const cpu = found.find((b) => b.kind === 'cpu')
    expect(cpu).toMatchObject({ title: 'Main thread saturated', severity: 'critical' })
    expect(cpu?.evidence[0]).toMatchObject({ metric: 'nodejs_eventloop_utilization_ratio', value: 0.985, threshold: 0.9 })
    expect(cpu?.description).toMatch(/busy 98\.5 % of the time while its p99 delay stays at 35 ms/)
    expect(found.some((b) => b.kind === 'event-loop')).toBe(false) // the loop still answers quickly
    expect(engine.zone().resource).toBe('event-loop')
  })
})
