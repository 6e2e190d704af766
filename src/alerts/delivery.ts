// Delivery to notifiers. Each notifier has its own bounded queue, drained one notification at
// a time in order (a resolution never overtakes its firing), with a timeout per call. A slow
// or failing notifier only ever delays its own queue; evaluation and the other notifiers go on.
import type { AlertNotification, AlertNotifierFailedEvent, AlertSeverity } from '../bus/events/alerts'
import { NotifierError, TimeoutError, messageOf } from '../errors'
import type { Clock } from '../internal/clock'
import type { AlertNotifier } from './types'

/**
 * Delivery counters of one notifier.
 * @example
 * ```ts
 * for (const n of engine.stats().notifiers) if (n.failed > 0) console.warn(`${n.name}: ${n.failed} failed, last error`, n.lastError)
 * ```
 */
export interface NotifierStats {
  name: string
  /** Notifications delivered. */
  sent: number
  /** Notifications that failed (threw, rejected or timed out). */
  failed: number
  /** Of `failed`, those that ran past the engine's `notifierTimeoutMs`. */
  timedOut: number
  /** Notifications dropped because the notifier's queue was full. */
  dropped: number
  /** Waiting or in progress. */
  pending: number
  lastError: unknown
  /** Engine clock, ms. */
  lastFailureAt: number | undefined
  lastSuccessAt: number | undefined
}

export interface DeliveryOptions {
  timeoutMs: number
  maxPending: number
  clock: Clock
  onFailure: (event: AlertNotifierFailedEvent, error: NotifierError) => void
}

const rank = (s: AlertSeverity): number => (s === 'critical' ? 2 : 1)

/** The part of `notification` a notifier with `minSeverity` should see, or undefined for none. */
function forNotifier(notifier: AlertNotifier, notification: AlertNotification): AlertNotification | undefined {
  const min = notifier.minSeverity
  if (min === undefined) return notification
  const alerts = notification.alerts.filter((a) => rank(a.severity) >= rank(min))
  if (alerts.length === 0) return undefined
  if (alerts.length === notification.alerts.length) return notification
  const firing = alerts.some((a) => a.state === 'firing' || a.state === 'no-data')
  return { ...notification, alerts, status: firing ? 'firing' : 'resolved' }
}

class NotifierQueue {
  readonly notifier: AlertNotifier
  readonly stats: NotifierStats
  readonly #o: DeliveryOptions
  readonly #queue: AlertNotification[] = []
  #running: Promise<void> | undefined

  constructor(notifier: AlertNotifier, options: DeliveryOptions) {
    this.notifier = notifier
    this.#o = options
    this.stats = { name: notifier.name, sent: 0, failed: 0, timedOut: 0, dropped: 0, pending: 0, lastError: undefined, lastFailureAt: undefined, lastSuccessAt: undefined }
  }

  enqueue(notification: AlertNotification): void {
    if (this.#queue.length >= this.#o.maxPending) {
      // Drop the oldest: the newest state of the world matters most.
      const dropped = this.#queue.shift() as AlertNotification
      this.stats.dropped++
      this.stats.pending--
      const error = new NotifierError(this.notifier.name, `queue full (${this.#o.maxPending} pending), notification ${dropped.id} dropped`, 0)
      this.#o.onFailure({ notifier: this.notifier.name, notificationId: dropped.id, attempts: 0, reason: 'dropped', error }, error)
    }
    this.#queue.push(notification)
    this.stats.pending++
    this.#running ??= this.#pump()
  }

  idle(): Promise<void> {
    return this.#running ?? Promise.resolve()
  }

  async #pump(): Promise<void> {
    // Yield first so the enqueueing call (evaluate) returns before any notifier code runs.
    await Promise.resolve()
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        await this.#deliver(next)
        this.stats.pending--
      }
    } finally {
      this.#running = undefined
    }
  }

  async #deliver(notification: AlertNotification): Promise<void> {
    const name = this.notifier.name
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new TimeoutError(`Notifier \`${name}\``, this.#o.timeoutMs)
        controller.abort(error)
        reject(error)
      }, this.#o.timeoutMs)
      timer.unref()
    })
    try {
      await Promise.race([Promise.resolve().then(() => this.notifier.notify(notification, controller.signal)), timeout])
      this.stats.sent++
      this.stats.lastSuccessAt = this.#o.clock.now()
    } catch (cause) {
      const timedOut = cause instanceof TimeoutError
      const error = cause instanceof NotifierError ? cause : new NotifierError(name, messageOf(cause), 1, { cause })
      this.stats.failed++
      if (timedOut) this.stats.timedOut++
      this.stats.lastError = error
      this.stats.lastFailureAt = this.#o.clock.now()
      this.#o.onFailure({ notifier: name, notificationId: notification.id, attempts: error.attempts, reason: timedOut ? 'timeout' : 'failed', error: cause }, error)
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Fans notifications out to every notifier's queue. */
export class NotifierHub {
  readonly #o: DeliveryOptions
  readonly #queues = new Map<string, NotifierQueue>()

  constructor(options: DeliveryOptions) {
    this.#o = options
  }

  has(name: string): boolean {
    return this.#queues.has(name)
  }

  add(notifier: AlertNotifier): void {
    this.#queues.set(notifier.name, new NotifierQueue(notifier, this.#o))
  }

  /** Removes a notifier once its queue is empty; resolves after its `close()`. */
  async remove(name: string): Promise<boolean> {
    const queue = this.#queues.get(name)
    if (queue === undefined) return false
    this.#queues.delete(name)
    await queue.idle()
    await queue.notifier.close?.()
    return true
  }

  deliver(notification: AlertNotification): void {
    for (const queue of this.#queues.values()) {
      const view = forNotifier(queue.notifier, notification)
      if (view !== undefined) queue.enqueue(view)
    }
  }

  /** Resolves when every queue is empty. */
  async drain(): Promise<void> {
    for (;;) {
      const busy = [...this.#queues.values()].filter((q) => q.stats.pending > 0)
      if (busy.length === 0) return
      await Promise.all(busy.map((q) => q.idle()))
    }
  }

  stats(): NotifierStats[] {
    return [...this.#queues.values()].map((q) => ({ ...q.stats }))
  }

  /** Drains, then closes every notifier; a failing `close()` is reported, never thrown. */
  async close(report: (error: Error) => void): Promise<void> {
    await this.drain()
    for (const queue of this.#queues.values()) {
      try {
        await queue.notifier.close?.()
      } catch (error) {
        report(new NotifierError(queue.notifier.name, `close() failed: ${messageOf(error)}`, 1, { cause: error }))
      }
    }
  }
}
