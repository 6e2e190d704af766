// The framework-neutral shape of the performance API: a request and a response as plain
// objects, the options every adapter passes through, and one route of the table.
import type { AlertsPort, BatcherPort, CachePort, InsightsPort, MonitorPort } from './ports'

/**
 * A request as the performance API sees it, whatever framework received it. `authorize`
 * hooks receive it.
 * @example
 * ```ts
 * const authorize = (request: ApiRequest) => request.headers.authorization === `Bearer ${token}`
 * ```
 */
export interface ApiRequest {
  /** Upper-case HTTP method. */
  method: string
  /** Path without the query string, as received (prefix included). */
  path: string
  /** Route parameters (`:id`), filled in by the route table. */
  params: Readonly<Record<string, string>>
  /** Query parameters; a repeated key gives an array. */
  query: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The parsed JSON body, or undefined without one. */
  body: unknown
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The client address, for rate limiting. */
  ip?: string | undefined
  /** The framework's own request object (Express `req`, Fastify `request`), for `authorize`. */
  raw?: unknown
}

/**
 * What a route answers. A string body is sent as it is; anything else as JSON.
 * @example
 * ```ts
 * const refusal: ApiResponse = { status: 403, body: { error: 'forbidden', code: 'FORBIDDEN' } }
 * ```
 */
export interface ApiResponse {
  status: number
  body: unknown
  headers?: Readonly<Record<string, string>>
}

/**
 * Decides whether a request may go on. Returning false (or throwing) answers 403. May be async.
 * @example
 * ```ts
 * const authorize: AuthorizeHook = async (request) => (await sessions.get(request.headers.cookie))?.admin === true
 * ```
 */
export type AuthorizeHook = (request: ApiRequest) => boolean | Promise<boolean>

/**
 * A cache the API serves, with what `POST cache/preload` needs to warm it.
 * @example
 * ```ts
 * performanceRouter({ monitor, caches: [{ cache: users, loader: (id) => db.user(String(id)), warmKeys: () => db.activeUserIds() }] })
 * ```
 */
export interface CacheBinding {
  cache: CachePort
  /** Loads the value of a key, for `POST cache/preload`. Without it the cache cannot be preloaded. */
  loader?: (key: string | number) => unknown
  /** The keys to preload when the request names none (e.g. the most active tenants). */
  warmKeys?: () => Iterable<string | number> | Promise<Iterable<string | number>>
}

/**
 * Options of the browser metrics endpoint (`POST {prefix}/metrics`).
 * @example
 * ```ts
 * performanceRouter({ monitor, clientMetrics: { allowedNames: ['lcp_seconds', 'inp_seconds'], rateLimit: 30 } })
 * ```
 */
export interface ClientMetricsOptions {
  /** Accept client metrics at all; `false` makes the route answer 404. @defaultValue true */
  enabled?: boolean
  /**
   * Who may post. Browser metrics come from anonymous pages, so by default anyone may, within
   * the size and rate limits; pass a hook to require more.
   * @defaultValue everyone
   */
  authorize?: AuthorizeHook
  /** Metric names accepted; others are refused with 400. @defaultValue any valid name */
  allowedNames?: readonly string[]
  /** Prefix of the monitor metric each client metric is recorded as. @defaultValue `'client_'` */
  metricPrefix?: string
  /** Most metrics in one request. @defaultValue 50 */
  maxMetricsPerRequest?: number
  /** Largest accepted body, bytes. @defaultValue 16_384 */
  maxBodyBytes?: number
  /** Requests allowed per client (`ip`) per `rateLimitWindowMs`. @defaultValue 60 */
  rateLimit?: number
  /** @defaultValue 60_000 */
  rateLimitWindowMs?: number
  /** Clients tracked by the rate limiter; the least recently seen is forgotten past it. @defaultValue 10_000 */
  maxClients?: number
  /** The rate-limit key of a request. @defaultValue the client address */
  clientKey?: (request: ApiRequest) => string
}

/**
 * Options of the performance API, shared by `performanceRouter()` and `perfkitPlugin`.
 * @example
 * ```ts
 * const api: PerformanceApiOptions = { monitor, alerts, insights, caches: [users], batchers: [model], prefix: '/perf', authorize }
 * app.use(performanceRouter(api))
 * ```
 */
export interface PerformanceApiOptions {
  /** A PerformanceMonitor: every read starts here. */
  monitor: MonitorPort
  /** An AlertEngine for the alert routes and `PUT thresholds`. */
  alerts?: AlertsPort
  /** An InsightEngine for insights, recommendations, bottlenecks, health and report. */
  insights?: InsightsPort
  /** MemoryCaches, bare or with a preload loader. */
  caches?: ReadonlyArray<CachePort | CacheBinding>
  /** PredictionBatchers and BatchProcessors. */
  batchers?: readonly BatcherPort[]
  /** Where the API lives. @defaultValue `'/api/performance'` */
  prefix?: string
  /**
   * Guards every mutating route (acknowledge, resolve, thresholds, batch config, cache
   * cleanup and preload). Without it those routes answer 403.
   * @defaultValue none: mutating routes refused
   */
  authorize?: AuthorizeHook
  /** Guards the read routes, the dashboard and the Prometheus scrape. @defaultValue everyone */
  authorizeRead?: AuthorizeHook
  /** Path of the Prometheus scrape, outside the prefix; `false` serves none. @defaultValue `'/metrics'` */
  prometheusPath?: string | false
  /** Serve the dashboard page at `{prefix}/dashboard`. @defaultValue true */
  dashboard?: boolean
  /** How often the dashboard polls, ms. @defaultValue 2000 */
  dashboardPollMs?: number
  /** Browser metrics endpoint. */
  clientMetrics?: ClientMetricsOptions
  /** Largest body of the other routes, bytes. @defaultValue 65_536 */
  maxBodyBytes?: number
}

/** One route of the API table. */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT'
  /** Full path template, prefix included, `:name` for a parameter. */
  path: string
  /** Mutating routes run `authorize` and need a JSON body (or none). */
  mutating: boolean
  /** Largest body accepted, bytes. */
  bodyLimit: number
  /** Answers the request: authorisation, validation and failures are handled inside. */
  handle(request: ApiRequest): Promise<ApiResponse>
}
