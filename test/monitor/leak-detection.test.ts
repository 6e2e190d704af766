import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MonitorLeakSuspectedEvent } from '../../src/bus/events/monitor'
import { PerformanceMonitor } from '../../src/monitor/index'
import { LeakDetector } from '../../src/monitor/leak-detector'
import { ManualClock } from '../helpers/clock'
import { FakeProbe } from './helpers/fake-probe'

const MB = 1024 * 1024

/** A GC saw-tooth: climbs 30 MB in 5 samples, then collects back to a trough that rises by `leakPerMinute`. */
function heapAt(sample: number, leakPerMinute: number): number {
  const minutes = sample / 2 // one sample every 30 s
  return 40 * MB + leakPerMinute * minutes + (sample % 6) * 6 * MB
}

function feed(detector: LeakDetector, samples: number, leakPerMinute: number, start = 0): MonitorLeakSuspectedEvent[] {
  const found: MonitorLeakSuspectedEvent[] = []
  for (let i = start; i < start + samples; i++) {
    const evidence = detector.observe(i * 30_000, heapAt(i, leakPerMinute))
    if (evidence !== undefined) found.push(evidence)
  }
  return found
}

describe('leak detection', () => {
  it('reports heap troughs rising steadily over the window, with the evidence', () => {
    const detector = new LeakDetector()
    const found = feed(detector, 80, 1 * MB) // +1 MB a minute under the saw-tooth
    expect(found.length).toBeGreaterThanOrEqual(1)
    const first = found[0] as MonitorLeakSuspectedEvent
    expect(first.metric).toBe('nodejs_heap_used_bytes')
    expect(first.windowMs).toBe(1_800_000)
    expect(first.troughs).toHaveLength(6)
    expect(first.troughs.every((t, i) => i === 0 || t.value > (first.troughs[i - 1] as { value: number }).value)).toBe(true)
    expect(first.growthBytes).toBeGreaterThan(20 * MB)
    expect(first.growthPercent).toBeGreaterThan(10)
    expect(first.slopeBytesPerSecond).toBeCloseTo(MB / 60, -3)
    expect(first.r2).toBeGreaterThan(0.9)
    expect(first.risingShare).toBe(1)
    expect(first.samples).toBeGreaterThanOrEqual(60)
    // Not before the window is covered: 30 min at one sample per 30 s.
    expect(first.at).toBeGreaterThanOrEqual(1_800_000)
  })

  it('stays quiet for a saw-tooth that returns to the same trough, however high its peaks', () => {
    expect(feed(new LeakDetector(), 200, 0)).toEqual([])
  })

  it('stays quiet for growth below the thresholds', () => {
    expect(feed(new LeakDetector(), 120, 0.05 * MB)).toEqual([]) // +1.5 MB over 30 min: under 10 MB and 10 %
  })

  it('waits for the cooldown before reporting again', () => {
    const detector = new LeakDetector({ cooldownMs: 600_000 })
    const found = feed(detector, 120, 2 * MB)
    expect(found.length).toBeGreaterThanOrEqual(2)
    for (let i = 1; i < found.length; i++) expect((found[i] as MonitorLeakSuspectedEvent).at - (found[i - 1] as MonitorLeakSuspectedEvent).at).toBeGreaterThanOrEqual(600_000)
  })

  it('needs samples in every segment', () => {
    const detector = new LeakDetector({ windowMs: 600_000, segments: 6, minGrowthBytes: 0 })
    expect(detector.observe(0, 10 * MB)).toBeUndefined()
    expect(detector.observe(700_000, 50 * MB)).toBeUndefined() // two samples, most segments empty
  })

  it('validates its options', () => {
    expect(() => new LeakDetector({ segments: 2 })).toThrow(expect.objectContaining({ option: 'leakDetection.segments' }))
    expect(() => new LeakDetector({ minR2: 2 })).toThrow(expect.objectContaining({ option: 'leakDetection.minR2' }))
  })

  describe('in the monitor', () => {
    afterEach(() => vi.useRealTimers())

    it('watches the sampler’s heap readings and emits monitor:leak-suspected', async () => {
      vi.useFakeTimers()
      const probe = new FakeProbe()
      const clock = new ManualClock()
      const m = new PerformanceMonitor({
        now: clock.now,
        historyIntervalMs: 0,
        processMetrics: { probe, intervalMs: 30_000 },
        leakDetection: { minGrowthBytes: 5 * MB, cooldownMs: 0 },
      })
      const leaks: MonitorLeakSuspectedEvent[] = []
      m.bus.on('monitor:leak-suspected', (e) => leaks.push(e))
      for (let i = 0; i < 70; i++) {
        probe.mem = { ...probe.mem, heapUsed: heapAt(i, 2 * MB) }
        await vi.advanceTimersByTimeAsync(i === 0 ? 0 : 30_000)
        clock.advance(30_000)
      }
      expect(leaks.length).toBeGreaterThanOrEqual(1)
      expect(leaks[0]?.windowMs).toBe(1_800_000)
      expect(leaks[0]?.at).toBe(1000 + 60 * 30_000) // the first sample with a full window behind it
      await m.close()
    })

    it('can be turned off', async () => {
      vi.useFakeTimers()
      const probe = new FakeProbe()
      const clock = new ManualClock()
      const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0, processMetrics: { probe }, leakDetection: false })
      const leaks: unknown[] = []
      m.bus.on('monitor:leak-suspected', (e) => leaks.push(e))
      for (let i = 0; i < 80; i++) {
        probe.mem = { ...probe.mem, heapUsed: heapAt(i, 3 * MB) }
        await vi.advanceTimersByTimeAsync(i === 0 ? 0 : 30_000)
        clock.advance(30_000)
      }
      expect(leaks).toEqual([])
      await m.close()
    })
  })
})
