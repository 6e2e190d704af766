/**
 * perfkit for Fastify 5: {@link perfkitPlugin} records every request into a
 * PerformanceMonitor (`onRequest`/`onResponse`/`onRequestAbort` hooks, route template from
 * `request.routeOptions.url`) and serves the performance API, the dashboard and the
 * Prometheus scrape. Fastify and fastify-plugin are optional peer dependencies, loaded only
 * by this entry.
 * @module perfkit/fastify
 */
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createPerformanceApi } from '../api/api'
import type { ApiRequest, PerformanceApiOptions } from '../api/types'
import { bool } from '../internal/validate'
import { API_ROUTE, contentLength, type InstrumentationBase, instrumentation } from './internal/http-options'
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
 * Per-request state in decorated request properties (one shape for every request, no
 * allocation): the phase (0 not recorded, 1 in flight, 2 recorded) and, with an injected
 * clock only, the start time. On the default clock the duration is Fastify's own
 * `reply.elapsedTime`, which it measures anyway.
 */
const PHASE = 'perfkitPhase'
const START = 'perfkitStart'
type WithState = FastifyRequest & { [PHASE]: number; [START]: number }

/** Marks a raw request the server's 'request' listener counted in flight. */
const COUNTED = Symbol('perfkit.counted')
type Counted = FastifyRequest['raw'] & { [COUNTED]?: true }

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
  fastify.decorateRequest(PHASE, 0)
  fastify.decorateRequest(START, 0)
  const skipped = (request: FastifyRequest): boolean => {
    if (skip === undefined) return false
    try {
      return skip(request) === true
    } catch (error) {
      reportToBus(monitor, error)
      return false
    }
  }

  // How a request enters the in-flight count. On the root instance with Fastify's own clock,
  // the server's 'request' event counts it: with no onRequest hook at all Fastify skips its
  // hook chain, which is most of what an instrumentation hook costs. Registered inside an
  // encapsulated context (which sees only its own routes), or with an injected clock (which
  // needs a start time), an onRequest hook does it.
  const fromServer = !ownClock && Object.getPrototypeOf(fastify) === Object.prototype
  /** Ends a request's in-flight span; true when the request is to be recorded. */
  let end: (request: FastifyRequest) => boolean
  if (fromServer) {
    let outstanding = 0
    const onServerRequest = (req: Counted): void => {
      req[COUNTED] = true
      outstanding++
      recorder.start()
    }
    fastify.server.on('request', onServerRequest)
    fastify.addHook('onClose', (_instance, done) => {
      fastify.server.off('request', onServerRequest)
      // Requests Fastify answered without running hooks (503 while closing) never ended here.
      for (; outstanding > 0; outstanding--) recorder.discard()
      done()
    })
    end = (request) => {
      const r = request as WithState
      if (r[PHASE] === 2) return false
      r[PHASE] = 2
      // Counted by the server (not an inject()ed request): leaves the in-flight count here.
      if ((request.raw as Counted)[COUNTED] === true) outstanding--
      else recorder.start()
      if (!skipped(request)) return true
      recorder.discard()
      return false
    }
  } else {
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
  }

  fastify.addHook('onResponse', (request, reply, next) => {
    if (end(request)) {
      try {
        const options = request.routeOptions
        const apiRoute = (options.config as { [API_ROUTE]?: string } | undefined)?.[API_ROUTE]
        if (apiRoute !== undefined && !recordApiRequests) {
          recorder.discard()
        } else {
          const method = recorder.method(request.method)
          const route = (routeOf === undefined ? undefined : routeOf(request)) ?? options.url
          const status = reply.statusCode
          const bodyless = method === 'HEAD' || status === 204 || status === 304
          recorder.finish(
            method,
            route,
            status,
            (ownClock ? clock.now() - (request as WithState)[START] : reply.elapsedTime) / 1000,
            contentLength(request.headers['content-length']),
            bodyless ? -1 : contentLength(reply.getHeader('content-length')),
          )
        }
      } catch (error) {
        reportToBus(monitor, error)
      }
    }
    next()
  })

  fastify.addHook('onRequestAbort', (request, next) => {
    if (end(request)) {
      try {
        const options = request.routeOptions
        const apiRoute = (options.config as { [API_ROUTE]?: string } | undefined)?.[API_ROUTE]
        if (apiRoute !== undefined && !recordApiRequests) recorder.discard()
        else recorder.abort(recorder.method(request.method), (routeOf === undefined ? undefined : routeOf(request)) ?? options.url)
      } catch (error) {
        reportToBus(monitor, error)
      }
    }
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
