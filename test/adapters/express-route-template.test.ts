import type { Server } from 'node:http'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { PerformanceMonitor } from 'perfkit'
import { performanceMiddleware } from 'perfkit/express'
import { close, listen } from './helpers'

const DURATION = 'http_server_request_duration_seconds'

let server: Server | undefined
let monitor: PerformanceMonitor | undefined
afterEach(async () => {
  if (server !== undefined) await close(server)
  await monitor?.close()
  server = monitor = undefined
})

/** Starts `app` behind the middleware and returns a fetch helper and the recorded routes. */
async function start(build: (app: express.Express) => void) {
  monitor = new PerformanceMonitor()
  const app = express()
  app.use(performanceMiddleware({ monitor }))
  build(app)
  server = app.listen(0, '127.0.0.1')
  const base = await listen(server)
  const m = monitor
  return {
    get: async (path: string) => (await fetch(base + path)).status,
    routes: () => [...new Set((m.metrics().find((x) => x.name === DURATION)?.series ?? []).map((labels) => labels.route))].sort(),
    count: (route: string) => m.stats(DURATION, { route }, { window: 'all' })?.count ?? 0,
  }
}

describe('Express route templates', () => {
  it('builds the full template through nested routers with parameterised mount paths', async () => {
    const t = await start((app) => {
      const inner = express.Router({ mergeParams: true })
      inner.get('/items/:id', (_req, res) => void res.json({}))
      inner.get('/', (_req, res) => void res.json({}))
      const middle = express.Router({ mergeParams: true })
      middle.use('/teams/:team', inner)
      app.use('/orgs/:org', middle)
    })
    expect(await t.get('/orgs/acme/teams/red/items/1')).toBe(200)
    expect(await t.get('/orgs/globex/teams/blue/items/2')).toBe(200)
    expect(await t.get('/orgs/acme/teams/red')).toBe(200)
    expect(t.routes()).toEqual(['/orgs/:org/teams/:team', '/orgs/:org/teams/:team/items/:id'])
    expect(t.count('/orgs/:org/teams/:team/items/:id')).toBe(2)
  })

  it('keeps the label set bounded: many concrete URLs, one template', async () => {
    const t = await start((app) => app.get('/users/:id', (_req, res) => void res.json({})))
    for (let i = 0; i < 25; i++) expect(await t.get(`/users/${i}`)).toBe(200)
    expect(t.routes()).toEqual(['/users/:id'])
    expect(t.count('/users/:id')).toBe(25)
  })

  it('tells apart the mounts of one router mounted at several paths', async () => {
    const t = await start((app) => {
      const shared = express.Router()
      shared.get('/status/:code', (_req, res) => void res.json({}))
      app.use('/v1', shared)
      app.use('/v2/:tenant', shared)
    })
    await t.get('/v1/status/7')
    await t.get('/v2/acme/status/7')
    await t.get('/v2/globex/status/8')
    expect(t.count('/v1/status/:code')).toBe(1)
    expect(t.count('/v2/:tenant/status/:code')).toBe(2)
  })

  it('labels requests no route matched with one constant, whatever the URL', async () => {
    const t = await start((app) => {
      app.use('/static', (_req, res) => void res.send('file'))
      app.get('/known', (_req, res) => void res.json({}))
    })
    expect(await t.get('/nope/1')).toBe(404)
    expect(await t.get('/nope/2')).toBe(404)
    expect(await t.get('/static/app.js')).toBe(200)
    expect(t.routes()).toEqual(['unmatched'])
    expect(t.count('unmatched')).toBe(3)
  })

  it('finds routes added after the first request, array paths and RegExp routes', async () => {
    let late: express.Express | undefined
    const t = await start((app) => {
      late = app
      app.get(['/a/:x', '/b/:x'], (_req, res) => void res.json({}))
      app.get(/^\/re\/(\d+)$/, (_req, res) => void res.json({}))
    })
    await t.get('/a/1')
    await t.get('/b/2')
    await t.get('/re/42')
    late?.get('/later/:id', (_req, res) => void res.json({}))
    await t.get('/later/9')
    expect(t.routes()).toEqual([String(/^\/re\/(\d+)$/), '/a/:x|/b/:x', '/later/:id'])
  })

  it('includes the mount path of a sub-app', async () => {
    const t = await start((app) => {
      const sub = express()
      sub.get('/things/:id', (_req, res) => void res.json({}))
      app.use('/sub/:section', sub)
    })
    expect(await t.get('/sub/a/things/1')).toBe(200)
    expect(t.routes()).toEqual(['/sub/:section/things/:id'])
  })

  it('uses a custom `route` function when it returns a label', async () => {
    monitor = new PerformanceMonitor()
    const app = express()
    app.use(performanceMiddleware({ monitor, route: (req) => (req.path.startsWith('/graphql') ? 'graphql' : undefined) }))
    app.post('/graphql', (_req, res) => void res.json({}))
    app.get('/x/:y', (_req, res) => void res.json({}))
    server = app.listen(0, '127.0.0.1')
    const base = await listen(server)
    await fetch(`${base}/graphql`, { method: 'POST' })
    await fetch(`${base}/x/1`)
    const routes = monitor.metrics().find((x) => x.name === DURATION)?.series.map((l) => l.route).sort()
    expect(routes).toEqual(['/x/:y', 'graphql'])
  })
})
