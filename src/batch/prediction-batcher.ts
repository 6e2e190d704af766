import { type ListenerGate, PerfBus } from '../bus/bus'
import { AbortError, ClosedError, PerfkitConfigError, PerfkitInputError, QueueFullError, TimeoutError } from '../errors'
import { toClock } from '../internal/clock'
import { unrefTimeout } from '../internal/timers'
import { nonEmptyString, optionalSignal } from '../internal/validate'
import { AdaptiveSizer } from './adaptive'
import { ArrivalClock } from './arrival-clock'
import { batchEvent, batchFailure, countKey, fillCache, markInFlight, recordStart, settleCalls, takeBatch } from './batch-run'
import type { CallBatch } from './call-batch'
import { CallHandle } from './call-handle'
import { CallQueue } from './call-queue'
import { IN_FLIGHT, QUEUED, SETTLED, WAITING } from './common'
import { DeadlineTimer } from './deadline-timer'
import {
  DEFAULT_CONFIG,
  type PredictManyFn,
  type PredictOptions,
  type PredictionBatcherConfig,
  type PredictionBatcherOptions,
  type PredictionCache,
  checkFixedOptions,
  invalidPredictOptions,
  resolveConfig,
} from './prediction-options'
import { type PredictionBatcherStats, PredictionStatsCounter } from './prediction-stats'
import type { DropCounts } from './processor-stats'

/**
 * Batches single `predict(input)` calls into `predictMany(inputs)` calls — the DataLoader
 * model, built for model serving: a batch goes when `maxBatchSize` calls are queued or the
 * oldest has waited `maxWaitMs`, at most `maxConcurrentBatches` run at once, the queue is
 * bounded, and each caller gets its own output (or its own error).
 *
 * With `adaptive: true` the batch size and wait follow the traffic within those maxima (the
 * rule is on {@link PredictionBatcherConfig.adaptive}); `configure()` changes any setting live.
 *
 * Every call settles exactly once. Whole-batch failures (a throw, a rejection, a result of the
 * wrong length, a timeout) reject each caller with a {@link BatchError} carrying the cause; an
 * `Error` in the results rejects only its caller, with that error. Refusals are typed:
 * {@link QueueFullError}, {@link AbortError}, {@link ClosedError}.
 *
 * Emits `prediction:batch` (size, waits, latency, error) for every batch, and `batch:drop`.
 *
 * @example
 * ```ts
 * const scores = new PredictionBatcher((rows: Features[]) => model.predictBatch(rows), {
 *   name: 'churn', maxBatchSize: 32, maxWaitMs: 10,
 * })
 * const score = await scores.predict(features, { signal: request.signal })
 * console.log(scores.stats().batchingEfficiency)
 * ```
 */
export class PredictionBatcher<I, O> {
  /** The bus this batcher emits on. */
  readonly bus: PerfBus
  /** Used in events and metrics. */
  readonly name: string
  readonly #predictMany: PredictManyFn<I, O>
  readonly #time: ArrivalClock
  readonly #key: ((input: I) => unknown) | undefined
  readonly #cache: PredictionCache<O> | undefined
  readonly #signal: AbortSignal | undefined
  /** Calls not yet sent, in batches in the making (see CallQueue). */
  readonly #queue: CallQueue<I, O>
  /** With `key`: queued calls per key. Its size, the distinct inputs queued, is what fills a batch. */
  readonly #queuedKeys: Map<unknown, number> | undefined
  /** Calls waiting for room in a full queue (overflow 'wait'). */
  readonly #waiting: CallQueue<I, O>
  readonly #stats = new PredictionStatsCounter()
  readonly #timer: DeadlineTimer
  readonly #onBatch: ListenerGate
  readonly #adaptive: AdaptiveSizer
  /** Per-batch timeout timers (only with `timeoutMs`), so close() can hold the process for them. */
  readonly #timeouts = new Set<NodeJS.Timeout>()
  #config: PredictionBatcherConfig
  // Hot-path copies: the size that makes a batch full and the wait before a partial one goes
  // (both depend on `enabled` and `adaptive`), the most calls a batch takes, the concurrency.
  #triggerSize = 0
  #waitMs = 0
  #batchCap = 1
  #maxConcurrent = 1
  /**
   * The queue size below which predict() takes its fast path: `maxQueueSize`, or 0 (never) while
   * the fast path would be wrong: when closing, with a `key` function, or while calls wait for room.
   */
  #plainRoom = 0
  /**
   * Calls the fast path takes are counted from the queue's running total (`added`) rather than
   * one by one: those the queue received that `stats.calls` counted already are subtracted, and
   * `#plainCallsAtReset` is the fast-path count at the last resetStats().
   */
  #countedAdds = 0
  #plainCallsAtReset = 0
  #inFlight = 0
  /** Calls that flush() sends regardless of size and wait. */
  #forced = 0
  #pumping = false
  #closing = false
  #closed: Promise<void> | undefined = undefined
  #resolveClosed: () => void = () => {}

