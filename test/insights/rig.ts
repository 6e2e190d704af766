// Scenario rig: the real PerformanceMonitor on a hand-moved clock, an InsightEngine on top,
// and a player that writes one frame of a recorded pattern per history snapshot.
import { InsightEngine, PerformanceMonitor } from 'perfkit'
import type { InsightEngineOptions } from 'perfkit'
import { ManualClock } from '../helpers/clock'

export const MiB = 1024 ** 2
export const GiB = 1024 ** 3

/** One frame of a pattern: gauge name → value. */
export type Frame = Readonly<Record<string, number>>

export function rig(options: Partial<InsightEngineOptions> = {}) {
  const clock = new ManualClock()
  const monitor = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0 })
  const engine = new InsightEngine({ monitor, intervalMs: 0, heapLimitBytes: 2 * GiB, ...options })
  /** Moves the clock by `stepMs`, lets `write` record, then takes a history snapshot. */
  const step = (stepMs: number, write: () => void = () => undefined) => {
    clock.advance(stepMs)
    write()
    monitor.snapshot()
  }
  /** Plays gauge frames, one per `stepMs`, with an optional callback after each snapshot. */
  const play = async (frames: readonly Frame[], stepMs = 30_000, after?: (i: number) => unknown) => {
    for (let i = 0; i < frames.length; i++) {
      step(stepMs, () => {
        for (const [name, value] of Object.entries(frames[i] as Frame)) monitor.setGauge(name, value)
      })
      await after?.(i)
    }
  }
  return { clock, monitor, engine, step, play }
}
