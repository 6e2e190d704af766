import type { Server } from 'node:http'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { PerformanceMonitor } from 'perfkit'
import { type ClientMetricsOptions, performanceRouter } from 'perfkit/express'
import { close, listen } from '../adapters/helpers'

const P = '/api/performance'
let server: Server | undefined
let monitor: PerformanceMonitor | undefined
afterEach(async () => {
  if (server !== undefined) await close(server)
  await monitor?.close()
  server = monitor = undefined
})

async function start(clientMetrics: ClientMetricsOptions = {}, json = false): Promise<string> {
  monitor = new PerformanceMonitor()
  const app = express()
  if (json) app.use(express.json({ limit: '1mb' }))
  app.use(performanceRouter({ monitor, clientMetrics }))
  server = app.listen(0, '127.0.0.1')
  return listen(server)
}

const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${P}/metrics`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })

describe('POST metrics (browser metrics)', () => {
  it('records one metric or a list into client_* metrics, with page and component labels', async () => {
    const base = await start()
    const one = await post(base, { name: 'largest_contentful_paint_seconds', value: 1.2, page: '/home' })
    expect(one.status).toBe(202)
    expect(await one.json()).toEqual({ accepted: 1 })
    const many = await post(base, {
      metrics: [
        { name: 'largest_contentful_paint_seconds', value: 2.4, page: '/home', timestamp: 1 },
        { name: 'js_errors', kind: 'counter', value: 3, component: 'Grid' },
        { name: 'open_tabs', kind: 'gauge', value: -1, labels: { browser: 'firefox' } },
      ],
    })
    expect(many.status).toBe(202)
    const m = monitor as PerformanceMonitor
    expect(m.stats('client_largest_contentful_paint_seconds', { page: '/home' }, { window: 'all' })).toMatchObject({ count: 2, max: expect.closeTo(2.4, 1) })
    expect(m.value('client_js_errors', { component: 'Grid' })).toBe(3)
    expect(m.value('client_open_tabs', { browser: 'firefox' })).toBe(-1)
  })

  it('refuses bodies that break the schema, saying why, and records nothing from them', async () => {
    const base = await start({ allowedNames: ['ttfb_seconds', 'lcp_seconds'], maxMetricsPerRequest: 3 })
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'bad name', value: 1 }, /name must match/],
      [{ name: 'ttfb_seconds', value: '1' }, /value must be a finite number/],
      [{ name: 'ttfb_seconds', value: -1 }, />= 0/],
      [{ name: 'ttfb_seconds', value: 1, kind: 'histogram' }, /kind must be one of/],
      [{ name: 'ttfb_seconds', value: 1, userAgent: 'x' }, /unknown field `userAgent`/],
      [{ name: 'ttfb_seconds', value: 1, page: 'p'.repeat(200) }, /at most 128/],
      [{ name: 'ttfb_seconds', value: 1, labels: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' } }, /at most 5 labels/],
      [{ name: 'ttfb_seconds', value: 1, labels: { __x: '1' } }, /invalid label name/],
      [{ name: 'cls', value: 0.1 }, /not an accepted metric/],
      [{ metrics: [] }, /must not be empty/],
      [{ metrics: Array.from({ length: 4 }, () => ({ name: 'ttfb_seconds', value: 1 })) }, /at most 3 metrics/],
      [{ metrics: [{ name: 'ttfb_seconds', value: 1 }, 5] }, /metrics\[1\] must be an object/],
      [[{ name: 'ttfb_seconds', value: 1 }], /\{ "metrics": \[\.\.\.\] \}/],
    ]
    for (const [body, reason] of cases) {
      const res = await post(base, body)
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400)
      expect((await res.json()).error).toMatch(reason)
    }
    expect(monitor?.metrics().filter((m) => m.name.startsWith('client_'))).toEqual([])
  })

  it('refuses bodies over the size limit with 413, whether or not express.json ran', async () => {
    for (const json of [false, true]) {
      const base = await start({ maxBodyBytes: 200 }, json)
      const res = await post(base, { name: 'x', value: 1, page: 'p'.repeat(120), component: 'c'.repeat(120) })
      expect(res.status).toBe(413)
      await close(server as Server)
      await monitor?.close()
      server = monitor = undefined
    }
  })

  it('rate-limits each client: 429 with Retry-After past the limit', async () => {
    const base = await start({ rateLimit: 3, rateLimitWindowMs: 60_000, clientKey: (request) => String(request.headers['x-client']) })
    for (let i = 0; i < 3; i++) expect((await post(base, { name: 'a', value: 1 }, { 'x-client': 'one' })).status).toBe(202)
    const limited = await post(base, { name: 'a', value: 1 }, { 'x-client': 'one' })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect((await limited.json()).code).toBe('RATE_LIMITED')
    expect((await post(base, { name: 'a', value: 1 }, { 'x-client': 'two' })).status).toBe(202)
    expect(monitor?.stats('client_a', undefined, { window: 'all' })?.count).toBe(4)
  })

  it('can be guarded by its own authorize hook, or turned off', async () => {
    const guarded = await start({ authorize: (request) => request.headers['x-app'] === 'web' })
    expect((await post(guarded, { name: 'a', value: 1 })).status).toBe(403)
    expect((await post(guarded, { name: 'a', value: 1 }, { 'x-app': 'web' })).status).toBe(202)
    await close(server as Server)
    await monitor?.close()
    const off = await start({ enabled: false })
    // The path still serves GET metrics; POST has no route.
    expect((await post(off, { name: 'a', value: 1 })).status).toBe(405)
  })
})
