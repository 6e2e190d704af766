import { LRUCache } from 'lru-cache'
import { type BusOption, type ListenerGate, PerfBus } from '../bus/bus'
import type { CacheEvictionReason } from '../bus/events/cache'
import { AbortError, PerfkitConfigError, PerfkitInputError } from '../errors'
import { type Clock, toClock } from '../internal/clock'
import { bool, func, nonEmptyString, positiveFinite, positiveInt } from '../internal/validate'
import { ExpirySchedule } from './expiry-queue'
import { type CacheStats, CacheStatsCounter } from './stats'

/**
 * Options of {@link MemoryCache}.
 * @example
 * ```ts
 * const sessions = new MemoryCache<string, Session>({ name: 'sessions', max: 5_000, ttl: 30 * 60_000 })
 * ```
 */
export interface MemoryCacheOptions<K, V> extends BusOption {
  /** Used in events and metrics. @defaultValue `'cache'` */
  name?: string
  /** Most entries held; the least recently used one is evicted past it. @defaultValue 1000 */
  max?: number
  /** Most total size held, in the unit `sizeCalculation` returns (bytes, usually). Needs `sizeCalculation`. @defaultValue none */
  maxSize?: number
  /** The size of one entry, a positive integer. Required with `maxSize`. */
  sizeCalculation?: (value: V, key: K) => number
  /** Default time to live of an entry, in ms. 0 means entries do not expire by time. @defaultValue 0 */
  ttl?: number
  /**
   * Reading an entry restarts its TTL (a sliding expiry). Needs `ttl`. An entry read all the
   * time would then never expire, so `maxAgeMs` caps its life since it was written.
   * @defaultValue false
   */
  updateAgeOnGet?: boolean
  /**
   * With `updateAgeOnGet`, the longest an entry lives after it was written, however often it
   * is read, in ms. @defaultValue 10 × `ttl`
   */
  maxAgeMs?: number
  /** `get()` returns an expired value once (counted as a stale hit) and then drops it. @defaultValue false */
  allowStale?: boolean
  /** Clock for TTLs and load times. @defaultValue `performance` */
  clock?: Clock | (() => number)
}

/**
 * Options of a single {@link MemoryCache.set}.
 * @example
 * ```ts
 * cache.set('user:42', user, { ttl: 5_000 })
 * ```
 */
export interface CacheSetOptions {
  /** Time to live of this entry, in ms (finite, > 0). @defaultValue the cache's `ttl` */
  ttl?: number
}

/**
 * Options of {@link MemoryCache.getOrLoad}.
 * @example
 * ```ts
 * const user = await cache.getOrLoad(id, (id) => db.findUser(id), { ttl: 60_000, signal: req.signal })
 * ```
 */
export interface GetOrLoadOptions extends CacheSetOptions {
  /** Lets this caller stop waiting. Other callers waiting for the same key are not affected. */
  signal?: AbortSignal
}

/**
 * Options of {@link MemoryCache.preload} with a loader.
 * @example
 * ```ts
 * await cache.preload(hotIds, (id) => db.findUser(id), { concurrency: 4, ttl: 60_000 })
 * ```
 */
export interface PreloadOptions extends GetOrLoadOptions {
  /** Most loads running at once. @defaultValue 8 */
  concurrency?: number
}

/**
 * What {@link MemoryCache.preload} did.
 * @example
 * ```ts
 * const result = await cache.preload(hotIds, (id) => db.findUser(id))
 * if (result.failed > 0) console.warn(result.errors)
 * ```
 */
export interface PreloadResult<K> {
  /** Entries written. */
  loaded: number
  /** Keys already cached, left as they were. */
  skipped: number
  /** Keys whose loader failed. */
  failed: number
  errors: Array<{ key: K; error: unknown }>
}

interface InFlightLoad<V> {
  promise: Promise<V>
  waiters: number
  /** Set when the key is written or deleted during the load: the loaded value is then stale. */
  superseded: boolean
}

