// Text and payload renderings of a notification, shared by the logger, webhook and email notifiers.
import type { AlertNotification, NotifiedAlert } from '../../bus/events/alerts'

const upper: Record<NotifiedAlert['reason'], string> = {
  firing: 'FIRING',
  escalated: 'ESCALATED',
  'no-data': 'NO DATA',
  resolved: 'RESOLVED',
  repeat: 'STILL FIRING',
  acknowledged: 'ACKNOWLEDGED',
}

/** `[FIRING] critical cpu-usage: process_cpu_usage_percent is 93.1 (critical: > 90)` */
export function formatAlertLine(alert: NotifiedAlert): string {
  let line = `[${upper[alert.reason]}] ${alert.severity} ${alert.ruleId}: ${alert.annotations.summary ?? alert.id}`
  if (alert.reason === 'acknowledged' && alert.acknowledged !== undefined) {
    line += ` (by ${alert.acknowledged.by ?? 'unknown'}${alert.acknowledged.note === undefined ? '' : `: ${alert.acknowledged.note}`})`
  }
  return line
}

/** `[FIRING:2] cpu-usage` — the Alertmanager-style title of a notification. */
export function formatTitle(notification: AlertNotification): string {
  const firing = notification.alerts.filter((a) => a.state === 'firing' || a.state === 'no-data').length
  const head = notification.status === 'firing' ? `FIRING:${firing}` : 'RESOLVED'
  const labels = Object.values(notification.groupLabels).filter((v) => v !== '').join(' ')
  return `[${head}] ${labels || 'alerts'}${notification.repeat ? ' (repeat)' : ''}`
}

/** A plain-text body: the title, then one line per alert with its labels. */
export function formatText(notification: AlertNotification): string {
  const lines = [formatTitle(notification), '']
  for (const alert of notification.alerts) {
    lines.push(formatAlertLine(alert))
    const labels = Object.entries(alert.labels).map(([k, v]) => `${k}=${v}`).join(', ')
    lines.push(`  id: ${alert.id}  labels: ${labels}`)
    if (alert.annotations.description !== undefined) lines.push(`  ${alert.annotations.description}`)
  }
  return lines.join('\n')
}

function iso(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '0001-01-01T00:00:00Z'
  return new Date(ms).toISOString()
}

/** The Alertmanager webhook (version 4) body, so existing receivers can take perfkit alerts. Times are the engine clock read as epoch ms. */
export function alertmanagerPayload(notification: AlertNotification, receiver: string): Record<string, unknown> {
  const common = (pick: (a: NotifiedAlert) => Readonly<Record<string, string>>): Record<string, string> => {
    const [first, ...rest] = notification.alerts
    if (first === undefined) return {}
    return Object.fromEntries(Object.entries(pick(first)).filter(([k, v]) => rest.every((a) => pick(a)[k] === v)))
  }
  return {
    version: '4',
    receiver,
    status: notification.status,
    groupKey: notification.groupKey,
    groupLabels: notification.groupLabels,
    commonLabels: common((a) => a.labels),
    commonAnnotations: common((a) => a.annotations),
    truncatedAlerts: 0,
    notificationId: notification.id,
    repeat: notification.repeat,
    alerts: notification.alerts.map((a) => ({
      status: a.state === 'resolved' ? 'resolved' : 'firing',
      reason: a.reason,
      id: a.id,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: iso(a.startsAt),
      endsAt: iso(a.resolvedAt),
      fingerprint: a.fingerprint,
      value: a.value ?? null,
      threshold: a.threshold ?? null,
      acknowledged: a.acknowledged ?? null,
    })),
  }
}

const colors = { critical: '#d0021b', warning: '#f5a623', resolved: '#2eb886', acknowledged: '#4a90e2' }

/** A Slack incoming-webhook body: a `text` fallback plus one coloured attachment per alert. */
export function slackPayload(notification: AlertNotification): Record<string, unknown> {
  return {
    text: formatTitle(notification),
    attachments: notification.alerts.map((a) => ({
      color: a.reason === 'resolved' ? colors.resolved : a.reason === 'acknowledged' ? colors.acknowledged : colors[a.severity],
      title: formatAlertLine(a),
      text: Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', '),
      fields: [
        ...(a.value === undefined ? [] : [{ title: 'Value', value: String(a.value), short: true }]),
        ...(a.threshold === undefined ? [] : [{ title: 'Threshold', value: String(a.threshold), short: true }]),
      ],
      footer: `perfkit alert ${a.id}`,
      ts: Math.floor(notification.at / 1000),
    })),
  }
}
