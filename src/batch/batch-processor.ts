import type { PerfBus } from '../bus/bus'
import type { FlushReason } from '../bus/events/batch'
import { AbortError, ClosedError, FlushError, PerfkitConfigError, PerfkitInputError, QueueFullError, messageOf } from '../errors'
import { AttemptRunner } from './attempt-runner'
import { IN_FLIGHT, QUEUED, SETTLED, WAITING, callSignal, promiseFor } from './common'
import { DeadlineTimer } from './deadline-timer'
import { LinkedQueue } from './linked-queue'
import { type AddOptions, QueuedItem, type RunningFlush } from './queued-item'
import { type BatchProcessorOptions, type ProcessorSettings, resolveProcessorOptions } from './processor-options'
import { type BatchProcessorStats, type DropCounts, ProcessorStatsCounter } from './processor-stats'

const noop = (): void => {}

/**
 * Collects items and hands them to `handler(items)` in batches: as soon as `maxBatchSize`
 * items are queued, or when the oldest has waited `flushIntervalMs`, whichever comes first.
 * Failed flushes are retried with exponential backoff and jitter. The queue is bounded
 * (`maxQueueSize`, overflow `'reject'` or `'wait'`), at most `maxConcurrentFlushes` flushes run
 * at once, and every `add()` promise settles: with the handler's result for its batch, or a
 * {@link FlushError} once the batch has failed all its attempts.
 *
 * Events on {@link BatchProcessor.bus}: `batch:flush`, `batch:error`, `batch:retry`, `batch:drop`.
 *
 * @example
 * ```ts
 * await using events = new BatchProcessor<AuditEvent>((batch) => db.insertMany('audit', batch), {
 *   name: 'audit', maxBatchSize: 500, flushIntervalMs: 2000, retry: { attempts: 5 },
 * })
 * await events.add({ user, action: 'login' }) // settles once its batch is written
 * ```
 */
export class BatchProcessor<T, R = void> {
  /** The bus this processor emits on. */
  readonly bus: PerfBus
  /** Used in events and metrics. */
  readonly name: string
  readonly #settings: ProcessorSettings
  readonly #queue = new LinkedQueue<QueuedItem<T, R>>()
  readonly #waiting = new LinkedQueue<QueuedItem<T, R>>()
  readonly #running = new Set<RunningFlush<T, R>>()
  readonly #stats = new ProcessorStatsCounter()
  readonly #timer: DeadlineTimer
  #seq = 0
  /** Items up to this seq go now: set by flush(). */
  #forcedUpTo = 0
  #barriers: Array<{ target: number; resolve: () => void }> = []
  #pumping = false
  #closing = false
  #closed: Promise<void> | undefined = undefined
  #resolveClosed: () => void = noop
  readonly #runner: AttemptRunner<T, R>

