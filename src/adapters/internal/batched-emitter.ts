// BatchedEmitter: per-socket batching of Socket.IO emits, by time and size, with priority
// messages, a per-socket rate limit, adaptive batch size and compression of large batches.
import { deflateRawSync, constants as zlib } from 'node:zlib'
import type { Clock } from '../../index'
import { ClosedError, PerfkitConfigError, PerfkitInputError } from '../../errors'
import { toClock } from '../../internal/clock'
import { bool, nonEmptyString, positiveInt } from '../../internal/validate'
import type { MetricsWriter } from '../../api/ports'
import { BATCH_EVENT, type BatchEnvelope, type BatchMessage } from './batch-envelope'
import { reportToBus } from '../../api/report'
import { type EmitTarget, SocketQueue } from './socket-queue'

export type { EmitTarget } from './socket-queue'

/**
 * Options of {@link BatchedEmitter}.
 * @example
 * ```ts
 * const batches = new BatchedEmitter({ maxBatchSize: 20, maxWaitMs: 50, maxMessagesPerSecond: 200, monitor })
 * ```
 */
export interface BatchedEmitterOptions {
  /** Messages per batch; a full batch is sent at once. @defaultValue 10 */
  maxBatchSize?: number
  /** Longest a message waits for its batch, ms. @defaultValue 100 */
  maxWaitMs?: number
  /** The event batches are emitted as; the client helper listens for it. @defaultValue `'perfkit:batch'` */
  event?: string
  /** Messages per second sent to one socket; excess waits in its queue. @defaultValue 1000 */
  maxMessagesPerSecond?: number
  /** Messages queued per socket; past it the oldest normal message is dropped. @defaultValue 1000 */
  maxQueueSize?: number
  /**
   * Grow the batch size while a socket's queue backs up (doubling, up to
   * `maxAdaptiveBatchSize`), and shrink it back (halving, down to `maxBatchSize`) once
   * batches leave at under a quarter full. @defaultValue true
   */
  adaptive?: boolean
  /** Upper bound of the adaptive batch size. @defaultValue 100 */
  maxAdaptiveBatchSize?: number
  /** Batches whose JSON is at least this many bytes are deflated; 0 turns compression off. @defaultValue 1024 */
  compressionThresholdBytes?: number
  /** Records batch metrics (`socketio_batch_*`) into this monitor. */
  monitor?: MetricsWriter
  /** Clock of the rate limiter, ms. @defaultValue `performance` */
  clock?: Clock | (() => number)
}

/**
 * Options of one {@link BatchedEmitter.emit}.
 * @example
 * ```ts
 * batches.emit(socket, 'job:done', result, { priority: 'high' })
 * ```
 */
export interface EmitOptions {
  /** `'high'`: send the socket's queue now, this message last (order is kept). @defaultValue `'normal'` */
  priority?: 'high' | 'normal'
}

/**
 * Counters of a {@link BatchedEmitter}.
 * @example
 * ```ts
 * const { batches, messages, dropped } = emitter.stats()
 * ```
 */
export interface BatchedEmitterStats {
  /** Sockets with a queue now. */
  sockets: number
  /** Messages waiting in all queues now. */
  queued: number
  messages: number
  batches: number
  priorityMessages: number
  compressedBatches: number
  /** JSON bytes of compressed batches before and after deflate. */
  bytesBeforeCompression: number
  bytesAfterCompression: number
  /** Messages dropped: queue full, or socket gone before its batch left. */
  dropped: { queueFull: number; disconnected: number }
  /** Times a socket's batch had to wait for the rate limit. */
  rateLimited: number
  averageBatchSize: number
}

/**
 * Metric names the emitter records when given a monitor.
 * @example
 * ```ts
 * const meanBatch = monitor.stats(BATCH_EMITTER_METRICS.batchSize)?.mean
 * ```
 */
