// Rules against the real PerformanceMonitor, both on one hand-moved clock.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AlertEngine, type AlertEngineOptions, genericProfile, type MetricSource, PerformanceMonitor, referenceProfile, RegressionDetector } from 'perfkit'
import { ManualClock } from '../helpers/clock'

function setup(options: Partial<AlertEngineOptions> = {}) {
  const clock = new ManualClock()
  const monitor = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0 })
  const engine = new AlertEngine({ monitor, now: clock.now, intervalMs: 0, groupWaitMs: 0, flapping: false, ...options })
  const active = (): string[] =>
    engine
      .alerts({ state: ['pending', 'firing', 'no-data'] })
      .map((a) => `${a.ruleId}:${a.state}:${a.severity}`)
      .sort()
  return { clock, monitor, engine, active }
}

describe('AlertEngine on a PerformanceMonitor', () => {
  it('is a MetricSource, and shares the monitor bus by default', () => {
    const monitor = new PerformanceMonitor({ historyIntervalMs: 0 })
    const source: MetricSource = monitor
    const engine = new AlertEngine({ monitor: source, intervalMs: 0 })
    expect(engine.bus).toBe(monitor.bus)
  })

  it('threshold on a distribution percentile: warning, escalation, then no data when it stops reporting', () => {
    const { clock, monitor, engine, active } = setup()
    engine.addRule({ id: 'latency', metric: 'prediction_latency_seconds', stat: 'p95', op: '>', warning: 0.1, critical: 0.25, labels: { batcher: 'model' } })
    for (let i = 0; i < 100; i++) monitor.record('prediction_latency_seconds', 0.05, { batcher: 'model' })
    engine.evaluate()
    expect(active()).toEqual([])
    for (let i = 0; i < 100; i++) monitor.record('prediction_latency_seconds', 0.15, { batcher: 'model' })
    monitor.record('prediction_latency_seconds', 5, { batcher: 'other' }) // another series: not matched
    clock.advance(1000)
    engine.evaluate()
    expect(active()).toEqual(['latency:firing:warning'])
    expect(engine.alerts()[0]?.value).toBeCloseTo(0.15, 2)
    for (let i = 0; i < 400; i++) monitor.record('prediction_latency_seconds', 0.4, { batcher: 'model' })
    clock.advance(1000)
    engine.evaluate()
    expect(active()).toEqual(['latency:firing:critical'])
    clock.advance(300_000) // nothing recorded for five minutes (the default noDataForMs): the 1 m window is empty
    engine.evaluate()
    expect(active()).toEqual(['latency:no-data:critical'])
    monitor.record('prediction_latency_seconds', 0.01, { batcher: 'model' })
    engine.evaluate()
    expect(active()).toEqual([])
  })

  it('error rate from counters and a gauge threshold', () => {
    const { clock, monitor, engine, active } = setup()
    engine.addRules([
      { id: 'errors', kind: 'error-rate', errors: 'prediction_errors_total', total: 'prediction_calls_total', warning: 0.05, critical: 0.1 },
      { id: 'queue', metric: 'prediction_queue_size', op: '>', warning: 50 },
    ])
    monitor.increment('prediction_calls_total', 100)
    monitor.increment('prediction_errors_total', 7)
    monitor.setGauge('prediction_queue_size', 60, { batcher: 'a' })
    clock.advance(1000)
    engine.evaluate()
    expect(active()).toEqual(['errors:firing:warning', 'queue:firing:warning'])
    expect(engine.alerts({ ruleId: 'errors' })[0]?.value).toBeCloseTo(0.07)
    monitor.setGauge('prediction_queue_size', 10, { batcher: 'a' })
    clock.advance(1000)
    engine.evaluate()
    expect(active()).toEqual(['errors:firing:warning'])
  })

  it('one alert per route with `by`, reading the monitor’s series', () => {
    const { clock, monitor, engine, active } = setup()
    engine.addRule({ id: 'slow-route', metric: 'http_server_request_duration_seconds', stat: 'p95', op: '>', warning: 1, by: ['route'] })
    for (let i = 0; i < 50; i++) {
      monitor.record('http_server_request_duration_seconds', 2, { method: 'GET', route: '/slow', status_class: '2xx' })
      monitor.record('http_server_request_duration_seconds', 0.01, { method: 'GET', route: '/fast', status_class: '2xx' })
    }
    clock.advance(1000)
    engine.evaluate()
    expect(active()).toEqual(['slow-route:firing:warning'])
    expect(engine.alerts()[0]?.labels).toMatchObject({ route: '/slow', metric: 'http_server_request_duration_seconds' })
  })

  it('trend and anomaly over history snapshots', () => {
    const { clock, monitor, engine, active } = setup()
    engine.addRules([
      { id: 'heap-growth', kind: 'trend', metric: 'nodejs_heap_used_bytes', windowMs: 120_000, op: '>', warning: 100_000 },
      { id: 'heap-jump', kind: 'anomaly', metric: 'nodejs_heap_used_bytes', windowMs: 600_000, minPoints: 10, critical: 8, warning: 4 },
    ])
    for (let i = 0; i < 12; i++) {
      monitor.setGauge('nodejs_heap_used_bytes', 50e6 + (i % 2) * 1e5)
      clock.advance(10_000)
      monitor.snapshot()
    }
    engine.evaluate()
    expect(active()).toEqual([])
    for (let i = 0; i < 6; i++) {
      monitor.setGauge('nodejs_heap_used_bytes', 50e6 + (i + 1) * 5e6) // +500 kB/s
      clock.advance(10_000)
      monitor.snapshot()
    }
    engine.evaluate()
    expect(active()).toEqual(['heap-growth:firing:warning', 'heap-jump:firing:critical'])
    expect(engine.alerts({ ruleId: 'heap-growth' })[0]?.value).toBeGreaterThan(100_000)
  })

  it('predictive: memory forecast to cross 95 % within the horizon', () => {
    const { clock, monitor, engine, active } = setup()
    engine.addRule({ id: 'memory-forecast', kind: 'predictive', metric: 'system_memory_usage_percent', op: '>', warning: 90, critical: 95, horizonMs: 1_800_000, windowMs: 3_600_000 })
    for (let i = 0; i < 20; i++) {
      monitor.setGauge('system_memory_usage_percent', 60 + i) // +1 % per minute
      clock.advance(60_000)
      monitor.snapshot()
    }
    engine.evaluate()
    expect(active()).toEqual(['memory-forecast:firing:critical']) // 79 % now, ~109 % in 30 min
  })

  it('the reference profile fires on the reference thresholds', () => {
    const { clock, monitor, engine, active } = setup({ rules: referenceProfile() })
    for (let i = 0; i < 100; i++) monitor.record('prediction_latency_seconds', 0.12, { batcher: 'model' })
    monitor.increment('cache_hits_total', 70, { cache: 'models' })
    monitor.increment('cache_misses_total', 30, { cache: 'models' })
    monitor.increment('prediction_calls_total', 100, { batcher: 'model' })
    monitor.increment('prediction_errors_total', 4, { batcher: 'model' })
    monitor.setGauge('prediction_queue_size', 51, { batcher: 'model' })
    monitor.setGauge('system_memory_usage_percent', 81)
    monitor.setGauge('system_cpu_usage_percent', 79)
    clock.advance(1000)
    engine.evaluate()
    expect(active()).toEqual(['cache-hit-rate:firing:warning', 'memory-usage:firing:warning', 'prediction-latency:firing:warning', 'queue-size:firing:warning'])
    expect(engine.alerts({ ruleId: 'memory-usage' })[0]?.labels).toMatchObject({ profile: 'reference' })
  })

  it('the generic profile: warning and critical levels on HTTP and system metrics', () => {
    const { clock, monitor, engine, active } = setup({ rules: genericProfile() })
    for (let i = 0; i < 100; i++) monitor.record('http_server_request_duration_seconds', 6, { method: 'GET', route: '/', status_class: '2xx' })
    monitor.increment('http_server_requests_total', 100)
    monitor.increment('http_server_errors_total', 6)
    monitor.setGauge('system_cpu_usage_percent', 91)
    monitor.setGauge('system_memory_usage_percent', 50)
    monitor.setGauge('prediction_queue_size', 120)
    clock.advance(1000)
    engine.evaluate()
    expect(active()).toEqual(['cpu-usage:firing:critical', 'error-rate:firing:warning', 'queue-size:firing:warning', 'response-time:firing:critical'])
  })
})

