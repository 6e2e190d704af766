// The composite reads: summary, overview, health, sources and report.
import type { ApiContext, RouteDefinition } from '../context'
import { response, safely } from '../context'
import { summarize } from '../summary'
import { notConfigured } from '../validation'
import { windowOf } from './metrics'

/** Health as `GET health` reports it. `unhealthy` answers 503, so a load balancer can use the route. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy'

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 }

/** The InsightEngine's health bands; `unknown` (no data) changes nothing. */
const BANDS: Readonly<Record<string, HealthStatus | undefined>> = {
  excellent: 'healthy',
  good: 'healthy',
  fair: 'degraded',
  poor: 'unhealthy',
  critical: 'unhealthy',
  unknown: undefined,
}

export const overviewRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/summary',
    handler: (request, context) => summarize(context, windowOf(request)),
  },
  {
    method: 'GET',
    path: '/overview',
    handler(request, context) {
      const insights = context.insights
      return {
        summary: summarize(context, windowOf(request)),
        health: health(context),
        alerts: context.alerts === undefined ? null : (safely(context, () => context.alerts?.alerts({ state: ['firing', 'pending', 'no-data'] })) ?? null),
        bottlenecks: insights === undefined ? null : (safely(context, () => insights.bottlenecks()) ?? null),
        recommendations: insights === undefined ? null : (safely(context, () => insights.recommendations()) ?? null),
        sources: sources(context),
      }
    },
  },
  {
    method: 'GET',
    path: '/health',
    handler(_request, context) {
      const body = health(context)
      return response(body.status === 'unhealthy' ? 503 : 200, body, { 'cache-control': 'no-store' })
    },
  },
  {
    method: 'GET',
    path: '/sources',
    handler(_request, context) {
      const list = sources(context)
      if (list === null) throw notConfigured('monitoring sources (`monitor.sources()`)')
      return { sources: list, timestamp: Date.now() }
    },
  },
  {
    method: 'GET',
    path: '/report',
    handler(request, context) {
      const insights = context.insights
      if (insights !== undefined) return { report: insights.report(), timestamp: Date.now() }
      // Without an InsightEngine the report is what the monitor and alerts alone can say.
      return {
        report: {
          summary: summarize(context, windowOf(request)),
          health: health(context),
          alerts: context.alerts === undefined ? [] : context.alerts.alerts({ state: ['firing', 'pending', 'no-data'] }),
          sources: sources(context),
        },
        timestamp: Date.now(),
      }
    },
  },
]

function sources(context: ApiContext): unknown[] | null {
  const monitor = context.monitor
  if (typeof monitor.sources !== 'function') return null
  const list = safely(context, () => monitor.sources?.())
  return Array.isArray(list) ? list : null
}

/** Combines the insight engine's health score (when there is one) with the active alerts. */
function health(context: ApiContext): { status: HealthStatus; score: number | null; timestamp: number; checks: Record<string, unknown> } {
  let status: HealthStatus = 'healthy'
  const worsen = (next: HealthStatus) => {
    if (RANK[next] > RANK[status]) status = next
  }
  const checks: Record<string, unknown> = {}

  let score: number | null = null
  const insights = context.insights
  if (insights !== undefined) {
    const reported = safely(context, () => insights.health())
    checks.insights = reported ?? null
    const value = typeof reported === 'number' ? reported : (reported as { score?: unknown } | undefined)?.score
    const band = (reported as { status?: unknown } | undefined)?.status
    if (typeof band === 'string' && band in BANDS) {
      if (typeof value === 'number') score = value
      const mapped = BANDS[band]
      if (mapped !== undefined) worsen(mapped)
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      score = value
      worsen(value >= 70 ? 'healthy' : value >= 40 ? 'degraded' : 'unhealthy')
    }
  }

  const alerts = context.alerts
  if (alerts !== undefined) {
    const firing = safely(context, () => alerts.alerts({ state: 'firing' })) ?? []
    const critical = firing.filter((alert) => alert.severity === 'critical').length
    checks.alerts = { firing: firing.length, critical, warning: firing.length - critical }
    if (critical > 0) worsen('unhealthy')
    else if (firing.length > 0) worsen('degraded')
  }

  const list = sources(context)
  if (list !== null) {
    const unhealthy = list.filter((source) => isUnhealthy(source)).length
    checks.sources = { total: list.length, unhealthy }
    if (unhealthy > 0) worsen('degraded')
  }
  return { status, score, timestamp: Date.now(), checks }
}

function isUnhealthy(source: unknown): boolean {
  if (typeof source !== 'object' || source === null) return false
  const s = source as { healthy?: unknown; health?: unknown; status?: unknown }
  // A source still `pending` its first run, or `shed` under pressure, is not a failure.
  if (typeof s.status === 'string') return s.status === 'unhealthy'
  return s.healthy === false || s.health === 'unhealthy'
}
