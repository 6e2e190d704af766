// Metric reads: the current metrics, their history, and the Prometheus scrape.
import type { Labels } from '../../index'
import type { ApiContext, RouteDefinition } from '../context'
import { response, safely } from '../context'
import type { MetricDescription, StatsWindow } from '../ports'
import type { ApiRequest } from '../types'
import { badRequest, notFound, queryLabels, queryList, queryNumber, queryString } from '../validation'

const WINDOWS: readonly StatsWindow[] = ['1m', '5m', '15m', 'all']
/** Series listed per metric by `GET metrics` unless `limit` says otherwise. */
const DEFAULT_SERIES_LIMIT = 100
const MAX_SERIES_LIMIT = 10_000

/** The `window` query parameter. @defaultValue `'1m'` */
export function windowOf(request: ApiRequest): StatsWindow {
  return queryList(request, 'window', WINDOWS)?.[0] ?? '1m'
}

export const metricRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/metrics',
    handler(request, context) {
      const window = windowOf(request)
      const name = queryString(request, 'name')
      const limit = queryNumber(request, 'limit') ?? DEFAULT_SERIES_LIMIT
      if (!Number.isInteger(limit) || limit < 0 || limit > MAX_SERIES_LIMIT) throw badRequest(`\`limit\` must be an integer from 0 to ${MAX_SERIES_LIMIT}`)
      const all = context.monitor.metrics()
      const listed = name === undefined ? all : all.filter((metric) => metric.name === name)
      if (name !== undefined && listed.length === 0) throw notFound(`no metric named \`${name.slice(0, 120)}\``)
      return {
        timestamp: Date.now(),
        monitorTime: context.monitor.now(),
        window,
        metrics: listed.map((metric) => describeMetric(context, metric, window, limit)),
      }
    },
  },
  {
    method: 'GET',
    path: '/metrics/history',
    handler(request, context) {
      const metric = queryString(request, 'metric')
      if (metric === undefined || metric === '') throw badRequest('query parameter `metric` is required')
      if (!context.monitor.metrics().some((m) => m.name === metric)) throw notFound(`no metric named \`${metric.slice(0, 120)}\``)
      const now = context.monitor.now()
      const last = queryNumber(request, 'last')
      if (last !== undefined && last <= 0) throw badRequest('`last` must be a positive number of ms')
      const from = last !== undefined ? now - last : queryNumber(request, 'from')
      const to = queryNumber(request, 'to')
      if (from !== undefined && to !== undefined && from > to) throw badRequest('`from` must not be after `to`')
      const stat = queryString(request, 'stat')
      if (stat !== undefined && !/^[a-zA-Z0-9_]{1,32}$/.test(stat)) throw badRequest('`stat` must be a statistic name such as p95, mean, rate or value')
      const labels = queryLabels(request)
      const query: { labels?: Labels; from?: number; to?: number; stat?: string } = {}
      if (labels !== undefined) query.labels = labels
      if (from !== undefined) query.from = from
      if (to !== undefined) query.to = to
      if (stat !== undefined) query.stat = stat
      const points = context.monitor.history(metric, query)
      return { metric, stat: stat ?? null, labels: labels ?? null, monitorTime: now, timestamp: Date.now(), points }
    },
  },
]

/** `GET /metrics` (outside the prefix): the Prometheus text exposition format 0.0.4. */
export function prometheusRoute(path: string): RouteDefinition {
  return {
    method: 'GET',
    path,
    absolute: true,
    async handler(_request, context) {
      const text = await context.monitor.prometheus()
      return response(200, text, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' })
    },
  }
}

function describeMetric(context: ApiContext, metric: MetricDescription, window: StatsWindow, limit: number): object {
  const { monitor } = context
  const read = (labels: Labels | undefined): object => {
    if (metric.kind === 'distribution') return { stats: safely(context, () => monitor.stats(metric.name, labels, { window })) ?? null }
    if (metric.kind === 'counter') {
      return {
        value: safely(context, () => monitor.value(metric.name, labels)) ?? null,
        rate: safely(context, () => monitor.rate(metric.name, labels, { window })) ?? null,
      }
    }
    return { value: safely(context, () => monitor.value(metric.name, labels)) ?? null }
  }
  const series = seriesLabels(metric.series)
  const out: Record<string, unknown> = { name: metric.name, kind: metric.kind, help: metric.help ?? '', ...read(undefined) }
  if (series !== undefined) {
    out.seriesCount = series.length
    out.series = series.slice(0, limit).map((labels) => ({ labels, ...read(labels) }))
  }
  return out
}

/** The label sets of a metric's series, from whichever form `metrics()` lists them in. */
function seriesLabels(series: unknown): Labels[] | undefined {
  if (!Array.isArray(series)) return undefined
  const out: Labels[] = []
  for (const item of series as unknown[]) {
    if (typeof item !== 'object' || item === null) continue
    const labels = (item as { labels?: unknown }).labels
    if (typeof labels === 'object' && labels !== null) out.push(labels as Labels)
    else if (Object.values(item).every((v) => typeof v === 'string')) out.push(item as Labels)
  }
  return out
}
