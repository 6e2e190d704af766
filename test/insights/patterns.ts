// Recorded patterns, as deterministic frames of the monitor's standard gauges: each is the
// shape of a real incident (a ramp to saturation, a sawtooth heap that climbs, a stalled loop).
import type { Frame } from './rig'

/** Deterministic jitter in [-1, 1]. */
const jitter = (i: number, seed = 1) => Math.sin(i * 12.9898 * seed + seed * 78.233)

/** CPU climbs from ~30 % to saturation in 4 minutes and stays there; the loop is busy, latency follows. */
export function cpuSaturation(steps: number): Frame[] {
  return Array.from({ length: steps }, (_, i) => {
    const cpu = Math.min(97, 30 + i * 9) + jitter(i) * 1.5
    return {
      process_cpu_usage_percent: cpu,
      system_cpu_usage_percent: cpu * 0.8,
      nodejs_eventloop_utilization_ratio: Math.min(0.97, cpu / 100),
      nodejs_eventloop_delay_p99_seconds: 0.03,
      system_load_average_1m: 1 + cpu / 25,
      system_memory_usage_percent: 45,
    }
  })
}

/** A heap leak: GC sawtooth whose troughs climb steadily, `from` → `to` bytes over the frames. */
export function heapLeak(steps: number, from: number, to: number): Frame[] {
  return Array.from({ length: steps }, (_, i) => {
    const trend = from + ((to - from) * i) / (steps - 1)
    const sawtooth = ((i % 4) / 3) * 0.03 * from // grows between collections, drops after
    return { nodejs_heap_used_bytes: trend + sawtooth, nodejs_heap_total_bytes: trend * 1.3, process_cpu_usage_percent: 25 + jitter(i) * 3, system_memory_usage_percent: 40 }
  })
}

/** The event loop stalls: p99 delay near a second, the loop always busy, CPU moderate. */
export function eventLoopBlocking(steps: number): Frame[] {
  return Array.from({ length: steps }, (_, i) => ({
    nodejs_eventloop_delay_p50_seconds: 0.04,
    nodejs_eventloop_delay_p99_seconds: 0.8 + jitter(i) * 0.1,
    nodejs_eventloop_delay_max_seconds: 1.6 + jitter(i, 3) * 0.2,
    nodejs_eventloop_utilization_ratio: 0.99,
    process_cpu_usage_percent: 55 + jitter(i, 2) * 5,
    system_memory_usage_percent: 40,
  }))
}

/** Calm: everything well inside its levels. */
export function calm(steps: number): Frame[] {
  return Array.from({ length: steps }, (_, i) => ({
    process_cpu_usage_percent: 20 + jitter(i) * 3,
    system_cpu_usage_percent: 15,
    nodejs_eventloop_utilization_ratio: 0.2,
    nodejs_eventloop_delay_p99_seconds: 0.012,
    system_memory_usage_percent: 40,
  }))
}
