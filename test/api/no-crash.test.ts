import type { Server } from 'node:http'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { PerformanceMonitor } from 'perfkit'
import { type AlertsPort, type InsightsPort, performanceRouter } from 'perfkit/express'
import { close, listen } from '../adapters/helpers'

const P = '/api/performance'
let server: Server | undefined
let monitor: PerformanceMonitor | undefined
afterEach(async () => {
  if (server !== undefined) await close(server)
  await monitor?.close()
  server = monitor = undefined
})

const boom = (what: string) => () => {
  throw new Error(`${what} exploded`)
}

describe('performance API robustness', () => {
  it('turns failing primitives into partial summaries or 500s, reports them, and keeps serving', async () => {
    monitor = new PerformanceMonitor()
    const real = monitor
    // A monitor whose distribution reads fail, as a stand-in for any bug in a primitive.
    const flaky = {
      bus: real.bus,
      record: real.record.bind(real),
      increment: real.increment.bind(real),
      setGauge: real.setGauge.bind(real),
      value: real.value.bind(real),
      rate: real.rate.bind(real),
      history: real.history.bind(real),
      metrics: real.metrics.bind(real),
      now: real.now.bind(real),
      stats: boom('stats'),
      prometheus: () => Promise.reject(new Error('scrape exploded')),
    }
    const alerts: AlertsPort = { alerts: boom('alerts'), acknowledge: boom('acknowledge'), resolve: boom('resolve') }
    const insights: InsightsPort = { bottlenecks: boom('bottlenecks'), health: boom('health'), recommendations: boom('recommendations'), report: boom('report') }
    const cache = { name: 'c', stats: boom('cache stats'), prune: boom('prune'), clear: boom('clear'), has: () => false }
    const errors: string[] = []
    real.bus.on('error', (error) => errors.push(error.message))
    const app = express()
    app.use(performanceRouter({ monitor: flaky, alerts, insights, caches: [cache], authorize: () => true }))
    app.get('/alive', (_req, res) => void res.send('yes'))
    server = app.listen(0, '127.0.0.1')
    const base = await listen(server)

    const summary = await fetch(`${base}${P}/summary`)
    expect(summary.status).toBe(200)
    const body = await summary.json()
    expect(body.http.latency).toBeNull()
    expect(body.cache.caches).toEqual([])
    expect(body.alerts.firing).toBe(0)

    for (const path of ['insights', 'recommendations', 'bottlenecks', 'report', 'alerts', 'cache/statistics']) {
      const res = await fetch(`${base}${P}/${path}`)
      expect([200, 500], path).toContain(res.status)
      if (res.status === 500) expect(await res.json()).toEqual({ error: 'internal error', code: 'INTERNAL' })
    }
    expect((await fetch(`${base}/metrics`)).status).toBe(500)
    const ack = await fetch(`${base}${P}/alerts/a/acknowledge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(ack.status).toBe(500)
    const health = await fetch(`${base}${P}/health`)
    expect(health.status).toBe(200)

    expect(await (await fetch(`${base}/alive`)).text()).toBe('yes')
    expect(errors).toEqual(expect.arrayContaining(['stats exploded', 'alerts exploded', 'bottlenecks exploded', 'scrape exploded', 'acknowledge exploded']))
  })

  it('answers 501 for routes whose primitive is not configured', async () => {
    monitor = new PerformanceMonitor()
    const app = express()
    app.use(performanceRouter({ monitor, authorize: () => true }))
    server = app.listen(0, '127.0.0.1')
    const base = await listen(server)
    for (const path of ['alerts', 'insights', 'recommendations', 'bottlenecks']) {
      const res = await fetch(`${base}${P}/${path}`)
      expect(res.status, path).toBe(501)
      expect((await res.json()).code).toBe('NOT_CONFIGURED')
    }
    const cleanup = await fetch(`${base}${P}/cache/cleanup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(cleanup.status).toBe(501)
    const report = await fetch(`${base}${P}/report`)
    expect(report.status).toBe(200)
    expect((await report.json()).report.health.status).toBe('healthy')
  })
})
