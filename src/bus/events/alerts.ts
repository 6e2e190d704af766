import type { Labels } from './monitor'

/**
 * How urgent an alert is. `critical` outranks `warning`.
 * @example
 * ```ts
 * const critical = engine.alerts({ state: 'firing', severity: 'critical' })
 * ```
 */
export type AlertSeverity = 'warning' | 'critical'

/**
 * Where an alert is in its lifecycle. `pending`: the condition holds but not yet for the
 * rule's `forMs`; `firing`: it held long enough; `no-data`: the metric stopped reporting;
 * `resolved`: over (by the condition clearing, by hand, or because its rule was removed).
 * @example
 * ```ts
 * const active = engine.alerts({ state: ['pending', 'firing', 'no-data'] })
 * ```
 */
export type AlertState = 'pending' | 'firing' | 'no-data' | 'resolved'

/**
 * A state an alert moved from or to; `inactive` means "no alert".
 * @example
 * ```ts
 * engine.bus.on('alert:transition', (t) => { if (t.from === 'inactive') console.log(`${t.alert.id} opened as ${t.to}`) })
 * ```
 */
export type AlertPhase = AlertState | 'inactive'

/**
 * The kind of rule that raised an alert.
 * @example
 * ```ts
 * const forecasts = engine.alerts({ state: 'firing' }).filter((a) => a.kind === 'predictive')
 * ```
 */
export type AlertRuleKind = 'threshold' | 'trend' | 'anomaly' | 'regression' | 'predictive' | 'error-rate' | 'ratio' | 'custom'

/**
 * Who acknowledged an alert, and why.
 * @example
 * ```ts
 * const alert = engine.acknowledge('cpu-usage#3', { by: 'alice', note: 'scaling out' })
 * console.log(alert.acknowledged?.by, alert.acknowledged?.at)
 * ```
 */
export interface AlertAcknowledgement {
  by?: string
  note?: string
  /** Engine clock time, ms. */
  at: number
}

/**
 * One alert: a rule and a set of labels (its fingerprint) in trouble, from the moment its
 * condition first held until it resolves. Snapshots handed out are copies.
 *
 * A type alias rather than an interface so that it is assignable to record types with an
 * index signature (e.g. the HTTP API's `AlertLike`), which interfaces never are.
 * @example
 * ```ts
 * for (const alert of engine.alerts({ state: 'firing' })) {
 *   console.log(alert.id, alert.severity, alert.value, alert.annotations.summary)
 * }
 * ```
 */
export type Alert = {
  /** Unique for the engine's life, e.g. `cpu-usage#3`. */
  id: string
  ruleId: string
  kind: AlertRuleKind
  /** Rule id + instance labels; the same trouble keeps the same fingerprint. */
  fingerprint: string
  /** `alertname` (the rule id), `severity`, `metric` when the rule reads one, the series labels and the rule's `alertLabels`. */
  labels: Labels
  /** Human text: `summary` always, `description` and anything the rule adds. */
  annotations: Readonly<Record<string, string>>
  state: AlertState
  severity: AlertSeverity
  /** The value the rule compared (a statistic, a slope, a score, a forecast peak…), when it has one. */
  value: number | undefined
  /** The level `value` was compared with for the current severity. */
  threshold: number | undefined
  /** When the condition started to hold (pending or firing), engine clock ms. */
  startsAt: number
  /** When it (last) started firing. */
  firingSince: number | undefined
  /** When it resolved; undefined while active. */
  resolvedAt: number | undefined
  /** Why it resolved. */
  resolvedBy: 'condition' | 'manual' | 'rule-removed' | 'closed' | undefined
  /** Last change of state, severity, value or acknowledgement. */
  updatedAt: number
  acknowledged: AlertAcknowledgement | undefined
  /** Ids of the silences muting it at the last check. */
  silencedBy: readonly string[]
  /** Fingerprints of the alerts inhibiting it at the last check. */
  inhibitedBy: readonly string[]
  /** True while its state changes too often to be notified (flap damping). */
  flapping: boolean
  /** 1, plus one per time it re-fired within the de-duplication window and was reopened. */
  occurrences: number
}

/**
 * What a transition did to an alert.
 * @example
 * ```ts
 * for (const t of engine.evaluate()) if (t.change === 'escalated') page(t.alert)
 * ```
 */
export type AlertChangeKind =
  | 'pending'
  | 'firing'
  | 'escalated'
  | 'deescalated'
  | 'no-data'
  | 'resolved'
  | 'cancelled'
  | 'reopened'
  | 'acknowledged'

/**
 * One state change, as returned by `AlertEngine.evaluate()` and emitted as `alert:transition`.
 * @example
 * ```ts
 * for (const t of engine.evaluate()) console.log(`${t.alert.id}: ${t.from} → ${t.to} (${t.change})`)
 * ```
 */
export interface AlertTransition {
  alert: Alert
  change: AlertChangeKind
  from: AlertPhase
  to: AlertPhase
  /** The severity before an escalation or de-escalation. */
  previousSeverity?: AlertSeverity
  /** Engine clock time, ms. */
  at: number
}

/**
 * Why an alert is part of a notification.
 * @example
 * ```ts
 * engine.bus.on('alert:firing', ({ alert }) => { if (alert.reason !== 'repeat') page(alert) })
 * ```
 */
