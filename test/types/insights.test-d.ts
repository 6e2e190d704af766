import { describe, expectTypeOf, it } from 'vitest'
import {
  AlertEngine,
  type Bottleneck,
  type BottleneckKind,
  type OptimizationHookContext,
  InsightEngine,
  type InsightReport,
  type InsightSeverity,
  type InsightAlertsSource,
  type InsightSource,
  PerformanceMonitor,
  type OptimizationOutcome,
  type InsightRecommendation,
  type ResourceZone,
  type ResourceZoneState,
} from 'perfkit'

describe('InsightEngine types', () => {
  it('accepts a PerformanceMonitor as its source, structurally', () => {
    expectTypeOf<PerformanceMonitor>().toMatchTypeOf<InsightSource>()
    expectTypeOf<AlertEngine>().toMatchTypeOf<InsightAlertsSource>()
    const engine = new InsightEngine({ monitor: new PerformanceMonitor() })
    expectTypeOf(engine.bottlenecks()).toEqualTypeOf<Bottleneck[]>()
    expectTypeOf(engine.recommendations()).toEqualTypeOf<InsightRecommendation[]>()
    expectTypeOf(engine.zone()).toEqualTypeOf<ResourceZoneState>()
    expectTypeOf(engine.report()).toEqualTypeOf<InsightReport>()
    expectTypeOf(engine.health().score).toEqualTypeOf<number>()
    expectTypeOf(engine.evaluate()).resolves.toHaveProperty('optimizations')
  })

  it('types the insight events on the bus', () => {
    const engine = new InsightEngine({ monitor: new PerformanceMonitor() })
    engine.bus.on('insight:bottleneck', (e) => {
      expectTypeOf(e.bottleneck.kind).toEqualTypeOf<BottleneckKind>()
      expectTypeOf(e.change).toEqualTypeOf<'detected' | 'escalated'>()
      expectTypeOf(e.previousSeverity).toEqualTypeOf<InsightSeverity | undefined>()
    })
    engine.bus.on('insight:zone-changed', (e) => {
      expectTypeOf(e.to).toEqualTypeOf<ResourceZone>()
      expectTypeOf(e.policy.historyResolution).toEqualTypeOf<number>()
    })
    engine.bus.on('optimization:applied', (e) => {
      expectTypeOf(e.outcome).toEqualTypeOf<OptimizationOutcome>()
      expectTypeOf(e.error).toEqualTypeOf<Error | undefined>()
    })
    // @ts-expect-error: zones are a closed set
    engine.bus.emit('insight:zone-changed', { from: 'green', to: 'purple' })
  })

  it('types rules and hooks', () => {
    const engine = new InsightEngine({ monitor: new PerformanceMonitor(), hooks: { warmCache: (ctx) => `warmed ${ctx.targets.length}` } })
    expectTypeOf<Parameters<NonNullable<Parameters<typeof engine.addRule>[0]['action']>>[0]['signal']>().toEqualTypeOf<AbortSignal>()
    engine.addRule({ id: 'r', condition: (ctx) => ctx.zone === 'red', action: () => 'done', cooldownMs: 1000 })
    engine.addRule({ id: 'async', condition: async () => ({ reason: 'x', targets: [{ cache: 'users' }] }), action: async () => ({ impact: 'ok' }) })
    // @ts-expect-error: condition is required
    engine.addRule({ id: 'x', action: () => undefined })
    // @ts-expect-error: an action returns a text, an { impact } or nothing
    engine.addRule({ id: 'y', condition: () => true, action: () => 42 })
    expectTypeOf<OptimizationHookContext['targets']>().toEqualTypeOf<readonly Readonly<Record<string, string>>[]>()
  })
})
