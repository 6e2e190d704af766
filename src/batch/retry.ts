// Retry policy of BatchProcessor: how many attempts, how long to wait between them
// (exponential backoff with jitter), and which failures are worth another attempt.
import { PerfkitConfigError } from '../errors'
import { func, inRange, nonNegativeFinite, positiveFinite, positiveInt } from '../internal/validate'

/**
 * Exponential backoff: the delay before retry n is `initialDelayMs × factor^(n-1)`, capped, then jittered.
 * @example
 * ```ts
 * const audit = new BatchProcessor(writeBatch, {
 *   retry: { attempts: 5, backoff: { initialDelayMs: 200, maxDelayMs: 10_000, jitter: 0.5 } },
 * })
 * ```
 */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. @defaultValue 100 */
  initialDelayMs?: number
  /** Longest delay before any retry, in ms. @defaultValue 30_000 */
  maxDelayMs?: number
  /** Growth of the delay per retry (>= 1). @defaultValue 2 */
  factor?: number
  /**
   * Share of the delay that is random, from 0 to 1: the delay is drawn uniformly from
   * `[delay × (1 - jitter), delay]`. 1 is "full jitter", which spreads retries of many
   * processors failing together; 0 makes delays exact. @defaultValue 1
   */
  jitter?: number
}

/**
 * How a {@link BatchProcessor} retries a failed batch.
 * @example
 * ```ts
 * const audit = new BatchProcessor(writeBatch, {
 *   retry: { attempts: 4, retryOn: (error) => !(error instanceof ValidationError) },
 * })
 * ```
 */
export interface RetryOptions {
  /** Most attempts per batch, the first one included; 1 disables retries. @defaultValue 3 */
  attempts?: number
  /**
   * Delay before each retry: exponential backoff with jitter ({@link BackoffOptions}), or a
   * function of the attempt that just failed (1 for the first) returning ms.
   * @defaultValue `{ initialDelayMs: 100, maxDelayMs: 30_000, factor: 2, jitter: 1 }`
   */
  backoff?: BackoffOptions | ((failedAttempt: number, error: unknown) => number)
  /**
   * Whether a failure is worth another attempt; a throw counts as `false`.
   * @defaultValue every failure is retried
   */
  retryOn?: (error: unknown, failedAttempt: number) => boolean
}

/** A validated retry policy. */
export interface RetryPolicy {
  readonly attempts: number
  /** Delay in ms before the attempt after `failedAttempt`; always finite and >= 0. */
  delayMs(failedAttempt: number, error: unknown): number
  /** True when `error` may be retried; a `retryOn` that throws means no. */
  retryOn(error: unknown, failedAttempt: number): boolean
}

const retryAll = (): boolean => true

/** Validates `retry` (option names are prefixed `retry.`) and returns the policy. */
export function resolveRetry(retry: RetryOptions | undefined, random: () => number = Math.random): RetryPolicy {
  if (retry !== undefined && (typeof retry !== 'object' || retry === null)) {
    throw new PerfkitConfigError('retry', 'an object', retry)
  }
  const { attempts = 3, backoff = {}, retryOn = retryAll } = retry ?? {}
  positiveInt('retry.attempts', attempts)
  func('retry.retryOn', retryOn)
  const delayMs = typeof backoff === 'function' ? customBackoff(backoff) : exponentialBackoff(backoff, random)
  return {
    attempts,
    delayMs,
    retryOn(error, failedAttempt) {
      try {
        return retryOn(error, failedAttempt) === true
      } catch {
        return false
      }
    },
  }
}

function customBackoff(backoff: (failedAttempt: number, error: unknown) => number) {
  return (failedAttempt: number, error: unknown): number => {
    let ms: unknown
    try {
      ms = backoff(failedAttempt, error)
    } catch {
      return 0
    }
    // A bad value must not stall or crash the processor: retry at once instead.
    return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0
  }
}

function exponentialBackoff(backoff: BackoffOptions, random: () => number) {
  if (typeof backoff !== 'object' || backoff === null) {
    throw new PerfkitConfigError('retry.backoff', 'an object or a function', backoff)
  }
  const { initialDelayMs = 100, maxDelayMs = 30_000, factor = 2, jitter = 1 } = backoff
  nonNegativeFinite('retry.backoff.initialDelayMs', initialDelayMs)
  nonNegativeFinite('retry.backoff.maxDelayMs', maxDelayMs)
  positiveFinite('retry.backoff.factor', factor)
  if (factor < 1) throw new PerfkitConfigError('retry.backoff.factor', 'a finite number >= 1', factor)
  inRange('retry.backoff.jitter', jitter, 0, 1)
  return (failedAttempt: number): number => {
    const base = Math.min(maxDelayMs, initialDelayMs * factor ** (failedAttempt - 1))
    return base * (1 - jitter * random())
  }
}
