import { InsightEngine } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { recommend } from '../../src/insights/recommendations'
import { FakeMonitor, dist } from './fake-monitor'
import { cpuSaturation } from './patterns'
import { rig } from './rig'

describe('report()', () => {
  it('puts summary, health, zone, insights, correlations, recommendations and optimizations in one JSON-safe object', async () => {
    const { engine, monitor, play } = rig({ hooks: { gc: () => 'collected' } })
    const alerts = { alerts: () => [{ id: 'cpu#1', ruleId: 'cpu', severity: 'critical' as const, state: 'firing' as const, labels: {}, annotations: {}, value: 97 }] }
    const withAlerts = new InsightEngine({ monitor, intervalMs: 0, alerts, heapLimitBytes: 100 })
    await play(
      cpuSaturation(20).map((f) => ({ ...f, nodejs_heap_used_bytes: 96 })),
      30_000,
      () => withAlerts.evaluate(),
    )
    const report = withAlerts.report()
    expect(Object.keys(report)).toEqual(['at', 'summary', 'health', 'zone', 'bottlenecks', 'insights', 'correlations', 'recommendations', 'optimizations'])
    expect(report.summary).toMatchObject({ zone: 'critical', firingAlerts: 1, bySeverity: { critical: 2 }, topIssue: 'CPU saturated', optimizationsApplied: 0 })
    expect(report.summary.status).toBe(report.health.status)
    expect(report.summary.text).toMatch(/^Health \d+\/100 \((poor|critical)\), critical zone at \d+(\.\d+)? % utilisation\. 2 bottleneck\(s\), 2 critical: CPU saturated; Memory pressure\. First: /)
    expect(report.health.adjustments.some((a) => a.reason.startsWith('1 critical and 0 warning alert(s) firing'))).toBe(true)
    expect(report.insights.filter((i) => i.type === 'bottleneck').map((i) => i.key).sort()).toEqual(['cpu', 'memory'])
    expect(report.recommendations.length).toBeGreaterThan(3)
    expect(report.correlations.length).toBeGreaterThan(0) // the CPU gauges move together
    expect(report.correlations.every((c) => Math.abs(c.r) >= 0.7)).toBe(true)
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
    // The first engine has the gc hook; memory stays fine there (default 2 GiB limit), so nothing ran.
    expect(engine.report().optimizations).toEqual([])
  })

  it('includes regression findings from the bus until they recover', () => {
    const monitor = new FakeMonitor()
    const engine = new InsightEngine({ monitor, intervalMs: 0 })
    monitor.bus.emit('regression:detected', {
      metric: 'http_server_request_duration_seconds',
      labels: { route: '/search' },
      kind: 'sudden-step',
      changePercent: 140,
      direction: 'increase',
      baselineMean: 0.1,
      currentMean: 0.24,
      pValue: 0.0001,
      effectSize: 2.1,
      confidence: 0.97,
      reason: 'p95 stepped up after the deploy',
      at: monitor.t,
    })
    const [insight] = engine.report().insights
    expect(insight).toMatchObject({ type: 'regression', severity: 'high', confidence: 0.97, key: 'regression:http_server_request_duration_seconds{route=/search}' })
    expect(insight?.description).toBe('http_server_request_duration_seconds rose 140 % (sudden-step): p95 stepped up after the deploy')
    monitor.bus.emit('regression:recovered', { metric: 'http_server_request_duration_seconds', labels: { route: '/search' }, at: monitor.t + 5000, durationMs: 5000 })
    expect(engine.insights({ type: 'regression' })[0]?.resolvedAt).toBe(monitor.t + 5000)
    monitor.t += 31 * 60_000
    expect(engine.report().insights).toEqual([]) // past insightRetentionMs
  })

  it('says so when nothing is wrong', () => {
    const monitor = new FakeMonitor().set('process_cpu_usage_percent', 12).setStats('http_server_request_duration_seconds', dist(0.05))
    const report = new InsightEngine({ monitor, intervalMs: 0 }).report()
    expect(report.summary.text).toBe('Health 100/100 (excellent), green zone at 12 % utilisation. No bottleneck found.')
    expect(report.recommendations).toEqual([])
  })
})

describe('recommendations', () => {
  const base = { confidence: 0.9, evidence: [], metrics: ['m'], recommendation: '', description: 'd', since: 0, at: 0 }
  it('ranks by impact over effort, then severity, with concrete steps for the instance', () => {
    const recs = recommend([
      { ...base, id: 'queue:model', kind: 'queue', severity: 'medium', title: 'Queue backlog in model', labels: { batcher: 'model' } },
      { ...base, id: 'event-loop', kind: 'event-loop', severity: 'critical', title: 'Event loop blocked' },
    ])
    expect(recs.map((r) => [r.id, r.score])).toEqual([
      ['queue.bound:queue:model', 3],
      ['event-loop.find-blocker:event-loop', 2.5],
      ['queue.throughput:queue:model', 2],
      ['event-loop.offload:event-loop', 1.67],
    ])
    expect(recs[0]?.steps[0]).toContain('`model`')
    expect(recs[0]?.title).toBe('Bound the queue and shed overload early (model)')
    expect(recs[1]?.rationale).toBe('Event loop blocked: d')
  })

  it('lowers the impact of low-severity findings', () => {
    const [low] = recommend([{ ...base, id: 'cpu', kind: 'cpu', severity: 'low', title: 't' }])
    const [critical] = recommend([{ ...base, id: 'cpu', kind: 'cpu', severity: 'critical', title: 't' }])
    expect((low?.impact as number) < (critical?.impact as number)).toBe(true)
  })
})
