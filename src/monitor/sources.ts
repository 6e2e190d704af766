// Monitoring sources: functions the monitor calls on their own interval (a database pool, a
// queue, the process sampler). Each runs on its own unref'd timer with a timeout, so a source
// that throws or hangs is marked unhealthy and never delays another. A source never has two
// runs outstanding: while a timed-out run has not settled, its next turns are skipped.
import type { Labels } from '../bus/events/monitor'
import { TimeoutError } from '../errors'
import { unrefInterval, unrefTimeout } from '../internal/timers'

/**
 * How much a source matters when the host sheds monitoring load.
 * @example
 * ```ts
 * const priority: SourcePriority = 'low'
 * monitor.addSource({ name: 'queue', collect: () => ({ queue_depth: queue.length }), priority })
 * ```
 */
export type SourcePriority = 'critical' | 'high' | 'medium' | 'low'

export const PRIORITY_RANK: Readonly<Record<SourcePriority, number>> = { low: 0, medium: 1, high: 2, critical: 3 }

/**
 * One value a source returns.
 * @example
 * ```ts
 * monitor.addSource({
 *   name: 'db-pool',
 *   collect: (): SourceReading[] => [{ name: 'db_pool_connections', value: pool.active, labels: { state: 'active' } }],
 * })
 * ```
 */
export interface SourceReading {
  name: string
  value: number
  labels?: Labels
  /**
   * `'gauge'` (default) sets the value; `'counter'` adds it to the counter; `'distribution'`
   * records it.
   */
  kind?: 'gauge' | 'counter' | 'distribution'
}

/**
 * What `collect` may return: nothing (it recorded into the monitor itself), gauges by name, or readings.
 * @example
 * ```ts
 * const collect = (): SourceResult => ({ db_pool_active: pool.active, db_pool_idle: pool.idle })
 * monitor.addSource({ name: 'db-pool', collect })
 * ```
 */
export type SourceResult = void | undefined | Readonly<Record<string, number>> | readonly SourceReading[]

/**
 * Handed to every `collect` call.
 * @example
 * ```ts
 * monitor.addSource({ name: 'upstream', collect: async ({ signal }) => ({ upstream_up: (await fetch(healthUrl, { signal })).ok ? 1 : 0 }) })
 * ```
 */
export interface SourceContext {
  /** Aborted when the run times out or the monitor closes. */
  signal: AbortSignal
  /** Monitor clock time of the run, ms. */
  now: number
}

/**
 * Options of {@link PerformanceMonitor.addSource}.
 * @example
 * ```ts
 * const remove = monitor.addSource({ name: 'db-pool', collect: () => ({ db_pool_active: pool.active }), intervalMs: 5_000, timeoutMs: 1_000 })
 * ```
 */
export interface SourceOptions {
  /** Unique among the monitor's sources; used in health reports and events. */
  name: string
  /** Collects the source's metrics. A throw, a rejection or a hang past `timeoutMs` marks the source unhealthy. */
  collect: (context: SourceContext) => SourceResult | PromiseLike<SourceResult>
  /** Time between runs, ms. @defaultValue 30 000 */
  intervalMs?: number
  /** Longest a run may take, ms. @defaultValue the smaller of `intervalMs` and 10 000 */
  timeoutMs?: number
  /** Sources below the floor set by {@link PerformanceMonitor.setSourcePriorityFloor} are skipped. @defaultValue `'medium'` */
  priority?: SourcePriority
  /** Run once right away instead of waiting one interval. @defaultValue true */
  immediate?: boolean
}

/**
 * The state of a source, from {@link PerformanceMonitor.sources}.
 * @example
 * ```ts
 * for (const s of monitor.sources()) if (!s.healthy) log.warn(`${s.name}: ${s.status}, ${s.consecutiveFailures} failures`)
 * ```
 */
export interface SourceHealth {
  name: string
  priority: SourcePriority
  intervalMs: number
  timeoutMs: number
  /** `pending` before the first run ends; `shed` while below the priority floor. */
  status: 'pending' | 'healthy' | 'unhealthy' | 'shed'
  healthy: boolean
  /** A run is outstanding (possibly timed out and not yet settled). */
  running: boolean
  runs: number
  failures: number
  timeouts: number
  consecutiveFailures: number
  /** Turns skipped because the previous run was still outstanding. */
  skipped: number
  /** Monitor clock times, ms. */
  lastRunAt: number | undefined
  lastSuccessAt: number | undefined
  lastErrorAt: number | undefined
  lastError: unknown
  /** Duration of the last finished run (its timeout, when it timed out), ms. */
  lastDurationMs: number | undefined
}

