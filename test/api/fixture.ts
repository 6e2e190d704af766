// A host wired the way a user would: monitor, alerts, insights, a cache and a batcher behind
// the Express adapter on a real server, with one alert firing. Closed by `stop()`.
import type { Server } from 'node:http'
import express from 'express'
import { AlertEngine, InsightEngine, MemoryCache, PerformanceMonitor, PredictionBatcher } from 'perfkit'
import { performanceMiddleware, performanceRouter, type PerformanceRouterOptions } from 'perfkit/express'
import { ManualClock } from '../helpers/clock'
import { close, listen } from '../adapters/helpers'

export interface Fixture {
  base: string
  api: string
  clock: ManualClock
  monitor: PerformanceMonitor
  alerts: AlertEngine
  insights: InsightEngine
  cache: MemoryCache<string, string>
  batcher: PredictionBatcher<number, number>
  /** The id of the alert firing at start. */
  firingId: string
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>
  send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>
  stop(): Promise<void>
}

export async function startFixture(options: Partial<PerformanceRouterOptions> = {}): Promise<Fixture> {
  const clock = new ManualClock()
  const monitor = new PerformanceMonitor({ now: clock.now })
  const cache = new MemoryCache<string, string>({ name: 'users', ttl: 1000, clock: clock.now })
  const batcher = new PredictionBatcher<number, number>(async (xs) => xs.map((x) => x * 2), { name: 'model', maxWaitMs: 1 })
  monitor.observe(cache)
  monitor.observe(batcher)
  const alerts = new AlertEngine({ monitor, now: clock.now })
  alerts.addRule({ id: 'slow-requests', metric: 'http_server_request_duration_seconds', stat: 'p95', op: '>', warning: 0.1, critical: 5 })
  const insights = new InsightEngine({ monitor, alerts, now: clock.now })

  const app = express()
  app.use(performanceMiddleware({ monitor, clock }))
  app.use(
    performanceRouter({
      monitor,
      alerts,
      insights,
      caches: [{ cache, loader: (key) => `user:${key}`, warmKeys: () => ['w1', 'w2'] }],
      batchers: [batcher],
      authorize: (request) => request.headers.authorization === 'Bearer secret',
      ...options,
    }),
  )
  app.get('/users/:id', async (req, res) => {
    clock.advance(200)
    const id = req.params.id
    if (cache.get(id) === undefined) cache.set(id, `user:${id}`)
    res.json({ id, score: await batcher.predict(Number(id)) })
  })
  const server: Server = app.listen(0, '127.0.0.1')
  const base = await listen(server)
  for (const id of ['1', '2', '1', '1']) await fetch(`${base}/users/${id}`)
  alerts.evaluate()
  const firingId = alerts.alerts({ state: 'firing' })[0]?.id as string

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { ...headers } }
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body)
      ;(init.headers as Record<string, string>)['content-type'] ??= 'application/json'
    }
    const res = await fetch(base + path, init)
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as any, headers: res.headers }
  }

  return {
    base,
    api: `${base}/api/performance`,
    clock,
    monitor,
    alerts,
    insights,
    cache,
    batcher,
    firingId,
    get: (path, headers) => call('GET', path, undefined, headers),
    send: (method, path, body, headers = { authorization: 'Bearer secret' }) => call(method, path, body, headers),
    async stop() {
      await close(server)
      await Promise.all([alerts.close(), insights.close(), batcher.close(), monitor.close()])
    },
  }
}
