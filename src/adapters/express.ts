/**
 * perfkit for Express 5: {@link performanceMiddleware} records every request into a
 * PerformanceMonitor by route template, and {@link performanceRouter} serves the performance
 * API, the dashboard and the Prometheus scrape. Express is an optional peer dependency: this
 * module imports only its types and takes the app's requests as they come.
 * @module perfkit/express
 */
import { EventEmitter } from 'node:events'
import { IncomingMessage, OutgoingMessage } from 'node:http'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { createPerformanceApi, isJson } from '../api/api'
import type { ApiRequest, ApiResponse, PerformanceApiOptions } from '../api/types'
import { ExpressRouteResolver } from './internal/express-route'
import { API_ROUTE, contentLength, type InstrumentationBase, instrumentation } from './internal/http-options'
import { readJsonBody } from './internal/read-body'
import { reportToBus } from '../api/report'

export { HTTP_METRICS, KNOWN_METHODS, OTHER_METHOD, UNMATCHED_ROUTE, statusClass } from './internal/http-metrics'
export type { HttpInstrumentationOptions } from './internal/http-metrics'
export type {
  AlertLike,
  AlertsPort,
  BatcherPort,
  CachePort,
  DistributionStats,
  InsightsPort,
  MetricDescription,
  MetricsWriter,
  MonitorPort,
  PreloadOutcome,
  StatsWindow,
} from '../api/ports'
export type { ApiRequest, ApiResponse, AuthorizeHook, CacheBinding, ClientMetricsOptions, PerformanceApiOptions } from '../api/types'

/**
 * Options of {@link performanceMiddleware}.
 * @example
 * ```ts
 * const options: PerformanceMiddlewareOptions = { monitor, skip: (req) => req.path === '/healthz' }
 * app.use(performanceMiddleware(options))
 * ```
 */
export interface PerformanceMiddlewareOptions extends InstrumentationBase<Request> {}

type Marked = Request & { [API_ROUTE]?: string }

/**
 * Express middleware that records each request into the monitor: duration
 * (`http_server_request_duration_seconds` by `method`, `route` template and `status_class`),
 * completed, failed (5xx) and aborted counts, body sizes and requests in flight. Install it
 * before the routes. The `route` label is the full template through nested routers and
 * parameterised mount paths (`/orgs/:org/items/:id`), or `unmatched` when no route matched.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { PerformanceMonitor } from 'perfkit'
 * import { performanceMiddleware, performanceRouter } from 'perfkit/express'
 *
 * const monitor = new PerformanceMonitor()
 * const app = express()
 * app.use(performanceMiddleware({ monitor }))
 * app.use(performanceRouter({ monitor, authorize: (req) => req.headers['x-admin-token'] === process.env.ADMIN_TOKEN }))
 * app.get('/users/:id', (req, res) => res.json({ id: req.params.id }))
 * ```
 */
export function performanceMiddleware(options: PerformanceMiddlewareOptions): RequestHandler {
  const { recorder, clock, route: routeOf, skip, recordApiRequests, monitor } = instrumentation(options)
  const recordSizes = options.recordSizes !== false
  const resolver = new ExpressRouteResolver()

  const onClose = (req: Marked, res: Response, start: number): void => {
    try {
      let route = routeOf === undefined ? undefined : routeOf(req)
      if (route === undefined) {
        route = resolver.resolve(req)
        // Only a request no Express route matched can be one of the API's own.
        if (route === undefined) {
          const apiRoute = req[API_ROUTE]
          if (apiRoute !== undefined) {
            if (!recordApiRequests) return recorder.discard()
            route = apiRoute
          }
        }
      }
      const method = recorder.method(req.method)
      // After a finished response Node has detached its socket: one field read answers the
      // common case (a load on an Express response costs a V8 inline-cache miss, since every
      // request's req and res get a map of their own). A response still holding its socket
      // closed early unless it finished writing all the same.
      if (res.socket !== null && !res.writableFinished) return recorder.abort(method, route)
      const status = res.statusCode
      const bodyless = method === 'HEAD' || status === 204 || status === 304
      const seconds = (clock.now() - start) / 1000
      if (!recordSizes) return recorder.finish(method, route, status, seconds, -1, -1)
      recorder.finish(method, route, status, seconds, contentLength(requestHeaders(req)['content-length']), bodyless ? -1 : contentLength(responseHeader(res, 'content-length')))
    } catch (error) {
      reportToBus(monitor, error)
    }
  }

  return function perfkitMetrics(req: Request, res: Response, next: NextFunction): void {
    if (skip !== undefined && skipped(skip, req, monitor)) {
      next()
      return
    }
    const start = clock.now()
    recorder.start()
    // 'close' follows 'finish' on every response; without 'finish' before it, the client left.
    // (A closure per request measured cheaper than a shared listener reading state put on `res`.)
    addListener.call(res, 'close', () => onClose(req, res, start))
    next()
  }
}

