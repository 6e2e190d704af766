import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  AlertEngine,
  type AlertEngineOptions,
  type AlertNotification,
  type AlertNotifierFailedEvent,
  callbackNotifier,
  loggerNotifier,
  NotifierError,
  PerfkitConfigError,
} from 'perfkit'
import { ManualClock } from '../helpers/clock'
import { FakeSource } from './helpers'

function setup(options: Partial<AlertEngineOptions> = {}) {
  const clock = new ManualClock()
  const source = new FakeSource()
  const engine = new AlertEngine({ monitor: source, now: clock.now, intervalMs: 0, groupWaitMs: 0, groupIntervalMs: 0, flapping: false, ...options })
  engine.addRule({ id: 'cpu', metric: 'cpu', op: '>', warning: 70, critical: 90 })
  const fire = (value: number): void => {
    clock.advance(1000)
    source.set('cpu', value)
    engine.evaluate()
  }
  return { clock, source, engine, fire }
}

describe('AlertEngine notifiers', () => {
  afterEach(() => vi.useRealTimers())

  it('accepts plain functions and callbackNotifier, and delivers after evaluate() returns', async () => {
    const calls: string[] = []
    const { engine, fire } = setup({
      notifiers: [(n) => void calls.push(`fn:${n.status}`), callbackNotifier((n) => void calls.push(`named:${n.alerts.length}`), { name: 'named' })],
    })
    fire(80)
    expect(calls).toEqual([]) // delivery never runs inside evaluate()
    await engine.drain()
    expect(calls).toEqual(['fn:firing', 'named:1'])
    expect(engine.stats().notifiers.map((n) => n.name)).toEqual(['callback-1', 'named'])
  })

  it('passes only alerts of at least minSeverity to a notifier', async () => {
    const pages: AlertNotification[] = []
    const { engine, fire } = setup({ notifiers: [callbackNotifier((n) => void pages.push(n), { minSeverity: 'critical' })] })
    fire(80)
    await engine.drain()
    expect(pages).toEqual([])
    fire(95)
    await engine.drain()
    expect(pages.map((n) => n.alerts.map((a) => `${a.reason}:${a.severity}`))).toEqual([['escalated:critical']])
  })

  it('keeps delivering to the others while one notifier fails, counting and emitting its failures', async () => {
    const good: number[] = []
    const { engine, fire } = setup({
      notifiers: [
        callbackNotifier(() => Promise.reject(new Error('smtp down')), { name: 'broken' }),
        callbackNotifier((n) => void good.push(n.id), { name: 'good' }),
      ],
    })
    const failures: AlertNotifierFailedEvent[] = []
    engine.bus.on('alert:notifier-failed', (e) => failures.push(e))
    fire(80)
    fire(95)
    await engine.drain()
    expect(good).toEqual([1, 2])
    expect(failures.map((f) => [f.notifier, f.reason, f.notificationId, (f.error as Error).message])).toEqual([
      ['broken', 'failed', 1, 'smtp down'],
      ['broken', 'failed', 2, 'smtp down'],
    ])
    const stats = engine.stats().notifiers
    expect(stats.find((s) => s.name === 'broken')).toMatchObject({ sent: 0, failed: 2, pending: 0 })
    expect(stats.find((s) => s.name === 'broken')?.lastError).toBeInstanceOf(NotifierError)
    expect(stats.find((s) => s.name === 'good')).toMatchObject({ sent: 2, failed: 0 })
  })

  it('reports a failure on the bus `error` event when nobody listens for alert:notifier-failed', async () => {
    const { engine, fire } = setup({ notifiers: [callbackNotifier(() => { throw new Error('sync throw') }, { name: 'thrower' })] })
    const errors: Error[] = []
    engine.bus.on('error', (e) => errors.push(e))
    fire(80)
    await engine.drain()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(NotifierError)
    expect(errors[0]).toMatchObject({ code: 'PERFKIT_NOTIFIER_FAILED', notifier: 'thrower' })
  })

  it('times out a hung notifier without holding up the others, and aborts its signal', async () => {
    vi.useFakeTimers()
    let aborted: unknown
    const fast: number[] = []
    const { engine, fire } = setup({
      notifierTimeoutMs: 5000,
      notifiers: [
        callbackNotifier((_, signal) => new Promise<void>(() => signal.addEventListener('abort', () => (aborted = signal.reason))), { name: 'hung' }),
        callbackNotifier((n) => void fast.push(n.id), { name: 'fast' }),
      ],
    })
    const failures: AlertNotifierFailedEvent[] = []
    engine.bus.on('alert:notifier-failed', (e) => failures.push(e))
    fire(80)
    await vi.advanceTimersByTimeAsync(0)
    expect(fast).toEqual([1])
    expect(engine.stats().notifiers.find((n) => n.name === 'hung')?.pending).toBe(1)
    await vi.advanceTimersByTimeAsync(5000)
    expect(failures).toMatchObject([{ notifier: 'hung', reason: 'timeout', notificationId: 1 }])
    expect(aborted).toMatchObject({ code: 'PERFKIT_TIMEOUT' })
    expect(engine.stats().notifiers.find((n) => n.name === 'hung')).toMatchObject({ failed: 1, timedOut: 1, pending: 0 })
  })

  it('drops the oldest waiting notification when a slow notifier falls behind', async () => {
    let release: () => void = () => {}
    const seen: number[] = []
    const { engine, fire } = setup({
      maxPendingNotifications: 2,
      notifiers: [
        callbackNotifier(
          (n) => {
            seen.push(n.id)
            return n.id === 1 ? new Promise<void>((r) => (release = r)) : undefined
          },
          { name: 'slow' },
        ),
      ],
    })
    const failures: AlertNotifierFailedEvent[] = []
    engine.bus.on('alert:notifier-failed', (e) => failures.push(e))
    fire(80) // 1: in flight
    await vi.waitFor(() => expect(seen).toEqual([1]))
    fire(95) // 2 waits
    fire(50) // 3 waits
    fire(80) // 4: queue full, 2 is dropped
    release()
    await engine.drain()
    expect(seen).toEqual([1, 3, 4])
    expect(failures).toMatchObject([{ notifier: 'slow', reason: 'dropped', notificationId: 2 }])
    expect(engine.stats().notifiers[0]).toMatchObject({ sent: 3, dropped: 1, pending: 0 })
  })

  it('logs one line per alert at a level matching its severity', async () => {
    const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() }
    const { engine, fire } = setup({ notifiers: [loggerNotifier({ logger })] })
    fire(80)
    fire(95)
    fire(10)
    await engine.drain()
    expect(logger.warn).toHaveBeenCalledWith('[FIRING] warning cpu: cpu is 80 (warning: > 70)')
    expect(logger.error).toHaveBeenCalledWith('[ESCALATED] critical cpu: cpu is 95 (critical: > 90)')
    expect(logger.info).toHaveBeenCalledWith('[RESOLVED] critical cpu: cpu is 95 (critical: > 90)')
  })

  it('validates notifiers', async () => {
    expect(() => loggerNotifier({ logger: {} as never })).toThrow(PerfkitConfigError)
    expect(() => callbackNotifier('x' as never)).toThrow(PerfkitConfigError)
    const { engine } = setup({ notifiers: [callbackNotifier(() => {}, { name: 'a' })] })
    expect(() => engine.addNotifier(callbackNotifier(() => {}, { name: 'a' }))).toThrow(/no other notifier/)
    expect(() => engine.addNotifier({ name: 'x' } as never)).toThrow(PerfkitConfigError)
    expect(await engine.removeNotifier('a')).toBe(true)
    expect(await engine.removeNotifier('a')).toBe(false)
  })

  it('closes notifiers on close(), after delivering what is pending', async () => {
    const order: string[] = []
    const { engine, fire } = setup({
      notifiers: [{ name: 'n', notify: async (n) => void order.push(`notify ${n.id}`), close: () => void order.push('close') }],
    })
    fire(80)
    await engine.close()
    expect(order).toEqual(['notify 1', 'close'])
    await engine.close() // idempotent
    expect(order).toEqual(['notify 1', 'close'])
  })
})
