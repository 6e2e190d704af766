import { EventEmitter } from 'eventemitter3'
import { ListenerError } from '../errors'
import type { PerfkitEventName, PerfkitEventPayload, PerfkitEvents } from './events'

// eventemitter3 keeps listeners in `_events[name]`: one `{ fn, context, once }` record, or an
// array of them. It is not in the typings, but it has been stable since v1 and it is what
// lets `hasListeners()` cost one property read.
interface ListenerRecord {
  fn: (...args: unknown[]) => unknown
  context: unknown
  once: boolean
}
type ListenerSlot = ListenerRecord | ListenerRecord[] | undefined

const prefix = EventEmitter.prefixed === false ? '' : String(EventEmitter.prefixed)

/**
 * The typed event bus that joins every perfkit primitive. It is an `eventemitter3` emitter
 * with one event map for the whole library ({@link PerfkitEvents}), with two differences
 * that protect the host:
 *
 * - a listener that throws never breaks `emit()` or reaches the caller: the remaining
 *   listeners still run, and the error is delivered to the `error` event as a
 *   {@link ListenerError} (or to `console.error` when nobody listens for `error`);
 * - {@link PerfBus.hasListeners} lets a primitive skip building a payload nobody reads, so an
 *   event without listeners costs one property read.
 *
 * @example
 * ```ts
 * const bus = new PerfBus()
 * const cache = new MemoryCache<string, User>({ name: 'users', bus })
 * bus.on('cache:evict', (e) => console.log(e.cache, e.key, e.reason))
 * bus.on('error', (error) => log.warn(error))
 * ```
 */
export class PerfBus extends EventEmitter<PerfkitEvents> {
  readonly #gates = new Map<PerfkitEventName, ListenerGate>()

  /**
   * A live flag that is `open` while `event` has listeners. A primitive keeps the gate and
   * reads `gate.open` on its hot path: one field read of a small fixed-shape object, cheaper
   * than any lookup in the listener table.
   * @internal
   */
  gate(event: PerfkitEventName): ListenerGate {
    let gate = this.#gates.get(event)
    if (gate === undefined) {
      gate = { open: this.hasListeners(event) }
      this.#gates.set(event, gate)
    }
    return gate
  }

  override on<K extends PerfkitEventName>(event: K, fn: EventEmitter.EventListener<PerfkitEvents, K>, context?: unknown): this {
    super.on(event, fn, context)
    this.#sync(event)
    return this
  }

  override addListener<K extends PerfkitEventName>(event: K, fn: EventEmitter.EventListener<PerfkitEvents, K>, context?: unknown): this {
    return this.on(event, fn, context)
  }

  override once<K extends PerfkitEventName>(event: K, fn: EventEmitter.EventListener<PerfkitEvents, K>, context?: unknown): this {
    super.once(event, fn, context)
    this.#sync(event)
    return this
  }

  override removeListener<K extends PerfkitEventName>(
    event: K,
    fn?: EventEmitter.EventListener<PerfkitEvents, K>,
    context?: unknown,
    once?: boolean,
  ): this {
    super.removeListener(event, fn, context, once)
    this.#sync(event)
    return this
  }

  override off<K extends PerfkitEventName>(event: K, fn?: EventEmitter.EventListener<PerfkitEvents, K>, context?: unknown, once?: boolean): this {
    return this.removeListener(event, fn, context, once)
  }

  override removeAllListeners(event?: PerfkitEventName): this {
    super.removeAllListeners(event)
    if (event === undefined) for (const name of this.#gates.keys()) this.#sync(name)
    else this.#sync(event)
    return this
  }

  #sync(event: PerfkitEventName): void {
    const gate = this.#gates.get(event)
    if (gate !== undefined) gate.open = this.hasListeners(event)
  }

  /** True when at least one listener is registered for `event`. */
  hasListeners(event: PerfkitEventName): boolean {
    return (this as unknown as { _events: Record<string, ListenerSlot> })._events[prefix === '' ? event : prefix + event] !== undefined
  }

  /**
   * Calls every listener of `event` with `payload`, each in its own `try`: a listener that
   * throws is reported on `error` and the others still run. Returns true if `event` had
   * listeners.
   */
  override emit<K extends PerfkitEventName>(event: K, ...args: EventEmitter.EventArgs<PerfkitEvents, K>): boolean
  override emit(event: PerfkitEventName, payload?: PerfkitEventPayload<PerfkitEventName>): boolean {
    const slot = (this as unknown as { _events: Record<string, ListenerSlot> })._events[prefix === '' ? event : prefix + event]
    if (slot === undefined) return false
    if (Array.isArray(slot)) {
      // removeListener() replaces the array rather than editing it, so iterating this one is
      // safe while once-listeners remove themselves; a listener added meanwhile waits for the
      // next emit, as in eventemitter3.
      const length = slot.length
      for (let i = 0; i < length; i++) this.#invoke(event, slot[i] as ListenerRecord, payload)
    } else {
      this.#invoke(event, slot, payload)
    }
    return true
  }

  #invoke(event: PerfkitEventName, record: ListenerRecord, payload: unknown): void {
    if (record.once) this.removeListener(event, record.fn as never, undefined, true)
    try {
      record.fn.call(record.context, payload)
    } catch (error) {
      this.#reportListenerError(event, error)
    }
  }

  #reportListenerError(event: PerfkitEventName, error: unknown): void {
    const wrapped = new ListenerError(event, error)
    // An `error` listener that throws would recurse; it goes straight to stderr instead.
    if (event !== 'error' && this.hasListeners('error')) {
      this.emit('error', wrapped)
    } else {
      console.error(wrapped)
    }
  }
}

/** See {@link PerfBus.gate}. @internal */
export interface ListenerGate {
  open: boolean
}

/**
 * Options accepted by every primitive: share a bus, or let the primitive make its own.
 * @example
 * ```ts
 * const bus = new PerfBus()
 * const users = new MemoryCache<string, User>({ name: 'users', bus })
 * const audit = new BatchProcessor(writeBatch, { name: 'audit', bus })
 * ```
 */
export interface BusOption {
  /** The bus to emit on. Several primitives can share one. @defaultValue a new {@link PerfBus} */
  bus?: PerfBus
}

/** Reports a background failure on the bus `error` event, or to `console.error` without listeners. */
export function reportError(bus: PerfBus, error: Error): void {
  if (bus.hasListeners('error')) bus.emit('error', error)
  else console.error(error)
}