/**
 * An LRU + TTL cache on `lru-cache` with what a service needs to run one in production:
 * hit/miss/eviction statistics, load-through with in-flight de-duplication, expired-first
 * eviction, warm-up, and typed events on a {@link PerfBus}.
 *
 * @example
 * ```ts
 * const users = new MemoryCache<string, User>({ name: 'users', max: 10_000, ttl: 60_000 })
 * const user = await users.getOrLoad(id, (id) => db.findUser(id))
 * users.bus.on('cache:evict', (e) => console.log(`${e.key} left: ${e.reason}`))
 * console.log(users.stats().hitRate)
 * ```
 */
export class MemoryCache<K extends {}, V extends {}> {
  /** The bus this cache emits on. */
  readonly bus: PerfBus
  /** Used in events and metrics. */
  readonly name: string
  readonly #lru: LRUCache<K, V>
  readonly #clock: Clock
  readonly #max: number
  readonly #maxSize: number
  readonly #ttl: number
  readonly #sizeCalculation: ((value: V, key: K) => number) | undefined
  readonly #allowStale: boolean
  readonly #stats = new CacheStatsCounter()
  readonly #inFlight = new Map<K, InFlightLoad<V>>()
  readonly #expiries = new ExpirySchedule<K>()
  // Reused for every get() when allowStale is on: lru-cache reports a stale hit through it.
  readonly #getStatus: { status: LRUCache.Status<K, V> } = { status: {} }
  /** With updateAgeOnGet: when each entry was written, to enforce maxAgeMs. */
  readonly #writtenAt: Map<K, number> | undefined
  readonly #maxAgeMs: number
  /** Set while this cache itself removes expired entries, so dispose() reports `expired`. */
  #expiring = false
  readonly #onHit: ListenerGate
  /** Neither allowStale nor updateAgeOnGet: get() is a lookup and a count. */
  readonly #plainGet: boolean
  readonly #onMiss: ListenerGate
  readonly #onSet: ListenerGate

