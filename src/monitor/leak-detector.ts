// Leak detection from heap samples. The heap saw-tooths with garbage collection, so its raw
// level says little; what survives collection does. The detector cuts its window into
// segments, keeps the lowest heap of each (the trough: what was left after a GC), and
// suspects a leak when those troughs rise steadily: enough growth in bytes and in %, most
// consecutive troughs higher than the one before, and a good linear fit.
import type { HeapTrough, MonitorLeakSuspectedEvent } from '../bus/events/monitor'
import { inRange, nonNegativeFinite, positiveFinite, positiveInt } from '../internal/validate'

/**
 * Options of the leak detector (`leakDetection` of the monitor).
 * @example
 * ```ts
 * const monitor = new PerformanceMonitor({ processMetrics: true, leakDetection: { windowMs: 3_600_000, minGrowthPercent: 20 } })
 * ```
 */
export interface LeakDetectionOptions {
  /** Time the evidence must span, ms. @defaultValue 1 800 000 (30 min) */
  windowMs?: number
  /** Segments the window is cut into, each giving one trough. @defaultValue 6 */
  segments?: number
  /** Least growth from the first to the last trough, %. @defaultValue 10 */
  minGrowthPercent?: number
  /** Least growth from the first to the last trough, bytes. @defaultValue 10 MiB */
  minGrowthBytes?: number
  /** Least share of consecutive troughs that rise, 0..1. @defaultValue 0.8 */
  minRisingShare?: number
  /** Least r² of the least-squares line through the troughs, 0..1. @defaultValue 0.7 */
  minR2?: number
  /** Quiet time after a report before the next one, ms. @defaultValue `windowMs` */
  cooldownMs?: number
}

const MAX_SAMPLES = 10_000

export class LeakDetector {
  readonly windowMs: number
  readonly segments: number
  readonly #minGrowthPercent: number
  readonly #minGrowthBytes: number
  readonly #minRisingShare: number
  readonly #minR2: number
  readonly #cooldownMs: number
  #t: number[] = []
  #v: number[] = []
  #reportedAt = -Infinity

  constructor(options: LeakDetectionOptions = {}) {
    const {
      windowMs = 1_800_000,
      segments = 6,
      minGrowthPercent = 10,
      minGrowthBytes = 10 * 1024 * 1024,
      minRisingShare = 0.8,
      minR2 = 0.7,
      cooldownMs = windowMs,
    } = options
    this.windowMs = positiveFinite('leakDetection.windowMs', windowMs)
    this.segments = inRange('leakDetection.segments', positiveInt('leakDetection.segments', segments), 3, 100)
    this.#minGrowthPercent = nonNegativeFinite('leakDetection.minGrowthPercent', minGrowthPercent)
    this.#minGrowthBytes = nonNegativeFinite('leakDetection.minGrowthBytes', minGrowthBytes)
    this.#minRisingShare = inRange('leakDetection.minRisingShare', minRisingShare, 0, 1)
    this.#minR2 = inRange('leakDetection.minR2', minR2, 0, 1)
    this.#cooldownMs = nonNegativeFinite('leakDetection.cooldownMs', cooldownMs)
  }

  /** Adds a heap sample; returns the evidence when a leak is suspected now. */
  observe(t: number, heapUsed: number, metric = 'nodejs_heap_used_bytes'): MonitorLeakSuspectedEvent | undefined {
    if (!Number.isFinite(t) || !Number.isFinite(heapUsed)) return undefined
    this.#t.push(t)
    this.#v.push(heapUsed)
    // Keep one window of samples (plus the one just before it, to know the window is full).
    let drop = 0
    while (drop < this.#t.length - 2 && (this.#t[drop + 1] as number) <= t - this.windowMs) drop++
    if (this.#t.length - drop > MAX_SAMPLES) drop = this.#t.length - MAX_SAMPLES
    if (drop > 0) {
      this.#t.splice(0, drop)
      this.#v.splice(0, drop)
    }
    if ((this.#t[0] as number) > t - this.windowMs || t - this.#reportedAt < this.#cooldownMs) return undefined
    const evidence = this.#evaluate(t, metric)
    if (evidence !== undefined) this.#reportedAt = t
    return evidence
  }

  #evaluate(now: number, metric: string): MonitorLeakSuspectedEvent | undefined {
    const start = now - this.windowMs
    const width = this.windowMs / this.segments
    const troughs: HeapTrough[] = []
    for (let s = 0; s < this.segments; s++) {
      const from = start + s * width
      const to = s === this.segments - 1 ? now + 1 : from + width
      let best: HeapTrough | undefined
      for (let i = 0; i < this.#t.length; i++) {
        const t = this.#t[i] as number
        if (t < from || t >= to) continue
        const value = this.#v[i] as number
        if (best === undefined || value < best.value) best = { t, value }
      }
      if (best === undefined) return undefined // a segment without samples: not enough evidence
      troughs.push(best)
    }
    const first = (troughs[0] as HeapTrough).value
    const last = (troughs[troughs.length - 1] as HeapTrough).value
    const growthBytes = last - first
    const growthPercent = first > 0 ? (growthBytes / first) * 100 : Infinity
    let rising = 0
    for (let i = 1; i < troughs.length; i++) if ((troughs[i] as HeapTrough).value > (troughs[i - 1] as HeapTrough).value) rising++
    const risingShare = rising / (troughs.length - 1)
    const { slope, r2 } = fit(troughs)
    const slopeBytesPerSecond = slope * 1000
    const suspected =
      growthBytes >= this.#minGrowthBytes && growthPercent >= this.#minGrowthPercent && risingShare >= this.#minRisingShare && r2 >= this.#minR2 && slope > 0
    if (!suspected) return undefined
    const samples = this.#t.filter((t) => t >= start).length
    return { metric, at: now, windowMs: this.windowMs, troughs, growthBytes, growthPercent, slopeBytesPerSecond, r2, risingShare, samples }
  }
}

/** Least-squares line through the troughs (value per ms) and its r². */
function fit(points: readonly HeapTrough[]): { slope: number; r2: number } {
  const n = points.length
  let mt = 0
  let mv = 0
  for (const p of points) {
    mt += p.t / n
    mv += p.value / n
  }
  let stt = 0
  let stv = 0
  let svv = 0
  for (const p of points) {
    stt += (p.t - mt) ** 2
    stv += (p.t - mt) * (p.value - mv)
    svv += (p.value - mv) ** 2
  }
  if (stt === 0) return { slope: 0, r2: 0 }
  const slope = stv / stt
  const r2 = svv === 0 ? 0 : (stv * stv) / (stt * svv)
  return { slope, r2 }
}
