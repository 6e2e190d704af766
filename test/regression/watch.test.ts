import { ClosedError, PerfBus, PerfkitConfigError, RegressionDetector, type RegressionDetectedEvent, type RegressionRecoveredEvent, type TimePoint } from 'perfkit'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { normalDraw, seededRandom } from '../../src/regression/random'

/** A monitor stand-in with the read API watch() uses: a history ring and a clock. */
class FakeMonitor {
  clock = 0
  points: TimePoint[] = []
  queries: unknown[] = []
  failWith: unknown = undefined
  now(): number {
    return this.clock
  }
  history(_name: string, query: { from?: number; to?: number } = {}): TimePoint[] {
    this.queries.push(query)
    if (this.failWith !== undefined) throw this.failWith
    return this.points.filter((p) => p.t >= (query.from ?? -Infinity) && p.t <= (query.to ?? Infinity))
  }
}

const random = seededRandom(42)
const STEP = 10_000

/** Advances monitor clock and fake timers together, one 10 s history point at a time. */
function run(monitor: FakeMonitor, ms: number, level: number): void {
  for (let elapsed = 0; elapsed < ms; elapsed += STEP) {
    monitor.clock += STEP
    monitor.points.push({ t: monitor.clock, value: level * Math.exp(0.05 * normalDraw(random)) })
    vi.advanceTimersByTime(STEP)
  }
}