// Express 5 gives every request's req and res a V8 map of their own, so each property load on
// them misses V8's inline caches, and a method found on a prototype costs a walk up the chain
// on every request (`res.on` sits six prototypes up: about 6 000 instructions a request under
// callgrind). Node's own methods, called directly, skip those walks; anything that is not a
// Node message takes the ordinary path.
const addListener = EventEmitter.prototype.on
const getOutgoingHeader = OutgoingMessage.prototype.getHeader
const getIncomingHeaders = Object.getOwnPropertyDescriptor(IncomingMessage.prototype, 'headers')?.get

function requestHeaders(req: Request): Request['headers'] {
  return getIncomingHeaders !== undefined && req instanceof IncomingMessage ? (getIncomingHeaders.call(req) as Request['headers']) : (req as { headers: Request['headers'] }).headers
}

function responseHeader(res: Response, name: string): unknown {
  return res instanceof OutgoingMessage ? getOutgoingHeader.call(res, name) : (res as { getHeader(name: string): unknown }).getHeader(name)
}

function skipped(skip: (req: Request) => boolean, req: Request, owner: { readonly bus?: unknown }): boolean {
  try {
    return skip(req) === true
  } catch (error) {
    reportToBus(owner as never, error)
    return false
  }
}

/**
 * Options of {@link performanceRouter}: the performance API's options.
 * @example
 * ```ts
 * const options: PerformanceRouterOptions = { monitor, alerts, authorize: (request) => request.headers['x-admin'] === secret }
 * app.use(performanceRouter(options))
 * ```
 */
export interface PerformanceRouterOptions extends PerformanceApiOptions {}

/**
 * An Express handler serving the performance API under `prefix` (default
 * `/api/performance`, relative to where it is mounted), the dashboard at
 * `{prefix}/dashboard` and the Prometheus scrape at `/metrics`. Requests outside those paths
 * go on to `next()`. Reads JSON bodies itself (or uses `req.body` when a body parser ran).
 * Mutating routes answer 403 unless `authorize(request)` returns true.
 *
 * @example
 * ```ts
 * app.use(performanceRouter({
 *   monitor, alerts, insights, caches: [userCache], batchers: [predictions],
 *   authorize: (request) => request.headers.authorization === `Bearer ${process.env.PERF_TOKEN}`,
 * }))
 * // GET /api/performance/summary, POST /api/performance/alerts/:id/acknowledge, GET /metrics, …
 * ```
 */
export function performanceRouter(options: PerformanceRouterOptions): RequestHandler {
  const api = createPerformanceApi(options)
  const monitor = options.monitor
  const prefix = api.prefix === '/' ? '' : api.prefix
  const prometheusPath = options.prometheusPath === undefined ? '/metrics' : options.prometheusPath

  return function perfkitApi(req: Request, res: Response, next: NextFunction): void {
    const path = req.path
    // Mounted before the host's routes, this runs for every request: leave others at once.
    if (path !== prometheusPath && !(path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/'))) {
      next()
      return
    }
    const match = api.match(req.method, path)
    if (match.kind === 'none') {
      next()
      return
    }
    if (match.kind === 'method-not-allowed') {
      ;(req as Marked)[API_ROUTE] = req.path
      send(res, req.method, { status: 405, body: '{"error":"method not allowed","code":"METHOD_NOT_ALLOWED"}', headers: { allow: match.allow.join(', '), 'content-type': 'application/json; charset=utf-8' } })
      return
    }
    const { route, params } = match
    ;(req as Marked)[API_ROUTE] = route.path
    // Only JSON is read: anything else is refused by the route (415) before its body matters.
    const hasBody = route.method !== 'GET' && isJson(req.headers['content-type'])
    const body = hasBody ? readJsonBody(req, route.bodyLimit) : Promise.resolve({ ok: true as const, value: undefined })
    body
      .then((parsed) => {
        if (!parsed.ok) return parsed.response
        const request: ApiRequest = {
          method: req.method,
          path: req.path,
          params,
          query: (req.query ?? {}) as ApiRequest['query'],
          body: parsed.value,
          headers: req.headers,
          ip: req.ip,
          raw: req,
        }
        return route.handle(request)
      })
      .then((response) => send(res, req.method, response))
      .catch((error: unknown) => {
        reportToBus(monitor, error)
        if (!res.headersSent) send(res, req.method, { status: 500, body: '{"error":"internal error","code":"INTERNAL"}', headers: { 'content-type': 'application/json; charset=utf-8' } })
      })
  }
}

function send(res: Response, method: string, response: ApiResponse): void {
  if (res.headersSent || res.destroyed) return
  res.status(response.status)
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value)
  const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body)
  if (method === 'HEAD') {
    res.setHeader('content-length', Buffer.byteLength(body))
    res.end()
  } else {
    res.end(body)
  }
}
