import { createServer, type Server as HttpServer } from 'node:http'
import { Server } from 'socket.io'
import { io as connect, type Socket as ClientSocket } from 'socket.io-client'
import { afterEach, describe, expect, it } from 'vitest'
import { PerformanceMonitor } from 'perfkit'
import { instrumentSocketServer } from 'perfkit/socket.io'
import { ManualClock } from '../helpers/clock'
import { deferred, listen } from './helpers'

let http: HttpServer | undefined
let io: Server | undefined
let monitor: PerformanceMonitor | undefined
const clients: ClientSocket[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  if (io !== undefined) await new Promise<void>((resolve) => io?.close(() => resolve()))
  await monitor?.close()
  http = io = monitor = undefined
})

async function start(): Promise<string> {
  http = createServer()
  io = new Server(http)
  return listen(http)
}

async function client(url: string): Promise<ClientSocket> {
  const socket = connect(url, { transports: ['websocket'], forceNew: true })
  clients.push(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  return socket
}

describe('instrumentSocketServer', () => {
  it('records connections, events in and out, and the time from an event to its acknowledgement', async () => {
    const clock = new ManualClock()
    const url = await start()
    monitor = new PerformanceMonitor()
    const m = monitor
    instrumentSocketServer(io as Server, { monitor, clock })
    io?.on('connection', (socket) => {
      socket.emit('welcome', 'hi')
      socket.on('predict', (input: number, ack: (result: number) => void) => {
        clock.advance(35)
        ack(input * 2)
      })
      socket.on('log', () => {})
    })
    const a = await client(url)
    const b = await client(url)
    expect(m.value('socketio_connections', { namespace: '/' })).toBe(2)
    expect(await a.emitWithAck('predict', 21)).toBe(42)
    expect(await b.emitWithAck('predict', 1)).toBe(2)
    a.emit('log', 'x')
    a.emit('nobody-listens', 'y')
    // An acknowledged round trip after them guarantees the server has handled both.
    await a.emitWithAck('predict', 0)
    expect(m.value('socketio_events_received_total', { event: 'predict' })).toBe(3)
    expect(m.value('socketio_events_received_total', { event: 'log' })).toBe(1)
    expect(m.value('socketio_events_received_total', { event: '_unhandled' })).toBe(1)
    expect(m.value('socketio_events_sent_total', { event: 'welcome', namespace: '/' })).toBe(2)
    const acks = m.stats('socketio_event_duration_seconds', { event: 'predict' }, { window: 'all' })
    expect(acks?.count).toBe(3)
    expect(acks?.max).toBeCloseTo(0.035, 9)
    expect(m.value('socketio_connections_total')).toBe(2)
  })

  it('records disconnect reasons and connection lifetimes, and the gauge goes back down', async () => {
    const url = await start()
    monitor = new PerformanceMonitor()
    const m = monitor
    instrumentSocketServer(io as Server, { monitor })
    const gone = deferred()
    io?.on('connection', (socket) => socket.on('disconnect', () => setImmediate(() => gone.resolve())))
    const a = await client(url)
    a.disconnect()
    await gone.promise
    expect(m.value('socketio_connections', { namespace: '/' })).toBe(0)
    expect(m.value('socketio_disconnects_total', { reason: 'client namespace disconnect' })).toBe(1)
    expect(m.stats('socketio_connection_duration_seconds', undefined, { window: 'all' })?.count).toBe(1)
  })

  it('bounds event names, instruments namespaces created later, and stops on close()', async () => {
    const url = await start()
    monitor = new PerformanceMonitor()
    const m = monitor
    const instrumentation = instrumentSocketServer(io as Server, { monitor, maxEventNames: 2 })
    io?.of('/admin').on('connection', (socket) => {
      for (const name of ['a', 'b', 'c', 'd']) socket.on(name, (ack: () => void) => ack())
    })
    const admin = await client(`${url}/admin`)
    for (const name of ['a', 'b', 'c', 'd']) await admin.emitWithAck(name)
    const events = m.metrics().find((x) => x.name === 'socketio_events_received_total')?.series.map((l) => l.event).sort()
    expect(events).toEqual(['_other', 'a', 'b'])
    expect(m.value('socketio_events_received_total', { namespace: '/admin', event: '_other' })).toBe(2)
    instrumentation.close()
    await admin.emitWithAck('a')
    expect(m.value('socketio_events_received_total', { namespace: '/admin', event: 'a' })).toBe(1)
    await client(url)
    expect(m.value('socketio_connections_total', { namespace: '/' })).toBeUndefined()
  })
})
