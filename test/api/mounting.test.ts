import type { Server } from 'node:http'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { PerfkitConfigError, PerformanceMonitor } from 'perfkit'
import { performanceRouter } from 'perfkit/express'
import { close, listen } from '../adapters/helpers'

let server: Server | undefined
let monitor: PerformanceMonitor | undefined
afterEach(async () => {
  if (server !== undefined) await close(server)
  await monitor?.close()
  server = monitor = undefined
})

describe('mounting the Express router', () => {
  it('works mounted at its own path with prefix "/"', async () => {
    monitor = new PerformanceMonitor()
    const app = express()
    app.use('/perf', performanceRouter({ monitor, prefix: '/', prometheusPath: false }))
    app.get('/metrics', (_req, res) => void res.send('the host’s own'))
    server = app.listen(0, '127.0.0.1')
    const base = await listen(server)
    expect((await fetch(`${base}/perf/summary`)).status).toBe(200)
    expect((await fetch(`${base}/perf/dashboard`)).headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await (await fetch(`${base}/metrics`)).text()).toBe('the host’s own')
  })

  it('uses a custom prefix and Prometheus path', async () => {
    monitor = new PerformanceMonitor()
    const app = express()
    app.use(performanceRouter({ monitor, prefix: '/internal/perf/', prometheusPath: '/internal/metrics' }))
    server = app.listen(0, '127.0.0.1')
    const base = await listen(server)
    expect((await fetch(`${base}/internal/perf/health`)).status).toBe(200)
    expect((await fetch(`${base}/internal/metrics`)).headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect((await fetch(`${base}/api/performance/health`)).status).toBe(404)
    expect((await fetch(`${base}/internal/perfx/health`)).status).toBe(404)
  })

  it('refuses bad API options with a PerfkitConfigError naming the option', () => {
    const m = new PerformanceMonitor()
    expect(() => performanceRouter({} as never)).toThrow(PerfkitConfigError)
    expect(() => performanceRouter({ monitor: m, prefix: 'api' })).toThrow(/prefix/)
    expect(() => performanceRouter({ monitor: m, prometheusPath: 'metrics' })).toThrow(/prometheusPath/)
    expect(() => performanceRouter({ monitor: m, dashboardPollMs: 0 })).toThrow(/dashboardPollMs/)
    expect(() => performanceRouter({ monitor: m, authorize: 'yes' as never })).toThrow(/authorize/)
    expect(() => performanceRouter({ monitor: m, caches: [{} as never] })).toThrow(/caches\[0\]/)
    expect(() => performanceRouter({ monitor: m, clientMetrics: { rateLimit: -1 } })).toThrow(/clientMetrics\.rateLimit/)
    void m.close()
  })
})
