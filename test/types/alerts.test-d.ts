import { describe, expectTypeOf, it } from 'vitest'
import {
  type Alert,
  AlertEngine,
  type AlertNotification,
  type AlertRule,
  type AlertSeverity,
  type AlertState,
  type AlertTransition,
  type MetricSource,
  PerfBus,
  PerformanceMonitor,
  type NotifiedAlert,
  callbackNotifier,
  emailNotifier,
  genericProfile,
  type AlertNotifier,
  referenceProfile,
  webhookNotifier,
} from 'perfkit'

declare const source: MetricSource

describe('AlertEngine types', () => {
  it('accepts a PerformanceMonitor as its MetricSource', () => {
    expectTypeOf<PerformanceMonitor>().toMatchTypeOf<MetricSource>()
    const engine = new AlertEngine({ monitor: new PerformanceMonitor() })
    expectTypeOf(engine.bus).toEqualTypeOf<PerfBus>()
  })

  it('types the issue’s threshold rule shape and rejects wrong ones', () => {
    const engine = new AlertEngine({ monitor: source, now: () => 0 })
    engine.addRule({ id: 'latency', metric: 'prediction_latency_seconds', stat: 'p95', op: '>', warning: 0.1, critical: 0.25, forMs: 60_000, clear: 0.08 })
    engine.addRule({ id: 'c', kind: 'custom', condition: ({ now }) => now > 5 })
    engine.addRule({ id: 'v', kind: 'custom', value: ({ source: s }) => s.value('x'), op: '<', warning: 1 })
    engine.addRule({ id: 'r', kind: 'regression', findings: ['spike'] })
    // @ts-expect-error: not a statistic
    engine.addRule({ id: 'x', metric: 'm', stat: 'p42', op: '>', warning: 1 })
    // @ts-expect-error: not an operator
    engine.addRule({ id: 'x', metric: 'm', op: '=', warning: 1 })
    // @ts-expect-error: a trend rule needs its op
    engine.addRule({ id: 'x', kind: 'trend', metric: 'm', warning: 1 })
    expectTypeOf(referenceProfile()).toEqualTypeOf<AlertRule[]>()
    expectTypeOf(genericProfile({ thresholds: { cpuPercent: { warning: 60 } } })).toEqualTypeOf<AlertRule[]>()
  })

  it('returns typed alerts and transitions', () => {
    const engine = new AlertEngine({ monitor: source })
    expectTypeOf(engine.evaluate()).toEqualTypeOf<AlertTransition[]>()
    expectTypeOf(engine.alerts({ state: ['firing', 'no-data'], severity: 'critical', since: 0 })).toEqualTypeOf<Alert[]>()
    expectTypeOf(engine.acknowledge('id', { by: 'ann', note: 'on it' })).toEqualTypeOf<Alert>()
    expectTypeOf(engine.resolve('id')).toEqualTypeOf<Alert>()
    expectTypeOf<Alert['state']>().toEqualTypeOf<AlertState>()
    expectTypeOf<Alert['severity']>().toEqualTypeOf<AlertSeverity>()
    // @ts-expect-error: not a state
    engine.alerts({ state: 'burning' })
    engine.silence({ alertname: 'cpu', route: /\/api\/.*/, severity: { not: 'warning' } }, 1000, { comment: 'deploy' })
    engine.updateThresholds({ cpu: { warning: 60, critical: null } })
    // @ts-expect-error: op is not a run-time threshold
    engine.updateThresholds({ cpu: { op: '<' } })
  })

  it('types alert events on the bus', () => {
    const engine = new AlertEngine({ monitor: source })
    engine.bus.on('alert:firing', ({ alert, notification }) => {
      expectTypeOf(alert).toEqualTypeOf<NotifiedAlert>()
      expectTypeOf(notification).toEqualTypeOf<AlertNotification>()
      expectTypeOf(alert.reason).toEqualTypeOf<'firing' | 'escalated' | 'no-data' | 'resolved' | 'repeat' | 'acknowledged'>()
    })
    engine.bus.on('alert:escalated', (e) => expectTypeOf(e.alert.severity).toEqualTypeOf<AlertSeverity>())
    engine.bus.on('alert:transition', (t) => expectTypeOf(t.previousSeverity).toEqualTypeOf<AlertSeverity | undefined>())
    engine.bus.on('alert:notifier-failed', (e) => expectTypeOf(e.reason).toEqualTypeOf<'failed' | 'timeout' | 'dropped'>())
    // @ts-expect-error: no such event
    engine.bus.on('alert:exploded', () => {})
  })

  it('types notifiers', () => {
    expectTypeOf(webhookNotifier({ url: 'https://hooks.slack.com/x', format: 'slack' })).toEqualTypeOf<AlertNotifier>()
    expectTypeOf(emailNotifier({ transport: { host: 'smtp' }, from: 'a', to: 'b' })).toEqualTypeOf<Promise<AlertNotifier>>()
    expectTypeOf(callbackNotifier(async () => {}, { minSeverity: 'critical' })).toEqualTypeOf<AlertNotifier>()
    // @ts-expect-error: not a severity
    callbackNotifier(() => {}, { minSeverity: 'info' })
    new AlertEngine({ monitor: source, notifiers: [(n) => expectTypeOf(n).toEqualTypeOf<AlertNotification>()] })
  })
})
