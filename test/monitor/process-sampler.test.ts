import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { MonitorSampleEvent } from '../../src/bus/events/monitor'
import { PerformanceMonitor } from '../../src/monitor/index'
import { ProcessSampler } from '../../src/monitor/process-sampler'
import { parseDiskstats, parseNetDev } from '../../src/monitor/system-probe'
import { ManualClock } from '../helpers/clock'
import { FakeProbe, diskstats, netdev } from './helpers/fake-probe'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('process sampler', () => {
  it('reports levels at once and rates from the second sample on', async () => {
    const probe = new FakeProbe()
    const sampler = new ProcessSampler({ probe, eventLoopResolutionMs: 10 })
    sampler.start()
    expect(probe.started).toBe(10)
    const first = await sampler.sample()
    expect(first).toMatchObject({
      process_resident_memory_bytes: 100e6,
      nodejs_heap_used_bytes: 40e6,
      nodejs_heap_total_bytes: 60e6,
      system_memory_usage_percent: 75,
      system_load_average_1m: 0.5,
      nodejs_active_handles: 4,
      // 11 ms median delay minus the 10 ms resolution, in seconds
      nodejs_eventloop_delay_p50_seconds: 0.001,
      nodejs_eventloop_delay_p99_seconds: 0.02,
      nodejs_eventloop_delay_max_seconds: 0.05,
    })
    expect(first.process_cpu_usage_percent).toBeUndefined()
    expect(first.nodejs_eventloop_utilization_ratio).toBeUndefined()
    expect(first.system_disk_read_bytes_per_second).toBeUndefined()

    probe.wall = 10_000 // 10 s later
    probe.cpuMicros = 5e6 // 5 s of CPU on 2 cores: 25 %
    probe.sysCpu = { idle: 15_000, total: 20_000 } // 75 % idle
    probe.files.set('/proc/diskstats', diskstats(2000, 4000)) // sectors of 512 bytes
    probe.files.set('/proc/net/dev', netdev(1_000_000, 500_000))
    const second = await sampler.sample()
    expect(second.process_cpu_usage_percent).toBeCloseTo(25, 9)
    expect(second.system_cpu_usage_percent).toBeCloseTo(25, 9)
    expect(second.nodejs_eventloop_utilization_ratio).toBe(0.25)
    expect(second.system_disk_read_bytes_per_second).toBeCloseTo((2000 * 512) / 10, 9)
    expect(second.system_disk_write_bytes_per_second).toBeCloseTo((4000 * 512) / 10, 9)
    expect(second.system_network_receive_bytes_per_second).toBeCloseTo(100_000, 9)
    expect(second.system_network_transmit_bytes_per_second).toBeCloseTo(50_000, 9)
    sampler.stop()
    expect(probe.stopped).toBe(true)
  })

  it('never reports a negative delay, and skips the delay when the histogram saw nothing', async () => {
    const probe = new FakeProbe()
    const sampler = new ProcessSampler({ probe })
    sampler.start()
    probe.delay = { p50: 9e6, p99: 9.5e6, max: 10e6, count: 10 } // below the 10 ms resolution
    expect((await sampler.sample()).nodejs_eventloop_delay_p50_seconds).toBe(0)
    probe.delay = { p50: 0, p99: 0, max: 0, count: 0 }
    expect((await sampler.sample()).nodejs_eventloop_delay_p99_seconds).toBeUndefined()
  })

  it('skips disk and network off Linux, and stops reading /proc after a failure', async () => {
    const mac = new FakeProbe()
    mac.platform = 'darwin'
    const onMac = new ProcessSampler({ probe: mac })
    onMac.start()
    await onMac.sample()
    mac.wall = 5000
    expect((await onMac.sample()).system_disk_read_bytes_per_second).toBeUndefined()
    expect(mac.reads).toBe(0)

    const sandbox = new FakeProbe()
    sandbox.files.clear() // no /proc at all
    const inSandbox = new ProcessSampler({ probe: sandbox })
    inSandbox.start()
    await inSandbox.sample()
    sandbox.wall = 5000
    const values = await inSandbox.sample()
    expect(values.system_network_receive_bytes_per_second).toBeUndefined()
    expect(values.nodejs_heap_used_bytes).toBe(40e6) // the rest still comes
    expect(sandbox.reads).toBe(2) // tried once (two files), then gave up
  })

  it('parses /proc/diskstats (whole disks only) and /proc/net/dev (no loopback)', () => {
    expect(parseDiskstats(diskstats(10, 20))).toEqual({ read: 10 * 512, written: 20 * 512 })
    expect(parseDiskstats(' 259 0 nvme0n1 1 0 4 0 1 0 8 0 0 0 0\n 259 1 nvme0n1p1 1 0 100 0 1 0 100 0 0 0 0')).toEqual({ read: 2048, written: 4096 })
    expect(parseNetDev(netdev(123, 456))).toEqual({ received: 123, transmitted: 456 })
    expect(parseNetDev('garbage\n')).toEqual({ received: 0, transmitted: 0 })
  })

  it('runs inside the monitor as the critical `process` source, setting gauges and emitting monitor:sample', async () => {
    const probe = new FakeProbe()
    const clock = new ManualClock()
    const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0, processMetrics: { probe, intervalMs: 5000 } })
    const samples: MonitorSampleEvent[] = []
    m.bus.on('monitor:sample', (e) => samples.push(e))
    await vi.advanceTimersByTimeAsync(0)
    expect(samples).toHaveLength(1)
    expect(m.value('nodejs_heap_used_bytes')).toBe(40e6)
    expect(m.metrics().find((x) => x.name === 'nodejs_heap_used_bytes')?.help).toBe('V8 heap in use, bytes.')
    probe.wall = 5000
    probe.mem = { ...probe.mem, heapUsed: 41e6 }
    await vi.advanceTimersByTimeAsync(5000)
    expect(samples).toHaveLength(2)
    expect(samples[1]?.values.nodejs_heap_used_bytes).toBe(41e6)
    expect(m.value('process_cpu_usage_percent')).toBe(0)
    expect(m.sources()).toMatchObject([{ name: 'process', priority: 'critical', status: 'healthy', runs: 2, intervalMs: 5000 }])
    await m.close()
    expect(probe.stopped).toBe(true)
    await vi.advanceTimersByTimeAsync(20_000)
    expect(samples).toHaveLength(2)
  })

  it('samples the real process without failing', async () => {
    vi.useRealTimers()
    const sampler = new ProcessSampler()
    sampler.start()
    const values = await sampler.sample()
    sampler.stop()
    expect(values.process_resident_memory_bytes).toBeGreaterThan(1e6)
    expect(values.nodejs_heap_used_bytes).toBeGreaterThan(0)
    expect(values.nodejs_active_handles).toBeGreaterThanOrEqual(0)
    expect(values.system_memory_usage_percent).toBeGreaterThan(0)
  })

  it('validates its options', () => {
    expect(() => new PerformanceMonitor({ processMetrics: { intervalMs: 0 } })).toThrow(expect.objectContaining({ option: 'processMetrics.intervalMs' }))
    expect(() => new PerformanceMonitor({ processMetrics: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ option: 'processMetrics' }))
  })
})
