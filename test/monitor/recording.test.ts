import { afterEach, describe, expect, it } from 'vitest'
import { PerformanceMonitor } from '../../src/monitor/index'
import { ManualClock } from '../helpers/clock'

const monitors: PerformanceMonitor[] = []
function monitor(clock = new ManualClock()): { m: PerformanceMonitor; clock: ManualClock } {
  const m = new PerformanceMonitor({ now: clock.now, historyIntervalMs: 0 })
  monitors.push(m)
  return { m, clock }
}
afterEach(async () => {
  for (const m of monitors.splice(0)) await m.close()
})

describe('PerformanceMonitor recording', () => {
  it('counts, sets gauges and reads them back', () => {
    const { m } = monitor()
    m.increment('jobs_total')
    m.increment('jobs_total', 4)
    m.setGauge('queue_depth', 7)
    m.setGauge('queue_depth', 3)
    m.adjustGauge('active_requests', 1)
    m.adjustGauge('active_requests', 1)
    m.adjustGauge('active_requests', -1)
    expect(m.value('jobs_total')).toBe(5)
    expect(m.value('queue_depth')).toBe(3)
    expect(m.value('active_requests')).toBe(1)
    expect(m.value('missing')).toBeUndefined()
  })

  it('records a distribution and reports its statistics', () => {
    const { m } = monitor()
    for (const v of [0.1, 0.2, 0.3, 0.4]) m.record('latency_seconds', v)
    const s = m.stats('latency_seconds', undefined, { window: 'all' })
    expect(s?.count).toBe(4)
    expect(s?.sum).toBeCloseTo(1, 12)
    expect(s?.mean).toBeCloseTo(0.25, 12)
    expect(s?.min).toBe(0.1)
    expect(s?.max).toBe(0.4)
    expect(s?.stddev).toBeCloseTo(Math.sqrt(0.0125), 9)
    expect(s?.p50).toBeGreaterThanOrEqual(0.2 * 0.99)
    expect(s?.p50).toBeLessThanOrEqual(0.3 * 1.01)
    // DDSketch's lower-rank convention: rank floor(0.999 × 3) = 2, the third value, within 1 %.
    expect(s?.p999).toBeGreaterThanOrEqual(0.3 * 0.99)
    expect(s?.p999).toBeLessThanOrEqual(0.4)
    expect(m.stats('latency_seconds')?.count).toBe(4) // default window 1m
  })

  it('reads undefined for the wrong kind', () => {
    const { m } = monitor()
    m.increment('hits_total')
    m.record('size_bytes', 10)
    expect(m.stats('hits_total')).toBeUndefined()
    expect(m.value('size_bytes')).toBeUndefined()
    expect(m.rate('missing')).toBeUndefined()
  })

  it('keeps one series per label set, whatever the key order, and merges or sums on read', () => {
    const { m } = monitor()
    m.record('http_seconds', 0.1, { method: 'GET', route: '/a' })
    m.record('http_seconds', 0.2, { route: '/a', method: 'GET' })
    m.record('http_seconds', 0.3, { method: 'POST', route: '/a' })
    m.record('http_seconds', 0.4, { method: 'GET', route: '/b' })
    m.increment('req_total', 1, { method: 'GET' })
    m.increment('req_total', 2, { method: 'POST' })
    m.setGauge('conns', 2, { pool: 'a' })
    m.setGauge('conns', 5, { pool: 'b' })
    const info = m.metrics().find((x) => x.name === 'http_seconds')
    expect(info?.series).toHaveLength(3)
    expect(m.stats('http_seconds', { method: 'GET', route: '/a' }, { window: 'all' })?.count).toBe(2)
    expect(m.stats('http_seconds', { route: '/a' }, { window: 'all' })?.count).toBe(3)
    expect(m.stats('http_seconds', {}, { window: 'all' })?.count).toBe(4)
    expect(m.stats('http_seconds', { route: '/zzz' })).toBeUndefined()
    expect(m.value('req_total')).toBe(3)
    expect(m.value('req_total', { method: 'POST' })).toBe(2)
    expect(m.value('conns')).toBe(7)
  })

  it('finds the series of a fresh labels object and of a reused one alike', () => {
    const { m } = monitor()
    const reused = { route: '/r', method: 'GET' }
    for (let i = 0; i < 50; i++) {
      m.increment('c_total', 1, reused)
      m.increment('c_total', 1, { route: '/r', method: 'GET' })
      m.increment('c_total', 1, { method: 'GET', route: '/r' })
    }
    expect(m.value('c_total')).toBe(150)
    expect(m.metrics()[0]?.series).toEqual([{ method: 'GET', route: '/r' }])
  })

  it('reads the current values of a labels object that is reused and changed between writes', () => {
    const { m } = monitor()
    const labels = { route: '/a' }
    m.increment('req_total', 1, labels)
    labels.route = '/b'
    m.increment('req_total', 1, labels)
    m.increment('req_total', 1, labels)
    expect(m.value('req_total', { route: '/a' })).toBe(1)
    expect(m.value('req_total', { route: '/b' })).toBe(2)
  })

  it('turns non-string label values into strings', () => {
    const { m } = monitor()
    m.increment('status_total', 1, { code: 200 as unknown as string })
    m.increment('status_total', 1, { code: '200' })
    expect(m.value('status_total', { code: '200' })).toBe(2)
  })

  it('reads an empty label value as no label, as Prometheus does', () => {
    const { m } = monitor()
    m.increment('x_total', 1, { route: '' })
    m.increment('x_total', 1, { route: undefined as unknown as string })
    m.increment('x_total', 1)
    expect(m.metrics()[0]?.series).toEqual([{}])
    expect(m.value('x_total', { route: '' })).toBe(3)
  })

  it('startTimer records the elapsed seconds once, with extra labels', () => {
    const { m, clock } = monitor()
    const end = m.startTimer('op_seconds', { op: 'read' })
    clock.advance(250)
    expect(end({ outcome: 'ok' })).toBeCloseTo(0.25, 12)
    clock.advance(1000)
    expect(end()).toBeCloseTo(0.25, 12)
    expect(m.stats('op_seconds', { op: 'read', outcome: 'ok' }, { window: 'all' })?.count).toBe(1)
    expect(m.stats('op_seconds', { op: 'read', outcome: 'ok' }, { window: 'all' })?.max).toBeCloseTo(0.25, 12)
  })

  it('time() records a sync function and returns its value', () => {
    const { m, clock } = monitor()
    const result = m.time('work_seconds', () => {
      clock.advance(40)
      return 'done'
    })
    expect(result).toBe('done')
    expect(m.stats('work_seconds', undefined, { window: 'all' })?.max).toBeCloseTo(0.04, 12)
    expect(m.value('work_errors_total')).toBeUndefined()
  })

  it('time() counts a throw as an error and re-throws it unchanged', () => {
    const { m, clock } = monitor()
    const boom = new TypeError('boom')
    expect(() =>
      m.time('db_query_duration_seconds', () => {
        clock.advance(10)
        throw boom
      }, { table: 'users' }),
    ).toThrow(boom)
    expect(m.stats('db_query_duration_seconds', { table: 'users' }, { window: 'all' })?.count).toBe(1)
    expect(m.value('db_query_errors_total', { table: 'users' })).toBe(1)
  })

  it('time() follows an async function: resolves with its value, or rejects with its error', async () => {
    const { m, clock } = monitor()
    const value = await m.time('fetch_seconds', async () => {
      clock.advance(100)
      return 42
    })
    expect(value).toBe(42)
    const failure = new Error('nope')
    const rejected = m.time('fetch_seconds', async () => {
      await Promise.resolve()
      clock.advance(300)
      throw failure
    })
    await expect(rejected).rejects.toBe(failure)
    const s = m.stats('fetch_seconds', undefined, { window: 'all' })
    expect(s?.count).toBe(2)
    expect(s?.max).toBeCloseTo(0.3, 12)
    expect(m.value('fetch_errors_total')).toBe(1)
  })

  it('define() sets help and options, and refuses a kind change', () => {
    const { m } = monitor()
    m.define('payload_bytes', { kind: 'distribution', help: 'Request payloads.', buckets: [100, 1000] })
    m.record('payload_bytes', 500)
    expect(m.metrics()[0]).toMatchObject({ name: 'payload_bytes', kind: 'distribution', help: 'Request payloads.' })
    expect(() => m.define('payload_bytes', { kind: 'counter' })).toThrow(expect.objectContaining({ code: 'PERFKIT_CONFIG', option: 'kind' }))
    expect(() => m.define('payload_bytes', { kind: 'distribution', buckets: [1] })).toThrow(expect.objectContaining({ code: 'PERFKIT_CONFIG' }))
    expect(() => m.define('bad name', { kind: 'gauge' })).toThrow(expect.objectContaining({ option: 'name' }))
    expect(() => m.define('g', { kind: 'gauge', buckets: [1] })).toThrow(expect.objectContaining({ option: 'buckets' }))
    m.define('payload_bytes', { kind: 'distribution', help: 'Changed.' })
    expect(m.metrics()[0]?.help).toBe('Changed.')
  })

  it('gauge callbacks are read before reads, and can be removed', () => {
    const { m } = monitor()
    let pool = 3
    const off = m.addGaugeCallback('pool_size', () => pool, { pool: 'main' })
    expect(m.value('pool_size')).toBe(3)
    pool = 9
    expect(m.value('pool_size', { pool: 'main' })).toBe(9)
    off()
    pool = 1
    expect(m.value('pool_size')).toBe(9)
    expect(() => m.addGaugeCallback('bad name', () => 1)).toThrow(expect.objectContaining({ code: 'PERFKIT_INPUT' }))
  })
})
