// The performance API as a framework-neutral route table. Each route is wrapped once here:
// guard (authorize / authorizeRead / the client-metrics policy), JSON content type for
// mutating routes, the handler, and the mapping of every failure to a response. Adapters
// only translate requests and responses.
import { toClock } from '../internal/clock'
import { bool, func, nonEmptyString, positiveInt } from '../internal/validate'
import { PerfkitConfigError } from '../errors'
import type { ApiContext, RouteDefinition } from './context'
import { isResponse } from './context'
import { dashboardRoute } from './dashboard/route'
import { RateLimiter } from './rate-limiter'
import { failure, finish, json } from './respond'
import { alertRoutes } from './routes/alerts'
import { clientMetricsRoute } from './routes/client-metrics'
import { insightRoutes } from './routes/insights'
import { metricRoutes, prometheusRoute } from './routes/metrics'
import { overviewRoutes } from './routes/overview'
import { resourceRoutes } from './routes/resources'
import type { CachePort } from './ports'
import type { ApiRequest, ApiResponse, ApiRoute, AuthorizeHook, CacheBinding, PerformanceApiOptions } from './types'

/** The default mount point of the API. */
export const DEFAULT_PREFIX = '/api/performance'

/** A route found for a method and path. */
export type RouteMatch =
  | { kind: 'route'; route: ApiRoute; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'none' }

/** The API: its route table and a dispatcher for adapters without a router of their own. */
export interface PerformanceApi {
  readonly prefix: string
  readonly routes: readonly ApiRoute[]
  /** Finds the route for `method` (HEAD counts as GET) and `path`. */
  match(method: string, path: string): RouteMatch
}

interface CompiledRoute {
  route: ApiRoute
  segments: string[]
}

/** Builds the API from its options. Bad options throw PerfkitConfigError. */
export function createPerformanceApi(options: PerformanceApiOptions): PerformanceApi {
  const {
    monitor,
    alerts,
    insights,
    caches = [],
    batchers = [],
    prefix = DEFAULT_PREFIX,
    authorize,
    authorizeRead,
    prometheusPath = '/metrics',
    dashboard = true,
    dashboardPollMs = 2000,
    clientMetrics = {},
    maxBodyBytes = 65_536,
  } = options ?? ({} as PerformanceApiOptions)
  if (typeof monitor !== 'object' || monitor === null || typeof monitor.stats !== 'function') {
    throw new PerfkitConfigError('monitor', 'a PerformanceMonitor', monitor)
  }
  const normalizedPrefix = normalizePrefix(prefix)
  if (authorize !== undefined) func('authorize', authorize)
  if (authorizeRead !== undefined) func('authorizeRead', authorizeRead)
  if (prometheusPath !== false && (typeof prometheusPath !== 'string' || !prometheusPath.startsWith('/'))) {
    throw new PerfkitConfigError('prometheusPath', 'a path starting with `/`, or false', prometheusPath)
  }
  bool('dashboard', dashboard)
  positiveInt('dashboardPollMs', dashboardPollMs)
  positiveInt('maxBodyBytes', maxBodyBytes)

  const context: ApiContext = {
    monitor,
    alerts,
    insights,
    caches: caches.map(toBinding),
    batchers: [...batchers],
    prefix: normalizedPrefix,
    dashboardPollMs,
    clientMetrics,
  }

  const definitions: RouteDefinition[] = [...metricRoutes, ...overviewRoutes, ...alertRoutes, ...resourceRoutes, ...insightRoutes]
  const client = clientMetricsDefinition(clientMetrics)
  if (client !== undefined) definitions.push(client)
  if (dashboard) definitions.push(dashboardRoute)
  if (prometheusPath !== false) definitions.push(prometheusRoute(prometheusPath))

  const routes = definitions.map((definition) => wrap(definition, context, { authorize, authorizeRead, clientAuthorize: clientMetrics.authorize, maxBodyBytes }))
  const compiled: CompiledRoute[] = routes.map((route) => ({ route, segments: splitPath(route.path) }))

  return {
    prefix: normalizedPrefix,
    routes,
    match(method, path) {
      const wanted = method === 'HEAD' ? 'GET' : method
      const segments = splitPath(path)
      const allow = new Set<string>()
      for (const { route, segments: pattern } of compiled) {
        const params = matchSegments(pattern, segments)
        if (params === undefined) continue
        if (route.method === wanted) return { kind: 'route', route, params }
        allow.add(route.method)
        if (route.method === 'GET') allow.add('HEAD')
      }
      return allow.size === 0 ? { kind: 'none' } : { kind: 'method-not-allowed', allow: [...allow] }
    },
  }
}

function toBinding(entry: CachePort | CacheBinding, index: number): CacheBinding {
  const isBinding = typeof entry === 'object' && entry !== null && 'cache' in entry && typeof entry.cache === 'object'
  const binding: CacheBinding = isBinding ? (entry as CacheBinding) : { cache: entry as CachePort }
  if (typeof binding.cache?.stats !== 'function') throw new PerfkitConfigError(`caches[${index}]`, 'a MemoryCache or { cache, loader?, warmKeys? }', entry)
  if (binding.loader !== undefined) func(`caches[${index}].loader`, binding.loader)
  if (binding.warmKeys !== undefined) func(`caches[${index}].warmKeys`, binding.warmKeys)
  return binding
}

