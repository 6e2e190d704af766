import { type BusOption, PerfBus } from '../bus/bus'
import { PerfkitConfigError, PerfkitInputError } from '../errors'
import type { Clock } from '../internal/clock'
import { bool, nonNegativeFinite, oneOf, positiveInt } from '../internal/validate'
import { OVERFLOW_STRATEGIES, type OverflowStrategy, callSignal, queueSizeAtLeastBatch } from './common'

/**
 * The batch function: outputs in input order, one per input. An `Error` at position i rejects
 * only the caller(s) of input i.
 * @example
 * ```ts
 * const predictMany: PredictManyFn<Features, number> = (rows) => model.predictBatch(rows)
 * const scores = new PredictionBatcher(predictMany, { maxBatchSize: 32 })
 * ```
 */
export type PredictManyFn<I, O> = (inputs: I[]) => PromiseLike<ReadonlyArray<O | Error>> | ReadonlyArray<O | Error>

/**
 * Options of one {@link PredictionBatcher.predict} call.
 * @example
 * ```ts
 * const score = await scores.predict(features, { priority: 'high', signal: request.signal })
 * ```
 */
export interface PredictOptions {
  /**
   * `'high'` sends the call's batch at once instead of waiting for it to fill, and puts the
   * call ahead of normal ones when all slots are busy. @defaultValue `'normal'`
   */
  priority?: 'normal' | 'high'
  /**
   * Withdraws the call: it rejects at once with an {@link AbortError}. A call still queued is
   * removed (and never sent to the model); one already sent stops waiting, its result is dropped.
   */
  signal?: AbortSignal
}

/**
 * What the `cache` option needs: the two methods of {@link MemoryCache} that PredictionBatcher
 * uses. (Typed structurally so that a `MemoryCache<string, Score>` fits whatever the key type.)
 * @example
 * ```ts
 * const cached = new MemoryCache<string, number>({ name: 'churn-scores', max: 50_000, ttl: 60_000 })
 * const scores = new PredictionBatcher(predictMany, { cache: cached, key: (row: Features) => row.customerId })
 * ```
 */
export interface PredictionCache<O> {
  get(key: never): O | undefined
  set(key: never, value: NonNullable<O>): unknown
}

/**
 * The settings of a {@link PredictionBatcher} that {@link PredictionBatcher.configure} can change at run time.
 * @example
 * ```ts
 * scores.configure({ maxBatchSize: 64, maxWaitMs: 20, adaptive: true })
 * console.log(scores.config.maxConcurrentBatches)
 * ```
 */
export interface PredictionBatcherConfig {
  /** Most inputs per call of `predictMany`; a batch goes as soon as it is full. @defaultValue 10 */
  maxBatchSize: number
  /** Longest time a call waits for its batch to fill, in ms. 0 batches the calls of one event-loop turn. @defaultValue 100 */
  maxWaitMs: number
  /** Most `predictMany` calls running at once; further full batches wait in the queue. @defaultValue 5 */
  maxConcurrentBatches: number
  /**
   * `false` turns batching off: each call goes to `predictMany` alone, at once, still timed,
   * counted and bounded by `maxConcurrentBatches` and `maxQueueSize`. @defaultValue true
   */
  enabled: boolean
  /** Most calls queued (not yet sent to the model), >= `maxBatchSize`. @defaultValue 10_000, or `maxBatchSize` when larger */
  maxQueueSize: number
  /** What `predict()` does when the queue is full. @defaultValue `'reject'` */
  overflow: OverflowStrategy
  /**
   * Adjusts the batch size and wait to the traffic, within `maxBatchSize` and `maxWaitMs`.
   * The rule: size = clamp(⌈arrival rate × batch latency⌉, 1, maxBatchSize) — the calls that
   * arrive while one batch is being predicted — and wait = clamp(size / arrival rate, 0,
   * maxWaitMs) — the time that many calls take to arrive. Both rates are moving averages
   * (EWMA, α = 0.3) of calls per ms between batch starts and of predictMany durations. Light
   * traffic thus goes through unbatched and without waiting; heavy traffic fills batches. Until
   * both are measured, the maxima apply; a backlog always drains in batches of maxBatchSize.
   * @defaultValue false
   */
  adaptive: boolean
  /**
   * Longest a `predictMany` call may take, in ms; past it the batch fails with a
   * {@link BatchError} whose cause is a {@link TimeoutError}, and its slot is freed (the model
   * call itself is not cancelled). 0 means no limit. @defaultValue 0
   */
  timeoutMs: number
}

/**
 * Options of {@link PredictionBatcher}.
 * @example
 * ```ts
 * const scores = new PredictionBatcher((rows: Features[]) => model.predictBatch(rows), {
 *   name: 'churn', maxBatchSize: 32, maxWaitMs: 10, overflow: 'wait',
 * })
 * ```
 */