  /**
   * @param handler Receives each batch (a fresh array, in arrival order). Its result, or what
   *   its promise resolves to, becomes the value of every `add()` of that batch.
   * @throws PerfkitConfigError for an invalid handler or option.
   */
  constructor(handler: (items: T[]) => R | PromiseLike<R>, options: BatchProcessorOptions = {}) {
    if (typeof handler !== 'function') throw new PerfkitConfigError('handler', 'a function', handler)
    this.#settings = resolveProcessorOptions(options)
    this.name = this.#settings.name
    this.bus = this.#settings.bus
    this.#timer = new DeadlineTimer(this.#settings.clock, () => this.#pump())
    const { retry, timeoutMs, clock } = this.#settings
    this.#runner = new AttemptRunner(handler, retry, timeoutMs, clock, `BatchProcessor "${this.name}" handler`)
    const signal = this.#settings.signal
    if (signal?.aborted) void this.close()
    else signal?.addEventListener('abort', this.#onSignalAbort, { once: true })
  }

  /**
   * Queues `item`. The promise settles when the handler has finished with the item's batch:
   * it resolves with the handler's result, or rejects with a {@link FlushError} (after the
   * retries), {@link QueueFullError} (queue full, overflow `'reject'`), {@link AbortError}
   * or {@link ClosedError}. Never throws.
   */
  add(item: T, options?: AddOptions): Promise<R> {
    const signal = options === undefined || options === null ? undefined : callSignal(options.signal)
    if (signal instanceof PerfkitInputError) return Promise.reject(signal)
    return this.#refusal(1, signal) ?? this.#enqueue(item, signal)
  }

  /**
   * Queues several items, in order. Resolves with one result per item once every item's batch
   * is done, or rejects with the first failure (every item is still processed). With overflow
   * `'reject'` the items are queued all or none.
   */
  addMany(items: Iterable<T>, options?: AddOptions): Promise<R[]> {
    let list: T[]
    try {
      if (typeof (items as Partial<Iterable<T>> | null)?.[Symbol.iterator] !== 'function') throw new TypeError('not iterable')
      list = Array.from(items)
    } catch (error) {
      return Promise.reject(new PerfkitInputError('items', 'an iterable', items, { cause: error }))
    }
    const signal = options === undefined || options === null ? undefined : callSignal(options.signal)
    if (signal instanceof PerfkitInputError) return Promise.reject(signal)
    const refusal = this.#refusal(list.length, signal)
    if (refusal !== undefined) return refusal
    const promises: Promise<R>[] = []
    for (const item of list) promises.push(this.#enqueue(item, signal))
    return Promise.all(promises)
  }

  /**
   * Flushes every queued item now, without waiting for a full batch or the interval (as fast
   * as `maxConcurrentFlushes` allows). Resolves when all of them, and the flushes already
   * running, are done; never rejects (failures reach the items' own promises and `batch:error`).
   */
  flush(): Promise<void> {
    if (this.#queue.size === 0 && this.#running.size === 0) return Promise.resolve()
    this.#forcedUpTo = this.#seq
    const done = new Promise<void>((resolve) => this.#barriers.push({ target: this.#seq, resolve }))
    this.#pump()
    return done
  }

  /**
   * Stops accepting items (`add()` then rejects with {@link ClosedError}), flushes everything
   * queued or waiting for room, and resolves once every promise handed out has settled.
   * Retries still run, and while they wait their backoff timers keep the process alive (they
   * are unref'd otherwise), so `await close()` before exit loses nothing. Idempotent: later
   * calls return the same promise.
   */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      this.#closing = true
      this.#runner.keepAlive()
      this.#closed = new Promise<void>((resolve) => (this.#resolveClosed = resolve))
      this.#settings.signal?.removeEventListener('abort', this.#onSignalAbort)
      this.#pump()
    }
    return this.#closed
  }

  /** `await using processor = new BatchProcessor(...)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** Counters since construction or {@link BatchProcessor.resetStats}, plus the current queue state. */
  stats(): BatchProcessorStats {
    return this.#stats.snapshot(this.name, this.#queue.size, this.#waiting.size, this.#running.size)
  }

  /** Zeroes the counters and percentile windows; queued items are kept. */
  resetStats(): void {
    this.#stats.reset()
  }

  /** The rejection for a call that may not queue `count` items now, or undefined when it may. */
  #refusal(count: number, signal: AbortSignal | undefined): Promise<never> | undefined {
    if (this.#closing) return Promise.reject(this.#drop('closed', count, new ClosedError(`BatchProcessor "${this.name}"`)))
    if (signal?.aborted) return Promise.reject(this.#drop('aborted', count, new AbortError('add was aborted', { cause: signal.reason })))
    const { overflow, maxQueueSize } = this.#settings
    if (overflow === 'reject' && this.#queue.size + count > maxQueueSize) {
      return Promise.reject(this.#drop('queueFull', count, new QueueFullError(`BatchProcessor "${this.name}"`, maxQueueSize)))
    }
    return undefined
  }

  /** Counts and announces `count` refused or withdrawn items; returns `error` for the caller. */
  #drop(reason: keyof DropCounts, count: number, error: Error): Error {
    this.#stats.dropped[reason] += count
    if (this.bus.hasListeners('batch:drop')) {
      this.bus.emit('batch:drop', { processor: this.name, reason: reason === 'queueFull' ? 'queue-full' : reason, count })
    }
    return error
  }

  #enqueue(item: T, signal: AbortSignal | undefined): Promise<R> {
    const entry = new QueuedItem<T, R>(item, this.#settings.clock.now(), signal, this.#abortEntry)
    const promise = promiseFor(entry)
    if (signal !== undefined) signal.addEventListener('abort', entry)
    if (this.#waiting.size > 0 || this.#queue.size >= this.#settings.maxQueueSize) {
      entry.state = WAITING
      this.#waiting.push(entry)
      return promise
    }
    this.#admit(entry)
    if (this.#queue.size >= this.#settings.maxBatchSize) this.#pump()
    else if (this.#queue.size === 1) this.#timer.ensure(entry.enqueuedAt + this.#settings.flushIntervalMs)
    return promise
  }

  #admit(entry: QueuedItem<T, R>): void {
    entry.state = QUEUED
    entry.seq = ++this.#seq
    this.#queue.push(entry)
  }

  readonly #abortEntry = (entry: QueuedItem<T, R>): void => {
    if (entry.state === QUEUED) this.#queue.remove(entry)
    else if (entry.state === WAITING) this.#waiting.remove(entry)
    else return // already in a flush: it belongs to the handler now
    entry.state = SETTLED
    const signal = entry.signal as AbortSignal
    signal.removeEventListener('abort', entry)
    entry.reject(this.#drop('aborted', 1, new AbortError('add was aborted before its batch was flushed', { cause: signal.reason })))
    this.#pump()
  }

  readonly #onSignalAbort = (): void => void this.close()

  /** Admits waiting items, starts every flush that is due and has a free slot, re-arms the timer. */
  #pump(): void {
    if (this.#pumping) return
    this.#pumping = true
    const { maxBatchSize, maxQueueSize, maxConcurrentFlushes, flushIntervalMs, clock } = this.#settings
    try {
      for (;;) {
        while (this.#waiting.size > 0 && this.#queue.size < maxQueueSize) this.#admit(this.#waiting.shift() as QueuedItem<T, R>)
        const head = this.#queue.head
        if (head === undefined || this.#running.size >= maxConcurrentFlushes) break
        let reason: FlushReason
        if (this.#closing) reason = 'close'
        else if (head.seq <= this.#forcedUpTo) reason = 'manual'
        else if (this.#queue.size >= maxBatchSize) reason = 'size'
        else if (clock.now() >= head.enqueuedAt + flushIntervalMs) reason = 'time'
        else break
        this.#start(reason)
      }
      const head = this.#queue.head
      if (head !== undefined && this.#running.size < maxConcurrentFlushes) this.#timer.ensure(head.enqueuedAt + flushIntervalMs)
      else this.#timer.release()
    } finally {
      this.#pumping = false
    }
    this.#checkDone()
  }

  #start(reason: FlushReason): void {
    const now = this.#settings.clock.now()
    const count = Math.min(this.#queue.size, this.#settings.maxBatchSize)
    const entries: QueuedItem<T, R>[] = []
    let waitSum = 0
    for (let i = 0; i < count; i++) {
      const entry = this.#queue.shift() as QueuedItem<T, R>
      entry.state = IN_FLIGHT
      if (entry.signal !== undefined) entry.signal.removeEventListener('abort', entry)
      const wait = now - entry.enqueuedAt
      waitSum += wait
      this.#stats.queueWait.push(wait)
      entries.push(entry)
    }
    this.#stats.flushes[reason]++
    const flush: RunningFlush<T, R> = { entries, firstSeq: (entries[0] as QueuedItem<T, R>).seq, reason, waitMs: waitSum / count }
    this.#running.add(flush)
    void this.#run(flush)
  }

  async #run(flush: RunningFlush<T, R>): Promise<void> {
    const outcome = await this.#runner.run(
      // A fresh array per attempt: a handler that consumed or changed its array cannot spoil the retry.
      () => flush.entries.map((entry) => entry.item),
      (attempt, delayMs, error) => {
        this.#stats.retries++
        if (this.bus.hasListeners('batch:retry')) {
          this.bus.emit('batch:retry', { processor: this.name, size: flush.entries.length, attempt, delayMs, error })
        }
      },
    )
    if (outcome.ok) this.#succeed(flush, outcome.result, outcome.attempts, outcome.durationMs)
    else this.#fail(flush, outcome.error, outcome.attempts)
  }

  #succeed(flush: RunningFlush<T, R>, result: R, attempts: number, durationMs: number): void {
    const size = flush.entries.length
    this.#running.delete(flush)
    this.#stats.batches++
    this.#stats.items += size
    this.#stats.flushDuration.push(durationMs)
    if (this.bus.hasListeners('batch:flush')) {
      this.bus.emit('batch:flush', { processor: this.name, size, reason: flush.reason, durationMs, attempts, waitMs: flush.waitMs })
    }
    for (const entry of flush.entries) {
      entry.state = SETTLED
      entry.resolve(result)
    }
    this.#pump()
  }

  #fail(flush: RunningFlush<T, R>, error: unknown, attempts: number): void {
    const size = flush.entries.length
    this.#running.delete(flush)
    this.#stats.batches++
    this.#stats.items += size
    this.#stats.failures++
    this.#stats.failedItems += size
    const failure = new FlushError(
      `BatchProcessor "${this.name}": a batch of ${size} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${messageOf(error)}`,
      attempts,
      size,
      { cause: error },
    )
    if (this.bus.hasListeners('batch:error')) this.bus.emit('batch:error', { processor: this.name, size, attempts, error })
    for (const entry of flush.entries) {
      entry.state = SETTLED
      entry.reject(failure)
    }
    this.#pump()
  }

  /** Resolves flush() barriers whose items are all done, and close() once nothing is left. */
  #checkDone(): void {
    if (this.#barriers.length > 0) {
      let low = this.#queue.head?.seq ?? Infinity
      for (const flush of this.#running) if (flush.firstSeq < low) low = flush.firstSeq
      const pending = this.#barriers.filter((barrier) => barrier.target >= low)
      if (pending.length < this.#barriers.length) {
        for (const barrier of this.#barriers) if (barrier.target < low) barrier.resolve()
        this.#barriers = pending
      }
    }
    if (this.#closing && this.#queue.size === 0 && this.#waiting.size === 0 && this.#running.size === 0) {
      this.#timer.cancel()
      this.#resolveClosed()
    }
  }
}
