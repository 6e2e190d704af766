/**
 * The PerfkitError family. Every error perfkit throws or rejects with is one of these, so a
 * host can branch on `error.code`, which keeps working when two copies of perfkit are
 * installed side by side (where `instanceof` would not).
 * @module
 */

/**
 * Stable codes carried by every {@link PerfkitError}.
 * @example
 * ```ts
 * const retryable: PerfkitErrorCode[] = ['PERFKIT_QUEUE_FULL', 'PERFKIT_TIMEOUT']
 * try { await audit.add(event) } catch (error) {
 *   if (error instanceof PerfkitError && retryable.includes(error.code)) scheduleRetry(event)
 * }
 * ```
 */
export type PerfkitErrorCode =
  | 'PERFKIT_CONFIG'
  | 'PERFKIT_INPUT'
  | 'PERFKIT_CLOSED'
  | 'PERFKIT_QUEUE_FULL'
  | 'PERFKIT_TIMEOUT'
  | 'PERFKIT_ABORTED'
  | 'PERFKIT_FLUSH_FAILED'
  | 'PERFKIT_BATCH_FAILED'
  | 'PERFKIT_LOAD_FAILED'
  | 'PERFKIT_LISTENER_THREW'
  | 'PERFKIT_NOTIFIER_FAILED'
  | 'PERFKIT_NOT_FOUND'
  | 'PERFKIT_OPTIMIZATION_FAILED'

/**
 * Base class of every error perfkit produces.
 * @example
 * ```ts
 * try { cache.set('k', value, { ttl: -1 }) }
 * catch (error) { if (error instanceof PerfkitError && error.code === 'PERFKIT_CONFIG') { ... } }
 * ```
 */
export class PerfkitError extends Error {
  override name = 'PerfkitError'
  /** A stable, machine-readable code. */
  readonly code: PerfkitErrorCode

