import { connect, type Socket } from 'node:net'
import { Readable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { PerfkitConfigError, PerformanceMonitor } from 'perfkit'
import defaultExport, { perfkitPlugin } from 'perfkit/fastify'
import { readsDirectly } from '../../src/adapters/internal/fastify-reads'
import { ManualClock } from '../helpers/clock'
import { abortedRequest, deferred, rawRequest } from './helpers'

const DURATION = 'http_server_request_duration_seconds'

let app: FastifyInstance | undefined
let monitor: PerformanceMonitor | undefined
afterEach(async () => {
  await app?.close()
  await monitor?.close()
  app = monitor = undefined
})

async function serve(instance: FastifyInstance): Promise<string> {
  app = instance
  return instance.listen({ port: 0, host: '127.0.0.1' })
}

const routesOf = (m: PerformanceMonitor, name = DURATION) => [...new Set(m.metrics().find((x) => x.name === name)?.series.map((l) => l.route))].sort()

describe('perfkitPlugin (Fastify)', () => {
  it('is the default export too', () => {
    expect(defaultExport).toBe(perfkitPlugin)
  })

  it('records durations by route template, through prefixed plugins, with exact seconds from the clock', async () => {
    const clock = new ManualClock()
    monitor = new PerformanceMonitor()
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor, clock, api: false })
    await fastify.register(
      async (scoped) => {
        scoped.get('/users/:id', async () => {
          clock.advance(120)
          return { ok: true }
        })
      },
      { prefix: '/v1/:tenant' },
    )
    const base = await serve(fastify)
    await fetch(`${base}/v1/acme/users/1`)
    await fetch(`${base}/v1/globex/users/2`)
    expect(routesOf(monitor)).toEqual(['/v1/:tenant/users/:id'])
    const stats = monitor.stats(DURATION, { method: 'GET', route: '/v1/:tenant/users/:id', status_class: '2xx' }, { window: 'all' })
    expect(stats?.count).toBe(2)
    expect(stats?.sum).toBeCloseTo(0.24, 9)
  })

  it('labels 404s as unmatched, unknown methods as _OTHER, and counts 5xx as errors', async () => {
    monitor = new PerformanceMonitor()
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor, api: false })
    fastify.get('/boom', async () => {
      throw new Error('handler failed')
    })
    fastify.addHttpMethod('PROPFIND')
    fastify.route({ method: 'PROPFIND', url: '/dav', handler: async () => 'dav' })
    const base = await serve(fastify)
    expect((await rawRequest(`${base}/missing/1`)).status).toBe(404)
    expect((await rawRequest(`${base}/missing/2`)).status).toBe(404)
    expect((await rawRequest(`${base}/boom`)).status).toBe(500)
    expect((await rawRequest(`${base}/dav`, { method: 'PROPFIND' })).status).toBe(200)
    expect(routesOf(monitor)).toEqual(['/boom', '/dav', 'unmatched'])
    expect(monitor.value('http_server_requests_total', { route: 'unmatched', status_class: '4xx' })).toBe(2)
    expect(monitor.value('http_server_requests_total', { method: '_OTHER', route: '/dav' })).toBe(1)
    expect(monitor.value('http_server_errors_total', { route: '/boom' })).toBe(1)
  })


  it('labels each request by its own method and route when methods and routes interleave', async () => {
    monitor = new PerformanceMonitor()
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor, api: false, maxRoutes: 2 })
    fastify.get('/a', async () => 'a')
    fastify.post('/a', async () => 'a')
    fastify.get('/b', async () => 'b')
    fastify.get('/c', async () => 'c')
    const base = await serve(fastify)
    const sequence: Array<[string, string]> = [['GET', '/a'], ['POST', '/a'], ['GET', '/a'], ['GET', '/b'], ['GET', '/a'], ['GET', '/c'], ['GET', '/c'], ['POST', '/a']]
    for (const [method, path] of sequence) expect((await rawRequest(`${base}${path}`, { method })).status).toBe(200)
    const count = (method: string, route: string) => monitor?.value('http_server_requests_total', { method, route }) ?? 0
    expect([count('GET', '/a'), count('POST', '/a'), count('GET', '/b')]).toEqual([3, 2, 1])
    // maxRoutes 2: the third distinct route is folded into `unmatched`, on every request of it.
    expect(count('GET', '/c')).toBe(0)
    expect(count('GET', 'unmatched')).toBe(2)
  })
  it('records body sizes and requests in flight', async () => {
    monitor = new PerformanceMonitor()
    const m = monitor
    let inFlight: number | undefined
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor, api: false })
    fastify.post('/echo', async (_request, reply) => {
      inFlight = m.value('http_server_active_requests')
      return reply.type('text/plain').send('z'.repeat(700))
    })
    const base = await serve(fastify)
    const body = JSON.stringify({ pad: 'q'.repeat(300) })
    await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(inFlight).toBe(1)
    expect(monitor.value('http_server_active_requests')).toBe(0)
    expect(monitor.stats('http_server_request_body_size_bytes', { route: '/echo' }, { window: 'all' })?.max).toBeCloseTo(Buffer.byteLength(body), -1)
    expect(monitor.stats('http_server_response_body_size_bytes', { route: '/echo' }, { window: 'all' })?.max).toBeCloseTo(700, -1)
  })

  it("reads the route config and the reply's headers where this Fastify keeps them (not through the public accessors)", async () => {
    // The plugin falls back to routeOptions and getHeader where these are missing: this test
    // is what says a Fastify upgrade renamed them (the figures of bench:http would only drift).
    const fastify = Fastify()
    let direct: boolean | undefined
    fastify.get('/probe', (request, reply) => {
      direct = readsDirectly(request, reply)
      reply.send('ok')
    })
    const base = await serve(fastify)
    await fetch(`${base}/probe`)
    expect(direct).toBe(true)
  })

  it('reads the response size whichever way the Content-Length was set: by Fastify, reply.header or the raw response', async () => {
    monitor = new PerformanceMonitor()
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor, api: false })
    fastify.get('/computed', async () => 'y'.repeat(333))
    fastify.get('/declared', (_request, reply) => {
      reply.header('Content-Length', '5').send('12345')
    })
    fastify.get('/raw', (_request, reply) => {
      reply.raw.setHeader('Content-Length', '4')
      reply.send('abcd')
    })
    fastify.get('/stream', (_request, reply) => {
      reply.type('text/plain').send(Readable.from(['no', 'length']))
    })
    const base = await serve(fastify)
    for (const path of ['/computed', '/declared', '/raw', '/stream']) expect((await fetch(`${base}${path}`)).status).toBe(200)
    const size = (route: string) => monitor?.stats('http_server_response_body_size_bytes', { method: 'GET', route }, { window: 'all' })
    expect(size('/computed')).toMatchObject({ count: 1, sum: 333 })
    expect(size('/declared')).toMatchObject({ count: 1, sum: 5 })
    expect(size('/raw')).toMatchObject({ count: 1, sum: 4 })
    expect(size('/stream')).toBeUndefined() // chunked: no length to record
    expect(monitor.value('http_server_requests_total', { method: 'GET', route: '/stream', status_class: '2xx' })).toBe(1)
  })

  it('counts an aborted request once (connection closed before the response), apart from completed ones', async () => {
    monitor = new PerformanceMonitor()
    const received = deferred()
    const aborted = deferred()
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor, api: false })
    fastify.addHook('onRequestAbort', (_request, done) => {
      done()
      setImmediate(() => aborted.resolve())
    })
    fastify.get('/hang/:id', (_request, reply) => {
      received.resolve()
      // Answers only after the client left: onResponse must not count it again.
      void aborted.promise.then(() => reply.send('late'))
    })
    const base = await serve(fastify)
    await abortedRequest(`${base}/hang/1`, received.promise)
    await aborted.promise
    await new Promise((resolve) => setImmediate(resolve))
    expect(monitor.value('http_server_aborted_total', { method: 'GET', route: '/hang/:id' })).toBe(1)
    expect(monitor.value('http_server_requests_total')).toBeUndefined()
    expect(monitor.value('http_server_active_requests')).toBe(0)
  })

  it('names the route of a request aborted before its handler ran (body still arriving), from the URL', async () => {
    monitor = new PerformanceMonitor()
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor, api: false })
    let handled = 0
    fastify.post('/upload/:tenant/:id(^\\d+$)', async () => ++handled)
    fastify.put('/files/*', async () => ++handled)
    const base = await serve(fastify)
    const { port } = new URL(base)
    for (const [method, path] of [['POST', '/upload/acme/42'], ['PUT', '/files/a/b.txt']] as const) {
      const received = deferred()
      fastify.server.once('request', () => received.resolve())
      const socket = connect(Number(port), '127.0.0.1')
      const closed = new Promise((resolve) => fastify.server.once('connection', (s: Socket) => s.once('close', resolve)))
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`)
      await received.promise
      socket.destroy()
      await closed
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(handled).toBe(0)
    expect(monitor.value('http_server_aborted_total', { method: 'POST', route: '/upload/:tenant/:id(^\\d+$)' })).toBe(1)
    expect(monitor.value('http_server_aborted_total', { method: 'PUT', route: '/files/*' })).toBe(1)
    expect(monitor.value('http_server_requests_total')).toBeUndefined()
    expect(monitor.value('http_server_active_requests')).toBe(0)
  })

  it('counts every pipelined request of a connection that closes, each by its route', async () => {
    monitor = new PerformanceMonitor()
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor, api: false })
    let received = 0
    const both = deferred()
    fastify.get('/first', (_request, _reply) => {
      if (++received === 2) both.resolve()
    })
    fastify.get('/second/:id', (_request, _reply) => {
      if (++received === 2) both.resolve()
    })
    const base = await serve(fastify)
    const closed = new Promise((resolve) => fastify.server.once('connection', (s: Socket) => s.once('close', resolve)))
    const socket = connect(Number(new URL(base).port), '127.0.0.1')
    socket.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second/7 HTTP/1.1\r\nHost: x\r\n\r\n')
    await both.promise
    socket.destroy()
    await closed
    await new Promise((resolve) => setImmediate(resolve))
    expect(monitor.value('http_server_aborted_total', { route: '/first' })).toBe(1)
    expect(monitor.value('http_server_aborted_total', { route: '/second/:id' })).toBe(1)
    expect(monitor.value('http_server_active_requests')).toBe(0)
  })

  it('counts a request whose response stream breaks once, as aborted, and leaves nothing in flight', async () => {
    monitor = new PerformanceMonitor()
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor, api: false })
    const hooks: string[] = []
    const settled = deferred()
    fastify.addHook('onResponse', (_request, _reply, done) => {
      hooks.push('response')
      done()
      setImmediate(() => settled.resolve())
    })
    fastify.addHook('onRequestAbort', (_request, done) => {
      hooks.push('abort')
      done()
      setImmediate(() => settled.resolve())
    })
    fastify.get('/broken', (_request, reply) => {
      reply.raw.destroy(new Error('the response stream broke'))
    })
    const base = await serve(fastify)
    await fetch(`${base}/broken`).catch(() => undefined)
    await settled.promise
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(hooks).toContain('abort')
    expect(monitor.value('http_server_aborted_total', { route: '/broken' })).toBe(1)
    expect(monitor.value('http_server_requests_total')).toBeUndefined()
    expect(monitor.value('http_server_active_requests')).toBe(0)
  })

  it('leaves out the API’s own requests and skipped ones', async () => {
    monitor = new PerformanceMonitor()
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor, skip: (request) => request.url === '/healthz' })
    fastify.get('/healthz', async () => 'ok')
    fastify.get('/work', async () => 'ok')
    const base = await serve(fastify)
    await fetch(`${base}/healthz`)
    await fetch(`${base}/api/performance/summary`)
    await fetch(`${base}/metrics`)
    await fetch(`${base}/work`)
    expect(routesOf(monitor, 'http_server_requests_total')).toEqual(['/work'])
    expect(monitor.value('http_server_active_requests')).toBe(0)
  })

  it('fails registration with a PerfkitConfigError for bad options', async () => {
    const fastify = Fastify()
    app = fastify
    await expect(fastify.register(perfkitPlugin, {} as never).ready()).rejects.toBeInstanceOf(PerfkitConfigError)
  })
})

describe('perfkitPlugin in-flight accounting', () => {
  it('records inject()ed requests and requests of an encapsulated registration, and the gauge returns to 0', async () => {
    monitor = new PerformanceMonitor()
    const m = monitor
    const fastify = Fastify()
    // Registered inside an encapsulated context: only that context's routes are recorded.
    await fastify.register(async (scoped) => {
      await scoped.register(perfkitPlugin, { monitor: m, api: false })
      scoped.get('/inside/:id', async () => ({ in: m.value('http_server_active_requests') }))
    })
    fastify.get('/outside', async () => 'not recorded')
    const base = await serve(fastify)
    expect(await (await fetch(`${base}/inside/1`)).json()).toEqual({ in: 1 })
    await fetch(`${base}/outside`)
    const injected = await fastify.inject({ url: '/inside/2' })
    expect(injected.json()).toEqual({ in: 1 })
    expect(monitor.value('http_server_requests_total', { route: '/inside/:id' })).toBe(2)
    expect(routesOf(monitor, 'http_server_requests_total')).toEqual(['/inside/:id'])
    expect(monitor.value('http_server_active_requests')).toBe(0)
  })

  it('counts inject()ed requests at the root too', async () => {
    monitor = new PerformanceMonitor()
    const m = monitor
    const fastify = Fastify()
    await fastify.register(perfkitPlugin, { monitor: m, api: false })
    fastify.get('/x', async () => ({ in: m.value('http_server_active_requests') }))
    app = fastify
    await fastify.ready()
    // inject() bypasses the server's 'request' event; the request is still recorded once.
    expect((await fastify.inject({ url: '/x' })).statusCode).toBe(200)
    expect(monitor.value('http_server_requests_total', { route: '/x' })).toBe(1)
    expect(monitor.value('http_server_active_requests')).toBe(0)
  })
})
