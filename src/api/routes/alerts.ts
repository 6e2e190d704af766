// Alert routes: list, acknowledge, resolve, and run-time threshold changes.
import type { AlertLike, AlertsPort } from '../ports'
import type { ApiContext, RouteDefinition } from '../context'
import { badRequest, bodyObject, notConfigured, notFound, onlyFields, optionalString, queryList, queryNumber } from '../validation'

const STATES = ['pending', 'firing', 'no-data', 'resolved', 'active'] as const
const SEVERITIES = ['warning', 'critical'] as const
const ACTIVE = ['pending', 'firing', 'no-data']
const DEFAULT_LIMIT = 500

function engine(context: ApiContext): AlertsPort {
  if (context.alerts === undefined) throw notConfigured('alerting (an AlertEngine)')
  return context.alerts
}

/** The alert with `id` (active or in the engine's history), or 404. */
function find(alerts: AlertsPort, id: string): AlertLike {
  const found = typeof alerts.get === 'function' ? alerts.get(id) : alerts.alerts().find((alert) => alert.id === id)
  if (found === undefined || found === null) throw notFound(`no alert with id \`${id.slice(0, 120)}\``)
  return found
}

/** What an acknowledge or resolve returned, when it is the alert; else the alert as read back. */
function updated(alerts: AlertsPort, id: string, result: unknown): AlertLike {
  if (typeof result === 'object' && result !== null && (result as { id?: unknown }).id === id) return result as AlertLike
  return find(alerts, id)
}

export const alertRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/alerts',
    handler(request, context) {
      const alerts = engine(context)
      const states = queryList(request, 'state', STATES)
      const severity = queryList(request, 'severity', SEVERITIES)
      const since = queryNumber(request, 'since')
      const limit = queryNumber(request, 'limit') ?? DEFAULT_LIMIT
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw badRequest('`limit` must be an integer from 1 to 10000')
      const wanted = states === undefined ? undefined : [...new Set(states.flatMap((s) => (s === 'active' ? ACTIVE : [s])))]
      const filter: { state?: readonly string[]; since?: number } = {}
      if (wanted !== undefined) filter.state = wanted
      if (since !== undefined) filter.since = since
      let list = alerts.alerts(filter)
      // Severity may be given as a list; the engine filters by one, so filter here.
      if (severity !== undefined) list = list.filter((alert) => severity.includes(alert.severity as 'warning' | 'critical'))
      return { alerts: list.slice(0, limit), count: list.length, timestamp: Date.now() }
    },
  },
  {
    method: 'POST',
    path: '/alerts/:id/acknowledge',
    mutating: true,
    handler(request, context) {
      const alerts = engine(context)
      const id = request.params.id as string
      const body = bodyObject(request.body)
      onlyFields(body, ['by', 'note'])
      const by = optionalString(body, 'by', 200)
      const note = optionalString(body, 'note', 2000)
      const info: { by?: string; note?: string } = {}
      if (by !== undefined) info.by = by
      if (note !== undefined) info.note = note
      // The engine throws a PERFKIT_NOT_FOUND error (→ 404) for an id that is not active.
      const result = alerts.acknowledge(id, info)
      if (result === false) throw notFound(`no active alert with id \`${id.slice(0, 120)}\``)
      return { alert: updated(alerts, id, result) }
    },
  },
  {
    method: 'POST',
    path: '/alerts/:id/resolve',
    mutating: true,
    handler(request, context) {
      const alerts = engine(context)
      const id = request.params.id as string
      onlyFields(bodyObject(request.body), [])
      const result = alerts.resolve(id)
      if (result === false) throw notFound(`no active alert with id \`${id.slice(0, 120)}\``)
      return { alert: updated(alerts, id, result) }
    },
  },
  {
    method: 'PUT',
    path: '/thresholds',
    mutating: true,
    handler(request, context) {
      const alerts = engine(context)
      if (typeof alerts.updateThresholds !== 'function') throw notConfigured('threshold updates (`updateThresholds`)')
      const body = bodyObject(request.body)
      if (Object.keys(body).length === 0) throw badRequest('the body must name at least one threshold to change')
      const result = alerts.updateThresholds(body as never)
      return { updated: result ?? true, timestamp: Date.now() }
    },
  },
]