export interface PredictionBatcherOptions<I, O> extends Partial<PredictionBatcherConfig>, BusOption {
  /** Used in events and metrics (the `batcher` label). @defaultValue `'prediction-batcher'` */
  name?: string
  /**
   * Identity of an input. Calls whose keys are equal (SameValueZero, like a Map) within one
   * batch share one slot: the input is sent once and every caller gets the result.
   * @defaultValue none (no de-duplication), or the input itself when `cache` is set
   */
  key?: (input: I) => unknown
  /**
   * A {@link MemoryCache} (or anything with `get`/`set`) keyed by `key(input)`: consulted before
   * a call is queued (a hit resolves at once, counted in `cacheHits`) and filled with every
   * successful result (Errors and `null`/`undefined` are not cached). @defaultValue none
   */
  cache?: PredictionCache<O>
  /** Clock for waits and latencies. @defaultValue `performance` */
  clock?: Clock | (() => number)
  /** Aborting it closes the batcher (see {@link PredictionBatcher.close}). */
  signal?: AbortSignal
}

export const DEFAULT_CONFIG: Readonly<PredictionBatcherConfig> = {
  maxBatchSize: 10,
  maxWaitMs: 100,
  maxConcurrentBatches: 5,
  enabled: true,
  maxQueueSize: 10_000,
  overflow: 'reject',
  adaptive: false,
  timeoutMs: 0,
}

const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as Array<keyof PredictionBatcherConfig>

/**
 * Validates `partial` over `base` and returns the complete config. Nothing is applied when a
 * value is invalid. With `strict`, unknown keys are rejected too (for configure(), where a typo
 * would otherwise be silently ignored).
 */
export function resolveConfig(
  partial: Partial<PredictionBatcherConfig>,
  base: PredictionBatcherConfig,
  strict: boolean,
): PredictionBatcherConfig {
  if (typeof partial !== 'object' || partial === null) throw new PerfkitConfigError('options', 'an object', partial)
  if (strict) {
    for (const key of Object.keys(partial)) {
      if (!(CONFIG_KEYS as string[]).includes(key)) {
        throw new PerfkitConfigError(key, `a setting (${CONFIG_KEYS.join(', ')})`, (partial as Record<string, unknown>)[key])
      }
    }
  }
  const pick = <K extends keyof PredictionBatcherConfig>(key: K): PredictionBatcherConfig[K] => partial[key] ?? base[key]
  const maxBatchSize = positiveInt('maxBatchSize', pick('maxBatchSize'))
  return {
    maxBatchSize,
    maxWaitMs: nonNegativeFinite('maxWaitMs', pick('maxWaitMs')),
    maxConcurrentBatches: positiveInt('maxConcurrentBatches', pick('maxConcurrentBatches')),
    enabled: bool('enabled', pick('enabled')),
    maxQueueSize: queueSizeAtLeastBatch(pick('maxQueueSize'), maxBatchSize),
    overflow: oneOf('overflow', pick('overflow'), OVERFLOW_STRATEGIES),
    adaptive: bool('adaptive', pick('adaptive')),
    timeoutMs: nonNegativeFinite('timeoutMs', pick('timeoutMs')),
  }
}

/** Validates the options that are fixed at construction. */
export function checkFixedOptions<I, O>(options: PredictionBatcherOptions<I, O>): void {
  const { bus, key, cache, clock } = options
  if (bus !== undefined && !(bus instanceof PerfBus)) throw new PerfkitConfigError('bus', 'a PerfBus', bus)
  if (key !== undefined && typeof key !== 'function') throw new PerfkitConfigError('key', 'a function', key)
  const cacheLike = typeof cache === 'object' && cache !== null && typeof cache.get === 'function' && typeof cache.set === 'function'
  if (cache !== undefined && !cacheLike) {
    throw new PerfkitConfigError('cache', 'a MemoryCache', cache)
  }
  if (clock !== undefined && typeof clock !== 'function' && typeof (clock as Clock | null)?.now !== 'function') {
    throw new PerfkitConfigError('clock', 'a function or an object with now()', clock)
  }
}

/** The error for invalid per-call options of predict(), or undefined when they are valid. */
export function invalidPredictOptions(options: PredictOptions): PerfkitInputError | undefined {
  const { priority, signal } = options
  if (priority !== undefined && priority !== 'normal' && priority !== 'high') {
    return new PerfkitInputError('options.priority', "'normal' or 'high'", priority)
  }
  const checked = callSignal(signal)
  return checked instanceof PerfkitInputError ? checked : undefined
}
