// The per-request recording both HTTP adapters share: method and status-class labels, label
// objects cached per (method, route), in-flight accounting, and a hot path that never throws
// into the host. The adapters only find the route template and the sizes.
import type { Labels } from '../../index'
import type { MetricsWriter } from '../../api/ports'
import { reportToBus } from '../../api/report'
import type { CounterSeries, DistributionSeries } from '../../monitor/series'
import type { MetricStore } from '../../monitor/store'
import { storeOf } from '../../monitor/store-access'

/**
 * Metric names the HTTP adapters record (OpenTelemetry HTTP semantics, Prometheus naming).
 * @example
 * ```ts
 * const p95 = monitor.stats(HTTP_METRICS.duration, { route: '/users/:id' })?.p95
 * ```
 */
export const HTTP_METRICS = {
  /** Distribution of request durations, seconds; labels `method`, `route`, `status_class`. */
  duration: 'http_server_request_duration_seconds',
  /** Counter of completed requests; labels `method`, `route`, `status_class`. */
  requests: 'http_server_requests_total',
  /** Counter of requests answered with a 5xx status; labels `method`, `route`. */
  errors: 'http_server_errors_total',
  /** Counter of requests whose connection closed before the response finished; labels `method`, `route`. */
  aborted: 'http_server_aborted_total',
  /** Gauge of requests being served now. */
  active: 'http_server_active_requests',
  /** Distribution of request body sizes (Content-Length), bytes; labels `method`, `route`. */
  requestSize: 'http_server_request_body_size_bytes',
  /** Distribution of response body sizes (Content-Length), bytes; labels `method`, `route`. */
  responseSize: 'http_server_response_body_size_bytes',
} as const

/**
 * The `route` label of requests no route matched (404s, static files, bare middleware).
 * @example
 * ```ts
 * const notFound = monitor.value(HTTP_METRICS.requests, { route: UNMATCHED_ROUTE, status_class: '4xx' })
 * ```
 */
export const UNMATCHED_ROUTE = 'unmatched'

/**
 * The `method` label of a method outside the known set.
 * @example
 * ```ts
 * const odd = monitor.value(HTTP_METRICS.requests, { method: OTHER_METHOD })
 * ```
 */
export const OTHER_METHOD = '_OTHER'

/**
 * The methods recorded by name (RFC 9110 and PATCH); any other becomes {@link OTHER_METHOD}.
 * @example
 * ```ts
 * app.use(performanceMiddleware({ monitor, knownMethods: [...KNOWN_METHODS, 'QUERY'] }))
 * ```
 */
export const KNOWN_METHODS: readonly string[] = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']

/**
 * Options shared by the Express middleware and the Fastify plugin.
 * @example
 * ```ts
 * app.use(performanceMiddleware({ monitor, unmatchedRoute: 'other', recordSizes: false }))
 * ```
 */
export interface HttpInstrumentationOptions {
  /** The `route` label of requests no route matched. @defaultValue `'unmatched'` */
  unmatchedRoute?: string
  /** Methods recorded by name; others are recorded as `_OTHER`. @defaultValue {@link KNOWN_METHODS} */
  knownMethods?: readonly string[]
  /** Record request and response body sizes (from Content-Length). @defaultValue true */
  recordSizes?: boolean
  /**
   * Most distinct `route` labels kept; later ones are recorded as `unmatchedRoute`. A guard for
   * custom `route` functions: templates from the router are bounded by the app already.
   * @defaultValue 1000
   */
  maxRoutes?: number
}

interface RouteLabels {
  /** `{ method, route }`, for the aborted, error and size metrics. */
  base: Labels
  /** `{ method, route, status_class }` per class, index 0 for an unknown status, 1..5 for 1xx..5xx. */
  byClass: Array<Labels | undefined>
  /**
   * The series the route's writes landed in, per class like `byClass` (a PerformanceMonitor
   * only): kept, a write is one add without the monitor's name and label lookups.
   */
  durations: Array<DistributionSeries | undefined>
  counts: Array<CounterSeries | undefined>
  requestSizes: DistributionSeries | undefined
  responseSizes: DistributionSeries | undefined
}

const CLASS_NAMES = ['unknown', '1xx', '2xx', '3xx', '4xx', '5xx']

/**
 * The `status_class` label of a status code: `'2xx'`, … or `'unknown'`.
 * @example
 * ```ts
 * statusClass(404) // '4xx'
 * ```
 */
