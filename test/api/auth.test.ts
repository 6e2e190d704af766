import type { Server } from 'node:http'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { AlertEngine, MemoryCache, PerformanceMonitor, PredictionBatcher } from 'perfkit'
import { performanceRouter, type PerformanceRouterOptions } from 'perfkit/express'
import { close, listen } from '../adapters/helpers'

const P = '/api/performance'
const MUTATING: Array<[string, string, unknown]> = [
  ['POST', `${P}/alerts/a%231/acknowledge`, {}],
  ['POST', `${P}/alerts/a%231/resolve`, {}],
  ['PUT', `${P}/thresholds`, { rule: { warning: 1 } }],
  ['PUT', `${P}/batch/config`, { maxBatchSize: 5 }],
  ['POST', `${P}/cache/cleanup`, {}],
  ['POST', `${P}/cache/preload`, { keys: ['a'] }],
]

let server: Server | undefined
const closers: Array<() => Promise<unknown>> = []
afterEach(async () => {
  if (server !== undefined) await close(server)
  await Promise.all(closers.splice(0).map((c) => c()))
  server = undefined
})

async function start(options: Partial<PerformanceRouterOptions>): Promise<{ base: string; monitor: PerformanceMonitor; cache: MemoryCache<string, string> }> {
  const monitor = new PerformanceMonitor()
  const alerts = new AlertEngine({ monitor })
  const batcher = new PredictionBatcher<number, number>(async (xs) => xs)
  const cache = new MemoryCache<string, string>({ name: 'c' })
  closers.push(() => alerts.close(), () => batcher.close(), () => monitor.close())
  const app = express()
  app.use(performanceRouter({ monitor, alerts, batchers: [batcher], caches: [{ cache, loader: (k) => String(k) }], ...options }))
  server = app.listen(0, '127.0.0.1')
  return { base: await listen(server), monitor, cache }
}

const send = (base: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(base + path, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

describe('performance API authorisation', () => {
  it('refuses every mutating route with 403 when no authorize hook is configured', async () => {
    const { base, cache } = await start({})
    cache.set('kept', 'v')
    for (const [method, path, body] of MUTATING) {
      const res = await send(base, method, path, body)
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(await res.json()).toEqual({ error: 'forbidden', code: 'FORBIDDEN' })
    }
    expect(cache.has('kept')).toBe(true)
    // Reads stay open.
    expect((await fetch(`${base}${P}/summary`)).status).toBe(200)
  })

  it('passes the neutral request to authorize and lets it decide, sync or async', async () => {
    const seen: Array<{ method: string; path: string; params: unknown; raw: boolean }> = []
    const { base } = await start({
      authorize: async (request) => {
        seen.push({ method: request.method, path: request.path, params: request.params, raw: request.raw !== undefined })
        return request.headers['x-role'] === 'admin'
      },
    })
    expect((await send(base, 'POST', `${P}/cache/cleanup`, {}, { 'x-role': 'viewer' })).status).toBe(403)
    expect((await send(base, 'POST', `${P}/cache/cleanup`, {}, { 'x-role': 'admin' })).status).toBe(200)
    expect((await send(base, 'POST', `${P}/alerts/x%231/resolve`, {}, { 'x-role': 'admin' })).status).toBe(404)
    expect(seen[2]).toEqual({ method: 'POST', path: `${P}/alerts/x%231/resolve`, params: { id: 'x#1' }, raw: true })
  })

  it('treats a throwing authorize as a refusal and reports the failure on the bus', async () => {
    const { base, monitor } = await start({
      authorize: () => {
        throw new Error('auth backend down')
      },
    })
    const errors: Error[] = []
    monitor.bus.on('error', (error) => errors.push(error))
    expect((await send(base, 'POST', `${P}/cache/cleanup`, {})).status).toBe(403)
    expect(errors.map((e) => e.message)).toEqual(['auth backend down'])
  })

  it('guards reads, the dashboard and the Prometheus scrape with authorizeRead', async () => {
    const { base } = await start({ authorizeRead: (request) => request.headers.cookie === 'session=ok' })
    for (const path of [`${P}/summary`, `${P}/dashboard`, '/metrics']) {
      expect((await fetch(base + path)).status, path).toBe(403)
      expect((await fetch(base + path, { headers: { cookie: 'session=ok' } })).status, path).toBe(200)
    }
  })

  it('needs a JSON content type on mutating routes (no cross-site form posts)', async () => {
    const { base } = await start({ authorize: () => true })
    const form = await fetch(`${base}${P}/cache/cleanup`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'mode=all' })
    expect(form.status).toBe(415)
    const none = await fetch(`${base}${P}/cache/cleanup`, { method: 'POST' })
    expect(none.status).toBe(415)
    expect((await send(base, 'POST', `${P}/cache/cleanup`, {})).status).toBe(200)
  })
})
