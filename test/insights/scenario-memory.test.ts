import type { OptimizationAppliedEvent } from 'perfkit'
import { describe, expect, it, vi } from 'vitest'
import { heapLeak } from './patterns'
import { GiB, MiB, rig } from './rig'

describe('scenario: heap leak', () => {
  it('finds a suspected leak from steady heap growth, with the growth rate and time to the limit', async () => {
    const { engine, play } = rig()
    await play(heapLeak(40, 400 * MiB, 900 * MiB))
    const memory = engine.bottlenecks().find((b) => b.kind === 'memory')
    expect(memory).toMatchObject({ id: 'memory', title: 'Suspected heap leak', severity: 'high' })
    const slope = memory?.evidence.find((e) => e.stat === 'slope')
    expect(slope?.metric).toBe('nodejs_heap_used_bytes')
    expect(slope?.value).toBeGreaterThan(0.4 * MiB) // bytes per second
    expect(slope?.value).toBeLessThan(0.48 * MiB)
    const eta = memory?.evidence.find((e) => e.stat === 'seconds-to-limit')?.value as number
    expect(eta / 60).toBeGreaterThan(35)
    expect(eta / 60).toBeLessThan(50)
    expect(memory?.description).toMatch(/Heap used grows steadily by 2\d(\.\d)? MB\/min/)
    expect(memory?.confidence).toBeGreaterThan(0.85)

    const first = engine.recommendations().find((r) => r.kind === 'memory')
    expect(first?.id).toBe('memory.find-leak:memory')
    expect(first?.steps.join(' ')).toMatch(/heap snapshot/i)
    // Usage is only 44 % of the limit, but a high finding caps health.
    expect(engine.health().score).toBeLessThanOrEqual(65)
  })

  it('does not call a flat, noisy heap a leak', async () => {
    const { engine, play } = rig()
    const frames = heapLeak(40, 400 * MiB, 400 * MiB)
    await play(frames)
    expect(engine.bottlenecks().some((b) => b.kind === 'memory')).toBe(false)
  })

  it("records the monitor's leak-suspected event as an insight and folds it into the memory analysis", async () => {
    const { engine, monitor, clock } = rig()
    monitor.setGauge('nodejs_heap_used_bytes', 300 * MiB)
    monitor.bus.emit('monitor:leak-suspected', {
      metric: 'nodejs_heap_used_bytes',
      at: clock.now(),
      windowMs: 3_600_000,
      troughs: [],
      growthBytes: 120 * MiB,
      growthPercent: 60,
      slopeBytesPerSecond: 35_000,
      r2: 0.95,
      risingShare: 1,
      samples: 360,
    })
    const [leak] = engine.insights({ type: 'leak' })
    expect(leak).toMatchObject({ type: 'leak', severity: 'high', title: 'Suspected memory leak' })
    expect(leak?.description).toMatch(/grew 120 MB \(60 %\) over 1 h/)
    const memory = engine.bottlenecks().find((b) => b.kind === 'memory')
    expect(memory?.title).toBe('Suspected heap leak')
    expect(memory?.evidence.some((e) => e.stat === 'leak-suspected')).toBe(true)
    expect(engine.report().insights.some((i) => i.type === 'leak')).toBe(true)
    await engine.close()
    expect(monitor.bus.hasListeners('monitor:leak-suspected')).toBe(false)
  })
})

describe('scenario: memory pressure with the built-in rule', () => {
  it('calls the gc and pruneCaches hooks once per 5-minute cooldown while memory stays over 80 %', async () => {
    const calls: Array<[string, number]> = []
    const { engine, play, clock } = rig({
      hooks: {
        gc: () => void calls.push(['gc', clock.now()]),
        pruneCaches: () => {
          calls.push(['prune', clock.now()])
          return 'pruned 120 cold entries'
        },
      },
    })
    const applied: OptimizationAppliedEvent[] = []
    engine.bus.on('optimization:applied', (e) => applied.push(e))
    // 70 % → 93 % of the 2 GiB heap limit over 40 minutes, evaluated every 30 s.
    await play(heapLeak(80, 1.4 * GiB, 1.86 * GiB), 30_000, () => engine.evaluate())
    const gcTimes = calls.filter(([h]) => h === 'gc').map(([, t]) => t)
    expect(gcTimes.length).toBeGreaterThanOrEqual(4)
    for (let i = 1; i < gcTimes.length; i++) expect((gcTimes[i] as number) - (gcTimes[i - 1] as number)).toBe(300_000)
    expect(calls.filter(([h]) => h === 'prune')).toHaveLength(gcTimes.length)
    expect(applied).toHaveLength(gcTimes.length)
    expect(applied[0]).toMatchObject({ rule: 'memory-pressure', name: 'Memory pressure optimizer', outcome: 'applied', impact: 'gc() ran; pruned 120 cold entries' })
    expect(applied[0]?.evidence.find((e) => e.stat === 'percent-of-limit')?.value).toBeGreaterThan(80)
    expect(engine.report().optimizations).toHaveLength(gcTimes.length)
  })

  it('reports a failing hook and still runs the other one', async () => {
    const prune = vi.fn(() => 'pruned')
    const { engine, play } = rig({ hooks: { gc: () => { throw new Error('gc is not exposed') }, pruneCaches: prune } })
    const applied: OptimizationAppliedEvent[] = []
    engine.bus.on('optimization:applied', (e) => applied.push(e))
    await play(heapLeak(4, 1.8 * GiB, 1.85 * GiB))
    await engine.evaluate()
    expect(prune).toHaveBeenCalledOnce()
    expect(applied[0]).toMatchObject({ outcome: 'failed' })
    expect(applied[0]?.impact).toMatch(/1 of 2 hooks failed; done: pruned/)
  })
})