export function statusClass(status: number): string {
  return CLASS_NAMES[classIndex(status)] as string
}

function classIndex(status: number): number {
  return status >= 100 && status < 600 ? (status / 100) | 0 : 0
}

/** HELP texts of the HTTP metrics. */
const HELP: ReadonlyArray<readonly [name: string, kind: 'counter' | 'gauge' | 'distribution', help: string]> = [
  [HTTP_METRICS.duration, 'distribution', 'Duration of HTTP server requests, by method, route template and status class'],
  [HTTP_METRICS.requests, 'counter', 'HTTP server requests completed'],
  [HTTP_METRICS.errors, 'counter', 'HTTP server requests answered with a 5xx status'],
  [HTTP_METRICS.aborted, 'counter', 'HTTP server requests whose client left before the response finished'],
  [HTTP_METRICS.active, 'gauge', 'HTTP server requests in flight'],
  [HTTP_METRICS.requestSize, 'distribution', 'Size of HTTP server request bodies (Content-Length)'],
  [HTTP_METRICS.responseSize, 'distribution', 'Size of HTTP server response bodies (Content-Length)'],
]

/**
 * In-flight counts per monitor, shared by every adapter on it. With `addGaugeCallback` the
 * monitor reads the count when it needs it, so a request only moves a number.
 */
const activeByMonitor = new WeakMap<object, { n: number; callback: boolean }>()

function activeCounter(monitor: MetricsWriter): { n: number; callback: boolean } {
  let active = activeByMonitor.get(monitor)
  if (active !== undefined) return active
  // A host that declared one of these names with another kind gets its PerfkitConfigError here, at setup.
  for (const [name, kind, help] of HELP) monitor.define?.(name, { kind, help })
  active = { n: 0, callback: false }
  activeByMonitor.set(monitor, active)
  if (typeof monitor.addGaugeCallback === 'function') {
    const counter = active
    monitor.addGaugeCallback(HTTP_METRICS.active, () => counter.n)
    counter.callback = true
  }
  return active
}

/**
 * Records one request's metrics into a monitor. Every method catches its own failures and
 * reports them on the monitor's bus: instrumentation never breaks a response.
 */
export class HttpRecorder {
  readonly #monitor: MetricsWriter
  /** The monitor's store when it is a PerformanceMonitor: the kept series are written through it. */
  readonly #store: MetricStore | undefined
  readonly #known: ReadonlySet<string>
  readonly #unmatched: string
  readonly #recordSizes: boolean
  readonly #maxRoutes: number
  readonly #labels = new Map<string, Map<string, RouteLabels>>()
  readonly #active: { n: number; callback: boolean }
  readonly #routes = new Set<string>()
  // The last request's method and route and their labels: a service under load answers the
  // same few routes over and over, and two string compares (the router hands out the same
  // string objects every time) cost less than the two Map lookups behind them.
  #lastMethod: string | undefined = undefined
  #lastRoute: string | undefined = undefined
  #lastLabels: RouteLabels | undefined = undefined

  constructor(monitor: MetricsWriter, unmatched: string, known: readonly string[], recordSizes: boolean, maxRoutes: number) {
    this.#monitor = monitor
    this.#store = storeOf(monitor)
    this.#unmatched = unmatched
    this.#known = new Set(known)
    this.#recordSizes = recordSizes
    this.#maxRoutes = maxRoutes
    this.#active = activeCounter(monitor)
  }

  /** The `method` label of a request method. */
  method(method: string | undefined): string {
    if (method === this.#lastMethod && method !== undefined) return method
    return method !== undefined && this.#known.has(method) ? method : OTHER_METHOD
  }

  /** A request began. */
  start(): void {
    const active = this.#active
    active.n++
    if (!active.callback) this.#publishActive()
  }

  /** One request fewer in flight. */
  #done(): void {
    const active = this.#active
    if (active.n > 0) active.n--
    if (!active.callback) this.#publishActive()
  }

  #publishActive(): void {
    try {
      this.#monitor.setGauge(HTTP_METRICS.active, this.#active.n)
    } catch (error) {
      reportToBus(this.#monitor, error)
    }
  }

