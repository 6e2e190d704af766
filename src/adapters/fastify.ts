/**
 * perfkit for Fastify 5: {@link perfkitPlugin} records every request into a
 * PerformanceMonitor (an `onResponse` hook, aborts found per connection or by
 * `onRequestAbort`, route template from `request.routeOptions.url`) and serves the
 * performance API, the dashboard and the Prometheus scrape. Fastify and fastify-plugin are
 * optional peer dependencies, loaded only by this entry.
 * @module perfkit/fastify
 */
import { IncomingMessage, type ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createPerformanceApi } from '../api/api'
import type { ApiRequest, PerformanceApiOptions } from '../api/types'
import { bool } from '../internal/validate'
import { API_ROUTE, contentLength, type InstrumentationBase, instrumentation } from './internal/http-options'
import { reportToBus } from '../api/report'
import { responseLength, routeConfig } from './internal/fastify-reads'
import { OPEN, openRequestsOf, type RouteHandler, RouteTable, type TrackedSocket, trackRequest, wrappedHandlers } from './internal/fastify-connections'

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
 * Options of {@link perfkitPlugin}: the instrumentation's and the API's.
 * @example
 * ```ts
 * const options: PerfkitPluginOptions = { monitor, alerts, prefix: '/perf', prometheusPath: false }
 * await app.register(perfkitPlugin, options)
 * ```
 */
export interface PerfkitPluginOptions extends InstrumentationBase<FastifyRequest>, Omit<PerformanceApiOptions, 'monitor'> {
  /** Record requests. @defaultValue true */
  instrument?: boolean
  /** Serve the performance API, the dashboard and the Prometheus scrape. @defaultValue true */
  api?: boolean
}

/**
 * Per-request state, in the hook mode only (see registerHooks), in decorated request
 * properties (one shape for every request, no allocation): the phase (0 not recorded, 1 in
 * flight, 2 recorded, 3 skipped) and, with an injected clock, the start time.
 */
const PHASE = 'perfkitPhase'
const START = 'perfkitStart'
type WithState = FastifyRequest & { [PHASE]: number; [START]: number }

const plugin: FastifyPluginCallback<PerfkitPluginOptions> = (fastify: FastifyInstance, options: PerfkitPluginOptions, done: (error?: Error) => void) => {
  try {
    const { instrument = true, api = true } = options
    bool('instrument', instrument)
    bool('api', api)
    // Validate everything before registering anything.
    const settings = instrumentation<FastifyRequest>(options)
    const performanceApi = api ? createPerformanceApi(options as PerformanceApiOptions) : undefined
    if (instrument) registerHooks(fastify, settings, options.clock !== undefined)
    if (performanceApi !== undefined) {
      for (const route of performanceApi.routes) {
        const config: Record<PropertyKey, unknown> = { [API_ROUTE]: route.path }
        fastify.route({
          method: route.method,
          url: route.path,
          bodyLimit: route.bodyLimit,
          config,
          handler: (request: FastifyRequest, reply: FastifyReply) => {
            const apiRequest: ApiRequest = {
              method: request.method,
              path: request.url.split('?', 1)[0] as string,
              params: (request.params ?? {}) as Record<string, string>,
              query: (request.query ?? {}) as ApiRequest['query'],
              body: request.body,
              headers: request.headers,
              ip: request.ip,
              raw: request,
            }
            return route.handle(apiRequest).then((response) => {
              reply.code(response.status)
              if (response.headers !== undefined) reply.headers(response.headers)
              return reply.send(response.body)
            })
          },
        })
      }
    }
    done()
  } catch (error) {
    done(error as Error)
  }
}

