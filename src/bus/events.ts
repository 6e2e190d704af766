import type { AlertsEvents } from './events/alerts'
import type { BatchEvents } from './events/batch'
import type { CacheEvents } from './events/cache'
import type { InsightsEvents } from './events/insights'
import type { MonitorEvents } from './events/monitor'
import type { RegressionEvents } from './events/regression'

export type * from './events/alerts'
export type * from './events/batch'
export type * from './events/cache'
export type * from './events/insights'
export type * from './events/monitor'
export type * from './events/regression'

/**
 * Events that concern the bus itself.
 * @example
 * ```ts
 * bus.on('error', (error) => log.warn({ err: error }, 'perfkit background failure'))
 * ```
 */
export interface BusEvents {
  /**
   * A listener threw ({@link ListenerError}), or a primitive failed in the background and
   * has no more specific event. With no `error` listener these go to `console.error`.
   */
  error: (error: Error) => void
}

/**
 * The one event map of the whole library: every name a {@link PerfBus} can emit, with the
 * signature of its listeners. An unknown name, or a listener of the wrong shape, is a
 * compile error.
 * @example
 * ```ts
 * const onEvict: PerfkitEvents['cache:evict'] = (e) => console.log(e.cache, e.key, e.reason)
 * bus.on('cache:evict', onEvict)
 * ```
 */
export interface PerfkitEvents
  extends BusEvents,
    CacheEvents,
    BatchEvents,
    MonitorEvents,
    RegressionEvents,
    AlertsEvents,
    InsightsEvents {}

/**
 * Every event name on the bus.
 * @example
 * ```ts
 * const name: PerfkitEventName = 'batch:flush'
 * if (!bus.hasListeners(name)) bus.on(name, (e) => console.log(e.processor, e.size))
 * ```
 */
export type PerfkitEventName = keyof PerfkitEvents

/**
 * The payload of event `K`.
 * @example
 * ```ts
 * function logEviction(e: PerfkitEventPayload<'cache:evict'>): void { console.log(e.cache, e.reason) }
 * bus.on('cache:evict', logEviction)
 * ```
 */
export type PerfkitEventPayload<K extends PerfkitEventName> = Parameters<PerfkitEvents[K]>[0]