export const BATCH_EMITTER_METRICS = {
  /** Distribution of messages per batch. */
  batchSize: 'socketio_batch_size',
  /** Counter of batches sent; label `compressed` (`'true'`/`'false'`). */
  batches: 'socketio_batches_total',
  /** Counter of messages sent in batches. */
  messages: 'socketio_batched_messages_total',
  /** Counter of messages dropped; label `reason` (`queue-full`, `disconnected`). */
  dropped: 'socketio_batch_dropped_total',
} as const

const COMPRESSED = Object.freeze({ compressed: 'true' })
const PLAIN = Object.freeze({ compressed: 'false' })

/**
 * Batches the messages a server sends to each socket: a socket's messages leave together
 * when `maxBatchSize` are queued or the oldest has waited `maxWaitMs`, as one `event`
 * (default `'perfkit:batch'`) carrying `{ v: 1, s: seq, m: [[event, data], …] }`, deflated
 * into `z` when large. Priority messages go at once; each socket has a rate limit and a
 * bounded queue, dropped when the socket disconnects. On the client, `unpackBatches(socket)`
 * re-dispatches every message to the socket's own listeners, in order.
 *
 * @example
 * ```ts
 * const batches = new BatchedEmitter({ maxBatchSize: 10, maxWaitMs: 100 })
 * io.on('connection', (socket) => {
 *   for (const step of steps) batches.emit(socket, 'progress', step)
 *   batches.emit(socket, 'done', result, { priority: 'high' })
 * })
 * // client: unpackBatches(socket); socket.on('progress', render)
 * ```
 */
export class BatchedEmitter {
  readonly #queues = new Map<EmitTarget, SocketQueue>()
  readonly #settings: SocketQueue['settings']
  readonly #monitor: MetricsWriter | undefined
  readonly #stats = { messages: 0, batches: 0, priorityMessages: 0, compressedBatches: 0, bytesBeforeCompression: 0, bytesAfterCompression: 0, queueFull: 0, disconnected: 0, rateLimited: 0 }
  #closed = false

  constructor(options: BatchedEmitterOptions = {}) {
    const {
      maxBatchSize = 10,
      maxWaitMs = 100,
      event = BATCH_EVENT,
      maxMessagesPerSecond = 1000,
      maxQueueSize = 1000,
      adaptive = true,
      maxAdaptiveBatchSize = 100,
      compressionThresholdBytes = 1024,
      monitor,
      clock,
    } = options
    positiveInt('maxBatchSize', maxBatchSize)
    positiveInt('maxWaitMs', maxWaitMs)
    nonEmptyString('event', event)
    positiveInt('maxMessagesPerSecond', maxMessagesPerSecond)
    positiveInt('maxQueueSize', maxQueueSize)
    bool('adaptive', adaptive)
    positiveInt('maxAdaptiveBatchSize', maxAdaptiveBatchSize)
    if (maxAdaptiveBatchSize < maxBatchSize) throw new PerfkitConfigError('maxAdaptiveBatchSize', `an integer >= maxBatchSize (${maxBatchSize})`, maxAdaptiveBatchSize)
    if (!Number.isInteger(compressionThresholdBytes) || compressionThresholdBytes < 0) {
      throw new PerfkitConfigError('compressionThresholdBytes', 'an integer >= 0', compressionThresholdBytes)
    }
    if (monitor !== undefined && (typeof monitor !== 'object' || monitor === null || typeof monitor.record !== 'function')) {
      throw new PerfkitConfigError('monitor', 'a PerformanceMonitor', monitor)
    }
    this.#monitor = monitor
    this.#settings = {
      maxBatchSize,
      maxWaitMs,
      maxMessagesPerSecond,
      maxQueueSize,
      maxAdaptiveBatchSize: adaptive ? maxAdaptiveBatchSize : maxBatchSize,
      clock: toClock(clock),
      send: (target, messages, seq) => this.#send(target, event, messages, seq, compressionThresholdBytes),
      dropped: (target, reason, count) => this.#dropped(target, reason, count),
      rateLimited: () => this.#stats.rateLimited++,
      failed: (error) => reportToBus(this.#monitor, error),
    }
  }

