// Raw readings of the process and the machine, behind an interface so the sampler can be
// tested with scripted readings. Linux disk and network counters come from /proc.
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks'

/** Event-loop delay percentiles since the last reading, ns, before subtracting the resolution. */
export interface EventLoopDelayReading {
  p50: number
  p99: number
  max: number
  count: number
}

/** Cumulative I/O counters, bytes. */
export interface IoCounters {
  diskRead: number
  diskWritten: number
  networkReceived: number
  networkTransmitted: number
}

/** Everything the process sampler reads. */
export interface SystemProbe {
  readonly platform: NodeJS.Platform
  /** Starts what needs starting (the event-loop delay histogram). */
  start(resolutionMs: number): void
  stop(): void
  /** Real elapsed time, ms (CPU percentages are relative to real time, not the monitor clock). */
  elapsedMs(): number
  /** Process CPU time, µs. */
  cpuTimeMicros(): number
  cores(): number
  /** Summed over all cores, ms. */
  systemCpu(): { idle: number; total: number }
  memory(): { rss: number; heapUsed: number; heapTotal: number }
  systemMemory(): { total: number; free: number }
  loadAverage1m(): number
  /** Delay since the last call, then resets; undefined when unavailable. */
  eventLoopDelay(): EventLoopDelayReading | undefined
  /** Utilization (0..1) since the last call. */
  eventLoopUtilization(): number
  activeHandles(): number
  /** Reads a file (Linux /proc). */
  readText(path: string): Promise<string>
}

/** Sums whole-disk sectors from /proc/diskstats (partitions, loop and ram devices skipped), bytes. */
export function parseDiskstats(text: string): { read: number; written: number } {
  let read = 0
  let written = 0
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    const name = f[2]
    if (f.length < 10 || name === undefined || !/^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/.test(name)) continue
    read += Number(f[5]) * 512 // sectors are 512 bytes in diskstats whatever the device
    written += Number(f[9]) * 512
  }
  return { read, written }
}

/** Sums received and transmitted bytes of every interface but loopback from /proc/net/dev. */
export function parseNetDev(text: string): { received: number; transmitted: number } {
  let received = 0
  let transmitted = 0
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const name = line.slice(0, colon).trim()
    if (name === 'lo') continue
    const f = line.slice(colon + 1).trim().split(/\s+/)
    if (f.length < 16) continue
    received += Number(f[0])
    transmitted += Number(f[8])
  }
  return { received, transmitted }
}

/** The real probe on Node's APIs. */
export class NodeSystemProbe implements SystemProbe {
  readonly platform = process.platform
  #delay: IntervalHistogram | undefined
  #elu = performance.eventLoopUtilization()

  start(resolutionMs: number): void {
    this.#delay = monitorEventLoopDelay({ resolution: resolutionMs })
    this.#delay.enable()
    this.#elu = performance.eventLoopUtilization()
  }

  stop(): void {
    this.#delay?.disable()
    this.#delay = undefined
  }

  elapsedMs(): number {
    return performance.now()
  }

  cpuTimeMicros(): number {
    const { user, system } = process.cpuUsage()
    return user + system
  }

  cores(): number {
    return os.availableParallelism()
  }

  systemCpu(): { idle: number; total: number } {
    let idle = 0
    let total = 0
    for (const cpu of os.cpus()) {
      const t = cpu.times
      idle += t.idle
      total += t.user + t.nice + t.sys + t.idle + t.irq
    }
    return { idle, total }
  }

  memory(): { rss: number; heapUsed: number; heapTotal: number } {
    const { rss, heapUsed, heapTotal } = process.memoryUsage()
    return { rss, heapUsed, heapTotal }
  }

  systemMemory(): { total: number; free: number } {
    return { total: os.totalmem(), free: os.freemem() }
  }

  loadAverage1m(): number {
    return os.loadavg()[0] ?? 0
  }

  eventLoopDelay(): EventLoopDelayReading | undefined {
    const h = this.#delay
    if (h === undefined) return undefined
    const reading = { p50: h.percentile(50), p99: h.percentile(99), max: h.max, count: h.count }
    h.reset()
    return reading
  }

  eventLoopUtilization(): number {
    const now = performance.eventLoopUtilization()
    const delta = performance.eventLoopUtilization(now, this.#elu)
    this.#elu = now
    return delta.utilization
  }

  activeHandles(): number {
    return process.getActiveResourcesInfo().length
  }

  readText(path: string): Promise<string> {
    return readFile(path, 'utf8')
  }
}
