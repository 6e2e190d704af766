// A Socket.IO server sending many small messages through BatchedEmitter, and a socket.io-client
// receiving them unpacked, one by one and in order, as if each had been sent alone.
//
// The server streams `tick` messages (small; a batch leaves when 10 are queued or the oldest has waited 20 ms, and the batch size grows while a socket's queue backs up), one large
// `snapshot` (deflated on the wire because it is over 1 KiB) and a `done` message sent with
// priority (its socket's queue leaves at once, order kept). The server is instrumented too:
// connections, events and acknowledgement latency land in a PerformanceMonitor.
//
//   npx tsx examples/socket-io-batching.ts            # 2 000 ticks
//   npx tsx examples/socket-io-batching.ts --smoke    # 200 ticks (CI)
//
// expect: ^server listening on http://127\.0\.0\.1:[0-9]+
// expect: ^client received [0-9]+ ticks in [0-9]+ batches \(mean [0-9.]+ per batch\), in order: true
// expect: ^client received the snapshot: 200 rows; batches over 1 KiB \([1-9][0-9]*\): [0-9]+ bytes of JSON sent deflated as [0-9]+
// expect: ^done arrived last: true
// expect: ^server: [0-9]+ messages in [0-9]+ batches
// expect: ^socketio_events_received_total\{event="subscribe"\} 1
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PerformanceMonitor } from 'perfkit'
import { BATCH_EVENT, BatchedEmitter, instrumentSocketServer, unpackBatches } from 'perfkit/socket.io'
import { Server } from 'socket.io'
import { io as connect } from 'socket.io-client'

const smoke = process.argv.includes('--smoke')
const TICKS = smoke ? 200 : 2_000

// --- server -------------------------------------------------------------------------------
const monitor = new PerformanceMonitor()
const httpServer = createServer()
const io = new Server(httpServer)
const instrumentation = instrumentSocketServer(io, { monitor })
const batches = new BatchedEmitter({ monitor, maxBatchSize: 10, maxWaitMs: 20 })

io.on('connection', (socket) => {
  socket.on('subscribe', (topic: string, ack: (reply: { ok: boolean }) => void) => {
    ack({ ok: true })
    let seq = 0
    // Ticks are produced in bursts, as a job reports progress: each burst leaves in batches.
    const producer = setInterval(() => {
      for (let i = 0; i < 25 && seq < TICKS; i++) batches.emit(socket, 'tick', { topic, seq: seq++, at: Date.now() })
      if (seq === TICKS) {
        clearInterval(producer)
        const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, name: `row ${i}`, value: i * 1.5 }))
        batches.emit(socket, 'snapshot', rows)
        batches.emit(socket, 'done', { total: TICKS }, { priority: 'high' }) // sends the queue now, this last
      }
    }, 5)
    socket.on('disconnect', () => clearInterval(producer))
  })
})
await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`
console.log(`server listening on ${url}`)

// --- client -------------------------------------------------------------------------------
const client = connect(url, { transports: ['websocket'] })
const unpacker = unpackBatches(client) // re-dispatches each batched message to the listeners below
let rawBatches = 0
client.on(BATCH_EVENT, () => rawBatches++) // only to count what crossed the wire

const received: number[] = []
let snapshotRows = 0
const order: string[] = []
client.on('tick', (tick: { seq: number }) => {
  received.push(tick.seq)
  if (order.at(-1) !== 'tick') order.push('tick')
})
client.on('snapshot', (rows: unknown[]) => {
  snapshotRows = rows.length
  order.push('snapshot')
})
const done = new Promise<void>((resolve) => client.on('done', () => (order.push('done'), resolve())))

await new Promise<void>((resolve) => client.on('connect', resolve))
const reply = await client.emitWithAck('subscribe', 'jobs')
console.log(`subscribed: ${JSON.stringify(reply)}`)
await done
await unpacker.idle()

const inOrder = received.length === TICKS && received.every((seq, i) => seq === i)
const tickBatches = rawBatches
console.log(`client received ${received.length} ticks in ${tickBatches} batches (mean ${(received.length / tickBatches).toFixed(1)} per batch), in order: ${inOrder}`)
const stats = batches.stats()
console.log(`client received the snapshot: ${snapshotRows} rows; batches over 1 KiB (${stats.compressedBatches}): ${stats.bytesBeforeCompression} bytes of JSON sent deflated as ${stats.bytesAfterCompression}`)
console.log(`done arrived last: ${order.at(-1) === 'done'} (sequence: ${order.join(' → ')})`)
console.log(`server: ${stats.messages} messages in ${stats.batches} batches, ${stats.priorityMessages} priority, ${stats.compressedBatches} compressed, rate-limited ${stats.rateLimited}×, dropped ${JSON.stringify(stats.dropped)}`)

for (const line of monitor.prometheus().split('\n')) {
  if (/^socketio_(events_received_total|connections|events_sent_total)\{/.test(line) || /^socketio_batch_\w+_(count|total)/.test(line)) {
    console.log(line.replace(/,?namespace="\/",?/, (m) => (m.startsWith(',') && m.endsWith(',') ? ',' : '')).replace('{}', ''))
  }
}

// --- shutdown -----------------------------------------------------------------------------
client.close()
batches.close() // sends anything still queued, stops its timers
instrumentation.close()
await new Promise<void>((resolve) => io.close(() => resolve())) // closes the HTTP server too
await monitor.close()
