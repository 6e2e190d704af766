// Checks the exposition with Prometheus' own linter. Runs when `promtool` is on PATH; fails
// when CI is set and it is missing (CI installs Debian's `prometheus` package); skips otherwise.
import { spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PerformanceMonitor } from '../../src/monitor/index'
import { ManualClock } from '../helpers/clock'
import { FakeProbe } from './helpers/fake-probe'

const found = spawnSync('promtool', ['--version'], { encoding: 'utf8' })
const available = found.error === undefined && found.status === 0
const required = Boolean(process.env.CI)

function check(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 15_000 })
  return { status: run.status, output: `${run.stdout}${run.stderr}` }
}

async function richExposition(): Promise<string> {
  vi.useFakeTimers()
  const clock = new ManualClock()
  const probe = new FakeProbe()
  const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0, processMetrics: { probe } })
  await vi.advanceTimersByTimeAsync(0) // first process sample: baseline readings
  probe.wall += 30_000
  probe.cpuMicros += 6e6
  probe.sysCpu = { idle: 40_000, total: 60_000 }
  await vi.advanceTimersByTimeAsync(30_000) // second: CPU and I/O rates
  m.define('jobs', { kind: 'counter', help: 'Jobs done, with "quotes", a \\ and\na line feed.' })
  m.increment('jobs', 2, { queue: 'mail "priority"\nline\\two' })
  m.increment('requests_total', 5, { method: 'GET', status_class: '2xx' })
  m.setGauge('pool_connections', 3, { pool: 'main' })
  for (const v of [0.003, 0.04, 0.2, 1.5, 12]) {
    m.record('http_server_request_duration_seconds', v, { method: 'GET', route: '/users/:id', status_class: '2xx' })
    m.record('payload_bytes', v * 1e6)
    m.record('batch_size', Math.ceil(v * 10))
  }
  m.define('db_query_duration_seconds', { kind: 'distribution', expose: 'both', help: 'DB queries.' })
  m.define('cache_load_duration_seconds', { kind: 'distribution', expose: 'summary' })
  m.record('db_query_duration_seconds', 0.01, { table: 'users' })
  m.record('cache_load_duration_seconds', 0.02)
  m.define('empty_window_seconds', { kind: 'distribution', expose: 'summary' })
  m.record('empty_window_seconds', 1)
  clock.advance(120_000) // its summary quantiles are now NaN
  m.record('ignored_seconds', Number.NaN) // a dropped value shows in the self metrics
  for (let i = 0; i < 3; i++) m.increment('limited_total', 1, { id: String(i) })
  m.define('limited_total', { kind: 'counter', maxSeries: 1 })
  m.increment('limited_total', 1, { id: 'overflowing' })
  const text = m.prometheus()
  await m.close()
  vi.useRealTimers()
  return text
}

describe.skipIf(!available && !required)('promtool check metrics', () => {
  afterEach(() => vi.useRealTimers())

  it('promtool is installed (required when CI is set)', () => {
    expect(available, 'promtool must be on PATH when CI is set: apt-get install -y prometheus').toBe(true)
  })

  it.runIf(available)('accepts the whole exposition without a lint problem', async () => {
    const text = await richExposition()
    expect(text).toContain('process_cpu_usage_percent ')
    expect(text).toContain('system_network_receive_bytes_per_second ')
    expect(text).toContain('db_query_duration_seconds_quantiles{table="users",quantile="0.99"}')
    expect(text).toContain('empty_window_seconds{quantile="0.5"} NaN')
    expect(text).toContain('perfkit_monitor_overflow_total{metric="limited_total"} 1')
    const result = check(text)
    expect(result.output).toBe('')
    expect(result.status).toBe(0)
  })

  it.runIf(available)('fails on a malformed line', async () => {
    const text = await richExposition()
    const broken = `${text}requests_total{method="GET} 1\n`
    const result = check(broken)
    expect(result.status).not.toBe(0)
    expect(result.output).toMatch(/pars|error/i)
  })

  it.runIf(available)('fails on a lint problem (a counter without _total, no HELP)', () => {
    const result = check('# TYPE http_requests counter\nhttp_requests 1\n')
    expect(result.status).not.toBe(0)
  })
})