/** What a source runner needs from the monitor. */
export interface SourceHost {
  now(): number
  /** Records a result; throws PerfkitInputError for a malformed one. */
  apply(source: string, result: SourceResult): void
  /** Adds collection time, ms. */
  spent(ms: number): void
  floor(): number
  onError(source: SourceRunner, error: unknown, timedOut: boolean, durationMs: number): void
  onRecovered(source: SourceRunner, failures: number, downMs: number): void
}

export class SourceRunner {
  readonly name: string
  readonly priority: SourcePriority
  readonly intervalMs: number
  readonly timeoutMs: number
  readonly #collect: SourceOptions['collect']
  readonly #host: SourceHost
  #interval: NodeJS.Timeout | undefined
  #first: NodeJS.Timeout | undefined
  #controller: AbortController | undefined
  #running = false
  #stopped = false
  #firstFailureAt = 0
  readonly health: Omit<SourceHealth, 'status' | 'healthy' | 'running' | 'name' | 'priority' | 'intervalMs' | 'timeoutMs'> = {
    runs: 0,
    failures: 0,
    timeouts: 0,
    consecutiveFailures: 0,
    skipped: 0,
    lastRunAt: undefined,
    lastSuccessAt: undefined,
    lastErrorAt: undefined,
    lastError: undefined,
    lastDurationMs: undefined,
  }

  constructor(options: Required<Omit<SourceOptions, 'immediate'>>, host: SourceHost) {
    this.name = options.name
    this.priority = options.priority
    this.intervalMs = options.intervalMs
    this.timeoutMs = options.timeoutMs
    this.#collect = options.collect
    this.#host = host
  }

  start(immediate: boolean): void {
    this.#interval = unrefInterval(() => void this.run(), this.intervalMs)
    if (immediate) this.#first = unrefTimeout(() => void this.run(), 0)
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#interval)
    clearTimeout(this.#first)
    this.#controller?.abort(new Error(`source "${this.name}" stopped`))
  }

  get shed(): boolean {
    return PRIORITY_RANK[this.priority] < this.#host.floor()
  }

  snapshot(): SourceHealth {
    const h = this.health
    const status = this.shed ? 'shed' : h.runs === 0 ? 'pending' : h.consecutiveFailures > 0 ? 'unhealthy' : 'healthy'
    return { name: this.name, priority: this.priority, intervalMs: this.intervalMs, timeoutMs: this.timeoutMs, status, healthy: status === 'healthy', running: this.#running, ...h }
  }

  /** One run; resolves when it finished or timed out. Never rejects. */
  async run(): Promise<void> {
    if (this.#stopped || this.shed) return
    if (this.#running) {
      this.health.skipped++
      return
    }
    this.#running = true
    const controller = (this.#controller = new AbortController())
    const started = this.#host.now()
    const real = performance.now()
    this.health.lastRunAt = started
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = unrefTimeout(() => reject(new TimeoutError(`source "${this.name}"`, this.timeoutMs)), this.timeoutMs)
    })
    const collected = Promise.resolve().then(() => this.#collect({ signal: controller.signal, now: started }))
    // The run stays outstanding until collect() itself settles, even after a timeout.
    collected.then(
      () => this.#settled(),
      () => this.#settled(),
    )
    try {
      const result = await Promise.race([collected, timeout])
      if (this.#stopped) return
      this.#host.apply(this.name, result)
      this.#succeeded(started)
    } catch (error) {
      if (this.#stopped) return
      const timedOut = error instanceof TimeoutError
      if (timedOut) controller.abort(error)
      this.#failed(started, error, timedOut)
    } finally {
      clearTimeout(timer)
      this.#host.spent(performance.now() - real)
    }
  }

  #settled(): void {
    this.#running = false
  }

  #succeeded(started: number): void {
    const h = this.health
    const now = this.#host.now()
    h.runs++
    h.lastSuccessAt = now
    h.lastDurationMs = now - started
    const failures = h.consecutiveFailures
    h.consecutiveFailures = 0
    if (failures > 0) this.#host.onRecovered(this, failures, now - this.#firstFailureAt)
  }

  #failed(started: number, error: unknown, timedOut: boolean): void {
    const h = this.health
    const now = this.#host.now()
    h.runs++
    h.failures++
    if (timedOut) h.timeouts++
    if (h.consecutiveFailures === 0) this.#firstFailureAt = now
    h.consecutiveFailures++
    h.lastErrorAt = now
    h.lastError = error
    h.lastDurationMs = timedOut ? this.timeoutMs : now - started
    this.#host.onError(this, error, timedOut, h.lastDurationMs)
  }
}