describe('watch with a monitor stand-in', () => {
  let monitor: FakeMonitor
  let detector: RegressionDetector
  let detected: RegressionDetectedEvent[]
  let recovered: RegressionRecoveredEvent[]

  beforeEach(() => {
    vi.useFakeTimers()
    monitor = new FakeMonitor()
    detector = new RegressionDetector()
    detected = []
    recovered = []
    detector.bus.on('regression:detected', (e) => detected.push(e))
    detector.bus.on('regression:recovered', (e) => recovered.push(e))
  })
  afterEach(async () => {
    await detector.close()
    vi.useRealTimers()
  })

  const options = { baselineWindow: 600_000, currentWindow: 120_000, intervalMs: 60_000 }

  it('emits regression:detected once per episode, then regression:recovered', () => {
    detector.watch(monitor, 'latency', { ...options, labels: { route: '/users' } })
    run(monitor, 900_000, 100)
    expect(detected).toEqual([])
    run(monitor, 180_000, 140)
    expect(detected).toHaveLength(1)
    const event = detected[0]!
    expect(event).toMatchObject({ metric: 'latency', labels: { route: '/users' }, direction: 'increase', kind: 'sudden-step' })
    // Detected early: the current window still mixes old and new points.
    expect(event.changePercent).toBeGreaterThan(10)
    expect(event.baselineMean).toBeCloseTo(100, -1)
    expect(event.currentMean).toBeGreaterThan(120)
    expect(event.pValue).toBeLessThan(0.01)
    expect(event.effectSize).toBeGreaterThan(1)
    expect(event.confidence).toBeGreaterThan(0.9)
    expect(event.at).toBeLessThanOrEqual(monitor.clock)
    expect(event.reason).toMatch(/rose from/)
    // The regression persists far past the baseline window: still one event (frozen baseline).
    run(monitor, 1_200_000, 140)
    expect(detected).toHaveLength(1)
    expect(recovered).toEqual([])
    run(monitor, 240_000, 100)
    expect(recovered).toHaveLength(1)
    expect(recovered[0]).toMatchObject({ metric: 'latency', labels: { route: '/users' } })
    expect(recovered[0]!.durationMs).toBe(recovered[0]!.at - event.at)
    expect(recovered[0]!.durationMs).toBeGreaterThan(1_200_000)
    // A second episode is a second event.
    run(monitor, 900_000, 100)
    run(monitor, 180_000, 150)
    expect(detected).toHaveLength(2)
  })

  it('passes labels and stat to history(), and reads one span covering both windows', () => {
    detector.watch(monitor, 'latency', { ...options, labels: { route: '/a' }, stat: 'p95' })
    monitor.clock = 1_000_000
    vi.advanceTimersByTime(60_000)
    expect(monitor.queries[0]).toEqual({ labels: { route: '/a' }, stat: 'p95', from: 1_000_000 - 720_000, to: 1_000_000 })
  })

  it('compares only when each window holds minSamples points', () => {
    // 10 s points in a 120 s window: never 13 of them.
    detector.watch(monitor, 'latency', { ...options, minSamples: 13 })
    run(monitor, 900_000, 100)
    run(monitor, 300_000, 300)
    expect(detected).toEqual([])
    detector.watch(monitor, 'latency', { ...options, minSamples: 12 })
    run(monitor, 120_000, 300)
    expect(detected).toHaveLength(1)
  })

  it('alarms on the configured direction only', () => {
    detector.watch(monitor, 'throughput', { ...options, worseWhen: 'decrease' })
    run(monitor, 900_000, 100)
    run(monitor, 180_000, 150)
    expect(detected).toEqual([])
    run(monitor, 900_000, 100)
    run(monitor, 180_000, 60)
    expect(detected).toHaveLength(1)
    expect(detected[0]!.direction).toBe('decrease')
  })

  it('stops with the returned function, and close() stops every watch', async () => {
    const stop = detector.watch(monitor, 'a', options)
    detector.watch(monitor, 'b', options)
    vi.advanceTimersByTime(60_000)
    expect(monitor.queries).toHaveLength(2)
    stop()
    vi.advanceTimersByTime(60_000)
    expect(monitor.queries).toHaveLength(3)
    await detector.close()
    await detector.close() // idempotent
    vi.advanceTimersByTime(600_000)
    expect(monitor.queries).toHaveLength(3)
    expect(() => detector.watch(monitor, 'c', options)).toThrow(ClosedError)
  })

  it('sends a failing history() to the bus error event and keeps watching', () => {
    const errors: Error[] = []
    detector.bus.on('error', (e) => errors.push(e))
    detector.watch(monitor, 'latency', options)
    monitor.failWith = new Error('ring broke')
    vi.advanceTimersByTime(60_000)
    monitor.failWith = 'not an error'
    vi.advanceTimersByTime(60_000)
    expect(errors.map((e) => e.message)).toEqual(['ring broke', 'not an error'])
    monitor.failWith = undefined
    vi.advanceTimersByTime(60_000)
    expect(monitor.queries).toHaveLength(3)
  })

  it('unrefs its timer', () => {
    const unref = vi.spyOn(globalThis, 'setInterval')
    detector.watch(monitor, 'latency', options)
    const timer = unref.mock.results.at(-1)!.value as NodeJS.Timeout
    expect(timer.hasRef()).toBe(false)
  })

  it('emits on a shared bus, and builds no payload without listeners', () => {
    const bus = new PerfBus()
    const quiet = new RegressionDetector({ bus })
    const emit = vi.spyOn(bus, 'emit')
    quiet.watch(monitor, 'latency', options)
    run(monitor, 900_000, 100)
    run(monitor, 180_000, 150)
    expect(emit).not.toHaveBeenCalled()
    expect(quiet.bus).toBe(bus)
    void quiet.close()
  })

  it('rejects bad arguments with PerfkitConfigError', () => {
    expect(() => detector.watch({} as never, 'x')).toThrow(PerfkitConfigError)
    expect(() => detector.watch(monitor, '')).toThrow(/`metric`/)
    expect(() => detector.watch(monitor, 'x', { intervalMs: 0 })).toThrow(/intervalMs/)
    expect(() => detector.watch(monitor, 'x', { baselineWindow: -1 })).toThrow(/baselineWindow/)
    expect(() => detector.watch(monitor, 'x', { alpha: 5 })).toThrow(/alpha/)
    expect(() => detector.watch(monitor, 'x', { stat: '' })).toThrow(/stat/)
  })

  it('uses the detector clock when the monitor has none', () => {
    let now = 5_000_000
    const clocked = new RegressionDetector({ now: () => now })
    const calls: unknown[] = []
    clocked.watch({ history: (_n, q) => (calls.push(q), []) }, 'x', options)
    vi.advanceTimersByTime(60_000)
    expect(calls[0]).toMatchObject({ to: 5_000_000 })
    now = 6_000_000
    vi.advanceTimersByTime(60_000)
    expect(calls[1]).toMatchObject({ to: 6_000_000 })
    void clocked.close()
  })
})
