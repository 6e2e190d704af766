// BatchedEmitter over a real Socket.IO 4 server and real clients: every message arrives,
// once, in order, under load and with priorities and compression mixed in; queues are
// cleaned up when clients leave.
import { createServer, type Server as HttpServer } from 'node:http'
import { Server, type Socket } from 'socket.io'
import { io as connect, type Socket as ClientSocket } from 'socket.io-client'
import { afterEach, describe, expect, it } from 'vitest'
import { PerformanceMonitor } from 'perfkit'
import { BatchedEmitter, instrumentSocketServer, unpackBatches } from 'perfkit/socket.io'
import { deferred, listen } from './helpers'

let http: HttpServer | undefined
let io: Server | undefined
let emitter: BatchedEmitter | undefined
let monitor: PerformanceMonitor | undefined
const clients: ClientSocket[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  emitter?.close()
  if (io !== undefined) await new Promise<void>((resolve) => io?.close(() => resolve()))
  await monitor?.close()
  http = io = emitter = monitor = undefined
})

async function start(): Promise<string> {
  http = createServer()
  io = new Server(http)
  return listen(http)
}

function client(url: string): ClientSocket {
  const socket = connect(url, { transports: ['websocket'], forceNew: true })
  clients.push(socket)
  return socket
}

/** A seeded generator, so the load is the same on every run. */
function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31
    return s / 2 ** 31
  }
}

describe('BatchedEmitter with Socket.IO', () => {
  it('delivers thousands of messages to several clients completely and in order', async () => {
    const url = await start()
    monitor = new PerformanceMonitor()
    emitter = new BatchedEmitter({ maxWaitMs: 5, compressionThresholdBytes: 512, monitor })
    const batches = emitter
    instrumentSocketServer(io as Server, { monitor })
    const PER_CLIENT = 3000
    io?.on('connection', (socket: Socket) => {
      socket.on('start', (seed: number) => {
        const rand = random(seed)
        // Interleaved bursts: most messages normal, some priority, some large enough to be deflated.
        let i = 0
        const burst = () => {
          const end = Math.min(PER_CLIENT, i + 250)
          for (; i < end; i++) {
            const data = { i, pad: rand() < 0.1 ? 'x'.repeat(Math.floor(rand() * 400)) : '' }
            batches.emit(socket, 'item', data, rand() < 0.03 ? { priority: 'high' } : undefined)
          }
          if (i < PER_CLIENT) setImmediate(burst)
          else batches.emit(socket, 'end', PER_CLIENT, { priority: 'high' })
        }
        burst()
      })
    })
    const results = await Promise.all(
      [1, 2, 3].map(async (seed) => {
        const socket = client(url)
        const received: number[] = []
        const done = deferred<number>()
        unpackBatches(socket)
        socket.on('item', (data: { i: number }) => received.push(data.i))
        socket.on('end', (n: number) => done.resolve(n))
        socket.emit('start', seed)
        expect(await done.promise).toBe(PER_CLIENT)
        return received
      }),
    )
    for (const received of results) expect(received).toEqual(Array.from({ length: PER_CLIENT }, (_, i) => i))
    const stats = batches.stats()
    expect(stats.messages).toBe(3 * (PER_CLIENT + 1))
    expect(stats.compressedBatches).toBeGreaterThan(0)
    expect(stats.dropped).toEqual({ queueFull: 0, disconnected: 0 })
    // Batching really happened: far fewer emits than messages.
    expect(stats.batches).toBeLessThan(stats.messages / 5)
    expect(monitor.value('socketio_events_sent_total', { event: 'perfkit:batch' })).toBe(stats.batches)
  })

  it('drops a leaving client’s queue and forgets its socket', async () => {
    const url = await start()
    emitter = new BatchedEmitter({ maxWaitMs: 5, maxMessagesPerSecond: 50 })
    const batches = emitter
    const left = deferred()
    const queued = deferred()
    io?.on('connection', (socket: Socket) => {
      socket.on('disconnect', () => setImmediate(() => left.resolve()))
      socket.on('flood', () => {
        for (let i = 0; i < 500; i++) batches.emit(socket, 'item', i)
        queued.resolve()
      })
    })
    const socket = client(url)
    const firstBatch = deferred()
    unpackBatches(socket)
    socket.on('item', () => firstBatch.resolve())
    socket.emit('flood')
    await queued.promise
    await firstBatch.promise
    expect(batches.stats().queued).toBeGreaterThan(0) // held back by the rate limit
    socket.disconnect()
    await left.promise
    const stats = batches.stats()
    expect(stats.sockets).toBe(0)
    expect(stats.queued).toBe(0)
    expect(stats.dropped.disconnected).toBe(500 - stats.messages)
  })
})
