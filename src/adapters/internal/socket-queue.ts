// One socket's queue for BatchedEmitter: the batch timer, the rate limit (a token bucket of
// messages per second), the adaptive batch size, and cleanup when the socket disconnects.
import type { Clock } from '../../index'
import { unrefTimeout } from '../../internal/timers'
import type { BatchMessage } from './batch-envelope'

/**
 * What BatchedEmitter needs of a socket: a Socket.IO server `Socket` fits.
 * @example
 * ```ts
 * io.on('connection', (socket: EmitTarget) => batches.emit(socket, 'hello', 'world'))
 * ```
 */
export interface EmitTarget {
  readonly connected?: boolean
  emit(event: string, ...args: unknown[]): unknown
  once(event: 'disconnect', listener: (...args: unknown[]) => void): unknown
  off(event: 'disconnect', listener: (...args: unknown[]) => void): unknown
}

/** Settings every queue of one emitter shares. */
export interface QueueSettings {
  maxBatchSize: number
  maxWaitMs: number
  maxMessagesPerSecond: number
  maxQueueSize: number
  maxAdaptiveBatchSize: number
  clock: Clock
  send(target: EmitTarget, messages: BatchMessage[], seq: number): void
  dropped(target: EmitTarget, reason: 'queue-full' | 'disconnected', count: number): void
  rateLimited(): void
  /** A flush from the timer failed (the batch is lost; the queue goes on). */
  failed(error: unknown): void
}

export class SocketQueue {
  readonly settings: QueueSettings
  readonly #target: EmitTarget
  readonly #onGone: () => void
  #messages: BatchMessage[] = []
  #timer: NodeJS.Timeout | undefined
  #seq = 0
  #size: number
  #tokens: number
  #refilledAt: number
  /** When the last size-triggered batch left, clock ms. */
  #lastFullAt = Number.NEGATIVE_INFINITY
  /** The timer is waiting for the rate limit's tokens: pushes only queue until it fires. */
  #throttled = false
  readonly #onDisconnect = (): void => this.#disconnected()

  constructor(target: EmitTarget, settings: QueueSettings, onGone: () => void) {
    this.settings = settings
    this.#target = target
    this.#onGone = onGone
    this.#size = settings.maxBatchSize
    this.#tokens = settings.maxMessagesPerSecond
    this.#refilledAt = settings.clock.now()
    target.once('disconnect', this.#onDisconnect)
  }

  get length(): number {
    return this.#messages.length
  }

  /** The batch size in use now (adaptive). */
  get batchSize(): number {
    return this.#size
  }

  push(message: BatchMessage): void {
    this.#append(message)
    if (this.#messages.length < this.#size || this.#throttled) {
      this.#arm(this.settings.maxWaitMs)
      return
    }
    // Batches filling up faster than the timer would send them: the socket is under load.
    const now = this.settings.clock.now()
    const underLoad = now - this.#lastFullAt < this.settings.maxWaitMs
    this.#lastFullAt = now
    this.flush(false)
    if (underLoad) this.#grow()
  }

  /** Appends and sends the whole queue now, past the rate limit, so order is kept. */
  pushPriority(message: BatchMessage): void {
    this.#append(message)
    this.flush(true)
  }

  /**
   * Sends the queue in batches of the current size (everything, past the rate limit, when
   * `force`). Under the rate limit a batch waits until the bucket holds enough tokens for
   * all of it, so a rate-limited socket still gets full batches rather than trickles.
   */
  flush(force: boolean): void {
    this.#disarm()
    const s = this.settings
    while (this.#messages.length > 0) {
      const n = Math.min(this.#messages.length, this.#size)
      if (!force) {
        this.#refill()
        const need = Math.min(n, s.maxMessagesPerSecond)
        if (this.#tokens + 1e-9 < need) {
          s.rateLimited()
          this.#arm(Math.max(1, Math.ceil(((need - this.#tokens) * 1000) / s.maxMessagesPerSecond)))
          this.#throttled = true
          return
        }
      }
      const take = force ? n : Math.min(n, Math.floor(this.#tokens + 1e-9))
      const batch = this.#messages.splice(0, take)
      // Priority sends may run the bucket negative, which slows the normal traffic after them.
      this.#tokens = Math.max(-s.maxMessagesPerSecond, this.#tokens - take)
      s.send(this.#target, batch, this.#seq++)
      this.#adapt(take)
      if (!force && this.#messages.length < this.#size) break
    }
    if (this.#messages.length > 0) this.#arm(s.maxWaitMs)
  }

  /** Sends everything left and lets go of the socket. */
  close(): void {
    this.#disarm()
    this.#target.off('disconnect', this.#onDisconnect)
    if (this.#messages.length > 0) this.flush(true)
    this.#disarm()
  }

  #append(message: BatchMessage): void {
    if (this.#messages.length >= this.settings.maxQueueSize) {
      this.#messages.shift()
      this.settings.dropped(this.#target, 'queue-full', 1)
    }
    this.#messages.push(message)
  }

  /**
   * The adaptive rule: the batch size doubles (up to maxAdaptiveBatchSize) while full
   * batches leave less than maxWaitMs apart or a backlog remains after a send, and halves
   * (down to maxBatchSize) whenever a batch leaves less than a quarter full.
   */
  #adapt(sent: number): void {
    if (this.#messages.length >= this.#size) this.#grow()
    else if (sent < this.#size / 4 && this.#size > this.settings.maxBatchSize) {
      this.#size = Math.max(this.settings.maxBatchSize, Math.floor(this.#size / 2))
    }
  }

  #grow(): void {
    this.#size = Math.min(this.settings.maxAdaptiveBatchSize, this.#size * 2)
  }

  #refill(): void {
    const now = this.settings.clock.now()
    const rate = this.settings.maxMessagesPerSecond
    this.#tokens = Math.min(rate, this.#tokens + (Math.max(0, now - this.#refilledAt) * rate) / 1000)
    this.#refilledAt = now
  }

  #arm(ms: number): void {
    if (this.#timer !== undefined) return
    this.#timer = unrefTimeout(() => {
      this.#timer = undefined
      this.#throttled = false
      try {
        this.flush(false)
      } catch (error) {
        this.settings.failed(error)
        if (this.#messages.length > 0) this.#arm(this.settings.maxWaitMs)
      }
    }, ms)
  }

  #disarm(): void {
    this.#throttled = false
    if (this.#timer === undefined) return
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #disconnected(): void {
    this.#disarm()
    const left = this.#messages.length
    this.#messages = []
    if (left > 0) this.settings.dropped(this.#target, 'disconnected', left)
    this.#onGone()
  }
}
