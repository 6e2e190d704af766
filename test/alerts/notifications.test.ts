import { describe, expect, it } from 'vitest'
import { AlertEngine, type AlertEngineOptions, type AlertNotification } from 'perfkit'
import { ManualClock } from '../helpers/clock'
import { FakeSource } from './helpers'

const gauge = (id: string, metric = `${id}_metric`) => ({ id, metric, op: '>', warning: 10, critical: 20 }) as const

/** Records notifications synchronously from the bus: `reason alertname severity` per alert. */
function setup(options: Partial<AlertEngineOptions> = {}) {
  const clock = new ManualClock()
  const source = new FakeSource()
  const engine = new AlertEngine({ monitor: source, now: clock.now, intervalMs: 0, flapping: false, ...options })
  const sent: AlertNotification[] = []
  const names = ['alert:firing', 'alert:resolved', 'alert:escalated', 'alert:no-data', 'alert:acknowledged'] as const
  for (const name of names) {
    engine.bus.on(name, ({ notification }) => {
      if (sent.at(-1) !== notification) sent.push(notification)
    })
  }
  const take = (): string[] => sent.splice(0).map((n) => n.alerts.map((a) => `${a.reason} ${a.labels.alertname} ${a.severity}`).join(' + '))
  const step = (ms = 0): string[] => {
    clock.advance(ms)
    engine.evaluate()
    return take()
  }
  return { clock, source, engine, step, take }
}

