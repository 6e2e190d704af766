import { EventEmitter } from 'node:events'
import { inflateRawSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ClosedError, PerfkitConfigError, PerformanceMonitor } from 'perfkit'
import { BatchedEmitter, type BatchEnvelope, type BatchMessage } from 'perfkit/socket.io'

/** A server socket stand-in: records emits, and can disconnect. */
class FakeSocket extends EventEmitter {
  connected = true
  readonly sent: BatchEnvelope[] = []
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'perfkit:batch') this.sent.push(args[0] as BatchEnvelope)
    return true
  }
  disconnect(reason = 'transport close'): void {
    this.connected = false
    super.emit('disconnect', reason)
  }
  /** Every message received so far, unpacked, in order. */
  messages(): BatchMessage[] {
    return this.sent.flatMap((b) => ('m' in b ? b.m : (JSON.parse(inflateRawSync(b.z as Uint8Array).toString()) as BatchMessage[])))
  }
  sizes(): number[] {
    return this.sent.map((b) => ('m' in b ? b.m.length : -1))
  }
}

const clock = { now: () => Date.now() }
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('BatchedEmitter', () => {
  it('sends a partial batch once the oldest message has waited maxWaitMs (default 100 ms), in order', () => {
    const emitter = new BatchedEmitter({ clock })
    const socket = new FakeSocket()
    emitter.emit(socket, 'a', 1)
    emitter.emit(socket, 'b', { x: 2 })
    emitter.emit(socket, 'c')
    vi.advanceTimersByTime(99)
    expect(socket.sent).toEqual([])
    vi.advanceTimersByTime(1)
    expect(socket.sent).toEqual([{ v: 1, s: 0, m: [['a', 1], ['b', { x: 2 }], ['c']] }])
    emitter.close()
  })

  it('sends a full batch at once (default 10 messages)', () => {
    const emitter = new BatchedEmitter({ clock, adaptive: false })
    const socket = new FakeSocket()
    for (let i = 0; i < 25; i++) emitter.emit(socket, 'n', i)
    expect(socket.sizes()).toEqual([10, 10])
    vi.advanceTimersByTime(100)
    expect(socket.sizes()).toEqual([10, 10, 5])
    expect(socket.messages().map((m) => m[1])).toEqual(Array.from({ length: 25 }, (_, i) => i))
    expect(socket.sent.map((b) => b.s)).toEqual([0, 1, 2])
    emitter.close()
  })

  it('sends a priority message at once, after what was queued before it', () => {
    const emitter = new BatchedEmitter({ clock })
    const socket = new FakeSocket()
    emitter.emit(socket, 'progress', 1)
    emitter.emit(socket, 'progress', 2)
    emitter.emit(socket, 'done', 'ok', { priority: 'high' })
    expect(socket.messages()).toEqual([['progress', 1], ['progress', 2], ['done', 'ok']])
    expect(emitter.stats()).toMatchObject({ priorityMessages: 1, queued: 0, batches: 1 })
    emitter.close()
  })

  it('holds messages past the per-socket rate limit and sends them as tokens come back', () => {
    const emitter = new BatchedEmitter({ clock, maxMessagesPerSecond: 20, adaptive: false })
    const fast = new FakeSocket()
    const other = new FakeSocket()
    for (let i = 0; i < 50; i++) emitter.emit(fast, 'n', i)
    emitter.emit(other, 'n', 0)
    expect(fast.messages()).toHaveLength(20)
    expect(emitter.queued(fast)).toBe(30)
    vi.advanceTimersByTime(500) // 10 tokens back
    expect(fast.messages()).toHaveLength(30)
    vi.advanceTimersByTime(1000)
    expect(fast.messages().map((m) => m[1])).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(emitter.stats().rateLimited).toBeGreaterThan(0)
    expect(other.messages()).toEqual([['n', 0]]) // another socket has its own bucket
    emitter.close()
  })

  it('drops the oldest message past maxQueueSize and counts it', () => {
    const monitor = new PerformanceMonitor()
    const emitter = new BatchedEmitter({ clock, maxQueueSize: 5, maxMessagesPerSecond: 1, monitor })
    const socket = new FakeSocket()
    for (let i = 0; i < 12; i++) emitter.emit(socket, 'n', i)
    // The queue keeps the 5 newest; the 7 oldest were dropped before the timer sent anything.
    expect(emitter.stats().dropped.queueFull).toBe(7)
    expect(monitor.value('socketio_batch_dropped_total', { reason: 'queue-full' })).toBe(7)
    vi.advanceTimersByTime(10_000) // one message a second
    expect(socket.messages().map((m) => m[1])).toEqual([7, 8, 9, 10, 11])
    emitter.close()
    void monitor.close()
  })

  it('grows the batch size while full batches come faster than maxWaitMs, and shrinks it when traffic is light', () => {
    const emitter = new BatchedEmitter({ clock, maxBatchSize: 10, maxAdaptiveBatchSize: 80 })
    const socket = new FakeSocket()
    for (let i = 0; i < 100; i++) emitter.emit(socket, 'n', i)
    expect(socket.sizes()).toEqual([10, 10, 20, 40])
    vi.advanceTimersByTime(100)
    expect(socket.sizes()).toEqual([10, 10, 20, 40, 20])
    // Light traffic: single messages leave on the timer and the size halves back down.
    for (let round = 0; round < 4; round++) {
      emitter.emit(socket, 'tick', round)
      vi.advanceTimersByTime(100)
    }
    for (let i = 0; i < 10; i++) emitter.emit(socket, 'n', i)
    expect(socket.sizes().at(-1)).toBe(10) // back to maxBatchSize: 10 messages fill a batch again
    expect(socket.messages()).toHaveLength(114)
    emitter.close()
  })

  it('deflates batches whose JSON reaches compressionThresholdBytes', () => {
    const monitor = new PerformanceMonitor()
    const emitter = new BatchedEmitter({ clock, compressionThresholdBytes: 256, monitor })
    const socket = new FakeSocket()
    emitter.emit(socket, 'small', 'x')
    emitter.emit(socket, 'small', 'y', { priority: 'high' })
    const big = { rows: Array.from({ length: 50 }, (_, i) => ({ id: i, name: 'row' })) }
    emitter.emit(socket, 'big', big, { priority: 'high' })
    expect('m' in (socket.sent[0] as BatchEnvelope)).toBe(true)
    const compressed = socket.sent[1] as { z: Uint8Array }
    expect(compressed.z).toBeInstanceOf(Buffer)
    expect(socket.messages()).toEqual([['small', 'x'], ['small', 'y'], ['big', big]])
    const stats = emitter.stats()
    expect(stats.compressedBatches).toBe(1)
    expect(stats.bytesAfterCompression).toBeLessThan(stats.bytesBeforeCompression / 3)
    expect(monitor.value('socketio_batches_total', { compressed: 'true' })).toBe(1)
    expect(monitor.value('socketio_batched_messages_total')).toBe(3)
    emitter.close()
    void monitor.close()
  })

  it('drops a socket’s queue and forgets the socket when it disconnects', () => {
    const emitter = new BatchedEmitter({ clock })
    const socket = new FakeSocket()
    emitter.emit(socket, 'a', 1)
    emitter.emit(socket, 'b', 2)
    expect(emitter.stats().sockets).toBe(1)
    socket.disconnect()
    expect(emitter.stats()).toMatchObject({ sockets: 0, queued: 0, dropped: { queueFull: 0, disconnected: 2 } })
    expect(socket.listenerCount('disconnect')).toBe(0)
    vi.advanceTimersByTime(1000)
    expect(socket.sent).toEqual([])
    emitter.emit(socket, 'c', 3) // not connected any more: dropped, no queue
    expect(emitter.stats()).toMatchObject({ sockets: 0, dropped: { disconnected: 3 } })
    emitter.close()
  })

  it('close() sends what is queued, stops its timers and refuses later emits', () => {
    const emitter = new BatchedEmitter({ clock })
    const socket = new FakeSocket()
    emitter.emit(socket, 'a', 1)
    emitter.close()
    emitter.close()
    expect(socket.messages()).toEqual([['a', 1]])
    expect(socket.listenerCount('disconnect')).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    expect(() => emitter.emit(socket, 'b', 2)).toThrow(ClosedError)
  })

  it('reports a failing send from the timer on the bus and keeps going', () => {
    const monitor = new PerformanceMonitor()
    const errors: Error[] = []
    monitor.bus.on('error', (error) => errors.push(error))
    const emitter = new BatchedEmitter({ clock, monitor, compressionThresholdBytes: 0 })
    const socket = new FakeSocket()
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    let calls = 0
    socket.emit = (event: string | symbol, ...args: unknown[]) => {
      if (++calls === 1) throw new Error('socket write failed')
      return EventEmitter.prototype.emit.call(socket, event, ...args) || FakeSocket.prototype.emit.call(socket, event, ...args)
    }
    emitter.emit(socket, 'a', 1)
    vi.advanceTimersByTime(100)
    expect(errors.map((e) => e.message)).toEqual(['socket write failed'])
    emitter.emit(socket, 'b', 2)
    vi.advanceTimersByTime(100)
    expect(socket.messages()).toEqual([['b', 2]])
    emitter.close()
    void monitor.close()
  })

  it('refuses bad options with a PerfkitConfigError', () => {
    expect(() => new BatchedEmitter({ maxBatchSize: 0 })).toThrow(PerfkitConfigError)
    expect(() => new BatchedEmitter({ maxWaitMs: 1.5 })).toThrow(/maxWaitMs/)
    expect(() => new BatchedEmitter({ maxBatchSize: 50, maxAdaptiveBatchSize: 20 })).toThrow(/maxAdaptiveBatchSize/)
    expect(() => new BatchedEmitter({ compressionThresholdBytes: -1 })).toThrow(/compressionThresholdBytes/)
    expect(() => new BatchedEmitter({ event: '' })).toThrow(/event/)
  })
})