function clientMetricsDefinition(options: NonNullable<PerformanceApiOptions['clientMetrics']>): RouteDefinition | undefined {
  const {
    enabled = true,
    authorize,
    allowedNames,
    metricPrefix = 'client_',
    maxMetricsPerRequest = 50,
    maxBodyBytes = 16_384,
    rateLimit = 60,
    rateLimitWindowMs = 60_000,
    maxClients = 10_000,
    clientKey,
  } = options
  if (!bool('clientMetrics.enabled', enabled)) return undefined
  if (authorize !== undefined) func('clientMetrics.authorize', authorize)
  if (clientKey !== undefined) func('clientMetrics.clientKey', clientKey)
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(metricPrefix)) throw new PerfkitConfigError('clientMetrics.metricPrefix', 'a metric name prefix ([a-zA-Z_][a-zA-Z0-9_]*)', metricPrefix)
  if (allowedNames !== undefined && !Array.isArray(allowedNames)) throw new PerfkitConfigError('clientMetrics.allowedNames', 'an array of names', allowedNames)
  const limiter = new RateLimiter(
    positiveInt('clientMetrics.rateLimit', rateLimit),
    positiveInt('clientMetrics.rateLimitWindowMs', rateLimitWindowMs),
    positiveInt('clientMetrics.maxClients', maxClients),
    toClock(undefined),
  )
  return clientMetricsRoute({
    limiter,
    clientKey: clientKey ?? ((request: ApiRequest) => request.ip ?? 'unknown'),
    allowedNames: allowedNames === undefined ? undefined : new Set(allowedNames),
    metricPrefix,
    maxMetrics: positiveInt('clientMetrics.maxMetricsPerRequest', maxMetricsPerRequest),
    bodyLimit: positiveInt('clientMetrics.maxBodyBytes', maxBodyBytes),
  })
}

interface Guards {
  authorize: AuthorizeHook | undefined
  authorizeRead: AuthorizeHook | undefined
  clientAuthorize: AuthorizeHook | undefined
  maxBodyBytes: number
}

const FORBIDDEN = { error: 'forbidden', code: 'FORBIDDEN' }

function wrap(definition: RouteDefinition, context: ApiContext, guards: Guards): ApiRoute {
  const mutating = definition.mutating === true
  const guard = definition.guard === 'client-metrics' ? guards.clientAuthorize : mutating ? guards.authorize : guards.authorizeRead
  // Mutating routes refuse everyone when no hook is configured; reads allow everyone.
  const denyWithoutHook = mutating
  const needsJson = mutating || definition.guard === 'client-metrics'
  return {
    method: definition.method,
    path: definition.absolute === true ? definition.path : joinPrefix(context.prefix, definition.path),
    mutating,
    bodyLimit: definition.bodyLimit ?? guards.maxBodyBytes,
    async handle(request: ApiRequest): Promise<ApiResponse> {
      try {
        if (guard === undefined ? denyWithoutHook : !(await allowed(guard, request, context))) return json(403, FORBIDDEN)
        if (needsJson && !isJson(request.headers['content-type'])) {
          return json(415, { error: 'send the body as application/json (`{}` when empty)', code: 'UNSUPPORTED_MEDIA_TYPE' })
        }
        const result = await definition.handler(request, context)
        return finish(isResponse(result) ? result : { status: 200, body: result })
      } catch (error) {
        return failure(error, context.monitor)
      }
    },
  }
}

async function allowed(hook: AuthorizeHook, request: ApiRequest, context: ApiContext): Promise<boolean> {
  try {
    return (await hook(request)) === true
  } catch (error) {
    // A throwing hook denies; the failure is the host's to see, not the client's.
    failure(error, context.monitor)
    return false
  }
}

/** True for `application/json` and `application/*+json`. */
export function isJson(contentType: string | readonly string[] | undefined): boolean {
  const value = typeof contentType === 'string' ? contentType : contentType?.[0]
  if (value === undefined) return false
  const type = value.split(';', 1)[0]?.trim().toLowerCase() ?? ''
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))
}

function normalizePrefix(prefix: unknown): string {
  nonEmptyString('prefix', prefix)
  const text = prefix as string
  if (!text.startsWith('/') || /[?#\s]/.test(text)) throw new PerfkitConfigError('prefix', 'a path starting with `/`', prefix)
  return text.length > 1 && text.endsWith('/') ? text.slice(0, -1) : text
}

function joinPrefix(prefix: string, path: string): string {
  return prefix === '/' ? path : prefix + path
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '')
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined
  let params: Record<string, string> | undefined
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string
    const actual = segments[i] as string
    if (expected.startsWith(':')) {
      let value: string
      try {
        value = decodeURIComponent(actual)
      } catch {
        return undefined
      }
      params ??= {}
      params[expected.slice(1)] = value
    } else if (expected !== actual) {
      return undefined
    }
  }
  return params ?? {}
}
