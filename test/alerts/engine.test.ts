import { afterEach, describe, expect, it, vi } from 'vitest'
import { AlertEngine, type AlertEngineOptions, ClosedError, NotFoundError } from 'perfkit'
import { ManualClock } from '../helpers/clock'
import { FakeSource } from './helpers'

function setup(options: Partial<AlertEngineOptions> = {}) {
  const clock = new ManualClock()
  const source = new FakeSource()
  const engine = new AlertEngine({ monitor: source, now: clock.now, intervalMs: 0, groupWaitMs: 0, flapping: false, ...options })
  return { clock, source, engine }
}

describe('AlertEngine', () => {
  afterEach(() => vi.useRealTimers())

  it('evaluates every intervalMs on a timer, and flushes groups on their own timer', async () => {
    vi.useFakeTimers()
    const source = new FakeSource()
    const engine = new AlertEngine({ monitor: source, intervalMs: 60_000, groupWaitMs: 30_000 })
    engine.addRule({ id: 'cpu', metric: 'cpu', op: '>', warning: 70 })
    const fired: number[] = []
    engine.bus.on('alert:firing', () => fired.push(Date.now()))
    source.set('cpu', 80)
    const start = Date.now()
    await vi.advanceTimersByTimeAsync(59_999)
    expect(engine.stats().evaluations).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(engine.stats().evaluations).toBe(1)
    expect(fired).toEqual([])
    await vi.advanceTimersByTimeAsync(30_000) // no evaluation in between: the group timer sends it
    expect(fired).toEqual([start + 90_000])
    expect(engine.stats().evaluations).toBe(1)
    await engine.close()
    await vi.advanceTimersByTimeAsync(600_000)
    expect(engine.stats().evaluations).toBe(1)
  })

  it('filters alerts by state, severity, since and rule, over a bounded history', () => {
    const { clock, source, engine } = setup({ maxHistory: 3, dedupWindowMs: 0, groupIntervalMs: 0 })
    engine.addRules([
      { id: 'a', metric: 'a', op: '>', warning: 1, critical: 10 },
      { id: 'b', metric: 'b', op: '>', warning: 1 },
    ])
    const cycle = (a: number, b: number): void => {
      clock.advance(1000)
      source.set('a', a).set('b', b)
      engine.evaluate()
    }
    cycle(20, 5) // a#1 critical, b#2 warning
    const t1 = clock.t
    cycle(0, 0) // both resolve
    cycle(5, 0) // a#3 warning
    cycle(0, 5) // a#3 resolves, b#4
    expect(engine.alerts().map((a) => a.id)).toEqual(['b#2', 'a#3', 'b#4']) // a#1 (oldest resolved) evicted
    expect(engine.alerts({ state: 'firing' }).map((a) => a.id)).toEqual(['b#4'])
    expect(engine.alerts({ state: ['resolved'], ruleId: 'a' }).map((a) => a.id)).toEqual(['a#3'])
    expect(engine.alerts({ severity: 'critical' })).toEqual([])
    expect(engine.alerts({ since: t1 + 1500 }).map((a) => a.id)).toEqual(['a#3', 'b#4'])
    expect(engine.get('b#2')).toMatchObject({ state: 'resolved' })
    expect(engine.get('a#1')).toBeUndefined()
  })

  it('returns copies: changing a returned alert changes nothing inside', () => {
    const { source, engine } = setup()
    engine.addRule({ id: 'a', metric: 'a', op: '>', warning: 1 })
    source.set('a', 5)
    const [change] = engine.evaluate()
    ;(change?.alert.labels as Record<string, string>).alertname = 'hacked'
    const alert = engine.alerts()[0]
    if (alert) alert.state = 'resolved'
    expect(engine.alerts()[0]).toMatchObject({ state: 'firing', labels: { alertname: 'a' } })
  })

  it('throws NotFoundError for acknowledge/resolve of an unknown or resolved alert', () => {
    const { source, engine, clock } = setup()
    engine.addRule({ id: 'a', metric: 'a', op: '>', warning: 1 })
    expect(() => engine.acknowledge('a#1')).toThrow(NotFoundError)
    source.set('a', 5)
    engine.evaluate()
    source.set('a', 0)
    clock.advance(1000)
    engine.evaluate()
    expect(() => engine.resolve('a#1')).toThrow(expect.objectContaining({ code: 'PERFKIT_NOT_FOUND', id: 'a#1' }))
    expect(() => engine.acknowledge('a#1', { by: 5 as never })).toThrow(NotFoundError)
  })

  it('resolves the alerts of a removed rule', () => {
    const { source, engine } = setup({ groupIntervalMs: 0 })
    engine.addRule({ id: 'a', metric: 'a', op: '>', warning: 1 })
    source.set('a', 5)
    engine.evaluate()
    const resolved: string[] = []
    engine.bus.on('alert:resolved', ({ alert }) => resolved.push(`${alert.id}:${alert.resolvedBy}`))
    expect(engine.removeRule('a')).toBe(true)
    expect(engine.removeRule('a')).toBe(false)
    expect(resolved).toEqual(['a#1:rule-removed'])
    expect(engine.rules()).toEqual([])
  })

  it('bounds the number of alert instances and reports the overflow', () => {
    const { engine } = setup({ maxAlerts: 2 })
    engine.addRule({ id: 'many', kind: 'custom', condition: () => ['a', 'b', 'c'].map((x) => ({ labels: { x }, severity: 'warning' as const })) })
    const errors: unknown[] = []
    engine.bus.on('alert:rule-error', (e) => errors.push(e.error))
    engine.evaluate()
    expect(engine.alerts()).toHaveLength(2)
    expect(errors).toMatchObject([{ code: 'PERFKIT_QUEUE_FULL' }])
  })

  it('reports counters in stats()', () => {
    const { source, engine } = setup()
    engine.addRule({ id: 'a', metric: 'a', op: '>', warning: 1, forMs: 60_000 })
    engine.addRule({ id: 'b', metric: 'b', op: '>', warning: 1 })
    source.set('a', 5).set('b', 5)
    engine.evaluate()
    expect(engine.stats()).toMatchObject({ rules: 2, evaluations: 1, ruleErrors: 0, active: { pending: 1, firing: 1, noData: 0 }, notifications: 1, groups: 1, silences: 0 })
    expect(engine.stats().lastEvaluationAt).toBe(1000)
    expect(engine.stats().lastEvaluationDurationMs).toBeGreaterThanOrEqual(0)
  })

  it('refuses work after close(), which an AbortSignal can trigger', async () => {
    const controller = new AbortController()
    const { engine } = setup({ signal: controller.signal })
    controller.abort()
    await engine.close()
    expect(() => engine.evaluate()).toThrow(ClosedError)
    expect(() => engine.addRule({ id: 'a', metric: 'a', op: '>', warning: 1 })).toThrow(ClosedError)
    expect(() => engine.silence({ a: 'b' }, 1e12)).toThrow(ClosedError)
    expect(engine.alerts()).toEqual([])
  })

  it('supports await using', async () => {
    const source = new FakeSource()
    let closed = false
    {
      await using engine = new AlertEngine({ monitor: source, intervalMs: 0, notifiers: [{ name: 'n', notify: () => {}, close: () => void (closed = true) }] })
      expect(engine.stats().notifiers).toHaveLength(1)
    }
    expect(closed).toBe(true)
  })
})
