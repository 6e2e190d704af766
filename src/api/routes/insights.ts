// Insight routes: insights (bottlenecks and correlations), recommendations, bottlenecks.
import type { InsightsPort } from '../ports'
import type { ApiContext, RouteDefinition } from '../context'
import { safely } from '../context'
import { badRequest, notConfigured, queryString } from '../validation'

function engine(context: ApiContext): InsightsPort {
  if (context.insights === undefined) throw notConfigured('insights (an InsightEngine)')
  return context.insights
}

/** The `severity` filter: one severity name or a comma-separated list. */
function severities(value: string | undefined): string[] | undefined {
  if (value === undefined || value === '') return undefined
  const list = value.split(',').map((s) => s.trim()).filter((s) => s !== '')
  for (const s of list) if (!/^[a-z-]{1,16}$/.test(s)) throw badRequest('`severity` must be a severity name such as critical, high, medium or low')
  return list
}

function bySeverity(items: unknown, wanted: string[] | undefined): unknown[] {
  const list = Array.isArray(items) ? (items as unknown[]) : []
  if (wanted === undefined) return list
  return list.filter((item) => typeof item === 'object' && item !== null && wanted.includes(String((item as { severity?: unknown }).severity)))
}

export const insightRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/insights',
    handler(request, context) {
      const insights = engine(context)
      const wanted = severities(queryString(request, 'severity'))
      const correlations = typeof insights.correlations === 'function' ? (safely(context, () => insights.correlations?.()) ?? []) : []
      // The insight history when the engine keeps one (bottlenecks, leaks, regressions), else the bottlenecks found now.
      const list = typeof insights.insights === 'function' ? insights.insights() : insights.bottlenecks()
      return { insights: bySeverity(list, wanted), correlations, timestamp: Date.now() }
    },
  },
  {
    method: 'GET',
    path: '/recommendations',
    handler(_request, context) {
      return { recommendations: engine(context).recommendations(), timestamp: Date.now() }
    },
  },
  {
    method: 'GET',
    path: '/bottlenecks',
    handler(request, context) {
      const wanted = severities(queryString(request, 'severity'))
      return { bottlenecks: bySeverity(engine(context).bottlenecks(), wanted), timestamp: Date.now() }
    },
  },
]