describe('AlertEngine with a RegressionDetector watching the monitor', () => {
  afterEach(() => vi.useRealTimers())

  it('raises a regression alert from the detector’s events on the shared bus, and resolves it on recovery', async () => {
    vi.useFakeTimers()
    const monitor = new PerformanceMonitor({ now: () => Date.now(), historyIntervalMs: 10_000 })
    const detector = new RegressionDetector({ bus: monitor.bus })
    const engine = new AlertEngine({ monitor, intervalMs: 0, groupWaitMs: 0, groupIntervalMs: 0 })
    engine.addRule({ id: 'latency-regressed', kind: 'regression', metric: 'prediction_latency_seconds', critical: 100 })
    const fired: string[] = []
    engine.bus.on('alert:firing', ({ alert }) => fired.push(`${alert.severity} ${alert.labels.metric}`))
    engine.bus.on('alert:resolved', ({ alert }) => fired.push(`resolved ${alert.labels.metric}`))
    const stop = detector.watch(monitor, 'prediction_latency_seconds', { stat: 'p95', baselineWindow: 600_000, currentWindow: 120_000, intervalMs: 60_000 })
    let i = 0
    const run = async (minutes: number, latency: number) => {
      for (let s = 0; s < minutes * 6; s++) {
        for (let k = 0; k < 20; k++) monitor.record('prediction_latency_seconds', latency * (1 + ((i++ % 7) - 3) / 100))
        await vi.advanceTimersByTimeAsync(10_000)
      }
    }
    await run(12, 0.05)
    expect(fired).toEqual([])
    await run(4, 0.2) // a 4× step
    expect(fired).toEqual(['critical prediction_latency_seconds'])
    await run(15, 0.05)
    expect(fired).toEqual(['critical prediction_latency_seconds', 'resolved prediction_latency_seconds'])
    stop()
    await engine.close()
    await monitor.close()
  })
})