  /**
   * @param predictMany Predicts a batch: resolves to one output per input, in input order.
   * @throws PerfkitConfigError for an invalid function or option.
   */
  constructor(predictMany: PredictManyFn<I, O>, options: PredictionBatcherOptions<I, O> = {}) {
    if (typeof predictMany !== 'function') throw new PerfkitConfigError('predictMany', 'a function', predictMany)
    if (typeof options !== 'object' || options === null) throw new PerfkitConfigError('options', 'an object', options)
    const { name = 'prediction-batcher', bus = new PerfBus(), key, cache, clock, signal, ...settings } = options
    checkFixedOptions(options)
    // The default queue bound grows with a larger batch size, so `maxBatchSize` alone stays valid.
    const base = { ...DEFAULT_CONFIG, maxQueueSize: Math.max(DEFAULT_CONFIG.maxQueueSize, settings.maxBatchSize ?? 0) }
    this.#config = resolveConfig(settings, base, false)
    this.name = nonEmptyString('name', name)
    this.#signal = optionalSignal('signal', signal)
    this.bus = bus
    this.#onBatch = bus.gate('prediction:batch')
    this.#predictMany = predictMany
    this.#time = new ArrivalClock(toClock(clock), clock === undefined)
    this.#cache = cache
    this.#key = key ?? (cache === undefined ? undefined : (input: I) => input)
    this.#queuedKeys = this.#key === undefined ? undefined : new Map()
    this.#queue = new CallQueue(this.#key !== undefined)
    this.#waiting = new CallQueue(this.#key !== undefined)
    this.#timer = new DeadlineTimer(toClock(clock), () => this.#pump())
    this.#adaptive = new AdaptiveSizer(this.#config.maxBatchSize, this.#config.maxWaitMs, this.#time.now())
    this.#refreshTriggers()
    this.#refreshRoom()
    if (signal?.aborted) void this.close()
    else signal?.addEventListener('abort', this.#onSignalAbort, { once: true })
  }

  /** The current settings (a copy). */
  get config(): Readonly<PredictionBatcherConfig> {
    return { ...this.#config }
  }

  /** Predicts one input through the next batch. Never throws: every failure is a rejection (see the class description). */
  predict(input: I, options?: PredictOptions): Promise<O> {
    const queue = this.#queue
    if (options === undefined && queue.size < this.#plainRoom) {
      // The common call (no options, no key, room in the queue, nobody waiting): kept small so
      // that it inlines into the caller. Everything else takes #predict.
      const arrival = this.#time.arrival()
      const promise = queue.addPlain(input, arrival, this.#batchCap)
      const size = queue.size
      if (size >= this.#triggerSize) {
        if (this.#inFlight < this.#maxConcurrent) this.#pump()
      } else if (size === 1) {
        this.#timer.ensure(arrival + this.#waitMs)
      }
      return promise
    }
    return this.#predict(input, options)
  }

  #predict(input: I, options: PredictOptions | undefined): Promise<O> {
    this.#stats.calls++
    if (this.#closing) return this.#refuse('closed', new ClosedError(`PredictionBatcher "${this.name}"`))
    let high = false
    let signal: AbortSignal | undefined
    if (options !== undefined && options !== null) {
      const invalid = invalidPredictOptions(options)
      if (invalid !== undefined) return Promise.reject(invalid)
      high = options.priority === 'high'
      signal = options.signal
      if (signal?.aborted) return this.#refuse('aborted', new AbortError('predict was aborted', { cause: signal.reason }))
    }
    let key: unknown
    if (this.#key !== undefined) {
      try {
        key = this.#key(input)
      } catch (error) {
        return Promise.reject(new PerfkitInputError('input', 'a value the `key` function accepts', input, { cause: error }))
      }
      const hit = this.#cache?.get(key as never)
      if (hit !== undefined) {
        this.#stats.cacheHits++
        return Promise.resolve(hit)
      }
    }
    if (this.#waiting.size > 0 || this.#queue.size >= this.#config.maxQueueSize) {
      if (this.#config.overflow === 'reject') {
        return this.#refuse('queueFull', new QueueFullError(`PredictionBatcher "${this.name}"`, this.#config.maxQueueSize))
      }
      const handle = signal === undefined ? undefined : new CallHandle<I, O>(signal, high, WAITING, this.#abortCall)
      const promise = this.#waiting.add(input, key, high, this.#time.now(), handle, this.#batchCap)
      if (signal !== undefined) signal.addEventListener('abort', handle as CallHandle<I, O>)
      this.#refreshRoom()
      return promise
    }
    const handle = signal === undefined ? undefined : new CallHandle<I, O>(signal, high, QUEUED, this.#abortCall)
    const arrival = this.#time.arrival()
    const promise = this.#queue.add(input, key, high, arrival, handle, this.#batchCap)
    this.#countedAdds++
    if (signal !== undefined) signal.addEventListener('abort', handle as CallHandle<I, O>)
    if (this.#queuedKeys !== undefined) countKey(this.#queuedKeys, key, 1)
    if (high || this.#queuedInputs() >= this.#triggerSize) {
      if (this.#inFlight < this.#maxConcurrent) this.#pump()
    } else if (this.#queue.size === 1) {
      this.#timer.ensure(arrival + this.#waitMs)
    }
    return promise
  }

  /**
   * Changes settings at run time, validated like the constructor (a PerfkitConfigError
   * changes nothing). Takes effect at once: queued calls are re-examined against the new size,
   * wait and concurrency; a smaller `maxQueueSize` refuses new calls until the queue is below
   * it; calls already waiting for room keep waiting when `overflow` becomes `'reject'`.
   */
  configure(partial: Partial<PredictionBatcherConfig>): void {
    this.#config = resolveConfig(partial, this.#config, true)
    this.#adaptive.setBounds(this.#config.maxBatchSize, this.#config.maxWaitMs)
    this.#refreshTriggers()
    this.#refreshRoom()
    this.#timer.cancel() // the wait may have shrunk: pump() re-arms for the new deadline
    this.#pump()
  }

  /** Sends every queued call now, in batches, as fast as `maxConcurrentBatches` allows. */
  flush(): void {
    this.#forced = this.#queue.size
    this.#pump()
  }

  /**
   * Stops accepting calls (`predict()` then rejects with {@link ClosedError}) and drains: every
   * queued or waiting call is sent without waiting for the timer, and the promise resolves once
   * every call handed out has settled. Nothing is dropped. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      this.#closing = true
      this.#refreshRoom()
      this.#closed = new Promise<void>((resolve) => (this.#resolveClosed = resolve))
      this.#signal?.removeEventListener('abort', this.#onSignalAbort)
      for (const timer of this.#timeouts) timer.ref() // a hung batch must not outlive an awaited close() unseen
      this.#pump()
    }
    return this.#closed
  }

  /** `await using batcher = new PredictionBatcher(...)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** The reference system's batch statistics, plus counters, state and latency percentiles. */
  stats(): PredictionBatcherStats {
    const stats = this.#stats.snapshot(this.name, this.#config.maxBatchSize, {
      queueSize: this.#queue.size,
      waiting: this.#waiting.size,
      inFlightBatches: this.#inFlight,
      effectiveBatchSize: this.#triggerSize,
      effectiveWaitMs: this.#waitMs,
    })
    stats.calls += this.#plainCalls() - this.#plainCallsAtReset
    return stats
  }

  /** Zeroes the counters and percentile windows; queued calls are kept. */
  resetStats(): void {
    this.#stats.reset()
    this.#plainCallsAtReset = this.#plainCalls()
  }

  /** Calls the fast path of predict() has taken (they are not in `stats.calls`). */
  #plainCalls(): number {
    return this.#queue.added - this.#countedAdds
  }

  #refreshRoom(): void {
    const plain = !this.#closing && this.#key === undefined && this.#waiting.size === 0
    this.#plainRoom = plain ? this.#config.maxQueueSize : 0
  }

  #refreshTriggers(): void {
    const { enabled, adaptive, maxBatchSize, maxWaitMs } = this.#config
    this.#triggerSize = !enabled ? 1 : adaptive ? this.#adaptive.size : maxBatchSize
    this.#waitMs = !enabled ? 0 : adaptive ? this.#adaptive.waitMs : maxWaitMs
    this.#batchCap = enabled ? maxBatchSize : 1
    this.#maxConcurrent = this.#config.maxConcurrentBatches
  }

  /** Distinct inputs queued: calls, or distinct keys with `key`. */
  #queuedInputs(): number {
    return this.#queuedKeys === undefined ? this.#queue.size : this.#queuedKeys.size
  }

  #refuse(reason: keyof DropCounts, error: Error): Promise<never> {
    return Promise.reject(this.#drop(reason, error))
  }

  /** Counts and announces a refused or withdrawn call; returns `error` for it. */
  #drop(reason: keyof DropCounts, error: Error): Error {
    this.#stats.dropped[reason]++
    if (this.bus.hasListeners('batch:drop')) {
      this.bus.emit('batch:drop', { processor: this.name, reason: reason === 'queueFull' ? 'queue-full' : reason, count: 1 })
    }
    return error
  }

  readonly #abortCall = (handle: CallHandle<I, O>): void => {
    const state = handle.state
    if (state === SETTLED) return
    if (state === QUEUED || state === WAITING) {
      const batch = handle.batch as CallBatch<I, O>
      const index = handle.index()
      if (state === WAITING) {
        this.#waiting.removeAt(handle.high, batch, index)
        this.#refreshRoom()
      } else {
        if (this.#queuedKeys !== undefined) countKey(this.#queuedKeys, batch.keys?.[index], -1)
        this.#queue.removeAt(handle.high, batch, index)
      }
    }
    // In flight, the call stays in its batch: settleCalls skips it.
    handle.state = SETTLED
    const signal = handle.signal
    signal.removeEventListener('abort', handle)
    handle.reject(this.#drop('aborted', new AbortError('predict was aborted', { cause: signal.reason })))
    if (state !== IN_FLIGHT) {
      if (this.#forced > this.#queue.size) this.#forced = this.#queue.size
      this.#pump()
    }
  }

  readonly #onSignalAbort = (): void => void this.close()

  /**
   * Admits waiting calls, starts every batch that is due and has a free slot, re-arms the timer.
   * Returns the batches started. `now`, when given, is a clock reading taken just before with no
   * host code run since: the first batch started uses it instead of reading the clock again.
   */
  #pump(now?: number): number {
    // Boolean fields are compared with `=== true` on the per-batch path: V8 does not know a field
    // holds only booleans, and a bare `if (field)` is a full truthiness test.
    if (this.#pumping === true) return 0
    this.#pumping = true
    let started = 0
    const queue = this.#queue
    try {
      for (;;) {
        if (this.#waiting.size > 0 && queue.size < this.#config.maxQueueSize) this.#admitWaiting()
        if (queue.size === 0 || this.#inFlight >= this.#maxConcurrent) break
        const due =
          this.#closing === true ||
          this.#forced > 0 ||
          this.#queuedInputs() >= this.#triggerSize ||
          queue.highSize > 0 ||
          this.#time.now() >= queue.oldestAt() + this.#waitMs
        if (!due) break
        this.#start(now ?? this.#time.now())
        now = undefined // predictMany ran: the next batch reads the clock
        started++
      }
      if (queue.size > 0 && this.#inFlight < this.#maxConcurrent) this.#timer.ensure(queue.oldestAt() + this.#waitMs)
      else this.#timer.release()
    } finally {
      this.#pumping = false
    }
    if (this.#closing === true && queue.size === 0 && this.#waiting.size === 0 && this.#inFlight === 0) {
      this.#timer.cancel()
      this.#resolveClosed()
    }
    return started
  }

  /** Moves waiting calls into the queue, oldest first (high priority first), as far as there is room. */
  #admitWaiting(): void {
    const count = Math.min(this.#waiting.size, this.#config.maxQueueSize - this.#queue.size)
    const keys = this.#queuedKeys
    this.#waiting.moveTo(this.#queue, count, this.#batchCap, QUEUED, keys === undefined ? undefined : (key) => countKey(keys, key, 1))
    this.#countedAdds += count // counted when they arrived
    if (this.#waiting.size === 0) this.#refreshRoom()
  }

  /** Takes the next batch from the queue and calls predictMany with it. */
  #start(now: number): void {
    this.#time.batchStarted(now)
    const queue = this.#queue
    const queueSize = queue.size
    const keys = this.#queuedKeys
    // Most batches go out as they formed; takeBatch assembles the others.
    let batch = keys === undefined ? queue.takeWhole(this.#batchCap) : undefined
    if (batch === undefined) batch = takeBatch(queue, this.#batchCap, keys, this.#stats)
    else if (batch.handles !== undefined) markInFlight(batch.handles)
    recordStart(batch, now, queueSize, this.#stats)
    const inputs = batch.inputs
    if (this.#forced > 0) this.#forced = Math.max(0, this.#forced - batch.count)
    batch.inFlight = ++this.#inFlight
    const { adaptive, timeoutMs } = this.#config
    if (adaptive === true) {
      this.#adaptive.observeArrivals(now, this.#queue.added)
      this.#refreshTriggers()
    }
    if (timeoutMs > 0) this.#armTimeout(batch, timeoutMs)
    let result: unknown
    try {
      result = this.#predictMany(inputs)
    } catch (error) {
      this.#finish(batch, undefined, { error })
      return
    }
    Promise.resolve(result).then(
      (values) => this.#finish(batch, values, undefined),
      (error: unknown) => this.#finish(batch, undefined, { error }),
    )
  }

  #armTimeout(batch: CallBatch<I, O>, timeoutMs: number): void {
    const timer = unrefTimeout(() => {
      this.#timeouts.delete(timer)
      this.#finish(batch, undefined, { error: new TimeoutError(`PredictionBatcher "${this.name}" predictMany`, timeoutMs) })
    }, timeoutMs)
    if (this.#closing) timer.ref()
    this.#timeouts.add(timer)
    batch.timer = timer
  }

  /** Settles every caller of `batch` from its results, or from `failure`, and frees its slot. */
  #finish(batch: CallBatch<I, O>, values: unknown, failure: { error: unknown } | undefined): void {
    if (batch.done === true) return // a late result after a timeout
    batch.done = true
    if (batch.timer !== undefined) {
      clearTimeout(batch.timer)
      this.#timeouts.delete(batch.timer)
    }
    this.#inFlight--
    const now = this.#time.now()
    const latencyMs = now - batch.startedAt
    const stats = this.#stats
    const batchError = batchFailure(this.name, batch.size, values, failure)
    const results = values as unknown[]
    const itemErrors = settleCalls(batch, results, batchError, now, stats)
    stats.batches++
    stats.inputs += batch.size
    stats.batchLatency.push(latencyMs)
    // Host code (a cache's set, event listeners) may run below: then `now` is stale.
    let hostRan = false
    if (batchError !== undefined) stats.failedBatches++
    else if (this.#cache !== undefined && batch.slotKeys !== undefined) {
      fillCache(this.#cache, batch.slotKeys, results, this.bus)
      hostRan = true
    }
    if (this.#config.adaptive === true) {
      this.#adaptive.observeLatency(latencyMs)
      this.#refreshTriggers()
    }
    if (this.#onBatch.open === true) {
      this.bus.emit('prediction:batch', batchEvent(this.name, batch, latencyMs, itemErrors, batchError))
      hostRan = true
    }
    this.#pump(hostRan ? undefined : now)
  }
}
