import { describe, expect, it } from 'vitest'
import { AlertEngine, type AlertEngineOptions, type AlertRuleErrorEvent, PerfBus, PerfkitConfigError } from 'perfkit'
import { ManualClock } from '../helpers/clock'
import { FakeSource } from './helpers'

function setup(options: Partial<AlertEngineOptions> = {}) {
  const clock = new ManualClock()
  const source = new FakeSource()
  const engine = new AlertEngine({ monitor: source, now: clock.now, intervalMs: 0, groupWaitMs: 0, flapping: false, ...options })
  const states = (): string[] => engine.alerts({ state: ['pending', 'firing', 'no-data'] }).map((a) => `${a.ruleId}:${a.state}:${a.severity}`)
  return { clock, source, engine, states }
}

describe('AlertEngine rules', () => {
  describe('validation', () => {
    const bad: Array<[string, unknown, RegExp]> = [
      ['no level', { id: 'r', metric: 'm', op: '>' }, /rules\.r\.warning/],
      ['bad op', { id: 'r', metric: 'm', op: '=>', warning: 1 }, /rules\.r\.op/],
      ['critical below warning', { id: 'r', metric: 'm', op: '>', warning: 5, critical: 1 }, /rules\.r\.critical/],
      ['critical above warning for <', { id: 'r', metric: 'm', op: '<', warning: 5, critical: 9 }, /rules\.r\.critical/],
      ['clear on the wrong side', { id: 'r', metric: 'm', op: '>', warning: 5, clear: 6 }, /rules\.r\.clear/],
      ['negative forMs', { id: 'r', metric: 'm', op: '>', warning: 5, forMs: -1 }, /rules\.r\.forMs/],
      ['unknown stat', { id: 'r', metric: 'm', op: '>', warning: 5, stat: 'p42' }, /rules\.r\.stat/],
      ['unknown kind', { id: 'r', kind: 'magic' }, /rules\.r\.kind/],
      ['missing metric', { id: 'r', op: '>', warning: 1 }, /rules\.r\.metric/],
      ['trend without op', { id: 'r', kind: 'trend', metric: 'm', warning: 1 }, /rules\.r\.op/],
      ['predictive without horizon', { id: 'r', kind: 'predictive', metric: 'm', op: '>', warning: 1 }, /rules\.r\.horizonMs/],
      ['error rate without total', { id: 'r', kind: 'error-rate', errors: 'e', warning: 0.1 }, /rules\.r\.total/],
      ['custom without function', { id: 'r', kind: 'custom' }, /rules\.r\.value/],
      ['by on a custom rule', { id: 'r', kind: 'custom', condition: () => true, by: ['x'] }, /rules\.r\.by/],
      ['empty id', { id: '', metric: 'm', op: '>', warning: 1 }, /rule\.id/],
      ['bad confidence', { id: 'r', kind: 'regression', minConfidence: 2 }, /rules\.r\.minConfidence/],
    ]
    for (const [name, rule, option] of bad) {
      it(`rejects a rule with ${name}`, () => {
        const { engine } = setup()
        let error: unknown
        try {
          engine.addRule(rule as never)
        } catch (e) {
          error = e
        }
        expect(error).toBeInstanceOf(PerfkitConfigError)
        expect((error as PerfkitConfigError).message).toMatch(option)
      })
    }

    it('rejects duplicate ids, and adds none of a batch with a bad rule', () => {
      const { engine } = setup()
      engine.addRule({ id: 'a', metric: 'm', op: '>', warning: 1 })
      expect(() => engine.addRule({ id: 'a', metric: 'm', op: '>', warning: 1 })).toThrow(/no other rule/)
      expect(() => engine.addRules([{ id: 'b', metric: 'm', op: '>', warning: 1 }, { id: 'c', metric: 'm', op: '?' as never, warning: 1 }])).toThrow(PerfkitConfigError)
      expect(engine.rules().map((r) => r.id)).toEqual(['a'])
    })

    it('rejects bad engine options, naming them', () => {
      const monitor = new FakeSource()
      expect(() => new AlertEngine({ monitor: {} as never })).toThrow(/monitor/)
      expect(() => new AlertEngine({ monitor, intervalMs: -1 })).toThrow(/intervalMs/)
      expect(() => new AlertEngine({ monitor, groupBy: 'x' as never })).toThrow(/groupBy/)
      expect(() => new AlertEngine({ monitor, rateLimit: { limit: 0, intervalMs: 1 } })).toThrow(/rateLimit\.limit/)
      expect(() => new AlertEngine({ monitor, dedupWindowMs: Number.NaN })).toThrow(/dedupWindowMs/)
      expect(() => new AlertEngine({ monitor, inhibitRules: [{ source: 5 as never, target: {} }] })).toThrow(/inhibitRules\[0\]\.source/)
      expect(() => new AlertEngine({ monitor, flapping: { maxTransitions: 0 } })).toThrow(/flapping\.maxTransitions/)
      expect(() => new AlertEngine({ monitor, bus: {} as never })).toThrow(/bus/)
    })
  })

  describe('updateThresholds', () => {
    it('changes levels at run time, validated as a whole, and null removes a level', () => {
      const { source, engine, states } = setup()
      engine.addRules([
        { id: 'cpu', metric: 'cpu', op: '>', warning: 70, critical: 90 },
        { id: 'mem', metric: 'mem', op: '>', warning: 80 },
      ])
      source.set('cpu', 75).set('mem', 85)
      engine.evaluate()
      expect(states()).toEqual(['cpu:firing:warning', 'mem:firing:warning'])
      expect(() => engine.updateThresholds({ cpu: { warning: 60 }, mem: { critical: 10 } })).toThrow(/thresholds\.mem\.critical/)
      expect(() => engine.updateThresholds({ nope: { warning: 1 } })).toThrow(/thresholds\.nope/)
      expect(() => engine.updateThresholds({ cpu: { op: '<' } as never })).toThrow(/thresholds\.cpu\.op/)
      expect(engine.rules()[0]).toMatchObject({ warning: 70 }) // nothing applied
      engine.updateThresholds({ cpu: { warning: 60, critical: 74 }, mem: { warning: 90, forMs: 1000 } })
      engine.evaluate()
      expect(states()).toEqual(['cpu:firing:critical'])
      engine.updateThresholds({ cpu: { critical: null } })
      expect(engine.rules()[0]).not.toHaveProperty('critical')
      engine.evaluate()
      expect(states()).toEqual(['cpu:firing:warning'])
    })
  })

  describe('custom rules', () => {
    it('accepts boolean, severity and instance outcomes from a condition', () => {
      const { engine, states } = setup()
      let outcome: unknown = true
      engine.addRule({ id: 'c', kind: 'custom', condition: () => outcome as never, severity: 'critical' })
      engine.evaluate()
      expect(states()).toEqual(['c:firing:critical'])
      outcome = 'warning'
      engine.evaluate()
      expect(states()).toEqual(['c:firing:warning'])
      outcome = [
        { labels: { region: 'eu' }, severity: 'critical', value: 3, summary: 'eu is down' },
        { labels: { region: 'us' }, severity: null },
      ]
      engine.evaluate()
      const eu = engine.alerts({ state: 'firing' }).find((a) => a.labels.region === 'eu')
      expect(eu).toMatchObject({ severity: 'critical', value: 3, annotations: { summary: 'eu is down' } })
      expect(engine.alerts({ state: 'resolved' })).toHaveLength(1) // the unlabelled instance no longer reported
      outcome = null
      engine.evaluate()
      expect(states()).toEqual([])
    })

    it('compares a computed value with levels, and treats undefined as no data', () => {
      const { engine, states, clock } = setup()
      let value: number | undefined = 5
      engine.addRule({ id: 'v', kind: 'custom', value: ({ now }) => (now > 0 ? value : undefined), op: '>', warning: 3, critical: 10, noDataForMs: 0, summary: '{{value}} past {{threshold}} ({{severity}}) on {{labels.alertname}}' })
      engine.evaluate()
      expect(engine.alerts()[0]?.annotations.summary).toBe('5 past 3 (warning) on v')
      value = undefined
      clock.advance(1000)
      engine.evaluate()
      expect(states()).toEqual(['v:no-data:warning'])
    })

    it('reports a throwing or invalid condition as a rule error and keeps the alert state', () => {
      const { engine, states } = setup()
      let fail: unknown = false
      engine.addRule({
        id: 'c',
        kind: 'custom',
        condition: () => {
          if (fail === 'throw') throw new Error('db unreachable')
          if (fail === 'invalid') return { severity: 'fatal' } as never
          return true
        },
      })
      const errors: AlertRuleErrorEvent[] = []
      engine.bus.on('alert:rule-error', (e) => errors.push(e))
      engine.evaluate()
      fail = 'throw'
      expect(engine.evaluate()).toEqual([])
      fail = 'invalid'
      expect(engine.evaluate()).toEqual([])
      expect(states()).toEqual(['c:firing:warning'])
      expect(errors.map((e) => [e.ruleId, (e.error as Error).message])).toEqual([
        ['c', 'db unreachable'],
        ['c', expect.stringMatching(/c\.condition\(\)\.severity/)],
      ])
      expect(engine.stats().ruleErrors).toBe(2)
    })
  })

  describe('metric rules', () => {
    it('error rate: rate(errors) / rate(total), no traffic is no verdict, missing total is no data', () => {
      const { source, engine, states, clock } = setup()
      engine.addRule({ id: 'errors', kind: 'error-rate', errors: 'http_server_errors_total', total: 'http_server_requests_total', warning: 0.05, critical: 0.1 })
      source.setRate('http_server_requests_total', 100).setRate('http_server_errors_total', 7)
      engine.evaluate()
      expect(engine.alerts()[0]).toMatchObject({ severity: 'warning', value: 0.07, labels: { metric: 'http_server_errors_total' } })
      source.setRate('http_server_requests_total', 0).setRate('http_server_errors_total', 0)
      clock.advance(1000)
      expect(engine.evaluate()).toEqual([])
      expect(states()).toEqual(['errors:firing:warning'])
      source.setRate('http_server_requests_total', 100).setRate('http_server_errors_total', undefined) // no error counter yet: 0 %
      clock.advance(1000)
      engine.evaluate()
      expect(states()).toEqual([])
    })

    it('ratio: a cache hit rate below 80 % from two counters', () => {
      const { source, engine, states } = setup()
      engine.addRule({ id: 'hits', kind: 'ratio', numerator: 'cache_hits_total', denominator: ['cache_hits_total', 'cache_misses_total'], op: '<', warning: 0.8 })
      source.setRate('cache_hits_total', 70).setRate('cache_misses_total', 30)
      engine.evaluate()
      expect(states()).toEqual(['hits:firing:warning'])
      expect(engine.alerts()[0]?.value).toBeCloseTo(0.7)
    })

    it('threshold over rates and counter values', () => {
      const { source, engine, states } = setup()
      engine.addRules([
        { id: 'rps', metric: 'requests_total', stat: 'rate', op: '>', warning: 100 },
        { id: 'total', metric: 'requests_total', op: '>=', critical: 1000 },
      ])
      source.setRate('requests_total', 150).set('requests_total', 1000)
      engine.evaluate()
      expect(states()).toEqual(['rps:firing:warning', 'total:firing:critical'])
    })

    it('splits a rule into one alert per series group with `by`', () => {
      const { source, engine } = setup()
      source.seriesOf.set('http_server_request_duration_seconds', [{ route: '/a', method: 'GET' }, { route: '/a', method: 'POST' }, { route: '/b', method: 'GET' }, { method: 'GET' }])
      source.setStats('http_server_request_duration_seconds', { p95: 2 }, { route: '/a' })
      source.setStats('http_server_request_duration_seconds', { p95: 0.2 }, { route: '/b' })
      engine.addRule({ id: 'slow-route', metric: 'http_server_request_duration_seconds', stat: 'p95', op: '>', warning: 1, by: ['route'] })
      engine.evaluate()
      expect(engine.alerts().map((a) => [a.labels.route, a.state])).toEqual([['/a', 'firing']])
      expect(engine.alerts()[0]?.labels).toMatchObject({ alertname: 'slow-route', route: '/a', metric: 'http_server_request_duration_seconds' })
    })

    it('trend: the least-squares slope of the history, per second', () => {
      const { source, engine, states } = setup()
      source.t = 100_000
      source.pushHistory('nodejs_heap_used_bytes', [100, 110, 120, 130, 140, 150], 10_000) // +1/s
      engine.addRule({ id: 'leak', kind: 'trend', metric: 'nodejs_heap_used_bytes', windowMs: 60_000, op: '>', warning: 0.5, critical: 2 })
      engine.evaluate()
      expect(states()).toEqual(['leak:firing:warning'])
      expect(engine.alerts()[0]?.value).toBeCloseTo(1)
    })

    it('trend: too few points is no data', () => {
      const { source, engine } = setup()
      source.t = 100_000
      source.pushHistory('m', [1, 2], 10_000)
      engine.addRule({ id: 'trend', kind: 'trend', metric: 'm', op: '>', warning: 0 })
      expect(engine.evaluate()).toEqual([])
    })

    it('anomaly: a robust z-score of the newest point against the window', () => {
      const { source, engine, states } = setup()
      source.t = 1_000_000
      const baseline = [10, 11, 9, 10, 10.5, 9.5, 10, 11, 9, 10]
      source.pushHistory('latency', [...baseline, 10.2], 10_000)
      engine.addRule({ id: 'odd', kind: 'anomaly', metric: 'latency', warning: 3, critical: 6, direction: 'above' })
      engine.evaluate()
      expect(states()).toEqual([])
      source.t += 10_000
      source.pushHistory('latency', [30], 10_000)
      engine.evaluate()
      expect(states()).toEqual(['odd:firing:critical'])
      expect(engine.alerts()[0]?.annotations).toMatchObject({ observed: '30', expected: '10' })
    })

    it('predictive: fires when the forecast crosses a level within the horizon', () => {
      const { source, engine, states } = setup()
      source.t = 1_000_000
      source.pushHistory('system_memory_usage_percent', [50, 52, 54, 56, 58, 60, 62, 64, 66, 68], 60_000) // +2 per minute
      engine.addRule({ id: 'oom-soon', kind: 'predictive', metric: 'system_memory_usage_percent', op: '>', warning: 80, critical: 95, horizonMs: 600_000 })
      engine.evaluate()
      expect(states()).toEqual(['oom-soon:firing:warning']) // 68 + 2 × 10 = 88 within 10 min
      const alert = engine.alerts()[0]
      expect(alert?.value).toBeCloseTo(88, 0)
      expect(alert?.annotations.etaMs).toBe('420000') // first step past 80: 68 + 2 × 7 = 82
      engine.updateThresholds({ 'oom-soon': { warning: 90 } })
      engine.evaluate()
      expect(states()).toEqual([])
    })

    it('predictive: uses an injected forecaster', () => {
      const { source, engine, states } = setup({ forecast: (_values, steps) => Array.from({ length: steps }, () => ({ value: 99, lower: 98, upper: 100 })) })
      source.t = 1_000_000
      source.pushHistory('m', [1, 1, 1, 1, 1, 1, 1, 1], 1000)
      engine.addRule({ id: 'p', kind: 'predictive', metric: 'm', op: '>', critical: 95, horizonMs: 5000 })
      engine.evaluate()
      expect(states()).toEqual(['p:firing:critical'])
    })
  })

  describe('regression rules', () => {
    const detected = {
      metric: 'prediction_latency_seconds',
      labels: { batcher: 'model' },
      kind: 'sudden-step',
      changePercent: 40,
      direction: 'increase',
      baselineMean: 0.05,
      currentMean: 0.07,
      pValue: 0.001,
      effectSize: 1.2,
      confidence: 0.95,
      reason: 'step up',
      at: 5000,
    } as const

    it('raises an alert per metric and labels from regression:detected until regression:recovered, at once', () => {
      const bus = new PerfBus()
      const { engine, states } = setup({ bus })
      engine.addRule({ id: 'regressed', kind: 'regression', critical: 50, minConfidence: 0.9 })
      bus.emit('regression:detected', { ...detected, confidence: 0.5 })
      expect(states()).toEqual([])
      bus.emit('regression:detected', detected)
      expect(states()).toEqual(['regressed:firing:warning'])
      const alert = engine.alerts()[0]
      expect(alert?.labels).toMatchObject({ metric: 'prediction_latency_seconds', batcher: 'model' })
      expect(alert?.annotations.summary).toBe('prediction_latency_seconds regressed +40.0 % (sudden-step, confidence 0.95)')
      bus.emit('regression:detected', { ...detected, changePercent: 60 }) // the same regression, worse: one alert, escalated
      expect(states()).toEqual(['regressed:firing:critical'])
      expect(engine.alerts()).toHaveLength(1)
      bus.emit('regression:recovered', { metric: detected.metric, labels: detected.labels, at: 9000, durationMs: 4000 })
      expect(states()).toEqual([])
      expect(engine.alerts({ state: 'resolved' })).toHaveLength(1)
    })

    it('filters by metric, labels, finding kind and direction', () => {
      const bus = new PerfBus()
      const { engine, states } = setup({ bus })
      engine.addRule({ id: 'r', kind: 'regression', metric: 'prediction_latency_seconds', labels: { batcher: 'model' }, findings: ['gradual-degradation'], direction: 'increase' })
      bus.emit('regression:detected', detected)
      bus.emit('regression:detected', { ...detected, metric: 'other', kind: 'gradual-degradation' })
      bus.emit('regression:detected', { ...detected, labels: { batcher: 'b' }, kind: 'gradual-degradation' })
      bus.emit('regression:detected', { ...detected, kind: 'gradual-degradation', direction: 'decrease', labels: { batcher: 'model', x: '1' } })
      expect(states()).toEqual([])
      bus.emit('regression:detected', { ...detected, kind: 'gradual-degradation' })
      expect(states()).toEqual(['r:firing:warning'])
    })

    it("uses the monitor's bus by default, and stops listening on close()", async () => {
      const source = Object.assign(new FakeSource(), { bus: new PerfBus() })
      const engine = new AlertEngine({ monitor: source, intervalMs: 0 })
      expect(engine.bus).toBe(source.bus)
      engine.addRule({ id: 'r', kind: 'regression' })
      await engine.close()
      source.bus.emit('regression:detected', detected)
      expect(engine.alerts()).toEqual([])
    })
  })
})