  /**
   * A response finished. `requestBytes`/`responseBytes` are negative when unknown.
   * `route` undefined means no route matched.
   */
  finish(method: string, route: string | undefined, status: number, seconds: number, requestBytes: number, responseBytes: number): void {
    try {
      this.#done()
      const labels = this.#route(method, route)
      const index = classIndex(status)
      const store = this.#store
      // Each write goes to its kept series, or else through the monitor (which then has the
      // series, kept for the next request). A kept series refuses a write the monitor must
      // see: a bad value, a closed monitor, a series expired since.
      const duration = labels.durations[index]
      if (duration === undefined || !(store as MetricStore).addBound(duration, seconds)) this.#recordDuration(labels, index, seconds)
      const count = labels.counts[index]
      if (count === undefined || !(store as MetricStore).countBound(count, 1)) this.#countRequest(labels, index)
      if (index === 5) this.#monitor.increment(HTTP_METRICS.errors, 1, labels.base)
      if (this.#recordSizes) {
        if (requestBytes >= 0) {
          const sizes = labels.requestSizes
          if (sizes === undefined || !(store as MetricStore).addBound(sizes, requestBytes)) this.#recordSize(labels, HTTP_METRICS.requestSize, requestBytes)
        }
        if (responseBytes >= 0) {
          const sizes = labels.responseSizes
          if (sizes === undefined || !(store as MetricStore).addBound(sizes, responseBytes)) this.#recordSize(labels, HTTP_METRICS.responseSize, responseBytes)
        }
      }
    } catch (error) {
      reportToBus(this.#monitor, error)
    }
  }

  #recordDuration(labels: RouteLabels, index: number, seconds: number): void {
    const withClass = labels.byClass[index] ?? this.#withClass(labels, index)
    this.#monitor.record(HTTP_METRICS.duration, seconds, withClass)
    labels.durations[index] = this.#store?.boundSeries(HTTP_METRICS.duration, 'distribution', withClass) as DistributionSeries | undefined
  }

  #countRequest(labels: RouteLabels, index: number): void {
    const withClass = labels.byClass[index] ?? this.#withClass(labels, index)
    this.#monitor.increment(HTTP_METRICS.requests, 1, withClass)
    labels.counts[index] = this.#store?.boundSeries(HTTP_METRICS.requests, 'counter', withClass) as CounterSeries | undefined
  }

  #recordSize(labels: RouteLabels, name: typeof HTTP_METRICS.requestSize | typeof HTTP_METRICS.responseSize, bytes: number): void {
    this.#monitor.record(name, bytes, labels.base)
    const series = this.#store?.boundSeries(name, 'distribution', labels.base) as DistributionSeries | undefined
    if (name === HTTP_METRICS.requestSize) labels.requestSizes = series
    else labels.responseSizes = series
  }

  /** A request began but is left unrecorded (the API's own requests): only the in-flight count changes. */
  discard(): void {
    this.#done()
  }

  /** The connection closed before the response finished. */
  abort(method: string, route: string | undefined): void {
    this.#done()
    try {
      this.#monitor.increment(HTTP_METRICS.aborted, 1, this.#route(method, route).base)
    } catch (error) {
      reportToBus(this.#monitor, error)
    }
  }

  #route(method: string, route: string | undefined): RouteLabels {
    if (route === this.#lastRoute && method === this.#lastMethod && this.#lastLabels !== undefined) return this.#lastLabels
    const labels = this.#lookUp(method, route)
    this.#lastMethod = method
    this.#lastRoute = route
    this.#lastLabels = labels
    return labels
  }

  #lookUp(method: string, route: string | undefined): RouteLabels {
    let byRoute = this.#labels.get(method)
    if (byRoute === undefined) {
      byRoute = new Map()
      this.#labels.set(method, byRoute)
    }
    let name = route ?? this.#unmatched
    let labels = byRoute.get(name)
    if (labels !== undefined) return labels
    if (!this.#routes.has(name)) {
      if (this.#routes.size >= this.#maxRoutes && name !== this.#unmatched) {
        name = this.#unmatched
        labels = byRoute.get(name)
        if (labels !== undefined) return labels
      }
      this.#routes.add(name)
    }
    // Keys in sorted order: the monitor builds its series key fastest from sorted labels.
    labels = { base: Object.freeze({ method, route: name }), byClass: [], durations: [undefined, undefined, undefined, undefined, undefined, undefined], counts: [undefined, undefined, undefined, undefined, undefined, undefined], requestSizes: undefined, responseSizes: undefined }
    byRoute.set(name, labels)
    return labels
  }

  #withClass(labels: RouteLabels, index: number): Labels {
    const withClass = Object.freeze({ method: labels.base.method as string, route: labels.base.route as string, status_class: CLASS_NAMES[index] as string })
    labels.byClass[index] = withClass
    return withClass
  }
}
