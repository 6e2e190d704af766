import { describe, expect, it } from 'vitest'
import { AlertEngine, type AlertEngineOptions, type AlertSuppressedEvent, PerfkitInputError, QueueFullError } from 'perfkit'
import { ManualClock } from '../helpers/clock'
import { FakeSource } from './helpers'

function setup(options: Partial<AlertEngineOptions> = {}) {
  const clock = new ManualClock()
  const source = new FakeSource()
  const engine = new AlertEngine({ monitor: source, now: clock.now, intervalMs: 0, groupWaitMs: 0, groupIntervalMs: 0, flapping: false, ...options })
  const fired: string[] = []
  engine.bus.on('alert:firing', ({ alert }) => fired.push(`${alert.ruleId}/${alert.labels.route ?? ''}/${alert.severity}`))
  const step = (ms = 1000): string[] => {
    clock.advance(ms)
    engine.evaluate()
    return fired.splice(0)
  }
  return { clock, source, engine, step }
}

function routes(engine: AlertEngine, source: FakeSource, values: Record<string, number>): void {
  engine.addRule({ id: 'slow', kind: 'custom', condition: () => Object.entries(values).map(([route, v]) => ({ labels: { route }, severity: v > 5 ? 'critical' : v > 1 ? 'warning' : null, value: v })) })
  void source
}

describe('AlertEngine silences', () => {
  it('matches labels by equality, full-string RegExp and negation', () => {
    const { source, engine, step, clock } = setup()
    routes(engine, source, { '/api/users': 2, '/api/orders': 2, '/health': 2, '/apix': 2 })
    engine.silence({ route: /\/api\/.*/ }, clock.t + 60_000)
    engine.silence({ route: { not: /\/api.*/ }, severity: 'warning' }, clock.t + 60_000)
    expect(step()).toEqual(['slow//apix/warning']) // /apix: not under /api/, and /api.* matches it, so `not` fails
    const muted = engine.alerts().filter((a) => a.silencedBy.length > 0).map((a) => a.labels.route)
    expect(muted.sort()).toEqual(['/api/orders', '/api/users', '/health'])
    expect(engine.alerts().find((a) => a.labels.route === '/apix')?.silencedBy).toEqual([])
  })

  it('applies from startsAt to untilMs, and expireSilence ends one early', () => {
    const { source, engine, step, clock } = setup()
    routes(engine, source, { '/a': 2 })
    const later = engine.silence({ alertname: 'slow' }, clock.t + 120_000, { startsAt: clock.t + 60_000 })
    const now = engine.silence({ route: '/a' }, clock.t + 600_000)
    expect(engine.silences().map((s) => s.id)).toEqual([later.id, now.id])
    expect(step()).toEqual([])
    expect(engine.expireSilence(now.id)).toBe(true)
    expect(engine.expireSilence(now.id)).toBe(false)
    expect(step(1000)).toEqual(['slow//a/warning'])
  })

  it('rejects empty matchers, times in the past, bad matcher values, and too many silences', () => {
    const { engine, clock } = setup({ maxSilences: 1 })
    expect(() => engine.silence({}, clock.t + 1000)).toThrow(PerfkitInputError)
    expect(() => engine.silence({ a: 'b' }, clock.t)).toThrow(/untilMs/)
    expect(() => engine.silence({ a: 5 as never }, clock.t + 1000)).toThrow(/matchers\.a/)
    expect(() => engine.silence({ a: { not: 5 as never } }, clock.t + 1000)).toThrow(/matchers\.a\.not/)
    engine.silence({ a: 'b' }, clock.t + 1000)
    expect(() => engine.silence({ a: 'c' }, clock.t + 1000)).toThrow(QueueFullError)
    clock.advance(1000)
    expect(engine.silence({ a: 'c' }, clock.t + 1000).id).toBe('silence-2') // the first expired and was pruned
  })

  it('reports each suppression once per reason', () => {
    const { source, engine, step, clock } = setup()
    routes(engine, source, { '/a': 2 })
    const seen: AlertSuppressedEvent[] = []
    engine.bus.on('alert:suppressed', (e) => seen.push(e))
    engine.silence({ route: '/a' }, clock.t + 600_000)
    step()
    step()
    step()
    expect(seen.map((e) => e.reason)).toEqual(['silenced'])
  })
})

describe('AlertEngine inhibition', () => {
  it('by default a critical alert mutes warnings with the same metric label, and not itself', () => {
    const { source, engine, step } = setup()
    engine.addRules([
      { id: 'latency-warning', metric: 'lat', stat: 'p95', op: '>', warning: 0.1 },
      { id: 'latency-critical', metric: 'lat', stat: 'p95', op: '>', critical: 0.5 },
      { id: 'other-warning', metric: 'other', op: '>', warning: 1 },
    ])
    source.setStats('lat', { p95: 0.7 }).set('other', 2)
    expect(step().sort()).toEqual(['latency-critical//critical', 'other-warning//warning'])
    const inhibited = engine.alerts({ ruleId: 'latency-warning' })[0]
    expect(inhibited?.inhibitedBy).toEqual([engine.alerts({ ruleId: 'latency-critical' })[0]?.fingerprint])
    source.setStats('lat', { p95: 0.3 }) // the critical resolves: the warning is notified at the next flush
    expect(step()).toEqual(['latency-warning//warning'])
  })

  it('takes custom inhibit rules with `equal` labels; a missing equal label never matches', () => {
    const { source, engine, step } = setup({ inhibitRules: [{ source: { alertname: 'region-down' }, target: { alertname: 'slow' }, equal: ['region'] }] })
    engine.addRule({ id: 'region-down', kind: 'custom', condition: () => [{ labels: { region: 'eu' }, severity: 'critical' }] })
    engine.addRule({
      id: 'slow',
      kind: 'custom',
      condition: () => [
        { labels: { region: 'eu', route: 'eu' }, severity: 'warning' },
        { labels: { region: 'us', route: 'us' }, severity: 'warning' },
        { labels: { route: 'none' }, severity: 'warning' },
      ],
    })
    void source
    expect(step().sort()).toEqual(['region-down//critical', 'slow/none/warning', 'slow/us/warning'])
  })
})
