import { TimeoutError } from '../errors'
import type { Clock } from '../internal/clock'
import type { RetryPolicy } from './retry'

/** How a batch ended after its attempts. */
export type AttemptOutcome<R> =
  | { ok: true; result: R; attempts: number; durationMs: number }
  | { ok: false; error: unknown; attempts: number }

/** Called before each retry with the attempt about to run (2 for the first retry). */
export type RetryListener = (attempt: number, delayMs: number, error: unknown) => void

/**
 * Runs a batch handler with BatchProcessor's retry policy: up to `attempts` calls, a backoff
 * delay between them, each call bounded by `timeoutMs`. A backoff delay is not unref'd: the
 * batch's callers wait on it, so it keeps the process alive as their pending promises do
 * (before, only while the owner drained on close, {@link AttemptRunner.keepAlive}). The
 * per-attempt timeout is a guard and is unref'd unless the owner is closing.
 */
export class AttemptRunner<T, R> {
  readonly #handler: (items: T[]) => R | PromiseLike<R>
  readonly #retry: RetryPolicy
  readonly #timeoutMs: number
  readonly #clock: Clock
  readonly #label: string
  readonly #timers = new Set<NodeJS.Timeout>()
  #keepAlive = false

  constructor(handler: (items: T[]) => R | PromiseLike<R>, retry: RetryPolicy, timeoutMs: number, clock: Clock, label: string) {
    this.#handler = handler
    this.#retry = retry
    this.#timeoutMs = timeoutMs
    this.#clock = clock
    this.#label = label
  }

  /** From now on, pending and future timers hold the process open. */
  keepAlive(): void {
    this.#keepAlive = true
    for (const timer of this.#timers) timer.ref()
  }

  /** Runs `items` through the handler until it succeeds, or the policy gives up. Never rejects. */
  async run(items: () => T[], onRetry: RetryListener): Promise<AttemptOutcome<R>> {
    const retry = this.#retry
    for (let attempt = 1; ; attempt++) {
      const started = this.#clock.now()
      let failure: { error: unknown } | undefined
      let result: R | undefined
      try {
        result = await this.#attempt(items())
      } catch (error) {
        failure = { error }
      }
      if (failure === undefined) return { ok: true, result: result as R, attempts: attempt, durationMs: this.#clock.now() - started }
      if (attempt >= retry.attempts || !retry.retryOn(failure.error, attempt)) return { ok: false, error: failure.error, attempts: attempt }
      const delayMs = retry.delayMs(attempt, failure.error)
      onRetry(attempt + 1, delayMs, failure.error)
      await new Promise<void>((resolve) => this.#setTimer(resolve, delayMs, true))
    }
  }

  /** One handler call; a synchronous throw becomes a rejection, and `timeoutMs` bounds it. */
  #attempt(items: T[]): Promise<R> {
    const run = new Promise<R>((resolve) => resolve(this.#handler(items)))
    const timeoutMs = this.#timeoutMs
    if (timeoutMs === 0) return run
    return new Promise<R>((resolve, reject) => {
      const timer = this.#setTimer(() => reject(new TimeoutError(this.#label, timeoutMs)), timeoutMs)
      run.then(
        (value) => (this.#clearTimer(timer), resolve(value)),
        (error: unknown) => (this.#clearTimer(timer), reject(error)),
      )
    })
  }

  #setTimer(fn: () => void, ms: number, foreground = false): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      fn()
    }, ms)
    if (!foreground && !this.#keepAlive) timer.unref()
    this.#timers.add(timer)
    return timer
  }

  #clearTimer(timer: NodeJS.Timeout): void {
    clearTimeout(timer)
    this.#timers.delete(timer)
  }
}
