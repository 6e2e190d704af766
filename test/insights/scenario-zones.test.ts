import { InsightEngine, PerformanceMonitor } from 'perfkit'
import type { InsightZoneChangedEvent } from 'perfkit'
import { afterEach, describe, expect, it, vi } from 'vitest'

afterEach(() => {
  vi.useRealTimers()
})

describe('scenario: resource zones on the real monitor', () => {
  it('sheds low-priority sources and coarsens history under pressure, and restores both when it drops', async () => {
    vi.useFakeTimers()
    const monitor = new PerformanceMonitor({ now: () => Date.now(), historyIntervalMs: 1000 })
    const runs = { low: 0, medium: 0, high: 0, critical: 0 }
    for (const priority of ['low', 'medium', 'high', 'critical'] as const) {
      monitor.addSource({ name: `src-${priority}`, priority, intervalMs: 1000, immediate: false, collect: () => void runs[priority]++ })
    }
    let snapshots = 0
    monitor.bus.on('monitor:snapshot', () => void snapshots++)
    const engine = new InsightEngine({ monitor, intervalMs: 0 })
    const zones: InsightZoneChangedEvent[] = []
    engine.bus.on('insight:zone-changed', (e) => zones.push(e))
    const status = () => Object.fromEntries(monitor.sources().map((s) => [s.name, s.status]))
    /** Runs `ms` of monitor time and returns how many runs and snapshots happened in it. */
    const during = async (ms: number) => {
      const before = { ...runs, snapshots }
      await vi.advanceTimersByTimeAsync(ms)
      return { low: runs.low - before.low, medium: runs.medium - before.medium, high: runs.high - before.high, critical: runs.critical - before.critical, snapshots: snapshots - before.snapshots }
    }

    monitor.setGauge('process_cpu_usage_percent', 30)
    expect(engine.zone().zone).toBe('green')
    expect(await during(16_000)).toEqual({ low: 16, medium: 16, high: 16, critical: 16, snapshots: 16 })

    monitor.setGauge('process_cpu_usage_percent', 88)
    expect(engine.zone().zone).toBe('red')
    expect(status()).toEqual({ 'src-low': 'shed', 'src-medium': 'shed', 'src-high': 'healthy', 'src-critical': 'healthy' })
    expect(await during(16_000)).toEqual({ low: 0, medium: 0, high: 16, critical: 16, snapshots: 2 }) // one snapshot every 8 s

    monitor.setGauge('process_cpu_usage_percent', 97)
    expect((await engine.evaluate()).zone.zone).toBe('critical')
    expect(status()['src-high']).toBe('shed')
    expect(await during(16_000)).toEqual({ low: 0, medium: 0, high: 0, critical: 16, snapshots: 1 }) // one every 16 s

    // Pressure drops: nothing changes until it has stayed low for the recovery time (30 s).
    monitor.setGauge('process_cpu_usage_percent', 40)
    expect(engine.zone()).toMatchObject({ zone: 'critical', recovering: { to: 'green' } })
    await during(30_000)
    expect(engine.zone().zone).toBe('green')
    expect(status()).toEqual({ 'src-low': 'healthy', 'src-medium': 'healthy', 'src-high': 'healthy', 'src-critical': 'healthy' })
    expect(await during(16_000)).toEqual({ low: 16, medium: 16, high: 16, critical: 16, snapshots: 16 })

    expect(zones.map((z) => `${z.from}→${z.to}`)).toEqual(['green→red', 'red→critical', 'critical→green'])
    expect(zones.every((z) => z.applied)).toBe(true)
    expect(zones[2]).toMatchObject({ direction: 'down', utilization: 40, resource: 'cpu', policy: { sourcePriorityFloor: 'low', historyResolution: 1 } })
    await engine.close()
    await monitor.close()
  })
})
