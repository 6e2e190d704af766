// Socket.IO 4 server instrumentation: connections, disconnect reasons, events in and out,
// and the time from receiving an event to calling its acknowledgement, every label bounded.
import type { Namespace, Server, Socket } from 'socket.io'
import type { Clock, Labels } from '../../index'
import { PerfkitConfigError } from '../../errors'
import { toClock } from '../../internal/clock'
import { positiveInt } from '../../internal/validate'
import type { MetricsWriter } from '../../api/ports'
import { BoundedLabels } from './bounded-labels'
import { reportToBus } from '../../api/report'

/**
 * Metric names {@link instrumentSocketServer} records.
 * @example
 * ```ts
 * const ackP95 = monitor.stats(SOCKET_METRICS.eventDuration, { event: 'predict' })?.p95
 * ```
 */
export const SOCKET_METRICS = {
  /** Gauge of connected sockets; label `namespace`. */
  connections: 'socketio_connections',
  /** Counter of accepted connections; label `namespace`. */
  connectionsTotal: 'socketio_connections_total',
  /** Counter of disconnections; labels `namespace`, `reason` (Socket.IO's reason string). */
  disconnects: 'socketio_disconnects_total',
  /** Distribution of connection lifetimes, seconds; label `namespace`. */
  connectionDuration: 'socketio_connection_duration_seconds',
  /** Counter of events received from clients; labels `namespace`, `event`. */
  eventsReceived: 'socketio_events_received_total',
  /** Counter of events sent to clients (emits and broadcasts, per socket); labels `namespace`, `event`. */
  eventsSent: 'socketio_events_sent_total',
  /** Distribution of the time from receiving an event to calling its acknowledgement, seconds; labels `namespace`, `event`. */
  eventDuration: 'socketio_event_duration_seconds',
} as const

/**
 * The `event` label of an incoming event no handler listens for.
 * @example
 * ```ts
 * const strays = monitor.value(SOCKET_METRICS.eventsReceived, { event: UNHANDLED_EVENT })
 * ```
 */
export const UNHANDLED_EVENT = '_unhandled'

/**
 * Options of {@link instrumentSocketServer}.
 * @example
 * ```ts
 * instrumentSocketServer(io, { monitor, eventNames: ['predict', 'subscribe'], namespaces: ['/', '/admin'] })
 * ```
 */
export interface SocketInstrumentationOptions {
  /** The monitor to record into (a PerformanceMonitor). */
  monitor: MetricsWriter
  /** Event names recorded by name; any other is recorded as `_other`. @defaultValue the first `maxEventNames` names seen */
  eventNames?: readonly string[]
  /** Most distinct `event` labels when `eventNames` is not given. @defaultValue 50 */
  maxEventNames?: number
  /** Most distinct `namespace` labels (dynamic namespaces can be many). @defaultValue 20 */
  maxNamespaces?: number
  /**
   * Namespaces to instrument, by name or as objects (pass a parent namespace created with a
   * RegExp here). @defaultValue every namespace, including those created later
   */
  namespaces?: ReadonlyArray<string | Namespace>
  /** Clock for acknowledgement latency and connection lifetimes, ms. @defaultValue `performance` */
  clock?: Clock | (() => number)
}

/**
 * What {@link instrumentSocketServer} returns: stop recording with `close()`.
 * @example
 * ```ts
 * using instrumentation = instrumentSocketServer(io, { monitor })
 * ```
 */
export interface SocketServerInstrumentation {
  /** Stops recording. Sockets already connected stop reporting too. Idempotent. */
  close(): void
  [Symbol.dispose](): void
}

/**
 * Instruments a Socket.IO 4 server: connections gauge and total, disconnect reasons,
 * connection lifetimes, events received and sent per event name, and the latency from
 * receiving an event to calling its acknowledgement. Event names are bounded: incoming
 * events without a handler are `_unhandled`, and past `maxEventNames` names become `_other`.
 *
 * @example
 * ```ts
 * import { Server } from 'socket.io'
 * import { PerformanceMonitor } from 'perfkit'
 * import { instrumentSocketServer } from 'perfkit/socket.io'
 *
 * const io = new Server(httpServer)
 * const monitor = new PerformanceMonitor()
 * const instrumentation = instrumentSocketServer(io, { monitor })
 * io.on('connection', (socket) => socket.on('ping', (data, ack) => ack('pong')))
 * // later: monitor.stats('socketio_event_duration_seconds', { event: 'ping' })
 * ```
 */
