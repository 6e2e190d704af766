import { describe, expectTypeOf, it } from 'vitest'
import {
  type DistributionStats,
  type HistoryPoint,
  type Labels,
  type MetricInfo,
  type InsightSource,
  type MetricSource,
  type MonitorLeakSuspectedEvent,
  type MonitorState,
  type PerfBus,
  PerformanceMonitor,
  type SourceHealth,
  type StatsWindow,
} from 'perfkit'

describe('PerformanceMonitor types', () => {
  const monitor = new PerformanceMonitor()

  it('types the write API', () => {
    expectTypeOf(monitor.record('x_seconds', 1)).toEqualTypeOf<void>()
    expectTypeOf(monitor.increment('x_total')).toEqualTypeOf<void>()
    expectTypeOf(monitor.startTimer('x_seconds')).toEqualTypeOf<(extraLabels?: Labels) => number>()
    expectTypeOf(monitor.time('x_seconds', () => 42)).toEqualTypeOf<number>()
    expectTypeOf(monitor.time('x_seconds', async () => 'a')).toEqualTypeOf<Promise<string>>()
    // @ts-expect-error: a value is a number
    monitor.record('x_seconds', '1')
    // @ts-expect-error: label values are strings
    monitor.increment('x_total', 1, { code: 200 })
  })

  it('types the read API of the cross-area contract', () => {
    expectTypeOf(monitor.stats('x_seconds')).toEqualTypeOf<DistributionStats | undefined>()
    expectTypeOf(monitor.value('x_total', { a: 'b' })).toEqualTypeOf<number | undefined>()
    expectTypeOf(monitor.rate('x_total', undefined, { window: '5m' })).toEqualTypeOf<number | undefined>()
    expectTypeOf(monitor.history('x_seconds', { stat: 'p95', from: 0 })).toEqualTypeOf<HistoryPoint[]>()
    expectTypeOf(monitor.now()).toEqualTypeOf<number>()
    expectTypeOf(monitor.bus).toEqualTypeOf<PerfBus>()
    expectTypeOf(monitor.metrics()).toEqualTypeOf<MetricInfo[]>()
    expectTypeOf<MetricInfo['kind']>().toEqualTypeOf<'counter' | 'gauge' | 'distribution'>()
    expectTypeOf<StatsWindow>().toEqualTypeOf<'1m' | '5m' | '15m' | 'all'>()
    expectTypeOf(monitor.sources()).toEqualTypeOf<SourceHealth[]>()
    expectTypeOf(monitor.exportState()).toEqualTypeOf<MonitorState>()
    // @ts-expect-error: no such window
    monitor.stats('x_seconds', undefined, { window: '2m' })
    // @ts-expect-error: no such statistic
    monitor.history('x_seconds', { stat: 'p75' })
  })

  it('fits what the alert and insight engines read, as it is', () => {
    expectTypeOf(monitor).toMatchTypeOf<MetricSource>()
    expectTypeOf(monitor).toMatchTypeOf<InsightSource>()
  })

  it('types its bus events', () => {
    monitor.bus.on('monitor:leak-suspected', (e) => {
      expectTypeOf(e).toEqualTypeOf<MonitorLeakSuspectedEvent>()
      expectTypeOf(e.troughs[0]?.value).toEqualTypeOf<number | undefined>()
    })
    monitor.bus.on('monitor:value-dropped', (e) => {
      expectTypeOf(e.reason).toEqualTypeOf<'invalid-value' | 'invalid-name' | 'invalid-labels' | 'kind-mismatch' | 'too-many-metrics' | 'closed'>()
    })
    monitor.bus.on('monitor:source-error', (e) => {
      expectTypeOf(e.timedOut).toEqualTypeOf<boolean>()
    })
    // @ts-expect-error: not an event of the monitor
    monitor.bus.on('monitor:nope', () => {})
  })

  it('types sources and definitions', () => {
    expectTypeOf(monitor.addSource({ name: 'db', collect: async () => ({ db_connections: 3 }) })).toEqualTypeOf<() => void>()
    monitor.addSource({ name: 'q', priority: 'low', collect: () => [{ name: 'q_depth', value: 1, kind: 'gauge' }] })
    // @ts-expect-error: priorities are a closed set
    monitor.addSource({ name: 'x', priority: 'urgent', collect: () => undefined })
    monitor.define('x_seconds', { kind: 'distribution', sketch: 'tdigest', expose: 'both' })
    // @ts-expect-error: unknown kind
    monitor.define('x', { kind: 'histogram' })
  })
})
