import { describe, expect, it } from 'vitest'
import { AlertEngine, type AlertEngineOptions, type AlertTransition } from 'perfkit'
import { ManualClock } from '../helpers/clock'
import { FakeSource } from './helpers'

function setup(options: Partial<AlertEngineOptions> = {}) {
  const clock = new ManualClock()
  const source = new FakeSource()
  const engine = new AlertEngine({ monitor: source, now: clock.now, intervalMs: 0, groupWaitMs: 0, ...options })
  const step = (ms = 0): string[] => {
    clock.advance(ms)
    return engine.evaluate().map((t: AlertTransition) => `${t.change}:${t.from}->${t.to}:${t.alert.severity}`)
  }
  return { clock, source, engine, step }
}

const latency = { id: 'latency', metric: 'prediction_latency_seconds', stat: 'p95', op: '>', warning: 0.1, critical: 0.25 } as const

describe('AlertEngine lifecycle', () => {
  it('goes pending, then firing once the condition held for forMs, then resolved', () => {
    const { source, engine, step } = setup()
    engine.addRule({ ...latency, forMs: 60_000 })
    source.setStats('prediction_latency_seconds', { p95: 0.15 })
    expect(step()).toEqual(['pending:inactive->pending:warning'])
    expect(step(30_000)).toEqual([])
    expect(engine.alerts({ state: 'pending' })).toHaveLength(1)
    expect(step(30_000)).toEqual(['firing:pending->firing:warning'])
    const [alert] = engine.alerts({ state: 'firing' })
    expect(alert).toMatchObject({ ruleId: 'latency', value: 0.15, threshold: 0.1, labels: { alertname: 'latency', severity: 'warning', metric: 'prediction_latency_seconds' } })
    expect(alert?.annotations.summary).toBe('p95 of prediction_latency_seconds is 0.15 (warning: > 0.1)')
    source.setStats('prediction_latency_seconds', { p95: 0.05 })
    expect(step(10_000)).toEqual(['resolved:firing->resolved:warning'])
    expect(engine.alerts({ state: 'resolved' })[0]).toMatchObject({ id: alert?.id, resolvedBy: 'condition' })
  })

  it('cancels a pending alert whose condition clears before forMs, keeping no history of it', () => {
    const { source, engine, step } = setup()
    engine.addRule({ ...latency, forMs: 60_000 })
    source.setStats('prediction_latency_seconds', { p95: 0.15 })
    step()
    source.setStats('prediction_latency_seconds', { p95: 0.01 })
    expect(step(59_000)).toEqual(['cancelled:pending->inactive:warning'])
    expect(engine.alerts()).toEqual([])
  })

  it('escalates inside one alert only after critical held for forMs, and de-escalates', () => {
    const { source, engine, step } = setup()
    engine.addRule({ ...latency, forMs: 10_000 })
    source.setStats('prediction_latency_seconds', { p95: 0.15 })
    step()
    source.setStats('prediction_latency_seconds', { p95: 0.3 })
    expect(step(10_000)).toEqual(['firing:pending->firing:warning'])
    expect(step(5_000)).toEqual([])
    expect(step(5_000)).toEqual(['escalated:firing->firing:critical'])
    const [alert] = engine.alerts()
    expect(alert).toMatchObject({ severity: 'critical', threshold: 0.25, labels: { severity: 'critical' } })
    source.setStats('prediction_latency_seconds', { p95: 0.2 })
    expect(step(1000)).toEqual(['deescalated:firing->firing:warning'])
    expect(engine.alerts()).toHaveLength(1)
  })

  it('fires critical at once when critical held from the start', () => {
    const { source, engine, step } = setup()
    engine.addRule({ ...latency, forMs: 10_000 })
    source.setStats('prediction_latency_seconds', { p95: 0.5 })
    expect(step()).toEqual(['pending:inactive->pending:critical'])
    expect(step(10_000)).toEqual(['firing:pending->firing:critical'])
  })

  it('keeps firing for keepFiringForMs after the condition stops holding', () => {
    const { source, engine, step } = setup()
    engine.addRule({ ...latency, keepFiringForMs: 30_000 })
    source.setStats('prediction_latency_seconds', { p95: 0.2 })
    expect(step()).toEqual(['pending:inactive->pending:warning', 'firing:pending->firing:warning'])
    source.setStats('prediction_latency_seconds', { p95: 0.01 })
    expect(step(20_000)).toEqual([])
    expect(engine.alerts()[0]).toMatchObject({ state: 'firing', value: 0.01 })
    expect(step(10_000)).toEqual(['resolved:firing->resolved:warning'])
  })

  it('clears only past the clear threshold (hysteresis), per level', () => {
    const { source, engine, step } = setup()
    engine.addRule({ ...latency, clear: { warning: 0.08, critical: 0.2 } })
    source.setStats('prediction_latency_seconds', { p95: 0.3 })
    step()
    source.setStats('prediction_latency_seconds', { p95: 0.22 }) // below critical, above its clear level
    expect(step(1000)).toEqual([])
    source.setStats('prediction_latency_seconds', { p95: 0.09 }) // below warning, above its clear level
    expect(step(1000)).toEqual(['deescalated:firing->firing:warning'])
    expect(step(1000)).toEqual([])
    source.setStats('prediction_latency_seconds', { p95: 0.08 })
    expect(step(1000)).toEqual(['resolved:firing->resolved:warning'])
    source.setStats('prediction_latency_seconds', { p95: 0.09 }) // inactive again: 0.09 is not past the trigger
    expect(step(1000)).toEqual([])
  })

  it('supports < rules (e.g. a hit ratio that must stay high)', () => {
    const { source, engine, step } = setup()
    engine.addRule({ id: 'hits', metric: 'cache_hit_ratio', op: '<', warning: 0.8, critical: 0.5, clear: 0.85 })
    source.set('cache_hit_ratio', 0.7)
    expect(step()).toContain('firing:pending->firing:warning')
    source.set('cache_hit_ratio', 0.82)
    expect(step(1000)).toEqual([])
    source.set('cache_hit_ratio', 0.9)
    expect(step(1000)).toEqual(['resolved:firing->resolved:warning'])
  })

  describe('no data', () => {
    it('raises a no-data alert when a metric that reported stops, and resolves when it returns healthy', () => {
      const { source, engine, step } = setup()
      engine.addRule({ ...latency, noDataForMs: 60_000, noDataSeverity: 'critical' })
      expect(step()).toEqual([]) // never reported: nothing to say
      source.setStats('prediction_latency_seconds', { p95: 0.01 })
      expect(step(1000)).toEqual([])
      source.setStats('prediction_latency_seconds', undefined) // last reported at this point
      expect(step(1000)).toEqual([])
      expect(step(58_000)).toEqual([])
      expect(step(1000)).toEqual(['no-data:inactive->no-data:critical']) // 60 s after the last report
      expect(engine.alerts()[0]).toMatchObject({ state: 'no-data', severity: 'critical', value: undefined, annotations: { summary: 'latency: no data for 60000 ms' } })
      source.setStats('prediction_latency_seconds', { p95: 0.01 })
      expect(step(1000)).toEqual(['resolved:no-data->resolved:critical'])
    })

    it('waits 5 minutes after the last report by default', () => {
      const { source, engine, step } = setup()
      engine.addRule(latency)
      source.setStats('prediction_latency_seconds', { p95: 0.01 })
      step()
      source.setStats('prediction_latency_seconds', undefined)
      expect(step(299_000)).toEqual([])
      expect(step(1000)).toEqual(['no-data:inactive->no-data:warning'])
    })

    it('counts a distribution without samples in the window as no data', () => {
      const { source, engine, step } = setup()
      engine.addRule({ ...latency, noDataForMs: 0 })
      source.setStats('prediction_latency_seconds', { p95: 0.01 })
      step()
      source.setStats('prediction_latency_seconds', { count: 0, p95: Number.NaN })
      expect(step(1000)).toEqual(['no-data:inactive->no-data:warning'])
    })

    it('moves a firing alert to no-data and back to firing', () => {
      const { source, engine, step } = setup()
      engine.addRule({ ...latency, noDataForMs: 1000 })
      source.setStats('prediction_latency_seconds', { p95: 0.2 })
      step()
      source.setStats('prediction_latency_seconds', undefined)
      expect(step(1000)).toEqual(['no-data:firing->no-data:warning'])
      source.setStats('prediction_latency_seconds', { p95: 0.2 })
      expect(step(1000)).toEqual(['firing:no-data->firing:warning'])
      expect(engine.alerts()).toHaveLength(1)
    })

    it("treats missing data as healthy with noData: 'ok' and changes nothing with 'keep'", () => {
      const ok = setup()
      ok.engine.addRule({ ...latency, noData: 'ok' })
      ok.source.setStats('prediction_latency_seconds', { p95: 0.2 })
      ok.step()
      ok.source.setStats('prediction_latency_seconds', undefined)
      expect(ok.step(1000)).toEqual(['resolved:firing->resolved:warning'])

      const keep = setup()
      keep.engine.addRule({ ...latency, noData: 'keep' })
      keep.source.setStats('prediction_latency_seconds', { p95: 0.2 })
      keep.step()
      keep.source.setStats('prediction_latency_seconds', undefined)
      expect(keep.step(600_000)).toEqual([])
      expect(keep.engine.alerts()[0]?.state).toBe('firing')
    })
  })

  describe('flap damping', () => {
    it('marks an alert flapping after too many transitions and clears the mark once it settles', () => {
      const { source, engine, step } = setup({ flapping: { windowMs: 60_000, maxTransitions: 4 }, dedupWindowMs: 0 })
      engine.addRule(latency)
      for (let i = 0; i < 3; i++) {
        source.setStats('prediction_latency_seconds', { p95: 0.2 })
        step(1000)
        source.setStats('prediction_latency_seconds', { p95: 0.01 })
        step(1000)
      }
      const flapping = engine.alerts().filter((a) => a.flapping)
      expect(flapping.length).toBeGreaterThan(0)
      step(60_000)
      expect(engine.alerts().some((a) => a.flapping)).toBe(false)
    })

    it('can be turned off per rule', () => {
      const { source, engine, step } = setup({ flapping: { windowMs: 60_000, maxTransitions: 1 } })
      engine.addRule({ ...latency, flapping: false })
      for (let i = 0; i < 3; i++) {
        source.setStats('prediction_latency_seconds', { p95: 0.2 })
        step(1000)
        source.setStats('prediction_latency_seconds', { p95: 0.01 })
        step(1000)
      }
      expect(engine.alerts().some((a) => a.flapping)).toBe(false)
    })
  })

  it('emits every transition on alert:transition, as evaluate() returns them', () => {
    const { source, engine } = setup()
    engine.addRule(latency)
    const seen: string[] = []
    engine.bus.on('alert:transition', (t) => seen.push(t.change))
    source.setStats('prediction_latency_seconds', { p95: 0.2 })
    const returned = engine.evaluate().map((t) => t.change)
    expect(seen).toEqual(returned)
    expect(seen).toEqual(['pending', 'firing'])
  })
})
