// A scripted SystemProbe: the test sets each reading, the sampler reads them.
import type { EventLoopDelayReading, SystemProbe } from '../../../src/monitor/system-probe'

export class FakeProbe implements SystemProbe {
  platform: NodeJS.Platform = 'linux'
  started: number | undefined
  stopped = false
  wall = 0
  cpuMicros = 0
  coreCount = 2
  sysCpu = { idle: 0, total: 0 }
  mem = { rss: 100e6, heapUsed: 40e6, heapTotal: 60e6 }
  sysMem = { total: 8e9, free: 2e9 }
  load = 0.5
  delay: EventLoopDelayReading | undefined = { p50: 11e6, p99: 30e6, max: 60e6, count: 100 }
  utilization = 0.25
  handles = 4
  files = new Map<string, string>([
    ['/proc/diskstats', diskstats(0, 0)],
    ['/proc/net/dev', netdev(0, 0)],
  ])
  reads = 0

  start(resolutionMs: number): void {
    this.started = resolutionMs
  }
  stop(): void {
    this.stopped = true
  }
  elapsedMs(): number {
    return this.wall
  }
  cpuTimeMicros(): number {
    return this.cpuMicros
  }
  cores(): number {
    return this.coreCount
  }
  systemCpu(): { idle: number; total: number } {
    return this.sysCpu
  }
  memory(): { rss: number; heapUsed: number; heapTotal: number } {
    return this.mem
  }
  systemMemory(): { total: number; free: number } {
    return this.sysMem
  }
  loadAverage1m(): number {
    return this.load
  }
  eventLoopDelay(): EventLoopDelayReading | undefined {
    return this.delay
  }
  eventLoopUtilization(): number {
    return this.utilization
  }
  activeHandles(): number {
    return this.handles
  }
  readText(path: string): Promise<string> {
    this.reads++
    const text = this.files.get(path)
    return text === undefined ? Promise.reject(new Error(`ENOENT: ${path}`)) : Promise.resolve(text)
  }
}

/** /proc/diskstats with one whole disk (and a partition and a loop device that must be ignored). */
export function diskstats(sectorsRead: number, sectorsWritten: number): string {
  return [
    `   8       0 sda 100 0 ${sectorsRead} 50 200 0 ${sectorsWritten} 80 0 120 130 0 0 0 0`,
    `   8       1 sda1 100 0 999999 50 200 0 999999 80 0 120 130 0 0 0 0`,
    `   7       0 loop0 1 0 888888 0 0 0 0 0 0 0 0 0 0 0 0`,
  ].join('\n')
}

/** /proc/net/dev with loopback (ignored) and one interface. */
export function netdev(received: number, transmitted: number): string {
  return [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo: 5555555     100    0    0    0     0          0         0  5555555     100    0    0    0     0       0          0',
    `  eth0: ${received}     100    0    0    0     0          0         0  ${transmitted}     100    0    0    0     0       0          0`,
  ].join('\n')
}
