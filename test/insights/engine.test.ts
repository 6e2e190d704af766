import { ClosedError, InsightEngine, PerfBus, PerfkitConfigError } from 'perfkit'
import type { InsightBottleneckEvent } from 'perfkit'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FakeMonitor } from './fake-monitor'

afterEach(() => {
  vi.useRealTimers()
})

describe('InsightEngine options', () => {
  it('rejects bad options, naming them', () => {
    const monitor = new FakeMonitor()
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ monitor: undefined }, /`monitor`/],
      [{ monitor: { stats: () => undefined } }, /monitor.value/],
      [{ monitor, intervalMs: -1 }, /intervalMs/],
      [{ monitor, windowMs: 0 }, /windowMs/],
      [{ monitor, bus: {} }, /`bus`/],
      [{ monitor, now: 5 }, /`now`/],
      [{ monitor, alerts: {} }, /alerts.alerts/],
      [{ monitor, thresholds: { cpuPercent: { warning: 95, critical: 90 } } }, /thresholds.cpuPercent.critical/],
      [{ monitor, thresholds: { cacheHitRatio: { warning: 0.5, critical: 0.8 } } }, /thresholds.cacheHitRatio.critical/],
      [{ monitor, thresholds: { slowQueryCount: 0 } }, /thresholds.slowQueryCount/],
      [{ monitor, metricNames: { dbQuery: '' } }, /metricNames.dbQuery/],
      [{ monitor, correlationThreshold: 1.5 }, /correlationThreshold/],
      [{ monitor, correlationMinPoints: 2 }, /correlationMinPoints/],
      [{ monitor, maxOptimizationLog: 0 }, /maxOptimizationLog/],
      [{ monitor, heapLimitBytes: 0 }, /heapLimitBytes/],
      [{ monitor, signal: 'stop' }, /signal/],
    ]
    for (const [options, message] of bad) {
      expect(() => new InsightEngine(options as never), JSON.stringify(Object.keys(options))).toThrow(PerfkitConfigError)
      expect(() => new InsightEngine(options as never)).toThrow(message)
    }
  })

  it('uses its own bus unless given one, and the monitor clock unless given one', () => {
    const monitor = new FakeMonitor()
    const own = new InsightEngine({ monitor, intervalMs: 0 })
    expect(own.bus).toBeInstanceOf(PerfBus)
    expect(own.bus).not.toBe(monitor.bus)
    const bus = new PerfBus()
    expect(new InsightEngine({ monitor, bus, intervalMs: 0 }).bus).toBe(bus)
    monitor.t = 42_000
    expect(own.zone().since).toBe(1_000_000) // started on the monitor clock
    const timed = new InsightEngine({ monitor, intervalMs: 0, now: () => 7 })
    expect(timed.report().at).toBe(7)
  })
})

describe('InsightEngine lifecycle', () => {
  it('evaluates every intervalMs on an unref’d timer and stops on close()', async () => {
    vi.useFakeTimers()
    const monitor = new FakeMonitor().set('process_cpu_usage_percent', 96)
    const engine = new InsightEngine({ monitor, intervalMs: 10_000 })
    const events: InsightBottleneckEvent[] = []
    engine.bus.on('insight:bottleneck', (e) => events.push(e))
    const rule = vi.fn()
    engine.addRule({ id: 'r', condition: () => true, action: rule, cooldownMs: 0 })
    await vi.advanceTimersByTimeAsync(30_000)
    expect(rule).toHaveBeenCalledTimes(3)
    expect(events).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(1)
    await engine.close()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(30_000)
    expect(rule).toHaveBeenCalledTimes(3)
  })

  it('closes when its signal aborts, and supports await using', async () => {
    const controller = new AbortController()
    const engine = new InsightEngine({ monitor: new FakeMonitor(), intervalMs: 0, signal: controller.signal })
    controller.abort()
    await expect(engine.evaluate()).rejects.toBeInstanceOf(ClosedError)
    let disposed: InsightEngine | undefined
    {
      await using scoped = new InsightEngine({ monitor: new FakeMonitor(), intervalMs: 0 })
      disposed = scoped
    }
    await expect(disposed.evaluate()).rejects.toBeInstanceOf(ClosedError)
  })

  it('survives a monitor that throws: no throw into the host, one error report per minute', async () => {
    const monitor = new FakeMonitor()
    monitor.throwOnRead = true
    const engine = new InsightEngine({ monitor, intervalMs: 0 })
    const errors: Error[] = []
    engine.bus.on('error', (e) => errors.push(e))
    expect(engine.bottlenecks()).toEqual([])
    expect(engine.health().status).toBe('unknown')
    expect(() => engine.report()).not.toThrow()
    await expect(engine.evaluate()).resolves.toMatchObject({ bottlenecks: [] })
    expect(errors).toHaveLength(1)
    expect(errors[0]?.message).toBe('monitor is broken')
    monitor.t += 60_000
    engine.bottlenecks()
    expect(errors).toHaveLength(2)
  })

  it('emits detected, escalated and resolved as a bottleneck comes, worsens and goes', async () => {
    const monitor = new FakeMonitor().set('process_cpu_usage_percent', 75)
    const engine = new InsightEngine({ monitor, intervalMs: 0 })
    const seen: string[] = []
    engine.bus.on('insight:bottleneck', (e) => seen.push(`${e.change}:${e.bottleneck.severity}${e.previousSeverity ? `<${e.previousSeverity}` : ''}`))
    engine.bus.on('insight:resolved', (e) => seen.push(`resolved:${e.id}:${e.durationMs}`))
    await engine.evaluate()
    monitor.t += 30_000
    await engine.evaluate() // same severity: nothing new
    monitor.set('process_cpu_usage_percent', 95)
    monitor.t += 30_000
    await engine.evaluate()
    monitor.set('process_cpu_usage_percent', 20)
    monitor.t += 30_000
    await engine.evaluate()
    expect(seen).toEqual(['detected:medium', 'escalated:critical<medium', 'resolved:cpu:90000'])
    const history = engine.insights({ type: 'bottleneck' })
    expect(history.map((i) => [i.severity, i.resolvedAt])).toEqual([
      ['medium', 1_090_000],
      ['critical', 1_090_000],
    ])
  })

  it('keeps a bounded insight history', async () => {
    const monitor = new FakeMonitor()
    const engine = new InsightEngine({ monitor, intervalMs: 0, maxInsightHistory: 2 })
    for (const cpu of [75, 20, 75, 20, 75]) {
      monitor.set('process_cpu_usage_percent', cpu)
      monitor.t += 1000
      await engine.evaluate()
    }
    expect(engine.insights()).toHaveLength(2)
  })
})