describe('AlertEngine notifications', () => {
  it('waits groupWaitMs to batch a new group, then sends changes at most every groupIntervalMs', () => {
    const { source, engine, step } = setup({ groupBy: [], groupWaitMs: 30_000, groupIntervalMs: 300_000 })
    engine.addRules([gauge('a'), gauge('b'), gauge('c')])
    source.set('a_metric', 15)
    expect(step()).toEqual([])
    source.set('b_metric', 15)
    expect(step(10_000)).toEqual([])
    expect(step(20_000)).toEqual(['firing a warning + firing b warning'])
    source.set('c_metric', 15)
    expect(step(60_000)).toEqual([])
    expect(step(240_000)).toEqual(['firing c warning'])
  })

  it('groups by alertname by default: each rule is its own group', () => {
    const { source, engine, step } = setup({ groupWaitMs: 0 })
    engine.addRules([gauge('a'), gauge('b')])
    source.set('a_metric', 15).set('b_metric', 15)
    expect(step()).toEqual(['firing a warning', 'firing b warning'])
  })

  it('repeats unchanged firing alerts after repeatIntervalMs, but not acknowledged ones', () => {
    const { source, engine, step } = setup({ groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 3_600_000 })
    engine.addRules([gauge('a'), gauge('b')])
    source.set('a_metric', 15).set('b_metric', 15)
    step()
    expect(step(3_599_000)).toEqual([])
    expect(step(1000)).toEqual(['repeat a warning', 'repeat b warning'])
    const b = engine.alerts({ ruleId: 'b' })[0]?.id as string
    engine.acknowledge(b, { by: 'ann' })
    expect(step(3_600_000)).toEqual(['acknowledged b warning', 'repeat a warning'])
  })

  it('sends an escalation at once, without waiting for the group interval', () => {
    const { source, engine, step } = setup({ groupWaitMs: 0, groupIntervalMs: 300_000 })
    engine.addRule(gauge('a'))
    source.set('a_metric', 15)
    expect(step()).toEqual(['firing a warning'])
    source.set('a_metric', 25)
    expect(step(1000)).toEqual(['escalated a critical'])
  })

  it('sends nothing for an alert that resolves and re-fires between two flushes (same alert id)', () => {
    const { source, engine, step } = setup({ groupWaitMs: 0, groupIntervalMs: 300_000 })
    engine.addRule(gauge('a'))
    source.set('a_metric', 15)
    expect(step()).toEqual(['firing a warning'])
    const id = engine.alerts()[0]?.id
    source.set('a_metric', 1)
    expect(step(60_000)).toEqual([])
    source.set('a_metric', 15)
    expect(step(60_000)).toEqual([])
    expect(step(240_000)).toEqual([])
    expect(engine.alerts()).toHaveLength(1)
    expect(engine.alerts()[0]).toMatchObject({ id, state: 'firing', occurrences: 2 })
  })

  it('reopens the same alert within the de-duplication window, and opens a new one after it', () => {
    const { source, engine, step } = setup({ groupWaitMs: 0, groupIntervalMs: 0, dedupWindowMs: 300_000 })
    engine.addRule(gauge('a'))
    source.set('a_metric', 15)
    step()
    const first = engine.alerts()[0]?.id
    source.set('a_metric', 1)
    expect(step(1000)).toEqual(['resolved a warning'])
    source.set('a_metric', 15)
    expect(step(299_000)).toEqual(['firing a warning'])
    expect(engine.alerts().map((a) => [a.id, a.occurrences])).toEqual([[first, 2]])
    source.set('a_metric', 1)
    step(1000)
    source.set('a_metric', 15)
    step(300_001)
    const ids = engine.alerts().map((a) => a.id)
    expect(ids).toHaveLength(2)
    expect(ids[1]).not.toBe(first)
  })

  it('does not re-fire a manually resolved alert within the window while its condition holds', () => {
    const { source, engine, step } = setup({ groupWaitMs: 0, groupIntervalMs: 0, dedupWindowMs: 300_000 })
    engine.addRule(gauge('a'))
    source.set('a_metric', 15)
    step()
    const id = engine.alerts()[0]?.id as string
    expect(engine.resolve(id)).toMatchObject({ state: 'resolved', resolvedBy: 'manual' })
    expect(step()).toEqual(['resolved a warning'])
    expect(step(299_000)).toEqual([])
    expect(engine.alerts({ state: 'firing' })).toEqual([])
    expect(step(1000)).toEqual(['firing a warning'])
    expect(engine.alerts({ state: 'firing' })).toHaveLength(1)
    expect(engine.alerts({ state: 'firing' })[0]?.id).not.toBe(id)
  })

  it('holds new firing notifications of a rule during its cooldown, then sends them', () => {
    const { source, engine, step } = setup({ groupWaitMs: 0, groupIntervalMs: 0, dedupWindowMs: 0 })
    engine.addRule({ ...gauge('a'), cooldownMs: 600_000 })
    source.set('a_metric', 15)
    expect(step()).toEqual(['firing a warning'])
    source.set('a_metric', 1)
    expect(step(1000)).toEqual(['resolved a warning'])
    source.set('a_metric', 15)
    expect(step(1000)).toEqual([])
    const suppressed: string[] = []
    engine.bus.on('alert:suppressed', (e) => suppressed.push(e.reason))
    expect(step(300_000)).toEqual([])
    expect(step(298_000)).toEqual(['firing a warning'])
    expect(engine.stats().suppressed.cooldown).toBe(1)
  })

  it('rate-limits notifications globally but never holds back a resolution', () => {
    const { source, engine, step } = setup({ groupWaitMs: 0, groupIntervalMs: 0, rateLimit: { limit: 2, intervalMs: 60_000 } })
    engine.addRules([gauge('a'), gauge('b'), gauge('c')])
    source.set('a_metric', 15).set('b_metric', 15).set('c_metric', 15)
    expect(step()).toEqual(['firing a warning', 'firing b warning'])
    expect(engine.stats().rateLimited).toBe(1)
    source.set('a_metric', 1)
    expect(step(1000)).toEqual(['resolved a warning'])
    expect(step(58_000)).toEqual([])
    expect(step(1000)).toEqual(['firing c warning'])
  })

  it('sends the resolution of an alert that was silenced, and of one that was inhibited', () => {
    const { source, engine, step, clock } = setup({ groupWaitMs: 0, groupIntervalMs: 0 })
    engine.addRule(gauge('a'))
    engine.addRule({ id: 'a-critical', metric: 'a_metric', op: '>', critical: 20 })
    engine.silence({ alertname: 'a' }, clock.t + 3_600_000)
    source.set('a_metric', 15)
    expect(step()).toEqual([])
    source.set('a_metric', 1)
    expect(step(1000)).toEqual(['resolved a warning'])

    // Inhibition: `a-critical` fires and mutes the warning of `a` on the same metric.
    engine.addRule({ id: 'b', metric: 'b_metric', op: '>', warning: 10 })
    engine.addRule({ id: 'b-critical', metric: 'b_metric', op: '>', critical: 20 })
    source.set('b_metric', 25)
    expect(step(1000)).toEqual(['firing b-critical critical'])
    expect(engine.alerts({ ruleId: 'b', state: 'firing' })[0]?.inhibitedBy).toHaveLength(1)
    source.set('b_metric', 1)
    expect(step(1000).sort()).toEqual(['resolved b warning', 'resolved b-critical critical'])
  })

  it('sends an alert that was muted once its silence expires', () => {
    const { source, engine, step, clock } = setup({ groupWaitMs: 0, groupIntervalMs: 60_000 })
    engine.addRule(gauge('a'))
    const silence = engine.silence({ alertname: 'a' }, clock.t + 120_000, { createdBy: 'ops', comment: 'deploy' })
    expect(engine.silences()).toEqual([expect.objectContaining({ id: silence.id, createdBy: 'ops', comment: 'deploy' })])
    source.set('a_metric', 15)
    expect(step()).toEqual([])
    expect(engine.alerts()[0]?.silencedBy).toEqual([silence.id])
    expect(step(60_000)).toEqual([])
    expect(step(60_000)).toEqual(['firing a warning'])
    expect(engine.silences()).toEqual([])
    expect(engine.stats().suppressed.silenced).toBe(1)
  })

  it('sends an acknowledgement at once, and a new severity clears the acknowledgement', () => {
    const { source, engine, step, take } = setup({ groupWaitMs: 0, groupIntervalMs: 300_000 })
    engine.addRule(gauge('a'))
    source.set('a_metric', 15)
    step()
    const id = engine.alerts()[0]?.id as string
    const acked = engine.acknowledge(id, { by: 'ann', note: 'looking' })
    expect(acked.acknowledged).toMatchObject({ by: 'ann', note: 'looking' })
    expect(take()).toEqual(['acknowledged a warning'])
    source.set('a_metric', 25)
    expect(step(1000)).toEqual(['escalated a critical'])
    expect(engine.get(id)?.acknowledged).toBeUndefined()
  })

  it('stops notifying a flapping alert and sends its settled state once it calms down', () => {
    const { source, engine, step } = setup({ groupWaitMs: 0, groupIntervalMs: 0, dedupWindowMs: 0, flapping: { windowMs: 60_000, maxTransitions: 4 } })
    engine.addRule(gauge('a'))
    const sent: string[] = []
    for (let i = 0; i < 4; i++) {
      source.set('a_metric', 15)
      sent.push(...step(1000))
      source.set('a_metric', 1)
      sent.push(...step(1000))
    }
    // Two full cycles are notified; from the fifth transition on the alert is flapping and held back.
    expect(sent).toEqual(['firing a warning', 'resolved a warning', 'firing a warning', 'resolved a warning'])
    expect(engine.alerts().at(-1)?.flapping).toBe(true)
    expect(engine.stats().suppressed.flapping).toBeGreaterThan(0)
    source.set('a_metric', 15)
    expect(step(1000)).toEqual([])
    expect(step(60_000)).toEqual(['firing a warning']) // settled (firing): receivers hear the final state
    expect(engine.alerts().at(-1)?.flapping).toBe(false)
  })

  it('notifies a metric that stopped reporting as no-data, and its recovery as resolved', () => {
    const { source, engine, step } = setup({ groupWaitMs: 0, groupIntervalMs: 0 })
    engine.addRule({ ...gauge('a'), noDataForMs: 60_000 })
    source.set('a_metric', 1)
    expect(step()).toEqual([])
    source.set('a_metric', undefined)
    expect(step(30_000)).toEqual([])
    expect(step(30_000)).toEqual(['no-data a warning'])
    source.set('a_metric', 15)
    expect(step(1000)).toEqual(['firing a warning']) // data back and past the level: the same alert, now firing
    source.set('a_metric', 1)
    expect(step(1000)).toEqual(['resolved a warning'])
    expect(engine.alerts()).toHaveLength(1)
  })

  it('flushes what is waiting for its group on close()', async () => {
    const { source, engine, take } = setup({ groupWaitMs: 60_000 })
    engine.addRule(gauge('a'))
    source.set('a_metric', 15)
    engine.evaluate()
    expect(take()).toEqual([])
    await engine.close()
    expect(take()).toEqual(['firing a warning'])
  })
})