  /**
   * Queues `data` for `socket` under `event`. With `priority: 'high'` the socket's queue is
   * sent now, this message last. A socket that is not connected gets nothing (counted as dropped).
   * @throws ClosedError after {@link BatchedEmitter.close}; PerfkitInputError for an empty event name.
   */
  emit(socket: EmitTarget, event: string, data?: unknown, options?: EmitOptions): void {
    if (this.#closed) throw new ClosedError('BatchedEmitter')
    if (typeof event !== 'string' || event === '') throw new PerfkitInputError('event', 'a non-empty string', event)
    if (socket.connected === false) {
      this.#dropped(socket, 'disconnected', 1)
      return
    }
    let queue = this.#queues.get(socket)
    if (queue === undefined) {
      queue = new SocketQueue(socket, this.#settings, () => this.#queues.delete(socket))
      this.#queues.set(socket, queue)
    }
    const message: BatchMessage = data === undefined ? [event] : [event, data]
    if (options?.priority === 'high') {
      this.#stats.priorityMessages++
      queue.pushPriority(message)
    } else {
      queue.push(message)
    }
  }

  /** Sends every socket's queue now, within the rate limit (what it holds back leaves on its own). */
  flush(): void {
    for (const queue of this.#queues.values()) queue.flush(false)
  }

  /** Messages waiting for `socket`. */
  queued(socket: EmitTarget): number {
    return this.#queues.get(socket)?.length ?? 0
  }

  /** Counters since construction. */
  stats(): BatchedEmitterStats {
    const s = this.#stats
    let queued = 0
    for (const queue of this.#queues.values()) queued += queue.length
    return {
      sockets: this.#queues.size,
      queued,
      messages: s.messages,
      batches: s.batches,
      priorityMessages: s.priorityMessages,
      compressedBatches: s.compressedBatches,
      bytesBeforeCompression: s.bytesBeforeCompression,
      bytesAfterCompression: s.bytesAfterCompression,
      dropped: { queueFull: s.queueFull, disconnected: s.disconnected },
      rateLimited: s.rateLimited,
      averageBatchSize: s.batches === 0 ? 0 : s.messages / s.batches,
    }
  }

  /** Sends everything still queued (ignoring the rate limit), stops the timers and forgets every socket. Idempotent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const queue of [...this.#queues.values()]) queue.close()
    this.#queues.clear()
  }

  [Symbol.dispose](): void {
    this.close()
  }

  #send(target: EmitTarget, event: string, messages: BatchMessage[], seq: number, threshold: number): void {
    const s = this.#stats
    let envelope: BatchEnvelope = { v: 1, s: seq, m: messages }
    let compressed = false
    if (threshold > 0) {
      const json = JSON.stringify(messages)
      if (json.length >= threshold) {
        // Deflate at the fastest level: the point is fewer bytes on the wire, not the smallest.
        const deflated = deflateRawSync(json, { level: zlib.Z_BEST_SPEED })
        const bytes = Buffer.byteLength(json)
        if (deflated.length < bytes) {
          envelope = { v: 1, s: seq, z: deflated }
          compressed = true
          s.compressedBatches++
          s.bytesBeforeCompression += bytes
          s.bytesAfterCompression += deflated.length
        }
      }
    }
    target.emit(event, envelope)
    s.batches++
    s.messages += messages.length
    const monitor = this.#monitor
    if (monitor !== undefined) {
      try {
        monitor.record(BATCH_EMITTER_METRICS.batchSize, messages.length)
        monitor.increment(BATCH_EMITTER_METRICS.batches, 1, compressed ? COMPRESSED : PLAIN)
        monitor.increment(BATCH_EMITTER_METRICS.messages, messages.length)
      } catch (error) {
        reportToBus(monitor, error)
      }
    }
  }

  #dropped(_target: EmitTarget, reason: 'queue-full' | 'disconnected', count: number): void {
    if (reason === 'queue-full') this.#stats.queueFull += count
    else this.#stats.disconnected += count
    const monitor = this.#monitor
    if (monitor === undefined) return
    try {
      monitor.increment(BATCH_EMITTER_METRICS.dropped, count, { reason })
    } catch (error) {
      reportToBus(monitor, error)
    }
  }
}
