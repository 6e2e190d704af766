// The process and system sampler: it runs as the monitor's built-in `process` source
// (priority critical) and returns one gauge per reading. Rates and utilizations are deltas
// since the previous sample; over less than a second (the first sample, taken when the
// sampler starts) they would be noise, so that sample carries levels only.
import { positiveFinite, positiveInt } from '../internal/validate'
import { type IoCounters, NodeSystemProbe, type SystemProbe, parseDiskstats, parseNetDev } from './system-probe'

/**
 * Options of the process sampler (`processMetrics` of the monitor).
 * @example
 * ```ts
 * const monitor = new PerformanceMonitor({ processMetrics: { intervalMs: 10_000 } })
 * ```
 */
export interface ProcessMetricsOptions {
  /** Time between samples, ms. @defaultValue 30 000 */
  intervalMs?: number
  /** Sampling resolution of the event-loop delay histogram, ms; subtracted from its readings. @defaultValue 10 */
  eventLoopResolutionMs?: number
  /** @internal Scripted readings for tests. */
  probe?: SystemProbe
}

/**
 * Names of the gauges the process sampler sets.
 * @example
 * ```ts
 * const metric: ProcessMetricName = 'nodejs_heap_used_bytes'
 * console.log(monitor.value(metric))
 * ```
 */
export type ProcessMetricName =
  | 'process_cpu_usage_percent'
  | 'system_cpu_usage_percent'
  | 'process_resident_memory_bytes'
  | 'nodejs_heap_used_bytes'
  | 'nodejs_heap_total_bytes'
  | 'system_memory_usage_percent'
  | 'system_load_average_1m'
  | 'nodejs_eventloop_delay_p50_seconds'
  | 'nodejs_eventloop_delay_p99_seconds'
  | 'nodejs_eventloop_delay_max_seconds'
  | 'nodejs_eventloop_utilization_ratio'
  | 'nodejs_active_handles'
  | 'system_disk_read_bytes_per_second'
  | 'system_disk_write_bytes_per_second'
  | 'system_network_receive_bytes_per_second'
  | 'system_network_transmit_bytes_per_second'

/** Help text of every gauge the sampler sets. */
export const PROCESS_METRICS: Readonly<Record<ProcessMetricName, string>> = {
  process_cpu_usage_percent: 'CPU time used by this process, % of all cores, over the last sample interval.',
  system_cpu_usage_percent: 'CPU time used by the whole machine, %, over the last sample interval.',
  process_resident_memory_bytes: 'Resident set size of this process, bytes.',
  nodejs_heap_used_bytes: 'V8 heap in use, bytes.',
  nodejs_heap_total_bytes: 'V8 heap reserved, bytes.',
  system_memory_usage_percent: 'Memory in use on the machine, %.',
  system_load_average_1m: 'Load average over 1 minute (0 on Windows).',
  nodejs_eventloop_delay_p50_seconds: 'Median event-loop delay over the last sample interval, seconds (sampling resolution subtracted).',
  nodejs_eventloop_delay_p99_seconds: '99th percentile event-loop delay over the last sample interval, seconds (sampling resolution subtracted).',
  nodejs_eventloop_delay_max_seconds: 'Largest event-loop delay over the last sample interval, seconds (sampling resolution subtracted).',
  nodejs_eventloop_utilization_ratio: 'Share of the last sample interval the event loop was busy, 0..1.',
  nodejs_active_handles: 'Active libuv handles and requests keeping the loop alive.',
  system_disk_read_bytes_per_second: 'Bytes read from whole disks per second (Linux, /proc/diskstats).',
  system_disk_write_bytes_per_second: 'Bytes written to whole disks per second (Linux, /proc/diskstats).',
  system_network_receive_bytes_per_second: 'Bytes received per second on all interfaces but loopback (Linux, /proc/net/dev).',
  system_network_transmit_bytes_per_second: 'Bytes sent per second on all interfaces but loopback (Linux, /proc/net/dev).',
}

interface Baseline {
  wall: number
  cpu: number
  sysIdle: number
  sysTotal: number
  io: IoCounters | undefined
}

const clampPercent = (p: number): number => (p < 0 ? 0 : p > 100 ? 100 : p)
/** Shortest interval a rate or a utilization is reported over, ms. */
const MIN_RATE_INTERVAL_MS = 1000

export class ProcessSampler {
  readonly intervalMs: number
  readonly #resolutionMs: number
  readonly #probe: SystemProbe
  #last: Baseline | undefined
  /** Cleared after the first failed /proc read: such a system will not grow one. */
  #procReadable: boolean

