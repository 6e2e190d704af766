import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { AlertEngine, MemoryCache, PerformanceMonitor } from 'perfkit'
import { perfkitPlugin } from 'perfkit/fastify'
import { ManualClock } from '../helpers/clock'

let app: FastifyInstance | undefined
const closers: Array<() => Promise<unknown>> = []
afterEach(async () => {
  await app?.close()
  await Promise.all(closers.splice(0).map((c) => c()))
  app = undefined
})

async function start(prefix?: string) {
  const clock = new ManualClock()
  const monitor = new PerformanceMonitor({ now: clock.now })
  const alerts = new AlertEngine({ monitor, now: clock.now })
  const cache = new MemoryCache<string, number>({ name: 'scores' })
  closers.push(() => alerts.close(), () => monitor.close())
  alerts.addRule({ id: 'slow', metric: 'http_server_request_duration_seconds', stat: 'max', op: '>', warning: 0.05 })
  const fastify = Fastify()
  await fastify.register(perfkitPlugin, {
    monitor,
    clock,
    alerts,
    caches: [cache],
    clientMetrics: { rateLimit: 2, maxBodyBytes: 300 },
    authorize: (request) => request.headers['x-token'] === 't0k',
    ...(prefix === undefined ? {} : { prefix }),
  })
  fastify.get('/work/:id', async () => {
    clock.advance(100)
    cache.set('k', 1)
    return { done: true }
  })
  app = fastify
  const base = await fastify.listen({ port: 0, host: '127.0.0.1' })
  await fetch(`${base}/work/1`)
  alerts.evaluate()
  return { base, monitor, alerts, cache }
}

const json = { 'content-type': 'application/json' }

describe('performance API on Fastify', () => {
  it('serves reads, the Prometheus scrape and the dashboard under the default prefix', async () => {
    const { base } = await start()
    const summary = await (await fetch(`${base}/api/performance/summary`)).json()
    expect(summary.http.latency).toMatchObject({ count: 1, max: expect.closeTo(0.1, 2) })
    const prom = await fetch(`${base}/metrics`)
    expect(prom.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(await prom.text()).toMatch(/http_server_request_duration_seconds_count\{method="GET",route="\/work\/:id",status_class="2xx"\} 1/)
    const page = await fetch(`${base}/api/performance/dashboard`)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toMatch(/<canvas id="chart-latency">/)
  })

  it('acknowledges with authorization, refuses without, and answers 404 for unknown ids', async () => {
    const { base, alerts } = await start('/perf')
    const id = alerts.alerts({ state: 'firing' })[0]?.id as string
    const url = `${base}/perf/alerts/${encodeURIComponent(id)}/acknowledge`
    expect((await fetch(url, { method: 'POST', headers: json, body: '{}' })).status).toBe(403)
    const ok = await fetch(url, { method: 'POST', headers: { ...json, 'x-token': 't0k' }, body: '{"by":"fastify"}' })
    expect(ok.status).toBe(200)
    expect((await ok.json()).alert.acknowledged.by).toBe('fastify')
    const missing = await fetch(`${base}/perf/alerts/none/acknowledge`, { method: 'POST', headers: { ...json, 'x-token': 't0k' }, body: '{}' })
    expect(missing.status).toBe(404)
    const bad = await fetch(url, { method: 'POST', headers: { ...json, 'x-token': 't0k' }, body: '{"note":7}' })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toMatch(/`note` must be a string/)
  })

  it('applies the client-metrics body limit and rate limit', async () => {
    const { base, monitor } = await start()
    const url = `${base}/api/performance/metrics`
    expect((await fetch(url, { method: 'POST', headers: json, body: JSON.stringify({ name: 'x', value: 1, page: 'p'.repeat(400) }) })).status).toBe(413)
    expect((await fetch(url, { method: 'POST', headers: json, body: '{"name":"fcp_seconds","value":0.8}' })).status).toBe(202)
    expect((await fetch(url, { method: 'POST', headers: json, body: '{"name":"fcp_seconds","value":0.9}' })).status).toBe(202)
    expect((await fetch(url, { method: 'POST', headers: json, body: '{"name":"fcp_seconds","value":1}' })).status).toBe(429)
    expect(monitor.stats('client_fcp_seconds', undefined, { window: 'all' })?.count).toBe(2)
  })

  it('cleans a cache through the API', async () => {
    const { base, cache } = await start()
    const res = await fetch(`${base}/api/performance/cache/cleanup`, { method: 'POST', headers: { ...json, 'x-token': 't0k' }, body: '{"mode":"all"}' })
    expect(res.status).toBe(200)
    expect((await res.json()).results).toEqual([{ cache: 'scores', removed: 1, entries: 0 }])
    expect(cache.size).toBe(0)
  })
})
