// `POST {prefix}/metrics`: metrics measured in browsers (web vitals, page timings, UI
// counters). Anonymous pages post them, so the route is guarded by its schema, a body size
// limit, a per-request count limit and a per-client rate limit rather than by `authorize`.
import type { Labels } from '../../index'
import type { RouteDefinition } from '../context'
import { response } from '../context'
import type { RateLimiter } from '../rate-limiter'
import type { ApiRequest } from '../types'
import { ApiError, badRequest, onlyFields, optionalString } from '../validation'

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/
const LABEL_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,31}$/
const KINDS = ['distribution', 'counter', 'gauge'] as const
const FIELDS = ['name', 'value', 'kind', 'page', 'component', 'labels', 'timestamp']
const MAX_LABELS = 5
const MAX_LABEL_VALUE = 128

/** One metric as a browser posts it. */
export interface ClientMetric {
  /** Metric name (`[a-zA-Z_][a-zA-Z0-9_]*`, ≤ 64 characters); recorded as `client_<name>`. */
  name: string
  /** A finite number; durations in seconds, by Prometheus convention. Counters need ≥ 0. */
  value: number
  /** @defaultValue `'distribution'` */
  kind?: 'distribution' | 'counter' | 'gauge'
  /** Becomes the `page` label (≤ 128 characters). */
  page?: string
  /** Becomes the `component` label (≤ 128 characters). */
  component?: string
  /** Up to 5 more labels. */
  labels?: Record<string, string>
  /** Accepted and ignored: the server records at arrival. */
  timestamp?: number
}

interface Parsed {
  name: string
  value: number
  kind: (typeof KINDS)[number]
  labels: Labels | undefined
}

export interface ClientMetricsSettings {
  limiter: RateLimiter
  clientKey: (request: ApiRequest) => string
  allowedNames: ReadonlySet<string> | undefined
  metricPrefix: string
  maxMetrics: number
  bodyLimit: number
}

/** The route, bound to its rate limiter and limits. */
export function clientMetricsRoute(settings: ClientMetricsSettings): RouteDefinition {
  return {
    method: 'POST',
    path: '/metrics',
    guard: 'client-metrics',
    bodyLimit: settings.bodyLimit,
    handler(request, context) {
      const decision = settings.limiter.take(settings.clientKey(request))
      if (!decision.allowed) {
        throw new ApiError(429, 'RATE_LIMITED', 'too many metric reports from this client; retry later', {
          'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))),
        })
      }
      const items = metricList(request.body, settings.maxMetrics)
      const parsed = items.map((item, i) => parseMetric(item, i, settings.allowedNames))
      const { monitor } = context
      for (const metric of parsed) {
        const name = settings.metricPrefix + metric.name
        if (metric.kind === 'counter') monitor.increment(name, metric.value, metric.labels)
        else if (metric.kind === 'gauge') monitor.setGauge(name, metric.value, metric.labels)
        else monitor.record(name, metric.value, metric.labels)
      }
      return response(202, { accepted: parsed.length }, { 'x-ratelimit-remaining': String(decision.remaining) })
    },
  }
}

function metricList(body: unknown, max: number): unknown[] {
  if (typeof body !== 'object' || body === null) throw badRequest('the body must be a metric object or `{ "metrics": [...] }`')
  if (Array.isArray(body)) throw badRequest('send an array of metrics as `{ "metrics": [...] }`')
  const list = (body as { metrics?: unknown }).metrics
  if (list === undefined) return [body]
  onlyFields(body as Record<string, unknown>, ['metrics'])
  if (!Array.isArray(list)) throw badRequest('`metrics` must be an array')
  if (list.length === 0) throw badRequest('`metrics` must not be empty')
  if (list.length > max) throw badRequest(`at most ${max} metrics per request; got ${list.length}`)
  return list
}

function parseMetric(item: unknown, index: number, allowed: ReadonlySet<string> | undefined): Parsed {
  const where = `metrics[${index}]`
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw badRequest(`${where} must be an object`)
  const metric = item as Record<string, unknown>
  onlyFields(metric, FIELDS, where)
  const { name, value, kind = 'distribution' } = metric
  if (typeof name !== 'string' || !NAME.test(name)) throw badRequest(`${where}.name must match [a-zA-Z_][a-zA-Z0-9_]* (at most 64 characters)`)
  if (allowed !== undefined && !allowed.has(name)) throw badRequest(`${where}.name \`${name}\` is not an accepted metric`)
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequest(`${where}.value must be a finite number`)
  if (!(KINDS as readonly unknown[]).includes(kind)) throw badRequest(`${where}.kind must be one of ${KINDS.join(', ')}`)
  if (kind !== 'gauge' && value < 0) throw badRequest(`${where}.value must be >= 0 for a ${String(kind)}`)
  if (metric.timestamp !== undefined && (typeof metric.timestamp !== 'number' || !Number.isFinite(metric.timestamp))) {
    throw badRequest(`${where}.timestamp must be a number`)
  }
  const labels: Record<string, string> = {}
  const component = optionalString(metric, 'component', MAX_LABEL_VALUE)
  const page = optionalString(metric, 'page', MAX_LABEL_VALUE)
  if (metric.labels !== undefined) {
    const extra = metric.labels
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw badRequest(`${where}.labels must be an object of strings`)
    const entries = Object.entries(extra)
    if (entries.length > MAX_LABELS) throw badRequest(`${where}.labels may hold at most ${MAX_LABELS} labels`)
    for (const [key, text] of entries) {
      if (!LABEL_NAME.test(key) || key === 'page' || key === 'component') throw badRequest(`${where}.labels has an invalid label name \`${key.slice(0, 40)}\``)
      if (typeof text !== 'string' || text.length > MAX_LABEL_VALUE) throw badRequest(`${where}.labels.${key} must be a string of at most ${MAX_LABEL_VALUE} characters`)
      labels[key] = text
    }
  }
  if (component !== undefined) labels.component = component
  if (page !== undefined) labels.page = page
  const sorted = Object.keys(labels).sort()
  const ordered: Record<string, string> = {}
  for (const key of sorted) ordered[key] = labels[key] as string
  return { name, value, kind: kind as Parsed['kind'], labels: sorted.length === 0 ? undefined : ordered }
}
