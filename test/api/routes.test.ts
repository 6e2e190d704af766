import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Fixture, startFixture } from './fixture'

const P = '/api/performance'
let f: Fixture
beforeEach(async () => {
  f = await startFixture()
})
afterEach(async () => {
  await f.stop()
})

describe('performance API: reads', () => {
  it('GET summary reports HTTP latency, throughput, caches, batchers, system keys and alert counts', async () => {
    const { status, body } = await f.get(`${P}/summary`)
    expect(status).toBe(200)
    expect(body.window).toBe('1m')
    expect(body.http.latency.count).toBe(4)
    expect(body.http.latency.p50).toBeCloseTo(0.2, 2)
    expect(body.http.requestsTotal).toBe(4)
    expect(body.cache.caches).toEqual([expect.objectContaining({ name: 'users', hits: 2, misses: 2, entries: 2 })])
    expect(body.cache.hitRate).toBeCloseTo(0.5, 9)
    expect(body.batch.batchers[0]).toMatchObject({ name: 'model', stats: expect.objectContaining({ calls: 4 }) })
    expect(Object.keys(body.system)).toEqual(expect.arrayContaining(['processCpuPercent', 'heapUsedBytes', 'eventLoopDelayP99Seconds']))
    expect(body.alerts).toMatchObject({ configured: true, firing: 1, warning: 1, critical: 0, unacknowledged: 1 })
  })

  it('GET metrics lists every metric with its reading and series; ?name filters, unknown names are 404', async () => {
    const all = await f.get(`${P}/metrics`)
    expect(all.status).toBe(200)
    const names = all.body.metrics.map((m: { name: string }) => m.name)
    expect(names).toEqual(expect.arrayContaining(['http_server_request_duration_seconds', 'http_server_requests_total', 'cache_hits_total']))
    const one = await f.get(`${P}/metrics?name=http_server_requests_total&window=all`)
    expect(one.body.metrics).toHaveLength(1)
    expect(one.body.metrics[0]).toMatchObject({ kind: 'counter', value: 4, seriesCount: 1 })
    expect(one.body.metrics[0].series[0].labels).toEqual({ method: 'GET', route: '/users/:id', status_class: '2xx' })
    expect((await f.get(`${P}/metrics?name=nope_total`)).status).toBe(404)
    const bad = await f.get(`${P}/metrics?window=2h`)
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatch(/window/)
  })

  it('GET metrics/history returns points on the monitor clock, filtered by time, stat and labels', async () => {
    f.monitor.snapshot()
    f.clock.advance(10_000)
    await fetch(`${f.base}/users/3`)
    f.monitor.snapshot()
    const { status, body } = await f.get(`${P}/metrics/history?metric=http_server_request_duration_seconds&stat=count`)
    expect(status).toBe(200)
    expect(body.points.map((p: { value: number }) => p.value)).toEqual([4, 1])
    const later = await f.get(`${P}/metrics/history?metric=http_server_request_duration_seconds&stat=count&from=${f.clock.t - 1}`)
    expect(later.body.points).toHaveLength(1)
    const labelled = await f.get(`${P}/metrics/history?metric=http_server_requests_total&labels=${encodeURIComponent('{"route":"/users/:id"}')}&last=60000`)
    expect(labelled.status).toBe(200)
    expect(labelled.body.points.length).toBeGreaterThan(0)
    expect((await f.get(`${P}/metrics/history`)).status).toBe(400)
    expect((await f.get(`${P}/metrics/history?metric=nope`)).status).toBe(404)
    expect((await f.get(`${P}/metrics/history?metric=http_server_requests_total&from=10&to=5`)).status).toBe(400)
    expect((await f.get(`${P}/metrics/history?metric=http_server_requests_total&labels=notjson`)).status).toBe(400)
  })

  it('GET alerts filters by state and severity; bad filters are 400', async () => {
    const firing = await f.get(`${P}/alerts?state=firing`)
    expect(firing.status).toBe(200)
    expect(firing.body.alerts).toEqual([expect.objectContaining({ id: f.firingId, state: 'firing', severity: 'warning', ruleId: 'slow-requests' })])
    expect((await f.get(`${P}/alerts?severity=critical`)).body.alerts).toEqual([])
    expect((await f.get(`${P}/alerts?state=active,resolved`)).body.count).toBe(1)
    const bad = await f.get(`${P}/alerts?state=burning`)
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatch(/state/)
  })

  it('GET batch/statistics and cache/statistics serve each primitive’s stats', async () => {
    const batch = await f.get(`${P}/batch/statistics`)
    expect(batch.body.batchers).toEqual([{ name: 'model', stats: expect.objectContaining({ calls: 4, averageBatchSize: expect.any(Number) }) }])
    const cache = await f.get(`${P}/cache/statistics`)
    expect(cache.body.caches).toEqual([expect.objectContaining({ name: 'users', hitRate: 0.5 })])
    expect(cache.body.hitRate).toBe(0.5)
  })

  it('GET insights, recommendations, bottlenecks, report, sources, health and overview answer from the engines', async () => {
    for (const path of ['insights', 'insights?severity=critical,high', 'recommendations', 'bottlenecks', 'report', 'sources', 'overview']) {
      const { status } = await f.get(`${P}/${path}`)
      expect(status, path).toBe(200)
    }
    expect((await f.get(`${P}/recommendations`)).body.recommendations).toEqual(expect.any(Array))
    expect((await f.get(`${P}/report`)).body.report).toEqual(expect.objectContaining({ summary: expect.any(Object) }))
    const health = await f.get(`${P}/health`)
    expect(['healthy', 'degraded', 'unhealthy']).toContain(health.body.status)
    expect(health.status).toBe(health.body.status === 'unhealthy' ? 503 : 200)
    expect(health.body.checks.alerts).toEqual({ firing: 1, critical: 0, warning: 1 })
    expect((await f.get(`${P}/insights?severity=BAD!`)).status).toBe(400)
  })

  it('GET /metrics serves the Prometheus text with the request duration by method, route and status class', async () => {
    const res = await fetch(`${f.base}/metrics`)
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await res.text()
    expect(text).toMatch(/^# TYPE http_server_request_duration_seconds histogram$/m)
    expect(text).toMatch(/^http_server_request_duration_seconds_count\{method="GET",route="\/users\/:id",status_class="2xx"\} 4$/m)
  })

  it('answers HEAD without a body, 405 with Allow for a wrong method, and leaves other paths to the app', async () => {
    const head = await fetch(`${f.api}/summary`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    const wrong = await fetch(`${f.api}/summary`, { method: 'DELETE' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET, HEAD')
    expect((await fetch(`${f.api}/not-a-route`)).status).toBe(404)
  })
})

describe('performance API: actions', () => {
  it('acknowledges and resolves alerts; unknown or inactive ids are 404', async () => {
    const ack = await f.send('POST', `${P}/alerts/${encodeURIComponent(f.firingId)}/acknowledge`, { by: 'ops', note: 'looking' })
    expect(ack.status).toBe(200)
    expect(ack.body.alert.acknowledged).toMatchObject({ by: 'ops', note: 'looking' })
    expect(f.alerts.get(f.firingId)?.acknowledged?.by).toBe('ops')
    expect((await f.send('POST', `${P}/alerts/nope%231/acknowledge`, {})).status).toBe(404)
    const resolved = await f.send('POST', `${P}/alerts/${encodeURIComponent(f.firingId)}/resolve`, {})
    expect(resolved.status).toBe(200)
    expect(resolved.body.alert).toMatchObject({ state: 'resolved', resolvedBy: 'manual' })
    const again = await f.send('POST', `${P}/alerts/${encodeURIComponent(f.firingId)}/resolve`, {})
    expect(again.status).toBe(404)
    expect(again.body.code).toBe('PERFKIT_NOT_FOUND')
  })

  it('refuses bad acknowledge bodies with the reason', async () => {
    const wrongType = await f.send('POST', `${P}/alerts/${encodeURIComponent(f.firingId)}/acknowledge`, { by: 42 })
    expect(wrongType.status).toBe(400)
    expect(wrongType.body.error).toMatch(/`by` must be a string/)
    const unknown = await f.send('POST', `${P}/alerts/${encodeURIComponent(f.firingId)}/acknowledge`, { who: 'x' })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error).toMatch(/unknown field `who`/)
    const notObject = await f.send('POST', `${P}/alerts/${encodeURIComponent(f.firingId)}/acknowledge`, [1, 2])
    expect(notObject.status).toBe(400)
    const notJson = await f.send('POST', `${P}/alerts/${encodeURIComponent(f.firingId)}/acknowledge`, '{"by":', { authorization: 'Bearer secret', 'content-type': 'application/json' })
    expect(notJson.status).toBe(400)
    expect(notJson.body.error).toMatch(/not valid JSON/)
  })

  it('PUT thresholds changes rule levels; an invalid change is 400 naming the option', async () => {
    const ok = await f.send('PUT', `${P}/thresholds`, { 'slow-requests': { warning: 0.5 } })
    expect(ok.status).toBe(200)
    expect(f.alerts.rules().find((r) => r.id === 'slow-requests')).toMatchObject({ warning: 0.5 })
    const bad = await f.send('PUT', `${P}/thresholds`, { 'no-such-rule': { warning: 1 } })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ code: 'PERFKIT_CONFIG', error: expect.stringMatching(/thresholds\.no-such-rule/) })
    expect((await f.send('PUT', `${P}/thresholds`, {})).status).toBe(400)
  })

  it('PUT batch/config reconfigures a batcher; bad values are 400, unknown batchers 404', async () => {
    const ok = await f.send('PUT', `${P}/batch/config`, { maxBatchSize: 25 })
    expect(ok.status).toBe(200)
    expect(f.batcher.config.maxBatchSize).toBe(25)
    const bad = await f.send('PUT', `${P}/batch/config`, { maxBatchSize: 0 })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatch(/maxBatchSize/)
    expect((await f.send('PUT', `${P}/batch/config`, { batcher: 'other', maxBatchSize: 5 })).status).toBe(404)
    expect((await f.send('PUT', `${P}/batch/config`, { batcher: 'model' })).status).toBe(400)
  })

  it('POST cache/cleanup removes expired entries, or everything with mode "all"', async () => {
    f.cache.set('fresh', 'x', { ttl: 60_000 })
    f.clock.advance(5000) // past the 1 s TTL of the two entries the requests cached
    const expired = await f.send('POST', `${P}/cache/cleanup`, {})
    expect(expired.status).toBe(200)
    expect(expired.body.results).toEqual([{ cache: 'users', removed: 2, entries: 1 }])
    const all = await f.send('POST', `${P}/cache/cleanup`, { cache: 'users', mode: 'all' })
    expect(all.body.results).toEqual([{ cache: 'users', removed: 1, entries: 0 }])
    expect((await f.send('POST', `${P}/cache/cleanup`, { cache: 'nope' })).status).toBe(404)
    expect((await f.send('POST', `${P}/cache/cleanup`, { mode: 'some' })).status).toBe(400)
  })

  it('POST cache/preload warms a cache with the given keys or its warmKeys', async () => {
    const given = await f.send('POST', `${P}/cache/preload`, { keys: ['a', 'b', 1] })
    expect(given.status).toBe(200)
    expect(given.body.results).toEqual([{ cache: 'users', loaded: 3, skipped: 0, failed: 0, errors: [] }])
    expect(f.cache.get('a')).toBe('user:a')
    const warm = await f.send('POST', `${P}/cache/preload`, { cache: 'users' })
    expect(warm.body.results[0]).toMatchObject({ loaded: 2 })
    expect(f.cache.has('w1')).toBe(true)
    expect((await f.send('POST', `${P}/cache/preload`, { keys: 'a' })).status).toBe(400)
    expect((await f.send('POST', `${P}/cache/preload`, { concurrency: 1000 })).status).toBe(400)
  })
})
