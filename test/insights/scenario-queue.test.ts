import { describe, expect, it } from 'vitest'
import { rig } from './rig'

describe('scenario: queue backlog', () => {
  it('finds a growing batcher queue, with its size, growth and wait as evidence', async () => {
    const { engine, monitor, step } = rig()
    for (let s = 0; s < 12; s++) {
      step(30_000, () => {
        monitor.setGauge('prediction_queue_size', 20 + s * 25, { batcher: 'model' })
        monitor.setGauge('prediction_queue_size', 3, { batcher: 'embeddings' })
        for (let i = 0; i < 20; i++) monitor.record('prediction_queue_wait_seconds', 0.5 + s * 0.25, { batcher: 'model' })
        for (let i = 0; i < 20; i++) monitor.record('prediction_queue_wait_seconds', 0.01, { batcher: 'embeddings' })
      })
    }
    const queues = engine.bottlenecks().filter((b) => b.kind === 'queue')
    expect(queues.map((q) => q.id)).toEqual(['queue:model'])
    const q = queues[0]
    expect(q).toMatchObject({ labels: { batcher: 'model' }, title: 'Queue backlog in model', severity: 'high' })
    expect(q?.evidence.find((e) => e.metric === 'prediction_queue_size' && e.stat === 'value')).toMatchObject({ value: 295, threshold: 100, labels: { batcher: 'model' } })
    expect(q?.evidence.find((e) => e.stat === 'slope')?.value).toBeCloseTo(25 / 30, 5) // items per second
    expect(q?.evidence.find((e) => e.metric === 'prediction_queue_wait_seconds')?.value).toBeGreaterThan(2)
    expect(q?.description).toMatch(/295 items are queued; the queue grows by 50 items\/min/)
    expect(engine.recommendations()[0]?.id).toBe('queue.bound:queue:model')
    expect(engine.recommendations()[0]?.steps[0]).toMatch(/maxQueueSize on `model`/)
  })

  it('reports items dropped by a batch processor', async () => {
    const { engine, monitor, step } = rig()
    for (let s = 0; s < 4; s++) step(60_000, () => monitor.increment('batch_dropped_total', 12, { processor: 'events', reason: 'queue-full' }))
    const q = engine.bottlenecks().find((b) => b.kind === 'queue')
    expect(q).toMatchObject({ id: 'queue:events', severity: 'high' })
    expect(q?.evidence.find((e) => e.metric === 'batch_dropped_total')?.value).toBeGreaterThan(0)
  })
})
