/**
 * perfkit: embeddable performance instrumentation for Node.js. Caching, batching, metrics,
 * regression detection and alerting, joined by one typed event bus.
 * @module
 */

// errors
export {
  AbortError,
  BatchError,
  ClosedError,
  FlushError,
  ListenerError,
  PerfkitConfigError,
  PerfkitError,
  PerfkitInputError,
  QueueFullError,
  TimeoutError,
} from './errors'
export type { PerfkitErrorCode } from './errors'
export type { Clock } from './internal/clock'

// bus
export { PerfBus } from './bus/bus'
export type { BusOption } from './bus/bus'
export type * from './bus/events'

// cache
export { MemoryCache } from './cache/index'
export type * from './cache/index'

// batch

// monitor

// stats

// regression

// alerts

// insights
