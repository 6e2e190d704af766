// A token bucket per client, for the browser metrics endpoint. The table of clients is
// bounded: past `maxClients` the least recently seen client is forgotten (a forgotten client
// starts again with a full bucket, which is the safe side for a legitimate one).
import type { Clock } from '../index'

interface Bucket {
  tokens: number
  /** Clock time of the last refill, ms. */
  at: number
}

/** What {@link RateLimiter.take} decided. */
export interface RateDecision {
  allowed: boolean
  /** Requests left in the bucket after this one. */
  remaining: number
  /** When refused: how long until one more request is allowed, ms. */
  retryAfterMs: number
}

/** `limit` requests per `windowMs` per key, with bursts up to `limit`, refilled continuously. */
export class RateLimiter {
  readonly #limit: number
  readonly #perMs: number
  readonly #maxClients: number
  readonly #clock: Clock
  readonly #buckets = new Map<string, Bucket>()

  constructor(limit: number, windowMs: number, maxClients: number, clock: Clock) {
    this.#limit = limit
    this.#perMs = limit / windowMs
    this.#maxClients = maxClients
    this.#clock = clock
  }

  /** Takes one token for `key`. */
  take(key: string): RateDecision {
    const now = this.#clock.now()
    let bucket = this.#buckets.get(key)
    if (bucket === undefined) {
      bucket = { tokens: this.#limit, at: now }
      if (this.#buckets.size >= this.#maxClients) {
        const oldest = this.#buckets.keys().next().value
        if (oldest !== undefined) this.#buckets.delete(oldest)
      }
    } else {
      // Re-insert so the Map's order stays least-recently-seen first.
      this.#buckets.delete(key)
      bucket.tokens = Math.min(this.#limit, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs)
      bucket.at = now
    }
    this.#buckets.set(key, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterMs: 0 }
    }
    return { allowed: false, remaining: 0, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.#perMs) }
  }

  /** Clients tracked now. */
  get size(): number {
    return this.#buckets.size
  }
}
