import { EventEmitter } from 'node:events'
import type { Server } from 'node:http'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { PerfkitConfigError, PerformanceMonitor } from 'perfkit'
import { performanceMiddleware, performanceRouter } from 'perfkit/express'
import { ManualClock } from '../helpers/clock'
import { abortedRequest, close, deferred, listen, rawRequest } from './helpers'

let server: Server | undefined
let monitor: PerformanceMonitor | undefined
afterEach(async () => {
  if (server !== undefined) await close(server)
  await monitor?.close()
  server = monitor = undefined
})

async function serve(app: express.Express): Promise<string> {
  server = app.listen(0, '127.0.0.1')
  return listen(server)
}

describe('performanceMiddleware', () => {
  it('records durations in seconds by method, route template and status class', async () => {
    const clock = new ManualClock()
    monitor = new PerformanceMonitor()
    const app = express()
    app.use(performanceMiddleware({ monitor, clock }))
    app.get('/slow/:id', (_req, res) => {
      clock.advance(250)
      res.json({ ok: true })
    })
    app.post('/items', (_req, res) => {
      clock.advance(40)
      res.status(201).json({})
    })
    const base = await serve(app)
    await fetch(`${base}/slow/1`)
    await fetch(`${base}/slow/2`)
    await fetch(`${base}/items`, { method: 'POST' })
    const slow = monitor.stats('http_server_request_duration_seconds', { method: 'GET', route: '/slow/:id', status_class: '2xx' }, { window: 'all' })
    expect(slow?.count).toBe(2)
    expect(slow?.sum).toBeCloseTo(0.5, 9)
    expect(monitor.stats('http_server_request_duration_seconds', { method: 'POST', route: '/items' }, { window: 'all' })?.max).toBeCloseTo(0.04, 9)
    expect(monitor.value('http_server_requests_total', { route: '/slow/:id', status_class: '2xx' })).toBe(2)
    expect(monitor.value('http_server_requests_total')).toBe(3)
  })

  it('records unknown methods as _OTHER and counts 5xx answers as errors', async () => {
    monitor = new PerformanceMonitor()
    const app = express()
    app.use(performanceMiddleware({ monitor }))
    app.get('/boom', () => {
      throw new Error('handler failed')
    })
    app.get('/teapot', (_req, res) => void res.status(418).end())
    // Express would not route PROPFIND to app.get; it reaches the 404 handler.
    const base = await serve(app)
    expect((await rawRequest(`${base}/boom`)).status).toBe(500)
    expect((await rawRequest(`${base}/teapot`)).status).toBe(418)
    expect((await rawRequest(`${base}/anything`, { method: 'PROPFIND' })).status).toBe(404)
    expect(monitor.value('http_server_errors_total', { method: 'GET', route: '/boom' })).toBe(1)
    expect(monitor.value('http_server_errors_total')).toBe(1)
    expect(monitor.value('http_server_requests_total', { route: '/teapot', status_class: '4xx' })).toBe(1)
    expect(monitor.value('http_server_requests_total', { method: '_OTHER', route: 'unmatched', status_class: '4xx' })).toBe(1)
    const methods = new Set(monitor.metrics().find((m) => m.name === 'http_server_requests_total')?.series.map((l) => l.method))
    expect([...methods].sort()).toEqual(['GET', '_OTHER'])
  })

  it('records request and response body sizes from Content-Length', async () => {
    monitor = new PerformanceMonitor()
    const app = express()
    app.use(performanceMiddleware({ monitor }))
    app.use(express.json())
    app.post('/echo', (req, res) => void res.send('x'.repeat(1234)))
    const base = await serve(app)
    const body = JSON.stringify({ pad: 'y'.repeat(500) })
    await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(monitor.stats('http_server_request_body_size_bytes', { route: '/echo' }, { window: 'all' })?.max).toBeCloseTo(Buffer.byteLength(body), -1)
    expect(monitor.stats('http_server_response_body_size_bytes', { route: '/echo' }, { window: 'all' })?.sum).toBeCloseTo(1234, -1)
  })

  it('reads the request Content-Length whatever its case, and leaves sizes out with recordSizes: false', async () => {
    monitor = new PerformanceMonitor()
    const app = express()
    app.use(performanceMiddleware({ monitor }))
    app.post('/raw', (req, res) => {
      req.resume()
      req.on('end', () => void res.send('ok'))
    })
    const quiet = new PerformanceMonitor()
    const other = express()
    other.use(performanceMiddleware({ monitor: quiet, recordSizes: false }))
    other.post('/raw', (req, res) => {
      req.resume()
      req.on('end', () => void res.send('ok'))
    })
    const base = await serve(app)
    const otherBase = await serve(other)
    // Node's http client keeps the header names' case as given.
    await rawRequest(`${base}/raw`, { method: 'POST', headers: { 'Content-Length': '7', 'X-Pad': 'content-lengthy' }, body: '1234567' })
    await rawRequest(`${base}/raw`, { method: 'POST', headers: { 'CONTENT-LENGTH': '3' }, body: 'abc' })
    await rawRequest(`${otherBase}/raw`, { method: 'POST', headers: { 'Content-Length': '3' }, body: 'abc' })
    const sizes = monitor.stats('http_server_request_body_size_bytes', { route: '/raw' }, { window: 'all' })
    expect(sizes?.count).toBe(2)
    expect(sizes?.sum).toBeCloseTo(10, 0)
    expect(quiet.value('http_server_requests_total', { route: '/raw' })).toBe(1)
    expect(quiet.stats('http_server_request_body_size_bytes', { route: '/raw' }, { window: 'all' })).toBeUndefined()
    expect(quiet.stats('http_server_response_body_size_bytes', { route: '/raw' }, { window: 'all' })).toBeUndefined()
    await quiet.close()
  })

  it('counts requests in flight, and an aborted request apart from completed ones', async () => {
    monitor = new PerformanceMonitor()
    const m = monitor
    const received = deferred()
    const closed = deferred()
    let inFlightDuringRequest: number | undefined
    const app = express()
    app.use(performanceMiddleware({ monitor }))
    app.get('/hang/:id', (_req, res) => {
      inFlightDuringRequest = m.value('http_server_active_requests')
      res.on('close', () => setImmediate(() => closed.resolve()))
      received.resolve()
    })
    const base = await serve(app)
    await abortedRequest(`${base}/hang/1`, received.promise)
    await closed.promise
    expect(inFlightDuringRequest).toBe(1)
    expect(monitor.value('http_server_active_requests')).toBe(0)
    expect(monitor.value('http_server_aborted_total', { method: 'GET', route: '/hang/:id' })).toBe(1)
    expect(monitor.value('http_server_requests_total')).toBeUndefined()
    expect(monitor.stats('http_server_request_duration_seconds', undefined, { window: 'all' })).toBeUndefined()
  })

  it('leaves out skipped requests and, by default, the performance API’s own requests', async () => {
    monitor = new PerformanceMonitor()
    const app = express()
    app.use(performanceMiddleware({ monitor, skip: (req) => req.path === '/healthz' }))
    app.use(performanceRouter({ monitor }))
    app.get('/healthz', (_req, res) => void res.send('ok'))
    app.get('/work', (_req, res) => void res.send('ok'))
    const base = await serve(app)
    await fetch(`${base}/healthz`)
    await fetch(`${base}/api/performance/summary`)
    await fetch(`${base}/metrics`)
    await fetch(`${base}/work`)
    const routes = monitor.metrics().find((m) => m.name === 'http_server_requests_total')?.series.map((l) => l.route)
    expect(routes).toEqual(['/work'])
    expect(monitor.value('http_server_active_requests')).toBe(0)
  })

  it('records the API’s requests under their templates with recordApiRequests', async () => {
    monitor = new PerformanceMonitor()
    const app = express()
    app.use(performanceMiddleware({ monitor, recordApiRequests: true }))
    app.use(performanceRouter({ monitor }))
    const base = await serve(app)
    await fetch(`${base}/api/performance/summary`)
    await fetch(`${base}/api/performance/alerts/a1/resolve`, { method: 'POST' })
    const routes = monitor.metrics().find((m) => m.name === 'http_server_requests_total')?.series.map((l) => l.route).sort()
    expect(routes).toEqual(['/api/performance/alerts/:id/resolve', '/api/performance/summary'])
  })

  it('never lets a failing monitor or a throwing skip break a response', async () => {
    monitor = new PerformanceMonitor()
    const broken = {
      record: () => {
        throw new Error('record failed')
      },
      increment: () => {
        throw new Error('increment failed')
      },
      setGauge: () => {
        throw new Error('gauge failed')
      },
      bus: monitor.bus,
    }
    const errors: Error[] = []
    monitor.bus.on('error', (error) => errors.push(error))
    const app = express()
    app.use(performanceMiddleware({ monitor: broken, skip: () => { throw new Error('skip failed') } }))
    app.get('/ok', (_req, res) => void res.send('fine'))
    const base = await serve(app)
    const res = await fetch(`${base}/ok`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('fine')
    await new Promise((resolve) => setImmediate(resolve))
    expect(errors.map((e) => e.message)).toEqual(expect.arrayContaining(['skip failed', 'record failed']))
  })

  it('records a request whose req and res are not Node’s own messages (test doubles, wrappers)', () => {
    // The middleware calls Node's listener and header methods directly on Node messages;
    // anything else must still go through its own `on`, `headers` and `getHeader`.
    monitor = new PerformanceMonitor()
    const middleware = performanceMiddleware({ monitor })
    const req = Object.assign(new EventEmitter(), { method: 'PUT', headers: { 'content-length': '7' }, route: undefined })
    const res = Object.assign(new EventEmitter(), {
      statusCode: 202,
      socket: null,
      writableFinished: true,
      getHeader: (name: string) => (name === 'content-length' ? '99' : undefined),
    })
    let nexted = 0
    middleware(req as never, res as never, () => void nexted++)
    expect(nexted).toBe(1)
    expect(res.listenerCount('close')).toBe(1)
    res.emit('close')
    const labels = { method: 'PUT', route: 'unmatched' }
    expect(monitor.value('http_server_requests_total', { ...labels, status_class: '2xx' })).toBe(1)
    expect(monitor.stats('http_server_request_body_size_bytes', labels, { window: 'all' })?.sum).toBe(7)
    expect(monitor.stats('http_server_response_body_size_bytes', labels, { window: 'all' })?.sum).toBe(99)
  })

  it('refuses bad options with a PerfkitConfigError naming the option', () => {
    expect(() => performanceMiddleware({} as never)).toThrow(PerfkitConfigError)
    const m = new PerformanceMonitor()
    expect(() => performanceMiddleware({ monitor: m, maxRoutes: 0 })).toThrow(/maxRoutes/)
    expect(() => performanceMiddleware({ monitor: m, unmatchedRoute: '' })).toThrow(/unmatchedRoute/)
    expect(() => performanceMiddleware({ monitor: m, skip: 'x' as never })).toThrow(/skip/)
    void m.close()
  })
})
