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
export { BatchProcessor, PredictionBatcher } from './batch/index'
export type * from './batch/index'

// monitor
export { DEFAULT_BYTES_BUCKETS, DEFAULT_COUNT_BUCKETS, DEFAULT_DURATION_BUCKETS, PROMETHEUS_CONTENT_TYPE, PerformanceMonitor } from './monitor/index'
export type * from './monitor/index'

// stats
export { cohensD, linearRegression, mannWhitneyU, quantile, welchTTest } from './stats/index'
export type * from './stats/index'

// regression
export { RegressionDetector } from './regression/index'
export type * from './regression/index'

// alerts
export { NotFoundError, NotifierError } from './errors'
export {
  AlertEngine,
  callbackNotifier,
  emailNotifier,
  genericProfile,
  loggerNotifier,
  referenceProfile,
  webhookNotifier,
} from './alerts/index'
export type * from './alerts/index'

// insights
export { OptimizationError } from './errors'
export { InsightEngine, defaultMetricNames, defaultThresholds, defaultZoneBoundaries, defaultZonePolicies } from './insights/index'
export type * from './insights/index'

// setup
export { configFromEnv, PERFKIT_ENV_VARIABLES } from './setup/config-from-env'
export type { PerfkitEnvConfig } from './setup/config-from-env'
export { createPerfkit } from './setup/create-perfkit'
export type { HandleSignalsOptions, Perfkit, PerfkitOptions, RegressionWatch } from './setup/create-perfkit'