export type AlertNotificationReason = 'firing' | 'escalated' | 'no-data' | 'resolved' | 'repeat' | 'acknowledged'

/**
 * An alert inside a notification, with the reason it is there.
 * @example
 * ```ts
 * engine.addNotifier((n) => { for (const alert of n.alerts) console.log(alert.reason, alert.labels.alertname, alert.state) })
 * ```
 */
export type NotifiedAlert = Alert & {
  reason: AlertNotificationReason
}

/**
 * One message to the notifiers: the alerts of a group that changed since the group was last
 * notified (plus, for a repeat, the ones still firing).
 * @example
 * ```ts
 * engine.addNotifier((n) => chat.post(`[${n.status}] ${n.groupKey}: ${n.alerts.length} alert(s)${n.repeat ? ' (repeat)' : ''}`))
 * ```
 */
export interface AlertNotification {
  /** Sequence number, unique for the engine. */
  id: number
  /** Stable key of the group (its `groupBy` label values). */
  groupKey: string
  groupLabels: Labels
  /** `firing` when any alert in it is still firing (or in no-data), else `resolved`. */
  status: 'firing' | 'resolved'
  /** True when nothing changed and the notification repeats still-firing alerts. */
  repeat: boolean
  alerts: readonly NotifiedAlert[]
  /** Engine clock time, ms. */
  at: number
}

/**
 * Payload of the per-alert notification events (`alert:firing`, `alert:resolved`, …).
 * @example
 * ```ts
 * engine.bus.on('alert:resolved', ({ alert, notification }) => console.log(`${alert.id} resolved (notification ${notification.id})`))
 * ```
 */
export interface AlertNotificationEvent {
  alert: NotifiedAlert
  notification: AlertNotification
}

/**
 * Why a notification, or an alert in it, was held back.
 * @example
 * ```ts
 * engine.bus.on('alert:suppressed', (e) => { if (e.reason === 'flapping') console.log(`${e.alert.id} is flapping`) })
 * ```
 */
export type AlertSuppressionReason = 'silenced' | 'inhibited' | 'flapping' | 'cooldown' | 'rate-limited'

/**
 * Payload of `alert:suppressed`: an alert held back from notifiers, and why.
 * @example
 * ```ts
 * engine.bus.on('alert:suppressed', (e) => console.log(`${e.alert.id} held back: ${e.reason}`))
 * ```
 */
export interface AlertSuppressedEvent {
  alert: Alert
  reason: AlertSuppressionReason
  /** Engine clock time, ms. */
  at: number
}

/**
 * Payload of `alert:notifier-failed`: a notifier that failed, timed out or dropped a notification.
 * @example
 * ```ts
 * engine.bus.on('alert:notifier-failed', (e) => log.warn({ err: e.error }, `${e.notifier} ${e.reason} after ${e.attempts} attempt(s)`))
 * ```
 */
export interface AlertNotifierFailedEvent {
  /** The notifier's `name`. */
  notifier: string
  notificationId: number
  /** Attempts made, 1 + retries. */
  attempts: number
  /** 'failed': it threw or rejected; 'timeout': it ran past the engine's `notifierTimeoutMs`; 'dropped': its queue was full. */
  reason: 'failed' | 'timeout' | 'dropped'
  error: unknown
}

/**
 * Payload of `alert:rule-error`: a rule that threw or read invalid data during an evaluation.
 * @example
 * ```ts
 * engine.bus.on('alert:rule-error', (e) => log.error({ err: e.error }, `rule ${e.ruleId} failed`))
 * ```
 */
export interface AlertRuleErrorEvent {
  ruleId: string
  error: unknown
  /** Engine clock time, ms. */
  at: number
}

/**
 * Events emitted by AlertEngine.
 * @example
 * ```ts
 * engine.bus.on('alert:firing', ({ alert }) => page(alert))
 * engine.bus.on('alert:notifier-failed', (e) => log.warn(e.notifier, e.error))
 * ```
 */
export interface AlertsEvents {
  /** Notification: an alert started firing (or fires again after a silence ended, or repeats). */
  'alert:firing': (event: AlertNotificationEvent) => void
  /** Notification: an alert resolved. Sent even when the alert was silenced or inhibited. */
  'alert:resolved': (event: AlertNotificationEvent) => void
  /** Notification: an alert went from warning to critical. */
  'alert:escalated': (event: AlertNotificationEvent) => void
  /** Notification: the metric behind an alert stopped reporting. */
  'alert:no-data': (event: AlertNotificationEvent) => void
  /** Notification: someone acknowledged an alert (sent at once, not grouped). */
  'alert:acknowledged': (event: AlertNotificationEvent) => void
  /** Every state change as it happens, before silences, grouping or rate limits. */
  'alert:transition': (event: AlertTransition) => void
  /** An alert was held back from notifiers (reported once per reason change). */
  'alert:suppressed': (event: AlertSuppressedEvent) => void
  /** A notifier failed, timed out, or dropped a notification; the others were not affected. */
  'alert:notifier-failed': (event: AlertNotifierFailedEvent) => void
  /** A rule threw or read invalid data; its alerts keep their state. */
  'alert:rule-error': (event: AlertRuleErrorEvent) => void
}