  constructor(code: PerfkitErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

/**
 * An option passed to a constructor or `configure()` is invalid. Thrown at construction,
 * never later. `option` names the offending option and `value` holds what was passed.
 * @example
 * ```ts
 * new MemoryCache({ max: 0 }) // PerfkitConfigError: Expected `max` to be an integer >= 1, got `0`
 * ```
 */
export class PerfkitConfigError extends PerfkitError {
  override name = 'PerfkitConfigError'
  readonly option: string
  readonly value: unknown

  constructor(option: string, expected: string, value: unknown, options?: ErrorOptions) {
    super('PERFKIT_CONFIG', `Expected \`${option}\` to be ${expected}, got ${describe(value)}`, options)
    this.option = option
    this.value = value
  }
}

/**
 * A value handed to a method is invalid (a NaN latency, an empty sample, …).
 * `argument` names the parameter and `value` holds what was passed.
 * @example
 * ```ts
 * welchTTest([1, Number.NaN], [2, 3]) // PerfkitInputError: Expected `a[1]` to be a finite number, got `NaN`
 * ```
 */
export class PerfkitInputError extends PerfkitError {
  override name = 'PerfkitInputError'
  readonly argument: string
  readonly value: unknown

  constructor(argument: string, expected: string, value: unknown, options?: ErrorOptions) {
    super('PERFKIT_INPUT', `Expected \`${argument}\` to be ${expected}, got ${describe(value)}`, options)
    this.argument = argument
    this.value = value
  }
}

/**
 * The primitive was closed; it accepts no more work.
 * @example
 * ```ts
 * await batcher.close()
 * await batcher.predict(x) // rejects with ClosedError
 * ```
 */
export class ClosedError extends PerfkitError {
  override name = 'ClosedError'
  constructor(what: string, options?: ErrorOptions) {
    super('PERFKIT_CLOSED', `${what} is closed`, options)
  }
}

/**
 * A bounded queue is full and its overflow strategy is `'reject'`.
 * @example
 * ```ts
 * try { await batcher.predict(x) } catch (e) { if ((e as PerfkitError).code === 'PERFKIT_QUEUE_FULL') shed() }
 * ```
 */
export class QueueFullError extends PerfkitError {
  override name = 'QueueFullError'
  readonly maxQueueSize: number
  constructor(what: string, maxQueueSize: number, options?: ErrorOptions) {
    super('PERFKIT_QUEUE_FULL', `${what} queue is full (maxQueueSize ${maxQueueSize})`, options)
    this.maxQueueSize = maxQueueSize
  }
}

/**
 * An operation took longer than its configured timeout.
 * @example
 * ```ts
 * monitor.addSource({ name: 'db', collect, timeoutMs: 1000 }) // a hung collect() ends in TimeoutError
 * ```
 */
export class TimeoutError extends PerfkitError {
  override name = 'TimeoutError'
  readonly timeoutMs: number
  constructor(what: string, timeoutMs: number, options?: ErrorOptions) {
    super('PERFKIT_TIMEOUT', `${what} timed out after ${timeoutMs} ms`, options)
    this.timeoutMs = timeoutMs
  }
}

/**
 * The caller's `AbortSignal` fired. `cause` holds `signal.reason`.
 * @example
 * ```ts
 * const ac = new AbortController()
 * const p = batcher.predict(x, { signal: ac.signal })
 * ac.abort() // p rejects with AbortError
 * ```
 */
export class AbortError extends PerfkitError {
  override name = 'AbortError'
  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super('PERFKIT_ABORTED', message, options)
  }
}

/**
 * A batch handler failed after all its retries. `cause` holds the last failure.
 * @example
 * ```ts
 * processor.on // every add() of the failed batch rejects with FlushError
 * ```
 */
export class FlushError extends PerfkitError {
  override name = 'FlushError'
  readonly attempts: number
  readonly batchSize: number
  constructor(message: string, attempts: number, batchSize: number, options?: ErrorOptions) {
    super('PERFKIT_FLUSH_FAILED', message, options)
    this.attempts = attempts
    this.batchSize = batchSize
  }
}

/**
 * A batched prediction failed as a whole (the batch function threw, or returned the wrong
 * number of results). `cause` holds the original failure.
 * @example
 * ```ts
 * batcher.predict(x).catch((e) => { if (e.code === 'PERFKIT_BATCH_FAILED') console.error(e.cause) })
 * ```
 */
export class BatchError extends PerfkitError {
  override name = 'BatchError'
  readonly batchSize: number
  constructor(message: string, batchSize: number, options?: ErrorOptions) {
    super('PERFKIT_BATCH_FAILED', message, options)
    this.batchSize = batchSize
  }
}

/**
 * An event listener threw. perfkit catches it so the emitter and the host keep running, and
 * delivers this error, with the original in `cause`, to the bus `error` event.
 * @example
 * ```ts
 * bus.on('error', (e) => { if (e instanceof ListenerError) console.warn(e.event, e.cause) })
 * ```
 */
export class ListenerError extends PerfkitError {
  override name = 'ListenerError'
  readonly event: string
  constructor(event: string, cause: unknown) {
    super('PERFKIT_LISTENER_THREW', `A listener of \`${event}\` threw: ${messageOf(cause)}`, { cause })
    this.event = event
  }
}

/** Renders a value for an error message: short, and unambiguous about its type. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `\`${JSON.stringify(value).slice(1, -1)}\` (string)`
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `\`${String(value)}\``
  if (value === undefined || value === null) return `\`${String(value)}\``
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return `an array of length ${value.length}`
  try {
    const json = JSON.stringify(value)
    return json.length > 80 ? `\`${json.slice(0, 77)}...\`` : `\`${json}\``
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * An alert notifier failed to deliver a notification (after its own retries, if any).
 * `notifier` names it, `attempts` counts the tries, and `cause` holds the last failure.
 * @example
 * ```ts
 * engine.bus.on('alert:notifier-failed', (e) => console.warn(e.notifier, e.error))
 * ```
 */
export class NotifierError extends PerfkitError {
  override name = 'NotifierError'
  readonly notifier: string
  readonly attempts: number
  constructor(notifier: string, message: string, attempts: number, options?: ErrorOptions) {
    super('PERFKIT_NOTIFIER_FAILED', `Notifier \`${notifier}\` failed: ${message}`, options)
    this.notifier = notifier
    this.attempts = attempts
  }
}

/**
 * An id passed to a method names nothing that exists (e.g. no active alert has that id).
 * @example
 * ```ts
 * try { engine.acknowledge('cpu-usage#9') } catch (e) { if ((e as PerfkitError).code === 'PERFKIT_NOT_FOUND') … }
 * ```
 */
export class NotFoundError extends PerfkitError {
  override name = 'NotFoundError'
  readonly id: string
  constructor(what: string, id: string, options?: ErrorOptions) {
    super('PERFKIT_NOT_FOUND', `No ${what} with id \`${id}\``, options)
    this.id = id
  }
}

/**
 * An optimization rule's condition or action threw (or rejected). The insight engine catches
 * it, reports it on `optimization:applied` (or the bus `error` event) and keeps running;
 * `cause` holds the original failure.
 * @example
 * ```ts
 * engine.bus.on('optimization:applied', (e) => { if (e.error instanceof OptimizationError) log.warn(e.rule, e.error.cause) })
 * ```
 */
export class OptimizationError extends PerfkitError {
  override name = 'OptimizationError'
  /** The rule's id. */
  readonly rule: string
  /** Which part of the rule failed. */
  readonly phase: 'condition' | 'action'
  constructor(rule: string, phase: 'condition' | 'action', cause: unknown) {
    super('PERFKIT_OPTIMIZATION_FAILED', `Optimization rule \`${rule}\` failed in its ${phase}: ${messageOf(cause)}`, { cause })
    this.rule = rule
    this.phase = phase
  }
}
