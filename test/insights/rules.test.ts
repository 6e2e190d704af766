import { ClosedError, InsightEngine, OptimizationError, PerfkitConfigError, TimeoutError } from 'perfkit'
import type { OptimizationAppliedEvent } from 'perfkit'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FakeMonitor } from './fake-monitor'

function setup(extra: Record<string, unknown> = {}) {
  const monitor = new FakeMonitor()
  const engine = new InsightEngine({ monitor, intervalMs: 0, builtinRules: false, ...extra })
  const applied: OptimizationAppliedEvent[] = []
  const errors: Error[] = []
  engine.bus.on('optimization:applied', (e) => applied.push(e))
  engine.bus.on('error', (e) => errors.push(e))
  return { monitor, engine, applied, errors }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('addRule', () => {
  it('validates the rule and refuses a duplicate id', () => {
    const { engine } = setup()
    const ok = { id: 'r', condition: () => true, action: () => undefined }
    engine.addRule(ok)
    expect(() => engine.addRule(ok)).toThrow(PerfkitConfigError)
    expect(() => engine.addRule({ ...ok, id: '' })).toThrow(/rule.id/)
    expect(() => engine.addRule({ ...ok, id: 'x', condition: 1 as never })).toThrow(/rule.condition/)
    expect(() => engine.addRule({ ...ok, id: 'x', action: undefined as never })).toThrow(/rule.action/)
    expect(() => engine.addRule({ ...ok, id: 'x', cooldownMs: -1 })).toThrow(/rule.cooldownMs/)
    expect(() => engine.addRule({ ...ok, id: 'x', priority: Number.NaN })).toThrow(/rule.priority/)
  })

  it('lists rules in run order with their settings', () => {
    const { engine } = setup()
    engine.addRule({ id: 'late', condition: () => false, action: () => undefined, priority: 5 })
    engine.addRule({ id: 'first', name: 'First rule', condition: () => false, action: () => undefined, priority: 1, cooldownMs: 1000 })
    expect(engine.rules().map((r) => [r.id, r.name, r.priority, r.cooldownMs])).toEqual([
      ['first', 'First rule', 1, 1000],
      ['late', 'late', 5, 300_000],
    ])
    expect(engine.removeRule('late')).toBe(true)
    expect(engine.removeRule('late')).toBe(false)
  })
})

describe('running rules', () => {
  it('runs actions in priority order, one at a time, and reports each outcome', async () => {
    const { engine, applied } = setup()
    const order: string[] = []
    engine.addRule({ id: 'b', priority: 2, condition: () => true, action: async () => { order.push('b:start'); await Promise.resolve(); order.push('b:end') } })
    engine.addRule({ id: 'a', priority: 1, condition: () => true, action: () => { order.push('a'); return 'pruned 12 entries' } })
    engine.addRule({ id: 'never', priority: 0, condition: () => false, action: () => { order.push('never') } })
    const result = await engine.evaluate()
    expect(order).toEqual(['a', 'b:start', 'b:end'])
    expect(result.optimizations.map((o) => [o.rule, o.outcome, o.impact])).toEqual([
      ['a', 'applied', 'pruned 12 entries'],
      ['b', 'applied', 'b applied'],
    ])
    expect(applied).toHaveLength(2)
  })

  it('calls the action once per cooldown while the condition holds', async () => {
    const { monitor, engine } = setup()
    const action = vi.fn()
    engine.addRule({ id: 'r', condition: () => true, action, cooldownMs: 10 * 60_000 })
    for (let minute = 0; minute < 30; minute++) {
      await engine.evaluate()
      monitor.t += 60_000
    }
    expect(action).toHaveBeenCalledTimes(3) // minutes 0, 10 and 20
    expect(engine.rules()[0]).toMatchObject({ runs: 3, lastOutcome: 'applied' })
  })

  it('passes the trigger (evidence, reason, targets) and a signal to the action', async () => {
    const { engine, applied } = setup()
    const evidence = [{ metric: 'm', stat: 'value', value: 3, unit: 'count' as const }]
    let seen: unknown
    engine.addRule({ id: 'r', condition: () => ({ evidence, reason: 'because', targets: [{ cache: 'users' }] }), action: (ctx) => { seen = { trigger: ctx.trigger, aborted: ctx.signal.aborted } } })
    await engine.evaluate()
    expect(seen).toEqual({ trigger: { evidence, reason: 'because', targets: [{ cache: 'users' }] }, aborted: false })
    expect(applied[0]?.evidence).toEqual(evidence)
  })

  it('reports a failing action as an outcome and never throws into the host', async () => {
    const { engine, applied } = setup()
    engine.addRule({ id: 'sync-throw', priority: 1, condition: () => true, action: () => { throw new Error('boom') } })
    engine.addRule({ id: 'rejects', priority: 2, condition: () => true, action: () => Promise.reject(new Error('nope')) })
    engine.addRule({ id: 'fine', priority: 3, condition: () => true, action: () => 'ok' })
    const result = await engine.evaluate()
    expect(result.optimizations.map((o) => o.outcome)).toEqual(['failed', 'failed', 'applied'])
    const error = applied[0]?.error
    expect(error).toBeInstanceOf(OptimizationError)
    expect(error).toMatchObject({ code: 'PERFKIT_OPTIMIZATION_FAILED', rule: 'sync-throw', phase: 'action' })
    expect((error as Error).cause).toEqual(new Error('boom'))
    expect(applied[1]?.impact).toMatch(/rejects failed: .*nope/)
    expect(engine.rules().find((r) => r.id === 'rejects')).toMatchObject({ failures: 1, lastOutcome: 'failed' })
  })

  it('sends a failure to the bus error event when nobody listens to optimization:applied', async () => {
    const monitor = new FakeMonitor()
    const engine = new InsightEngine({ monitor, intervalMs: 0 })
    const errors: Error[] = []
    engine.bus.on('error', (e) => errors.push(e))
    engine.addRule({ id: 'r', condition: () => true, action: () => { throw new Error('boom') } })
    await engine.evaluate()
    expect(errors[0]).toBeInstanceOf(OptimizationError)
  })

  it('times out a hanging action, aborts its signal, and starts the cooldown', async () => {
    vi.useFakeTimers()
    const { engine, applied } = setup({ actionTimeoutMs: 1000 })
    let signal: AbortSignal | undefined
    engine.addRule({ id: 'hang', condition: () => true, action: (ctx) => { signal = ctx.signal; return new Promise(() => undefined) } })
    const pass = engine.evaluate()
    await vi.advanceTimersByTimeAsync(1000)
    const result = await pass
    expect(result.optimizations[0]?.outcome).toBe('timed-out')
    expect(applied[0]?.error).toBeInstanceOf(TimeoutError)
    expect(signal?.aborted).toBe(true)
    expect(engine.rules()[0]?.coolingUntil).toBeDefined()
  })

  it('reports a throwing condition on error and reads it again only after the cooldown', async () => {
    const { monitor, engine, errors } = setup()
    const condition = vi.fn(() => { throw new Error('bad read') })
    engine.addRule({ id: 'c', condition, action: () => undefined, cooldownMs: 60_000 })
    await engine.evaluate()
    await engine.evaluate()
    expect(condition).toHaveBeenCalledTimes(1)
    expect(errors[0]).toMatchObject({ rule: 'c', phase: 'condition' })
    monitor.t += 60_000
    await engine.evaluate()
    expect(condition).toHaveBeenCalledTimes(2)
  })

  it('skips disabled rules', async () => {
    const { engine } = setup()
    const action = vi.fn()
    engine.addRule({ id: 'r', condition: () => true, action, enabled: false })
    await engine.evaluate()
    expect(action).not.toHaveBeenCalled()
    engine.setRuleEnabled('r', true)
    await engine.evaluate()
    expect(action).toHaveBeenCalledOnce()
  })

  it('keeps a bounded log of applied optimizations', async () => {
    const { monitor, engine } = setup({ maxOptimizationLog: 3 })
    let n = 0
    engine.addRule({ id: 'r', condition: () => true, action: () => `run ${++n}`, cooldownMs: 0 })
    for (let i = 0; i < 5; i++) {
      await engine.evaluate()
      monitor.t += 1
    }
    expect(engine.optimizations().map((o) => o.impact)).toEqual(['run 3', 'run 4', 'run 5'])
  })

  it('shares one pass between concurrent evaluate() calls', async () => {
    const { engine } = setup()
    const action = vi.fn()
    engine.addRule({ id: 'r', condition: () => true, action, cooldownMs: 0 })
    const [a, b] = await Promise.all([engine.evaluate(), engine.evaluate()])
    expect(a).toBe(b)
    expect(action).toHaveBeenCalledOnce()
  })

  it('close() aborts a running action, settles the pass, and refuses new rules and passes', async () => {
    const { engine } = setup()
    let signal: AbortSignal | undefined
    engine.addRule({ id: 'hang', condition: () => true, action: (ctx) => { signal = ctx.signal; return new Promise(() => undefined) } })
    const pass = engine.evaluate()
    await Promise.resolve()
    await engine.close()
    const result = await pass
    expect(result.optimizations[0]?.outcome).toBe('failed')
    expect(signal?.aborted).toBe(true)
    await expect(engine.evaluate()).rejects.toBeInstanceOf(ClosedError)
    expect(() => engine.addRule({ id: 'x', condition: () => true, action: () => undefined })).toThrow(ClosedError)
    await engine.close() // idempotent
  })
})
