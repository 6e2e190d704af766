import { describe, expect, it } from 'vitest'
import { calm, eventLoopBlocking } from './patterns'
import { rig } from './rig'

const recordRequests = (record: (name: string, value: number, labels?: Record<string, string>) => void, seconds: number) => {
  for (let i = 0; i < 40; i++) record('http_server_request_duration_seconds', seconds * (0.8 + (i % 5) * 0.1), { method: 'GET', route: '/search', status_class: '2xx' })
}

describe('scenario: event-loop blocking', () => {
  it('finds the blocked loop with its delay evidence, and does not blame I/O for the slow requests', async () => {
    const { engine, monitor, play } = rig()
    await play(eventLoopBlocking(12), 30_000, () => recordRequests((n, v, l) => monitor.record(n, v, l), 1.5))
    const bottlenecks = engine.bottlenecks()
    const loop = bottlenecks.find((b) => b.kind === 'event-loop')
    expect(loop).toMatchObject({ id: 'event-loop', severity: 'critical', title: 'Event loop blocked' })
    const p99 = loop?.evidence.find((e) => e.metric === 'nodejs_eventloop_delay_p99_seconds' && e.stat === 'value')
    expect(p99?.value).toBeGreaterThan(0.6)
    expect(p99?.threshold).toBe(0.1)
    expect(loop?.evidence.find((e) => e.metric === 'nodejs_eventloop_delay_max_seconds')?.value).toBeGreaterThan(1.3)
    expect(loop?.evidence.find((e) => e.metric === 'nodejs_eventloop_utilization_ratio')?.value).toBe(0.99)
    expect(loop?.description).toMatch(/^p99 event-loop delay is \d+ ms \(max 1\.\d+ s\) and the loop is busy 99 % of the time/)
    expect(loop?.recommendation).toMatch(/blocking synchronous calls/)
    expect(bottlenecks.some((b) => b.kind === 'io')).toBe(false)
    expect(bottlenecks.some((b) => b.kind === 'cpu')).toBe(false) // 55 % CPU is not the limit
    const recs = engine.recommendations()
    expect(recs[0]?.id).toBe('event-loop.find-blocker:event-loop')
    expect(recs[0]?.steps.some((s) => s.includes('--trace-sync-io'))).toBe(true)
  })
})

describe('scenario: I/O-bound', () => {
  it('calls slow responses with an idle CPU and loop I/O-bound', async () => {
    const { engine, monitor, play } = rig()
    await play(calm(12), 30_000, () => recordRequests((n, v, l) => monitor.record(n, v, l), 2))
    const io = engine.bottlenecks().find((b) => b.kind === 'io')
    expect(io).toMatchObject({ id: 'io', severity: 'medium', title: 'I/O-bound: requests wait on downstream calls' })
    expect(io?.evidence.find((e) => e.stat === 'p95')?.value).toBeGreaterThan(2)
    expect(io?.description).toMatch(/while CPU is at \d+(\.\d+)? %/)
    expect(engine.recommendations()[0]?.kind).toBe('io')
  })
})

describe('scenario: event-loop blocking with a host rule', () => {
  it('runs a custom rule keyed on the bottleneck once per cooldown, with the bottleneck evidence', async () => {
    const { engine, play, clock } = rig()
    const runs: number[] = []
    engine.addRule({
      id: 'smaller-batches',
      cooldownMs: 5 * 60_000,
      condition: ({ bottlenecks }) => {
        const loop = bottlenecks.find((b) => b.kind === 'event-loop')
        return loop && { evidence: loop.evidence, reason: loop.title }
      },
      action: () => {
        runs.push(clock.now())
        return 'maxBatchSize 64 → 16'
      },
    })
    await play(calm(4), 30_000, () => engine.evaluate())
    expect(runs).toEqual([])
    await play(eventLoopBlocking(24), 30_000, () => engine.evaluate()) // 12 minutes
    expect(runs).toHaveLength(3)
    expect((runs[1] as number) - (runs[0] as number)).toBe(5 * 60_000)
    const [first] = engine.optimizations()
    expect(first).toMatchObject({ rule: 'smaller-batches', outcome: 'applied', impact: 'maxBatchSize 64 → 16' })
    expect(first?.evidence.some((e) => e.metric === 'nodejs_eventloop_delay_p99_seconds')).toBe(true)
  })
})
