import { InsightEngine } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { curveScore, statusOf } from '../../src/insights/health'
import { FakeMonitor, dist } from './fake-monitor'

const engineFor = (monitor: FakeMonitor, extra: Record<string, unknown> = {}) => new InsightEngine({ monitor, intervalMs: 0, heapLimitBytes: 1000, ...extra })

describe('curveScore', () => {
  const levels = { warning: 70, critical: 90 }
  it('passes through (good, 100), (warning, 70), (critical, 30), (worst, 0)', () => {
    expect([40, 50, 60, 70, 80, 90, 95, 100, 120].map((v) => curveScore(v, 50, levels, 100))).toEqual([100, 100, 85, 70, 50, 30, 15, 0, 0])
  })
  it('works for lower-is-worse readings', () => {
    const hit = { warning: 0.8, critical: 0.5 }
    expect(curveScore(0.95, 0.9, hit, 0)).toBe(100)
    expect(curveScore(0.8, 0.9, hit, 0)).toBeCloseTo(70, 9)
    expect(curveScore(0.25, 0.9, hit, 0)).toBeCloseTo(15, 9)
  })
  it('bands scores into statuses', () => {
    expect([95, 80, 60, 30, 10].map(statusOf)).toEqual(['excellent', 'good', 'fair', 'poor', 'critical'])
  })
})

describe('health()', () => {
  it('is unknown with no data', () => {
    expect(engineFor(new FakeMonitor()).health()).toMatchObject({ score: 100, status: 'unknown', components: [] })
  })

  it('weighs each area and renormalises over the areas with data', () => {
    const monitor = new FakeMonitor().set('process_cpu_usage_percent', 75).set('system_memory_usage_percent', 50)
    const health = engineFor(monitor).health()
    expect(health.components.map((c) => [c.name, c.score, c.weight])).toEqual([
      ['cpu', 60, 0.5],
      ['memory', 100, 0.5],
    ])
    // 60 × 0.5 + 100 × 0.5 = 80, under the cap of 85 of the medium CPU finding.
    expect(health.score).toBe(80)
    expect(health.status).toBe('good')
    expect(health.adjustments).toEqual([])
    // At 80 % CPU the finding is high: 50 × 0.5 + 100 × 0.5 = 75, capped at 65.
    monitor.set('process_cpu_usage_percent', 80)
    const capped = engineFor(monitor).health()
    expect(capped.score).toBe(65)
    expect(capped.adjustments).toEqual([{ reason: 'capped at 65 by the high finding "High CPU usage"', points: 10 }])
  })

  it('scores latency, errors, cache, queue and database from their metrics', () => {
    const monitor = new FakeMonitor()
      .setStats('http_server_request_duration_seconds', dist(0.2))
      .setRate('http_server_requests_total', 100)
      .setRate('http_server_errors_total', 1)
      .setRate('cache_hits_total', 95)
      .setRate('cache_misses_total', 5)
      .set('prediction_queue_size', 5)
      .setStats('db_query_duration_seconds', dist(0.05))
    const health = engineFor(monitor).health()
    expect(health.components.map((c) => c.name).sort()).toEqual(['cache', 'database', 'errors', 'latency', 'queue'])
    expect(health.components.every((c) => c.score === 100)).toBe(true)
    expect(health.score).toBe(100)
    expect(health.components.find((c) => c.name === 'errors')?.value).toBe(1)
  })

  it('takes points off for firing alerts', () => {
    const alerts = {
      alerts: () => [
        { id: 'a#1', ruleId: 'a', severity: 'critical' as const, state: 'firing' as const, labels: {}, annotations: {}, value: 1 },
        { id: 'b#1', ruleId: 'b', severity: 'warning' as const, state: 'firing' as const, labels: {}, annotations: {}, value: 1 },
      ],
    }
    const monitor = new FakeMonitor().set('process_cpu_usage_percent', 10)
    const health = engineFor(monitor, { alerts }).health()
    expect(health.score).toBe(80)
    expect(health.adjustments).toEqual([{ reason: '1 critical and 1 warning alert(s) firing', points: 20 }])
  })

  it('never reads as healthy with a critical bottleneck', () => {
    // A steady heap leak with low usage: every component is fine, the finding is not.
    const monitor = new FakeMonitor().set('process_cpu_usage_percent', 10).set('nodejs_heap_used_bytes', 500)
    monitor.setHistory('nodejs_heap_used_bytes', Array.from({ length: 20 }, (_, i) => 100 + i * 21))
    const health = engineFor(monitor).health()
    expect(health.score).toBe(40)
    expect(health.adjustments[0]?.reason).toMatch(/capped at 40 by the critical finding "Suspected heap leak"/)
  })
})