  constructor(options: MemoryCacheOptions<K, V> = {}) {
    const {
      name = 'cache',
      max = 1000,
      maxSize,
      sizeCalculation,
      ttl = 0,
      updateAgeOnGet = false,
      allowStale = false,
      clock,
      bus = new PerfBus(),
    } = options
    this.name = nonEmptyString('name', name)
    this.#max = positiveInt('max', max)
    if (ttl !== 0) positiveFinite('ttl', ttl)
    this.#ttl = ttl
    bool('updateAgeOnGet', updateAgeOnGet)
    this.#allowStale = bool('allowStale', allowStale)
    if (maxSize !== undefined) {
      positiveInt('maxSize', maxSize)
      if (sizeCalculation === undefined) throw new PerfkitConfigError('sizeCalculation', 'a function when `maxSize` is set', undefined)
    }
    if (sizeCalculation !== undefined) {
      func('sizeCalculation', sizeCalculation)
      if (maxSize === undefined) throw new PerfkitConfigError('maxSize', 'a positive integer when `sizeCalculation` is set', undefined)
    }
    this.#maxSize = maxSize ?? 0
    this.#sizeCalculation = sizeCalculation
    if (updateAgeOnGet && ttl === 0) throw new PerfkitConfigError('updateAgeOnGet', '`false` when `ttl` is 0 (nothing to slide)', true)
    this.#maxAgeMs = options.maxAgeMs === undefined ? 10 * ttl : positiveFinite('maxAgeMs', options.maxAgeMs)
    this.#writtenAt = updateAgeOnGet ? new Map() : undefined
    this.#plainGet = !allowStale && !updateAgeOnGet
    if (!(bus instanceof PerfBus)) throw new PerfkitConfigError('bus', 'a PerfBus', bus)
    this.bus = bus
    this.#onHit = bus.gate('cache:hit')
    this.#onMiss = bus.gate('cache:miss')
    this.#onSet = bus.gate('cache:set')
    this.#clock = toClock(clock)
    const perf = this.#clock

    this.#lru = new LRUCache<K, V>({
      max: this.#max,
      ...(ttl > 0 ? { ttl } : {}),
      ...(maxSize === undefined ? {} : { maxSize }),
      updateAgeOnGet,
      allowStale,
      perf,
      // lru-cache caches `now` for 1 ms behind a timer; an injected clock is read every time,
      // so that a test (or a host) moving its clock sees TTLs follow at once.
      ...(clock === undefined ? {} : { ttlResolution: 0 }),
      dispose: (_value, key, reason) => this.#onDispose(key, reason),
    })
  }

  /**
   * Returns the cached value, or `undefined` on a miss. Counts a hit or a miss and moves the
   * entry to the most-recently-used end.
   */
  get(key: K): V | undefined {
    // Kept tiny on purpose: small enough for V8 to inline into the caller together with
    // lru-cache's get(). Anything rarer (events, options) lives in methods of its own.
    if (this.#plainGet) {
      const value = this.#lru.get(key)
      if (value !== undefined) {
        this.#stats.hits++
        if (this.#onHit.open) this.#emitHit(key, false)
        return value
      }
      return this.#miss(key)
    }
    return this.#getWithOptions(key)
  }

  #emitHit(key: K, stale: boolean): void {
    this.bus.emit('cache:hit', { cache: this.name, key, stale })
  }

  /** get() for caches with `allowStale` or `updateAgeOnGet`, kept off the plain path. */
  #getWithOptions(key: K): V | undefined {
    let value: V | undefined
    let stale = false
    if (this.#allowStale) {
      // Reset in place (a `delete` would turn the reused object into a slow dictionary).
      const status = this.#getStatus.status as { get?: string | undefined }
      status.get = undefined
      value = this.#lru.get(key, this.#getStatus)
      stale = status.get === 'stale'
    } else {
      value = this.#lru.get(key)
    }
    if (value !== undefined && this.#writtenAt !== undefined && this.#pastMaxAge(key)) value = undefined
    if (value === undefined) return this.#miss(key)
    this.#stats.hits++
    if (stale) this.#stats.staleHits++
    if (this.#onHit.open) this.#emitHit(key, stale)
    return value
  }

  #miss(key: K): undefined {
    this.#stats.misses++
    if (this.#onMiss.open) this.bus.emit('cache:miss', { cache: this.name, key })
    return undefined
  }

  /**
   * Stores `value` under `key`. `options.ttl` overrides the cache's default TTL for this entry.
   * @throws PerfkitInputError for a value of `undefined`/`null`, a bad `ttl`, or a size that is not a positive integer.
   */
  set(key: K, value: V, options?: CacheSetOptions): this {
    if (value === undefined || value === null) throw new PerfkitInputError('value', 'a value other than undefined or null', value)
    let ttl = this.#ttl
    if (options?.ttl !== undefined) {
      const t = options.ttl
      if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) throw new PerfkitInputError('ttl', 'a finite number > 0', t)
      ttl = t
    }
    let size = 0
    if (this.#sizeCalculation !== undefined) {
      size = this.#sizeCalculation(value, key)
      if (!Number.isInteger(size) || size < 1) throw new PerfkitInputError('sizeCalculation(value)', 'an integer >= 1', size)
    }
    const flight = this.#inFlight.size > 0 ? this.#inFlight.get(key) : undefined
    if (flight !== undefined) flight.superseded = true

    if (ttl === 0 && this.#expiries.size === 0) {
      // Nothing in this cache expires: no clock read, no expiry bookkeeping.
      this.#lru.set(key, value, size > 0 ? { size } : undefined)
    } else {
      // Expired entries go before live ones: clear what is due before lru-cache picks a victim.
      const now = this.#clock.now()
      if (this.#expiries.nextDeadline() <= now) this.#removeExpired(now)
      this.#lru.set(key, value, ttl > 0 ? (size > 0 ? { ttl, size } : { ttl }) : size > 0 ? { size } : undefined)
      if (ttl > 0) this.#expiries.schedule(key, now + ttl)
      if (this.#writtenAt !== undefined) this.#writtenAt.set(key, now)
    }
    this.#stats.sets++
    if (this.#onSet.open) this.bus.emit('cache:set', { cache: this.name, key, ttl })
    return this
  }

  /** True when `key` holds a live entry. Does not count a hit or miss, nor change recency. */
  has(key: K): boolean {
    return this.#lru.has(key) && !(this.#writtenAt !== undefined && this.#pastMaxAge(key))
  }

  /** Returns the value without counting a hit or miss and without changing recency. */
  peek(key: K): V | undefined {
    return this.#lru.peek(key)
  }

  /** Removes `key` (an eviction with reason `manual`). Returns true if it was present. */
  delete(key: K): boolean {
    const flight = this.#inFlight.size > 0 ? this.#inFlight.get(key) : undefined
    if (flight !== undefined) flight.superseded = true
    return this.#lru.delete(key)
  }

  /** Removes every entry (each an eviction with reason `manual`). Loads in flight are not cached when they finish. */
  clear(): void {
    for (const flight of this.#inFlight.values()) flight.superseded = true
    this.#lru.clear()
    this.#expiries.clear()
    this.#writtenAt?.clear()
  }

  /** Keys from most to least recently used, live entries only. */
  keys(): IterableIterator<K> {
    return this.#lru.keys()
  }

  /** Number of entries held (expired entries not yet removed included; call {@link MemoryCache.prune} first for an exact live count). */
  get size(): number {
    return this.#lru.size
  }

  /**
   * Removes every expired entry now and returns how many were removed. Each is an eviction
   * with reason `expired`.
   */
  prune(): number {
    return this.#removeExpired(this.#clock.now())
  }

  /**
   * Returns the cached value, or runs `loader(key)`, caches its result and returns it.
   * Concurrent calls for the same missing key share one load. A loader that throws or
   * rejects caches nothing, and every caller waiting for it rejects with that error.
   * `options.signal` lets one caller stop waiting (it rejects with {@link AbortError}) without
   * cancelling the load for the others.
   */
  getOrLoad(key: K, loader: (key: K) => V | PromiseLike<V>, options?: GetOrLoadOptions): Promise<V> {
    const signal = options?.signal
    if (signal?.aborted) return Promise.reject(new AbortError('getOrLoad was aborted', { cause: signal.reason }))
    const cached = this.get(key)
    if (cached !== undefined) return Promise.resolve(cached)
    let flight = this.#inFlight.get(key)
    if (flight === undefined) {
      flight = this.#startLoad(key, loader, options?.ttl)
    } else {
      flight.waiters++
      this.#stats.dedupedLoads++
    }
    return signal === undefined ? flight.promise : abortable(flight.promise, signal)
  }

  /**
   * Warms the cache. With entries, writes them all. With keys and a loader, loads every key
   * not already cached, at most `concurrency` at a time, through {@link MemoryCache.getOrLoad}
   * (so loads de-duplicate with live traffic). Never rejects for a failed key: failures are
   * counted in the result. Rejects only if `options.signal` aborts.
   */
  preload(entries: Iterable<readonly [K, V]>, options?: CacheSetOptions): Promise<PreloadResult<K>>
  preload(keys: Iterable<K>, loader: (key: K) => V | PromiseLike<V>, options?: PreloadOptions): Promise<PreloadResult<K>>
  async preload(
    source: Iterable<K> | Iterable<readonly [K, V]>,
    loaderOrOptions?: ((key: K) => V | PromiseLike<V>) | CacheSetOptions,
    maybeOptions?: PreloadOptions,
  ): Promise<PreloadResult<K>> {
    const result: PreloadResult<K> = { loaded: 0, skipped: 0, failed: 0, errors: [] }
    if (typeof loaderOrOptions !== 'function') {
      for (const [key, value] of source as Iterable<readonly [K, V]>) {
        this.set(key, value, loaderOrOptions)
        result.loaded++
      }
      return result
    }
    const loader = loaderOrOptions
    const { concurrency = 8, signal, ttl } = maybeOptions ?? {}
    positiveInt('concurrency', concurrency)
    const keys = (source as Iterable<K>)[Symbol.iterator]()
    const worker = async (): Promise<void> => {
      for (let next = keys.next(); !next.done; next = keys.next()) {
        if (signal?.aborted) throw new AbortError('preload was aborted', { cause: signal.reason })
        const key = next.value
        if (this.has(key)) {
          result.skipped++
          continue
        }
        try {
          await this.getOrLoad(key, loader, ttl === undefined ? {} : { ttl })
          result.loaded++
        } catch (error) {
          result.failed++
          result.errors.push({ key, error })
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    return result
  }

  /** Counters since construction or the last {@link MemoryCache.resetStats}, plus the current occupancy. */
  stats(): CacheStats {
    return this.#stats.snapshot(this.name, this.#lru.size, this.#lru.calculatedSize ?? 0, this.#max, this.#maxSize)
  }

  /** Zeroes every counter; entries are kept. */
  resetStats(): void {
    this.#stats.reset()
  }

  #startLoad(key: K, loader: (key: K) => V | PromiseLike<V>, ttl: number | undefined): InFlightLoad<V> {
    func('loader', loader)
    if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0)) {
      throw new PerfkitInputError('ttl', 'a finite number > 0', ttl)
    }
    const started = this.#clock.now()
    const flight: InFlightLoad<V> = { promise: undefined as unknown as Promise<V>, waiters: 1, superseded: false }
    flight.promise = (async () => {
      try {
        const value = await loader(key)
        if (value === undefined || value === null) {
          throw new PerfkitInputError(`loader(${String(key)})`, 'to resolve to a value other than undefined or null', value)
        }
        const durationMs = this.#clock.now() - started
        this.#stats.recordLoad(durationMs)
        if (!flight.superseded) this.set(key, value, ttl === undefined ? undefined : { ttl })
        if (this.bus.hasListeners('cache:load')) this.bus.emit('cache:load', { cache: this.name, key, durationMs, waiters: flight.waiters })
        return value
      } catch (error) {
        const durationMs = this.#clock.now() - started
        this.#stats.loadErrors++
        if (this.bus.hasListeners('cache:load-error')) this.bus.emit('cache:load-error', { cache: this.name, key, durationMs, error })
        throw error
      } finally {
        this.#inFlight.delete(key)
      }
    })()
    this.#inFlight.set(key, flight)
    return flight
  }

  #pastMaxAge(key: K): boolean {
    const written = (this.#writtenAt as Map<K, number>).get(key)
    if (written === undefined || this.#clock.now() - written <= this.#maxAgeMs) return false
    this.#expiring = true
    try {
      this.#lru.delete(key)
    } finally {
      this.#expiring = false
    }
    return true
  }

  /** Takes every due key; removes the entries that really are expired. */
  #removeExpired(now: number): number {
    let removed = 0
    this.#expiring = true
    try {
      for (let key = this.#expiries.takeDue(now); key !== undefined; key = this.#expiries.takeDue(now)) {
        // Infinity when the key was set again without a TTL; 0 when it is already gone.
        const remaining = this.#lru.getRemainingTTL(key)
        if (remaining === Infinity) continue
        if (remaining > 0) this.#expiries.schedule(key, now + remaining) // set again, or its age was refreshed
        else if (this.#lru.delete(key)) removed++
      }
    } finally {
      this.#expiring = false
    }
    return removed
  }

  #onDispose(key: K, reason: LRUCache.DisposeReason): void {
    if (reason === 'set' || reason === 'fetch') return // an overwrite is not an eviction
    this.#writtenAt?.delete(key)
    this.#expiries.forget(key)
    let evictReason: CacheEvictionReason
    if (reason === 'expire' || this.#expiring) evictReason = 'expired'
    else if (reason === 'delete') evictReason = 'manual'
    // lru-cache says 'evict' for both bounds; at the count bound the cache is full.
    else evictReason = this.#lru.size >= this.#max ? 'capacity' : 'size'
    this.#stats.evictions[evictReason]++
    if (this.bus.hasListeners('cache:evict')) this.bus.emit('cache:evict', { cache: this.name, key, reason: evictReason })
  }
}

/** Follows `promise`, but rejects with AbortError as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError('getOrLoad was aborted', { cause: signal.reason }))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
