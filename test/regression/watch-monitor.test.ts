// watch() against the real PerformanceMonitor: its history ring, its clock, its bus.
import { PerformanceMonitor, RegressionDetector, type RegressionDetectedEvent, type RegressionRecoveredEvent } from 'perfkit'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { normalDraw, seededRandom } from '../../src/regression/random'

describe('watch on a PerformanceMonitor', () => {
  let clock: number
  let monitor: PerformanceMonitor
  let detector: RegressionDetector
  const random = seededRandom(7)

  beforeEach(() => {
    vi.useFakeTimers()
    clock = 0
    monitor = new PerformanceMonitor({ now: () => clock, historyIntervalMs: 0 })
    detector = new RegressionDetector({ bus: monitor.bus })
  })
  afterEach(async () => {
    await detector.close()
    await monitor.close()
    vi.useRealTimers()
  })

  /** 20 requests per 10 s per route, then a history snapshot, for `ms` of monitor time. */
  function traffic(ms: number, slowdown: Record<string, number>): void {
    for (let elapsed = 0; elapsed < ms; elapsed += 10_000) {
      for (const route of ['/users', '/orders']) {
        for (let i = 0; i < 20; i++) {
          const seconds = 0.05 * (slowdown[route] ?? 1) * Math.exp(0.2 * normalDraw(random))
          monitor.record('http_server_request_duration_seconds', seconds, { route, method: 'GET' })
        }
      }
      clock += 10_000
      monitor.snapshot()
      vi.advanceTimersByTime(10_000)
    }
  }

  it('detects a slowdown of one route from its p95 history, once, and its recovery', () => {
    const detected: RegressionDetectedEvent[] = []
    const recovered: RegressionRecoveredEvent[] = []
    monitor.bus.on('regression:detected', (e) => detected.push(e))
    monitor.bus.on('regression:recovered', (e) => recovered.push(e))
    const watchOptions = { stat: 'p95', baselineWindow: 600_000, currentWindow: 120_000, intervalMs: 30_000 }
    detector.watch(monitor, 'http_server_request_duration_seconds', { ...watchOptions, labels: { route: '/users' } })
    detector.watch(monitor, 'http_server_request_duration_seconds', { ...watchOptions, labels: { route: '/orders' } })

    traffic(900_000, {})
    expect(detected).toEqual([])
    traffic(600_000, { '/users': 1.6 })
    expect(detected).toHaveLength(1)
    expect(detected[0]).toMatchObject({ metric: 'http_server_request_duration_seconds', labels: { route: '/users' }, direction: 'increase' })
    expect(detected[0]!.baselineMean).toBeGreaterThan(0.05) // a p95, in seconds
    expect(detected[0]!.baselineMean).toBeLessThan(0.1)
    expect(detected[0]!.at).toBeGreaterThan(900_000)
    expect(detected[0]!.at).toBeLessThanOrEqual(900_000 + 120_000) // within one current window
    traffic(600_000, {})
    expect(recovered).toHaveLength(1)
    expect(recovered[0]!.labels).toEqual({ route: '/users' })
    expect(recovered[0]!.durationMs).toBeGreaterThanOrEqual(540_000)
    expect(detected).toHaveLength(1)
  })

  it('reads the history the monitor keeps, with its stat', () => {
    traffic(300_000, {})
    const points = monitor.history('http_server_request_duration_seconds', { stat: 'p95', from: 0, to: clock })
    expect(points).toHaveLength(30)
    const history = vi.spyOn(monitor, 'history')
    detector.watch(monitor, 'http_server_request_duration_seconds', { stat: 'p95', intervalMs: 60_000 })
    vi.advanceTimersByTime(60_000)
    expect(history).toHaveBeenCalledWith('http_server_request_duration_seconds', { stat: 'p95', from: clock - 2_100_000, to: clock })
  })
})
