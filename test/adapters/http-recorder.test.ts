// The HTTP recorder keeps the series a route's requests write to (a PerformanceMonitor only)
// and writes them directly. These tests hold it to what the monitor's own record() and
// increment() would do: across series expiry, a closed monitor, bad values, the series
// limit, and a monitor-like object that is not a PerformanceMonitor.
import { afterEach, describe, expect, it } from 'vitest'
import { HTTP_METRICS, HttpRecorder, KNOWN_METHODS, UNMATCHED_ROUTE } from '../../src/adapters/internal/http-metrics'
import type { MetricsWriter } from '../../src/api/ports'
import type { MonitorValueDroppedEvent } from '../../src/bus/events/monitor'
import { PerformanceMonitor } from '../../src/monitor/index'
import { ManualClock } from '../helpers/clock'

const monitors: PerformanceMonitor[] = []
function setup(options: ConstructorParameters<typeof PerformanceMonitor>[0] = {}): { m: PerformanceMonitor; clock: ManualClock; recorder: HttpRecorder } {
  const clock = new ManualClock()
  const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0, ...options })
  monitors.push(m)
  return { m, clock, recorder: new HttpRecorder(m, UNMATCHED_ROUTE, KNOWN_METHODS, true, 1000) }
}
afterEach(async () => {
  for (const m of monitors.splice(0)) await m.close()
})

const OK = { method: 'GET', route: '/users/:id', status_class: '2xx' }
const BASE = { method: 'GET', route: '/users/:id' }

/** One request through the recorder, as an adapter sends it. */
function serve(recorder: HttpRecorder, seconds = 0.01, status = 200, responseBytes = 120): void {
  recorder.start()
  recorder.finish('GET', '/users/:id', status, seconds, -1, responseBytes)
}

describe('HttpRecorder on a PerformanceMonitor', () => {
  it('records every request of a route, the first through the monitor and the rest to the kept series', () => {
    const { m, recorder } = setup()
    for (let i = 1; i <= 5; i++) serve(recorder, i / 100, 200, i * 100)
    expect(m.value(HTTP_METRICS.requests, OK)).toBe(5)
    expect(m.stats(HTTP_METRICS.duration, OK)).toMatchObject({ count: 5, min: 0.01, max: 0.05 })
    expect(m.stats(HTTP_METRICS.responseSize, BASE)).toMatchObject({ count: 5, sum: 1500 })
    // The exposition's histogram counts every request too (the buckets are written with the sketch).
    expect(m.prometheus()).toContain('http_server_request_duration_seconds_count{method="GET",route="/users/:id",status_class="2xx"} 5')
  })

  it('records again after its series expired and were removed', () => {
    const { m, clock, recorder } = setup({ seriesTtlMs: 60_000 })
    serve(recorder)
    serve(recorder)
    clock.advance(120_000)
    m.snapshot() // removes the idle series
    expect(m.metrics().find((x) => x.name === HTTP_METRICS.duration)?.series).toEqual([])
    serve(recorder, 0.5)
    serve(recorder, 0.5)
    expect(m.value(HTTP_METRICS.requests, OK)).toBe(2)
    expect(m.stats(HTTP_METRICS.duration, OK)).toMatchObject({ count: 2, min: 0.5 })
  })

  it('drops through the monitor what the monitor would drop: bad values and writes after close', async () => {
    const { m, recorder } = setup()
    const dropped: MonitorValueDroppedEvent[] = []
    m.bus.on('monitor:value-dropped', (e) => dropped.push(e))
    serve(recorder)
    serve(recorder, Number.NaN)
    serve(recorder, -1)
    expect(m.stats(HTTP_METRICS.duration, OK)?.count).toBe(1)
    expect(m.value(HTTP_METRICS.requests, OK)).toBe(3) // the count does not depend on the duration
    expect(dropped.map((e) => [e.metric, e.reason])).toEqual([
      [HTTP_METRICS.duration, 'invalid-value'],
      [HTTP_METRICS.duration, 'invalid-value'],
    ])
    await m.close()
    serve(recorder)
    expect(dropped.slice(2).map((e) => e.reason)).toEqual(['closed', 'closed', 'closed'])
  })

  it('keeps counting label sets folded into the overflow series through the monitor', () => {
    const { m, recorder } = setup({ maxSeriesPerMetric: 1 })
    serve(recorder)
    for (let i = 0; i < 3; i++) {
      recorder.start()
      recorder.finish('GET', `/other/${i}`, 200, 0.01, -1, 10)
    }
    serve(recorder)
    expect(m.value(HTTP_METRICS.requests, OK)).toBe(2)
    expect(m.value(HTTP_METRICS.requests, { overflow: 'true' })).toBe(3)
    expect(m.metrics().find((x) => x.name === HTTP_METRICS.requests)?.overflowed).toBe(3)
  })
})

describe('HttpRecorder on a monitor-like writer', () => {
  it('writes every request through its methods', () => {
    const writes: string[] = []
    const writer: MetricsWriter = {
      record: (name) => void writes.push(`record ${name}`),
      increment: (name) => void writes.push(`increment ${name}`),
      setGauge: () => undefined,
    }
    const recorder = new HttpRecorder(writer, UNMATCHED_ROUTE, KNOWN_METHODS, true, 1000)
    serve(recorder)
    serve(recorder)
    const perRequest = [`record ${HTTP_METRICS.duration}`, `increment ${HTTP_METRICS.requests}`, `record ${HTTP_METRICS.responseSize}`]
    expect(writes.filter((w) => !w.includes(HTTP_METRICS.active))).toEqual([...perRequest, ...perRequest])
  })
})
