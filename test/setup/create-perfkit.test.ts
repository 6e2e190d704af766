import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryCache, PerfBus, PredictionBatcher, configFromEnv, createPerfkit, type Perfkit } from 'perfkit'

let perfkit: Perfkit | undefined

afterEach(async () => {
  await perfkit?.stop()
  perfkit = undefined
  vi.useRealTimers()
})

describe('createPerfkit', () => {
  it('builds every part on one bus and observes the caches and batchers given', async () => {
    const bus = new PerfBus()
    const cache = new MemoryCache<string, number>({ name: 'models', bus })
    const batcher = new PredictionBatcher(async (xs: number[]) => xs.map((x) => x * 2), { name: 'doubler', bus, maxWaitMs: 1 })
    perfkit = createPerfkit({ bus, caches: [cache], batchers: [batcher], monitor: { processMetrics: false } })
    expect(perfkit.bus).toBe(bus)
    expect(perfkit.monitor.bus).toBe(bus)
    expect(perfkit.alerts?.bus).toBe(bus)
    expect(perfkit.insights?.bus).toBe(bus)
    expect(perfkit.regression?.bus).toBe(bus)
    cache.set('a', 1)
    cache.get('a')
    cache.get('b')
    expect(await batcher.predict(21)).toBe(42)
    expect(perfkit.monitor.value('cache_hits_total', { cache: 'models' })).toBe(1)
    expect(perfkit.monitor.value('cache_misses_total', { cache: 'models' })).toBe(1)
    expect(perfkit.monitor.value('prediction_calls_total', { batcher: 'doubler' })).toBe(1)
  })

  it('uses the monitor it is given, and that monitor’s bus', async () => {
    const { PerformanceMonitor } = await import('perfkit')
    const monitor = new PerformanceMonitor()
    perfkit = createPerfkit({ monitor, alerts: false, insights: false, regression: false })
    expect(perfkit.monitor).toBe(monitor)
    expect(perfkit.bus).toBe(monitor.bus)
    expect(perfkit.alerts).toBeUndefined()
    expect(perfkit.insights).toBeUndefined()
    expect(perfkit.regression).toBeUndefined()
  })

  it('applies the reference profile with thresholds from the environment', () => {
    const env = configFromEnv({ PERF_PREDICTION_LATENCY_MS: '250', PERF_QUEUE_SIZE_MAX: '7' })
    perfkit = createPerfkit({ env, alerts: { profile: 'reference' }, monitor: { processMetrics: false } })
    const rules = Object.fromEntries((perfkit.alerts?.rules() ?? []).map((r) => [r.id, r]))
    expect(rules['prediction-latency']).toMatchObject({ warning: 0.25 })
    expect(rules['queue-size']).toMatchObject({ warning: 7 })
  })

  it('evaluates alerts only once started, on the configured interval', () => {
    vi.useFakeTimers()
    perfkit = createPerfkit({
      now: () => Date.now(),
      monitor: { processMetrics: false },
      insights: false,
      regression: false,
      alerts: { profile: 'none', intervalMs: 1000, rules: [{ id: 'queue', metric: 'queue_depth', op: '>', warning: 5 }] },
    })
    const firing: string[] = []
    perfkit.bus.on('alert:firing', ({ alert }) => firing.push(alert.ruleId))
    perfkit.monitor.setGauge('queue_depth', 10)
    vi.advanceTimersByTime(5000)
    expect(perfkit.alerts?.alerts({ state: 'firing' })).toHaveLength(0)
    perfkit.start().start()
    vi.advanceTimersByTime(1000)
    expect(perfkit.alerts?.alerts({ state: 'firing' }).map((a) => a.ruleId)).toEqual(['queue'])
  })

  it('stop() drains batchers so every pending call settles, and is idempotent', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const batcher = new PredictionBatcher(
      async (xs: number[]) => {
        await gate
        return xs
      },
      { maxWaitMs: 10_000 },
    )
    perfkit = createPerfkit({ batchers: [batcher], monitor: { processMetrics: false } }).start()
    const pending = [batcher.predict(1), batcher.predict(2)]
    const stopped = perfkit.stop()
    expect(perfkit.stop()).toBe(stopped)
    release()
    await stopped
    expect(await Promise.all(pending)).toEqual([1, 2])
    await expect(batcher.predict(3)).rejects.toMatchObject({ code: 'PERFKIT_CLOSED' })
  })

  it('handleSignals stops gracefully and leaves the process to a host that handles the signal itself', async () => {
    const batcher = new PredictionBatcher(async (xs: number[]) => xs)
    perfkit = createPerfkit({ batchers: [batcher], monitor: { processMetrics: false } })
    const hostListener = vi.fn()
    process.on('SIGUSR2', hostListener)
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true)
    try {
      const off = perfkit.handleSignals({ signals: ['SIGUSR2'] })
      const pending = batcher.predict(5)
      process.emit('SIGUSR2', 'SIGUSR2')
      expect(await pending).toBe(5)
      await perfkit.stop()
      await new Promise((resolve) => setImmediate(resolve))
      await expect(batcher.predict(6)).rejects.toMatchObject({ code: 'PERFKIT_CLOSED' })
      expect(hostListener).toHaveBeenCalledTimes(1)
      expect(kill).not.toHaveBeenCalled()
      off()
    } finally {
      process.off('SIGUSR2', hostListener)
      kill.mockRestore()
    }
  })

  it('re-raises the signal when nobody else handles it', async () => {
    perfkit = createPerfkit({ monitor: { processMetrics: false } })
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true)
    try {
      perfkit.handleSignals({ signals: ['SIGUSR2'] })
      process.emit('SIGUSR2', 'SIGUSR2')
      await perfkit.stop()
      await vi.waitFor(() => expect(kill).toHaveBeenCalledWith(process.pid, 'SIGUSR2'))
      expect(process.listenerCount('SIGUSR2')).toBe(0)
    } finally {
      kill.mockRestore()
    }
  })

  it('rejects bad options with a PerfkitConfigError', () => {
    expect(() => createPerfkit({ alerts: { profile: 'nope' as 'none' } })).toThrowError(expect.objectContaining({ option: 'alerts.profile' }))
    expect(() => createPerfkit({ bus: {} as PerfBus })).toThrowError(expect.objectContaining({ option: 'bus' }))
  })
})
