// Option handling both HTTP adapters share: defaults, validation, and the marker the API
// routes put on their requests so the instrumentation can leave them out.
import type { Clock } from '../../index'
import { PerfkitConfigError } from '../../errors'
import { toClock } from '../../internal/clock'
import { bool, func, nonEmptyString, positiveInt } from '../../internal/validate'
import type { MetricsWriter } from '../../api/ports'
import { HttpRecorder, type HttpInstrumentationOptions, KNOWN_METHODS, UNMATCHED_ROUTE } from './http-metrics'

/**
 * Set on a request by the performance API routes (value: the route template). The metrics
 * middleware leaves such requests out unless `recordApiRequests` is on. `Symbol.for`, so two
 * installed copies of perfkit agree.
 */
export const API_ROUTE = Symbol.for('perfkit.apiRoute')

/** Options every HTTP instrumentation takes besides the shared {@link HttpInstrumentationOptions}. */
export interface InstrumentationBase<Req> extends HttpInstrumentationOptions {
  /** The monitor requests are recorded into (a PerformanceMonitor). */
  monitor: MetricsWriter
  /** Names the `route` label of a request; return undefined to use the router's template. */
  route?: (request: Req) => string | undefined
  /** Requests to leave unrecorded (health probes, …). A throwing `skip` records the request. */
  skip?: (request: Req) => boolean
  /** Record the performance API's own requests (the dashboard polls it). @defaultValue false */
  recordApiRequests?: boolean
  /** Clock for request durations, ms. @defaultValue `performance` (on Fastify, its own `reply.elapsedTime`) */
  clock?: Clock | (() => number)
}

/** Validated instrumentation settings. */
export interface Instrumentation<Req> {
  recorder: HttpRecorder
  clock: Clock
  route: ((request: Req) => string | undefined) | undefined
  skip: ((request: Req) => boolean) | undefined
  recordApiRequests: boolean
  monitor: MetricsWriter
}

/** Validates instrumentation options and builds the recorder. Bad options throw PerfkitConfigError. */
export function instrumentation<Req>(options: InstrumentationBase<Req>): Instrumentation<Req> {
  if (typeof options !== 'object' || options === null) throw new PerfkitConfigError('options', 'an object with `monitor`', options)
  const {
    monitor,
    route,
    skip,
    recordApiRequests = false,
    clock,
    unmatchedRoute = UNMATCHED_ROUTE,
    knownMethods = KNOWN_METHODS,
    recordSizes = true,
    maxRoutes = 1000,
  } = options
  if (typeof monitor !== 'object' || monitor === null || typeof monitor.record !== 'function' || typeof monitor.increment !== 'function' || typeof monitor.setGauge !== 'function') {
    throw new PerfkitConfigError('monitor', 'a PerformanceMonitor', monitor)
  }
  if (route !== undefined) func('route', route)
  if (skip !== undefined) func('skip', skip)
  bool('recordApiRequests', recordApiRequests)
  bool('recordSizes', recordSizes)
  nonEmptyString('unmatchedRoute', unmatchedRoute)
  if (!Array.isArray(knownMethods) || knownMethods.some((m) => typeof m !== 'string' || m === '')) {
    throw new PerfkitConfigError('knownMethods', 'an array of method names', knownMethods)
  }
  if (clock !== undefined && typeof clock !== 'function' && typeof (clock as Clock).now !== 'function') {
    throw new PerfkitConfigError('clock', 'a Clock or a function returning ms', clock)
  }
  return {
    recorder: new HttpRecorder(monitor, unmatchedRoute, knownMethods.map((m) => m.toUpperCase()), recordSizes, positiveInt('maxRoutes', maxRoutes)),
    clock: toClock(clock),
    route,
    skip,
    recordApiRequests,
    monitor,
  }
}

/** A Content-Length value as a byte count, or -1 when absent or malformed. */
export function contentLength(value: unknown): number {
  if (typeof value === 'number') return value >= 0 ? value : -1
  if (typeof value !== 'string' || value === '') return -1
  const n = Number(value)
  return Number.isInteger(n) && n >= 0 ? n : -1
}