export function instrumentSocketServer(io: Server, options: SocketInstrumentationOptions): SocketServerInstrumentation {
  if (typeof io !== 'object' || io === null || typeof io.of !== 'function') throw new PerfkitConfigError('io', 'a Socket.IO Server', io)
  const { monitor, eventNames, maxEventNames = 50, maxNamespaces = 20, namespaces, clock } = options ?? ({} as SocketInstrumentationOptions)
  if (typeof monitor !== 'object' || monitor === null || typeof monitor.record !== 'function') throw new PerfkitConfigError('monitor', 'a PerformanceMonitor', monitor)
  if (eventNames !== undefined && (!Array.isArray(eventNames) || eventNames.some((n) => typeof n !== 'string'))) {
    throw new PerfkitConfigError('eventNames', 'an array of event names', eventNames)
  }
  const events = new BoundedLabels(positiveInt('maxEventNames', maxEventNames), eventNames)
  const spaces = new BoundedLabels(positiveInt('maxNamespaces', maxNamespaces))
  const reasons = new BoundedLabels(32)
  const time = toClock(clock)
  const labelCache = new Map<string, Labels>()
  const connected = new Map<string, number>()
  const instrumented = new WeakSet<object>()
  let closed = false

  const labels = (namespace: string, key: 'event' | 'reason' | undefined, value?: string): Labels => {
    const id = key === undefined ? namespace : `${namespace}\u0000${key}\u0000${value}`
    let cached = labelCache.get(id)
    if (cached === undefined) {
      cached = Object.freeze(key === undefined ? { namespace } : key === 'event' ? { event: value as string, namespace } : { namespace, reason: value as string })
      labelCache.set(id, cached)
    }
    return cached
  }

  const safe = (fn: () => void): void => {
    try {
      fn()
    } catch (error) {
      reportToBus(monitor, error)
    }
  }

  const attach = (socket: Socket, namespace: string): void => {
    socket.use((packet, next) => {
      if (!closed) safe(() => onIncoming(socket, namespace, packet))
      next()
    })
    socket.onAnyOutgoing((event: unknown) => {
      if (!closed && typeof event === 'string') safe(() => monitor.increment(SOCKET_METRICS.eventsSent, 1, labels(namespace, 'event', events.get(event))))
    })
  }

  const onIncoming = (socket: Socket, namespace: string, packet: unknown[]): void => {
    const name = packet[0]
    if (typeof name !== 'string') return
    const handled = socket.listenerCount(name) > 0 || socket.listenersAny().length > 0
    const eventLabels = labels(namespace, 'event', handled ? events.get(name) : UNHANDLED_EVENT)
    monitor.increment(SOCKET_METRICS.eventsReceived, 1, eventLabels)
    const last = packet.length - 1
    const ack = packet[last]
    if (last < 1 || typeof ack !== 'function') return
    const start = time.now()
    // Socket.IO hands this array to the listeners, so the wrapped ack is what they call.
    packet[last] = function timedAck(this: unknown, ...args: unknown[]) {
      if (!closed) safe(() => monitor.record(SOCKET_METRICS.eventDuration, Math.max(0, time.now() - start) / 1000, eventLabels))
      return (ack as (...a: unknown[]) => unknown).apply(this, args)
    }
  }

  const onConnection = (socket: Socket, namespace: string): void => {
    if (closed) return
    const start = time.now()
    const nsLabels = labels(namespace, undefined)
    safe(() => {
      const count = (connected.get(namespace) ?? 0) + 1
      connected.set(namespace, count)
      monitor.setGauge(SOCKET_METRICS.connections, count, nsLabels)
      monitor.increment(SOCKET_METRICS.connectionsTotal, 1, nsLabels)
    })
    socket.once('disconnect', (reason: string) => {
      if (closed) return
      safe(() => {
        const count = Math.max(0, (connected.get(namespace) ?? 1) - 1)
        connected.set(namespace, count)
        monitor.setGauge(SOCKET_METRICS.connections, count, nsLabels)
        monitor.increment(SOCKET_METRICS.disconnects, 1, labels(namespace, 'reason', reasons.get(String(reason))))
        monitor.record(SOCKET_METRICS.connectionDuration, Math.max(0, time.now() - start) / 1000, nsLabels)
      })
    })
  }

  const cleanups: Array<() => void> = []
  const instrument = (nsp: Namespace): void => {
    if (instrumented.has(nsp)) return
    instrumented.add(nsp)
    const namespace = spaces.get(nsp.name)
    // `use` runs before any 'connection' handler, so events the host emits on connection are counted.
    nsp.use((socket, next) => {
      if (!closed) safe(() => attach(socket, namespace))
      next()
    })
    const listener = (socket: Socket) => onConnection(socket, namespace)
    nsp.on('connection', listener)
    cleanups.push(() => nsp.off('connection', listener))
  }

  if (namespaces === undefined) {
    for (const nsp of (io as unknown as { _nsps: Map<string, Namespace> })._nsps.values()) instrument(nsp)
    const onNew = (nsp: Namespace) => instrument(nsp)
    io.on('new_namespace', onNew)
    cleanups.push(() => io.off('new_namespace', onNew))
  } else {
    for (const entry of namespaces) instrument(typeof entry === 'string' ? io.of(entry) : entry)
  }

  const close = (): void => {
    if (closed) return
    closed = true
    for (const cleanup of cleanups.splice(0)) cleanup()
  }
  return { close, [Symbol.dispose]: close }
}