function registerHooks(fastify: FastifyInstance, settings: ReturnType<typeof instrumentation<FastifyRequest>>, ownClock: boolean): void {
  const { recorder, clock, route: routeOf, skip, recordApiRequests, monitor } = settings
  const skipped = (request: FastifyRequest): boolean => {
    if (skip === undefined) return false
    try {
      return skip(request) === true
    } catch (error) {
      reportToBus(monitor, error)
      return false
    }
  }

  // How a request enters the in-flight count. In the server mode (the root instance of an
  // HTTP/1 server, on Fastify's own clock) the server's 'request' event counts it and nothing
  // is stored on the request: with no onRequest hook at all Fastify skips its hook chain, which
  // is most of what an instrumentation hook costs. Registered inside an encapsulated context
  // (which sees only its own routes), with an injected clock (which needs a start time), or on
  // HTTP/2, an onRequest hook does it and the request carries its state.
  const serverMode = !ownClock && Object.getPrototypeOf(fastify) === Object.prototype && fastify.initialConfig.http2 !== true
  /** Ends a request's in-flight span; true when the request is to be recorded. */
  let end: (request: FastifyRequest) => boolean
  /** Marks a request that ended abnormally, so its second end (abort and error both) is ignored. */
  let markEnded: (request: FastifyRequest) => void
  /** Drops a request from its connection's open requests (server mode): its response ended. */
  let release: (request: FastifyRequest) => void = () => {}

  const recordAbort = (request: FastifyRequest): void => {
    const record = end(request)
    markEnded(request)
    if (!record) return
    try {
      const options = request.routeOptions
      const apiRoute = (options.config as { [API_ROUTE]?: string } | undefined)?.[API_ROUTE]
      if (apiRoute !== undefined && !recordApiRequests) recorder.discard()
      else recorder.abort(recorder.method(request.method), (routeOf === undefined ? undefined : routeOf(request)) ?? options.url)
    } catch (error) {
      reportToBus(monitor, error)
    }
  }

  if (serverMode) {
    let outstanding = 0
    // Requests that ended other than by a finished response: an abort, or a response that
    // failed. Either can be followed by the other; the set (of raw requests, which an abort
    // seen on the connection has before Fastify's request is known) makes the second a no-op.
    // It stays empty (and unread) while every response finishes normally.
    const ended = new WeakSet<object>()
    let endedAny = false
    const routes = new RouteTable(fastify)
    fastify.addHook('onRoute', (route) => {
      routes.add(route)
      // The handler is the first place where Fastify's request is known without a hook chain:
      // it ties the request to its connection, so an abort found there is named by its route.
      const handler = route.handler as RouteHandler | undefined
      if (typeof handler !== 'function' || wrappedHandlers.has(handler)) return
      const tied: RouteHandler = function (this: FastifyInstance, request, reply) {
        openRequestsOf(request.raw)?.tie(request)
        return handler.call(this, request, reply)
      }
      wrappedHandlers.add(tied)
      route.handler = tied as typeof route.handler
    })

    // Aborts are found per connection, not per request. Fastify's onRequestAbort adds a
    // 'close' listener to every request (~3 400 instructions a request, more than all the
    // recording); an HTTP/1 request is aborted exactly when its connection closes before its
    // response finished, and a keep-alive connection carries many requests on one listener.
    const onConnectionClose = function (this: TrackedSocket): void {
      const open = this[OPEN]
      open.each((raw, res, request) => {
        // Finished, with its onResponse still to run (behind a host's asynchronous one): not an abort.
        if (res.writableFinished) return
        if (request !== undefined) return recordAbort(request)
        // Aborted before its handler ran (a body upload, an asynchronous hook): Fastify's request
        // is not known, so neither `skip` nor a custom `route` can see it; the route template is
        // found from the URL among the routes registered since the plugin.
        if (endedAny && ended.has(raw)) return
        endedAny = true
        ended.add(raw)
        outstanding--
        try {
          const route = routes.match(raw.method, raw.url)
          if (route !== undefined && route.api && !recordApiRequests) recorder.discard()
          else recorder.abort(recorder.method(raw.method), route?.url)
        } catch (error) {
          reportToBus(monitor, error)
        }
      })
    }
    const onServerRequest = (raw: IncomingMessage, res: ServerResponse): void => {
      outstanding++
      recorder.start()
      trackRequest(raw, res, onConnectionClose)
    }
    // First, so that a request is on its connection before Fastify runs its handler.
    fastify.server.prependListener('request', onServerRequest)
    fastify.addHook('onClose', (_instance, done) => {
      fastify.server.off('request', onServerRequest)
      // Requests Fastify answered without running hooks (503 while closing) never ended here.
      for (; outstanding > 0; outstanding--) recorder.discard()
      done()
    })
    end = (request) => {
      if (endedAny && ended.has(request.raw)) return false
      // Every request of an HTTP/1 server is an IncomingMessage and went through the 'request'
      // event; an inject()ed one is not and did not: it enters the count here, to leave it now.
      if (request.raw instanceof IncomingMessage) outstanding--
      else recorder.start()
      if (!skipped(request)) return true
      recorder.discard()
      return false
    }
    markEnded = (request) => {
      endedAny = true
      ended.add(request.raw)
    }
    release = (request) => {
      openRequestsOf(request.raw)?.remove(request.raw)
    }
  } else {
    fastify.decorateRequest(PHASE, 0)
    fastify.decorateRequest(START, 0)
    fastify.addHook('onRequest', (request, _reply, next) => {
      const r = request as WithState
      if (skipped(request)) r[PHASE] = 3
      else {
        r[PHASE] = 1
        if (ownClock) r[START] = clock.now()
        recorder.start()
      }
      next()
    })
    end = (request) => {
      const r = request as WithState
      if (r[PHASE] !== 1) return false
      r[PHASE] = 2
      return true
    }
    markEnded = () => {}
    // Here Fastify's request is known from the start, and its own abort hook serves (HTTP/2
    // streams are aborted without their connection closing).
    fastify.addHook('onRequestAbort', (request, next) => {
      recordAbort(request)
      next()
    })
  }

  const onResponse = (request: FastifyRequest, reply: FastifyReply): void => {
    release(request)
    const res = reply.raw
    const finished = res.writableFinished
    // Ended by a broken response rather than 'finish': the response did not finish, which is
    // what an abort is, and the connection's close that may follow is then a no-op.
    if (!finished && res.destroyed) {
      recordAbort(request)
      return
    }
    const record = end(request)
    // Not finished, not broken (an inject()ed response ends this way): recorded, and an abort after it ignored.
    if (!finished) markEnded(request)
    if (record) {
      try {
        const config = routeConfig(request)
        if (config?.[API_ROUTE] !== undefined && !recordApiRequests) {
          recorder.discard()
        } else {
          const method = recorder.method(request.method)
          const route = (routeOf === undefined ? undefined : routeOf(request)) ?? config?.url
          const status = reply.statusCode
          const bodyless = method === 'HEAD' || status === 204 || status === 304
          recorder.finish(
            method,
            route,
            status,
            (ownClock ? clock.now() - (request as WithState)[START] : reply.elapsedTime) / 1000,
            contentLength(request.raw.headers['content-length']),
            bodyless ? -1 : contentLength(responseLength(reply)),
          )
        }
      } catch (error) {
        reportToBus(monitor, error)
      }
    }
  }
  // One call of `next`, after the recording: the hook stays small enough for Fastify's hook runner to inline.
  fastify.addHook('onResponse', (request, reply, next) => {
    onResponse(request, reply)
    next()
  })
}

/**
 * The Fastify plugin (built with fastify-plugin, so its hooks see every route of the app):
 * records each request's duration (`http_server_request_duration_seconds` by `method`,
 * `route` template and `status_class`), completed, failed (5xx) and aborted counts, body
 * sizes and requests in flight; and serves the performance API under `prefix` (default
 * `/api/performance`), the dashboard at `{prefix}/dashboard` and the Prometheus scrape at
 * `/metrics`. Mutating routes answer 403 unless `authorize(request)` returns true.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import { PerformanceMonitor } from 'perfkit'
 * import { perfkitPlugin } from 'perfkit/fastify'
 *
 * const monitor = new PerformanceMonitor()
 * const app = Fastify()
 * await app.register(perfkitPlugin, { monitor, authorize: (request) => request.headers['x-admin'] === 'yes' })
 * app.get('/users/:id', async (request) => ({ id: (request.params as { id: string }).id }))
 * ```
 */
export const perfkitPlugin = fp(plugin, { fastify: '5.x', name: 'perfkit' })

export default perfkitPlugin
