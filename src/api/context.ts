// The resolved options every route handler reads, and the small helpers they share.
import type { AlertsPort, BatcherPort, InsightsPort, MonitorPort } from './ports'
import type { ApiRequest, ApiResponse, CacheBinding, ClientMetricsOptions } from './types'
import { reportToBus } from './report'
import { notFound } from './validation'

/** Everything a route handler may use, resolved once from the options. */
export interface ApiContext {
  monitor: MonitorPort
  alerts: AlertsPort | undefined
  insights: InsightsPort | undefined
  caches: readonly CacheBinding[]
  batchers: readonly BatcherPort[]
  prefix: string
  dashboardPollMs: number
  clientMetrics: ClientMetricsOptions
}

/** A route before it is wrapped: its handler returns the body, or a full response. */
export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT'
  /** Relative to the prefix (`/alerts/:id/resolve`), or absolute when `absolute`. */
  path: string
  absolute?: boolean
  mutating?: boolean
  /** Custom guard in place of `authorize`/`authorizeRead` (the client metrics route). */
  guard?: 'client-metrics'
  bodyLimit?: number
  handler(request: ApiRequest, context: ApiContext): unknown
}

/** Marks a handler result as a whole response rather than a JSON body. */
export function response(status: number, body: unknown, headers?: Record<string, string>): ApiResponse & { [RESPONSE]: true } {
  return headers === undefined ? { [RESPONSE]: true, status, body } : { [RESPONSE]: true, status, body, headers }
}

export const RESPONSE = Symbol('perfkit.api.response')

export function isResponse(value: unknown): value is ApiResponse {
  return typeof value === 'object' && value !== null && (value as { [RESPONSE]?: true })[RESPONSE] === true
}

/** The cache named `name`, or every cache when `name` is undefined; 404 for an unknown name. */
export function selectCaches(context: ApiContext, name: string | undefined): readonly CacheBinding[] {
  if (name === undefined) return context.caches
  const found = context.caches.find((binding) => binding.cache.name === name)
  if (found === undefined) throw notFound(`no cache named \`${name.slice(0, 80)}\``)
  return [found]
}

/** Wall-clock ms of a monitor-clock time (history points carry the monitor's clock). */
export function toWallClock(context: ApiContext, monitorTime: number): number {
  return Date.now() - (context.monitor.now() - monitorTime)
}

/**
 * Runs a read that may throw; a failure is reported on the monitor's bus and gives
 * undefined, so one failing primitive does not blank a whole summary.
 */
export function safely<T>(context: ApiContext, read: () => T): T | undefined {
  try {
    return read()
  } catch (error) {
    reportToBus(context.monitor, error)
    return undefined
  }
}
