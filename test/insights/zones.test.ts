import { InsightEngine, PerfkitConfigError } from 'perfkit'
import type { InsightZoneChangedEvent } from 'perfkit'
import { describe, expect, it } from 'vitest'
import { ZoneTracker, defaultBoundaries } from '../../src/insights/zones'
import { FakeMonitor, SheddingMonitor } from './fake-monitor'

describe('ZoneTracker', () => {
  it('uses the reference boundaries: green < 60, yellow < 75, orange < 85, red < 95, critical ≥ 95', () => {
    const z = new ZoneTracker(defaultBoundaries, 5, 0, 0)
    expect([59.9, 60, 74.9, 75, 84.9, 85, 94.9, 95, 100].map((u) => z.zoneOf(u))).toEqual([
      'green', 'yellow', 'yellow', 'orange', 'orange', 'red', 'red', 'critical', 'critical',
    ])
  })

  it('moves up at once, across several zones if need be', () => {
    const z = new ZoneTracker(defaultBoundaries, 5, 30_000, 0)
    expect(z.update(96, 1000)).toEqual({ from: 'green', to: 'critical' })
    expect(z.zone).toBe('critical')
    expect(z.since).toBe(1000)
  })

  it('does not flap when utilisation hovers at a boundary', () => {
    const z = new ZoneTracker(defaultBoundaries, 5, 0, 0)
    const changes = [59, 61, 58, 60.5, 57, 61, 56].map((u, i) => z.update(u, i * 1000)).filter(Boolean)
    expect(changes).toEqual([{ from: 'green', to: 'yellow' }])
    expect(z.zone).toBe('yellow')
    // Only below 60 − 5 does it come back down.
    expect(z.update(54.9, 10_000)).toEqual({ from: 'yellow', to: 'green' })
  })

  it('waits for the recovery time before moving down, and a new spike cancels the recovery', () => {
    const z = new ZoneTracker(defaultBoundaries, 5, 30_000, 0)
    z.update(90, 0) // red
    expect(z.update(40, 10_000)).toBeUndefined()
    expect(z.recovering).toEqual({ to: 'green', since: 10_000 })
    expect(z.update(88, 20_000)).toBeUndefined() // back in red: recovery cancelled
    expect(z.recovering).toBeUndefined()
    expect(z.update(40, 30_000)).toBeUndefined()
    expect(z.update(40, 59_999)).toBeUndefined()
    expect(z.update(40, 60_000)).toEqual({ from: 'red', to: 'green' })
  })

  it('recovers to the highest zone seen during the recovery period', () => {
    const z = new ZoneTracker(defaultBoundaries, 5, 30_000, 0)
    z.update(96, 0) // critical
    z.update(30, 1000) // calm: aiming for green
    z.update(72, 20_000) // 72 + 5 sits in orange: aim there instead
    expect(z.update(30, 31_000)).toEqual({ from: 'critical', to: 'orange' })
  })
})

describe('resource zones in the engine', () => {
  const engineFor = (monitor: FakeMonitor, extra: Record<string, unknown> = {}) =>
    new InsightEngine({ monitor, intervalMs: 0, heapLimitBytes: 1000, zoneRecoveryMs: 0, ...extra })

  it('reads the highest utilisation over CPU, memory, heap and event loop', () => {
    const monitor = new FakeMonitor().set('process_cpu_usage_percent', 20).set('system_memory_usage_percent', 50).set('nodejs_heap_used_bytes', 700).set('nodejs_eventloop_utilization_ratio', 0.3)
    const state = engineFor(monitor).zone()
    expect(state.zone).toBe('yellow')
    expect(state.utilization).toBe(70)
    expect(state.resource).toBe('heap')
    expect(state.resources).toEqual({ cpu: 20, memory: 50, heap: 70, 'event-loop': 30 })
    expect(state.policy).toEqual({ sourcePriorityFloor: 'low', historyResolution: 2 })
  })

  it('sheds sources and coarsens history going up, restores them coming down, with events both ways', () => {
    const monitor = new SheddingMonitor().set('process_cpu_usage_percent', 30)
    const engine = engineFor(monitor)
    const events: InsightZoneChangedEvent[] = []
    engine.bus.on('insight:zone-changed', (e) => events.push(e))
    expect(engine.zone().zone).toBe('green')
    expect(monitor.calls).toEqual([])

    monitor.set('process_cpu_usage_percent', 88)
    expect(engine.zone().zone).toBe('red')
    expect(monitor.calls).toEqual(['floor:high', 'resolution:8'])
    monitor.set('process_cpu_usage_percent', 97)
    expect(engine.zone().zone).toBe('critical')
    expect(monitor.calls.slice(-2)).toEqual(['floor:critical', 'resolution:16'])

    monitor.set('process_cpu_usage_percent', 20)
    expect(engine.zone().zone).toBe('green')
    expect(monitor.calls.slice(-2)).toEqual(['floor:low', 'resolution:1'])
    expect(events.map((e) => `${e.from}>${e.to}:${e.direction}`)).toEqual(['green>red:up', 'red>critical:up', 'critical>green:down'])
    expect(events[0]).toMatchObject({ utilization: 88, resource: 'cpu', applied: true, policy: { sourcePriorityFloor: 'high', historyResolution: 8 } })
  })

  it('reports applied: false when the monitor cannot shed, and still tracks the zone', () => {
    const monitor = new FakeMonitor().set('system_memory_usage_percent', 80)
    const engine = engineFor(monitor)
    const events: InsightZoneChangedEvent[] = []
    engine.bus.on('insight:zone-changed', (e) => events.push(e))
    expect(engine.zone().zone).toBe('orange')
    expect(events[0]?.applied).toBe(false)
  })

  it('gives everything back to the monitor on close', async () => {
    const monitor = new SheddingMonitor().set('process_cpu_usage_percent', 90)
    const engine = engineFor(monitor)
    engine.zone()
    await engine.close()
    expect(monitor.calls.slice(-2)).toEqual(['floor:low', 'resolution:1'])
  })

  it('takes custom boundaries, policies and resources, and rejects bad ones', () => {
    const monitor = new SheddingMonitor().set('queue_fill_ratio', 0.5)
    const engine = engineFor(monitor, {
      zoneBoundaries: { yellow: 40 },
      zonePolicies: { yellow: { sourcePriorityFloor: 'medium' } },
      zoneResources: [{ name: 'queue', metric: 'queue_fill_ratio', scale: 100 }],
    })
    expect(engine.zone()).toMatchObject({ zone: 'yellow', resource: 'queue', policy: { sourcePriorityFloor: 'medium', historyResolution: 2 } })
    expect(() => engineFor(monitor, { zoneBoundaries: { orange: 50 } })).toThrow(PerfkitConfigError)
    expect(() => engineFor(monitor, { zoneBoundaries: { critical: 101 } })).toThrow(/zoneBoundaries.critical/)
    expect(() => engineFor(monitor, { zonePolicies: { red: { sourcePriorityFloor: 'urgent' } } })).toThrow(/zonePolicies.red.sourcePriorityFloor/)
    expect(() => engineFor(monitor, { zoneResources: [] })).toThrow(/zoneResources/)
    expect(() => engineFor(monitor, { zoneHysteresis: -1 })).toThrow(/zoneHysteresis/)
  })
})