  constructor(options: ProcessMetricsOptions = {}) {
    const { intervalMs = 30_000, eventLoopResolutionMs = 10, probe = new NodeSystemProbe() } = options
    this.intervalMs = positiveFinite('processMetrics.intervalMs', intervalMs)
    this.#resolutionMs = positiveInt('processMetrics.eventLoopResolutionMs', eventLoopResolutionMs)
    this.#probe = probe
    this.#procReadable = probe.platform === 'linux'
  }

  start(): void {
    this.#probe.start(this.#resolutionMs)
    // The baseline for the first deltas; I/O counters are read on the first sample.
    const sys = this.#probe.systemCpu()
    this.#last = { wall: this.#probe.elapsedMs(), cpu: this.#probe.cpuTimeMicros(), sysIdle: sys.idle, sysTotal: sys.total, io: undefined }
  }

  stop(): void {
    this.#probe.stop()
  }

  /** Takes a sample: gauge name → value. */
  async sample(): Promise<Partial<Record<ProcessMetricName, number>>> {
    const p = this.#probe
    const values: Partial<Record<ProcessMetricName, number>> = {}
    const wall = p.elapsedMs()
    const cpu = p.cpuTimeMicros()
    const sys = p.systemCpu()
    const last = this.#last
    const dtMs = last === undefined ? 0 : wall - last.wall
    const rates = last !== undefined && dtMs >= MIN_RATE_INTERVAL_MS
    if (rates) {
      values.process_cpu_usage_percent = clampPercent(((cpu - last.cpu) / 1000 / (dtMs * Math.max(1, p.cores()))) * 100)
      const total = sys.total - last.sysTotal
      if (total > 0) values.system_cpu_usage_percent = clampPercent((1 - (sys.idle - last.sysIdle) / total) * 100)
    }
    const mem = p.memory()
    values.process_resident_memory_bytes = mem.rss
    values.nodejs_heap_used_bytes = mem.heapUsed
    values.nodejs_heap_total_bytes = mem.heapTotal
    const sm = p.systemMemory()
    if (sm.total > 0) values.system_memory_usage_percent = clampPercent(((sm.total - sm.free) / sm.total) * 100)
    values.system_load_average_1m = p.loadAverage1m()
    const delay = p.eventLoopDelay()
    if (delay !== undefined && delay.count > 0) {
      // The histogram's timer fires every `resolution` ms, which it counts as delay: take it off.
      const resolutionNs = this.#resolutionMs * 1e6
      const seconds = (ns: number): number => Math.max(0, ns - resolutionNs) / 1e9
      values.nodejs_eventloop_delay_p50_seconds = seconds(delay.p50)
      values.nodejs_eventloop_delay_p99_seconds = seconds(delay.p99)
      values.nodejs_eventloop_delay_max_seconds = seconds(delay.max)
    }
    const utilization = p.eventLoopUtilization() // read every time: it measures since the last read
    if (rates) values.nodejs_eventloop_utilization_ratio = utilization
    values.nodejs_active_handles = p.activeHandles()
    const io = await this.#readIo()
    if (io !== undefined && last?.io !== undefined && rates) {
      const perSecond = (now: number, before: number): number => Math.max(0, now - before) / (dtMs / 1000)
      values.system_disk_read_bytes_per_second = perSecond(io.diskRead, last.io.diskRead)
      values.system_disk_write_bytes_per_second = perSecond(io.diskWritten, last.io.diskWritten)
      values.system_network_receive_bytes_per_second = perSecond(io.networkReceived, last.io.networkReceived)
      values.system_network_transmit_bytes_per_second = perSecond(io.networkTransmitted, last.io.networkTransmitted)
    }
    this.#last = { wall, cpu, sysIdle: sys.idle, sysTotal: sys.total, io }
    return values
  }

  async #readIo(): Promise<IoCounters | undefined> {
    if (!this.#procReadable) return undefined
    try {
      const [disk, net] = await Promise.all([this.#probe.readText('/proc/diskstats'), this.#probe.readText('/proc/net/dev')])
      const d = parseDiskstats(disk)
      const n = parseNetDev(net)
      return { diskRead: d.read, diskWritten: d.written, networkReceived: n.received, networkTransmitted: n.transmitted }
    } catch {
      this.#procReadable = false // no /proc here (a sandbox, a minimal container): skip I/O from now on
      return undefined
    }
  }
}
