import { describe, expect, it } from 'vitest'
import { AlertEngine, type AlertNotification } from 'perfkit'
import { ManualClock } from '../helpers/clock'
import { FakeSource, recorder } from './helpers'

describe('AlertEngine scenario: one alert through its whole life', () => {
  it('notifies pending → firing → escalation → acknowledgement → silence → de-duplication → resolve, exactly', async () => {
    const clock = new ManualClock()
    const source = new FakeSource()
    const callback = recorder()
    const engine = new AlertEngine({
      monitor: source,
      now: clock.now,
      intervalMs: 0,
      groupWaitMs: 30_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 4 * 3_600_000,
      dedupWindowMs: 600_000,
      notifiers: [callback.notify],
    })
    engine.addRule({ id: 'latency', metric: 'prediction_latency_seconds', stat: 'p95', op: '>', warning: 0.1, critical: 0.25, forMs: 60_000 })
    const onBus: string[] = []
    for (const name of ['alert:firing', 'alert:resolved', 'alert:escalated', 'alert:acknowledged'] as const) {
      engine.bus.on(name, ({ alert, notification }) => onBus.push(`${name} ${alert.id} ${alert.severity}${notification.repeat ? ' repeat' : ''}`))
    }
    const at = (ms: number, p95: number): void => {
      clock.advance(ms)
      source.setStats('prediction_latency_seconds', { p95 })
      engine.evaluate()
    }

    at(0, 0.15) // the condition starts to hold
    expect(engine.alerts()[0]?.state).toBe('pending')
    at(60_000, 0.15) // held for forMs: firing; the new group waits 30 s
    expect(engine.alerts()[0]?.state).toBe('firing')
    expect(onBus).toEqual([])
    at(30_000, 0.15) // group wait over
    const id = engine.alerts()[0]?.id as string
    expect(onBus).toEqual([`alert:firing ${id} warning`])

    at(30_000, 0.3) // critical starts to hold…
    at(60_000, 0.3) // …for forMs: escalation goes out at once
    expect(onBus.at(-1)).toBe(`alert:escalated ${id} critical`)

    engine.acknowledge(id, { by: 'ann', note: 'scaling up' })
    expect(onBus.at(-1)).toBe(`alert:acknowledged ${id} critical`)
    at(4 * 3_600_000, 0.3) // acknowledged: no repeat
    expect(onBus).toHaveLength(3)

    engine.silence({ alertname: 'latency' }, clock.t + 3_600_000, { comment: 'maintenance' })
    at(1000, 0.05) // resolves under the silence; the group was last flushed 1 s ago (repeat check)…
    expect(onBus).toHaveLength(3)
    at(299_000, 0.05) // …so the resolution goes out at the group interval, silence or not
    expect(onBus.at(-1)).toBe(`alert:resolved ${id} critical`)

    at(60_000, 0.15) // back within the de-duplication window: the same alert, pending again
    at(60_000, 0.15) // firing again, but silenced
    expect(engine.alerts()).toHaveLength(1)
    expect(engine.alerts()[0]).toMatchObject({ id, state: 'firing', severity: 'warning', occurrences: 2, silencedBy: [expect.any(String)] })
    expect(onBus).toHaveLength(4)
    at(3_600_000, 0.15) // the silence expired: now it is notified
    expect(onBus.at(-1)).toBe(`alert:firing ${id} warning`)

    engine.resolve(id) // by hand
    at(300_000, 0.15) // the resolution goes out at the group interval; the condition still holds but the alert does not re-fire
    expect(onBus.at(-1)).toBe(`alert:resolved ${id} warning`)
    expect(engine.alerts({ state: ['pending', 'firing'] })).toEqual([])

    expect(onBus).toEqual([
      `alert:firing ${id} warning`,
      `alert:escalated ${id} critical`,
      `alert:acknowledged ${id} critical`,
      `alert:resolved ${id} critical`,
      `alert:firing ${id} warning`,
      `alert:resolved ${id} warning`,
    ])
    await engine.drain()
    // The callback notifier received the very same notifications, in the same order.
    expect(callback.log).toEqual([
      `firing:${id}:warning`,
      `escalated:${id}:critical`,
      `acknowledged:${id}:critical`,
      `resolved:${id}:critical`,
      `firing:${id}:warning`,
      `resolved:${id}:warning`,
    ])
    const last = callback.notifications.at(-1) as AlertNotification
    expect(last).toMatchObject({ status: 'resolved', groupLabels: { alertname: 'latency' }, repeat: false })
    expect(last.alerts[0]).toMatchObject({ resolvedBy: 'manual', acknowledged: undefined })
    expect(engine.stats()).toMatchObject({ notifications: 6, active: { pending: 0, firing: 0, noData: 0 }, notifiers: [{ name: 'callback-1', sent: 6, failed: 0 }] })
    await engine.close()
  })
})
