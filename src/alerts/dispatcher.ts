// Notification scheduling with Alertmanager's semantics: alerts are grouped by labels; a new
// group waits `groupWaitMs` to collect its first alerts, later changes go out at most every
// `groupIntervalMs`, unchanged firing alerts are repeated every `repeatIntervalMs`. What goes
// out is the difference from what receivers were last told, so an alert that resolves and
// re-fires between two flushes sends nothing. Plus: per-rule cooldowns, a global rate limit,
// escalations sent at once, and resolved notifications even for muted alerts.
import type { Alert, AlertNotification, AlertNotificationReason, AlertSeverity, AlertState, AlertSuppressionReason, NotifiedAlert } from '../bus/events/alerts'
import type { Labels } from '../bus/events/monitor'
import { snapshot } from './lifecycle'

/**
 * The most notifications (group flushes) sent per interval, over all groups: the `rateLimit` option of {@link AlertEngine}.
 * @example
 * ```ts
 * const engine = new AlertEngine({ monitor, rateLimit: { limit: 10, intervalMs: 60_000 } })
 * ```
 */
export interface RateLimit {
  /** Most notifications per interval, over all groups. */
  limit: number
  intervalMs: number
}

export interface DispatcherOptions {
  groupBy: readonly string[]
  groupWaitMs: number
  groupIntervalMs: number
  repeatIntervalMs: number
  rateLimit: RateLimit | undefined
  cooldownOf: (ruleId: string) => number
  /** Updates `silencedBy`/`inhibitedBy` of an alert for `now`. */
  checkMutes: (alert: Alert, now: number) => void
  deliver: (notification: AlertNotification) => void
  suppressed: (alert: Alert, reason: AlertSuppressionReason, now: number) => void
}

/**
 * Counters of the dispatcher, part of `AlertEngine.stats()`.
 * @example
 * ```ts
 * const { notifications, rateLimited, suppressed } = engine.stats()
 * console.log(`${notifications} sent, ${rateLimited} postponed, ${suppressed.silenced} silenced`)
 * ```
 */
export interface DispatchStats {
  /** Notifications handed to the notifiers. */
  notifications: number
  /** Alerts held back, by reason (counted once per alert and reason). */
  suppressed: Record<AlertSuppressionReason, number>
  /** Notifications (group flushes) the rate limit postponed. */
  rateLimited: number
  /** Groups with alerts that receivers know about or will be told about. */
  groups: number
}

interface Group {
  key: string
  labels: Labels
  members: Map<string, Alert>
  /** What receivers were last told is firing, per fingerprint. */
  notified: Map<string, { state: AlertState; severity: AlertSeverity }>
  /** Fingerprints that were muted while active: their resolution is sent regardless. */
  muted: Set<string>
  createdAt: number
  lastFlushAt: number | undefined
  lastSentAt: number | undefined
  dueAt: number
}

const rank = (s: AlertSeverity): number => (s === 'critical' ? 2 : 1)

export class NotificationDispatcher {
  readonly #o: DispatcherOptions
  readonly #groups = new Map<string, Group>()
  readonly #groupOf = new Map<string, string>()
  readonly #ruleNotifiedAt = new Map<string, number>()
  readonly #lastSuppression = new Map<string, AlertSuppressionReason>()
  readonly #sent: number[] = []
  #seq = 0
  readonly #stats: DispatchStats = {
    notifications: 0,
    suppressed: { silenced: 0, inhibited: 0, flapping: 0, cooldown: 0, 'rate-limited': 0 },
    rateLimited: 0,
    groups: 0,
  }

  constructor(options: DispatcherOptions) {
    this.#o = options
  }

  stats(): DispatchStats {
    return { ...this.#stats, suppressed: { ...this.#stats.suppressed }, groups: this.#groups.size }
  }

  /** An alert changed (fired, escalated, resolved, reopened, stopped flapping). `urgent` flushes its group now. */
  track(alert: Alert, now: number, urgent = false): void {
    if (alert.state === 'pending' && !this.#groupOf.has(alert.fingerprint)) return
    let key = this.#groupOf.get(alert.fingerprint)
    if (key === undefined) {
      const labels: Record<string, string> = {}
      if (this.#o.groupBy.includes('...')) Object.assign(labels, alert.labels)
      else for (const name of this.#o.groupBy) labels[name] = alert.labels[name] ?? ''
      delete labels.severity // an escalation must not move an alert to another group
      key = this.#o.groupBy.includes('...') ? alert.fingerprint : JSON.stringify(Object.values(labels))
      this.#groupOf.set(alert.fingerprint, key)
      if (!this.#groups.has(key)) {
        this.#groups.set(key, { key, labels, members: new Map(), notified: new Map(), muted: new Set(), createdAt: now, lastFlushAt: undefined, lastSentAt: undefined, dueAt: Infinity })
      }
    }
    const group = this.#groups.get(key) as Group
    group.members.set(alert.fingerprint, alert)
    this.#schedule(group, now, urgent)
  }

  /** Re-schedules groups holding firing alerts that receivers have not heard of (e.g. after a silence ended). */
  refresh(now: number): void {
    for (const group of this.#groups.values()) {
      for (const [fp, alert] of group.members) {
        if ((alert.state === 'firing' || alert.state === 'no-data') && !group.notified.has(fp)) {
          this.#schedule(group, now, false)
          break
        }
      }
    }
  }

  /** Sends an acknowledgement at once, outside grouping and the rate limit. */
  acknowledged(alert: Alert, now: number): void {
    const key = this.#groupOf.get(alert.fingerprint) ?? alert.fingerprint
    const labels = this.#groups.get(key)?.labels ?? { alertname: alert.labels.alertname ?? alert.ruleId }
    this.#send({ key, labels } as Group, [{ ...snapshot(alert), reason: 'acknowledged' }], false, now)
  }

  /** Flushes every group whose time has come. Returns the next due time (Infinity when none). */
  tick(now: number): number {
    let next = Infinity
    for (const group of [...this.#groups.values()]) {
      if (group.dueAt <= now) this.#flush(group, now)
      if (this.#groups.has(group.key)) next = Math.min(next, group.dueAt)
    }
    return next
  }

  /** Flushes every group now, whatever its timers say (used by `close()`). */
  flushAll(now: number): void {
    for (const group of [...this.#groups.values()]) this.#flush(group, now)
  }

  #schedule(group: Group, now: number, urgent: boolean): void {
    let due: number
    if (urgent) due = now
    else if (group.lastFlushAt === undefined) due = group.createdAt + this.#o.groupWaitMs
    else due = Math.max(now, group.lastFlushAt + this.#o.groupIntervalMs)
    group.dueAt = Math.min(group.dueAt, due)
  }

  #flush(group: Group, now: number): void {
    group.lastFlushAt = now
    group.dueAt = Infinity
    let retryAt = Infinity
    const changed: NotifiedAlert[] = []
    const unchanged: Alert[] = []
    for (const [fp, alert] of group.members) {
      if (alert.state === 'pending') continue // reopened before its resolution went out: hold, say nothing
      if (alert.state === 'resolved') {
        if (alert.flapping) this.#suppress(alert, 'flapping', now)
        else if (group.notified.has(fp) || group.muted.has(fp)) changed.push({ ...snapshot(alert), reason: 'resolved' })
        else this.#drop(group, fp) // fired and resolved before anyone was told
        continue
      }
      this.#o.checkMutes(alert, now)
      if (alert.silencedBy.length > 0 || alert.inhibitedBy.length > 0) {
        group.muted.add(fp)
        this.#suppress(alert, alert.silencedBy.length > 0 ? 'silenced' : 'inhibited', now)
        continue
      }
      if (alert.flapping) {
        this.#suppress(alert, 'flapping', now)
        continue
      }
      const told = group.notified.get(fp)
      let reason: AlertNotificationReason | undefined
      if (told === undefined || told.state !== alert.state) reason = alert.state === 'no-data' ? 'no-data' : 'firing'
      else if (rank(alert.severity) > rank(told.severity)) reason = 'escalated'
      if (reason === undefined) {
        if (alert.acknowledged === undefined) unchanged.push(alert)
        continue
      }
      if (reason !== 'escalated') {
        const cooldownEnds = (this.#ruleNotifiedAt.get(alert.ruleId) ?? -Infinity) + this.#o.cooldownOf(alert.ruleId)
        if (cooldownEnds > now) {
          this.#suppress(alert, 'cooldown', now)
          retryAt = Math.min(retryAt, cooldownEnds)
          continue
        }
      }
      changed.push({ ...snapshot(alert), reason })
    }

    let out = changed
    let repeat = false
    if (out.length === 0 && unchanged.length > 0 && group.lastSentAt !== undefined && now - group.lastSentAt >= this.#o.repeatIntervalMs) {
      out = unchanged.map((a) => ({ ...snapshot(a), reason: 'repeat' }))
      repeat = true
    }
    if (out.length > 0) {
      // Resolutions always go out, so no alert stays open at a receiver; they still use up the budget.
      const resolves = out.some((a) => a.reason === 'resolved')
      if (!this.#takeToken(now, resolves)) {
        this.#stats.rateLimited++
        for (const a of out) this.#suppress(group.members.get(a.fingerprint) ?? a, 'rate-limited', now)
        retryAt = Math.min(retryAt, (this.#sent[0] ?? now) + (this.#o.rateLimit as RateLimit).intervalMs)
      } else {
        for (const a of out) this.#commit(group, a, now)
        group.lastSentAt = now
        this.#send(group, out, repeat, now)
      }
    }
    if (group.members.size === 0) {
      this.#groups.delete(group.key)
      return
    }
    let hasRepeatable = false
    for (const [fp, a] of group.members) {
      if ((a.state === 'firing' || a.state === 'no-data') && group.notified.has(fp) && a.acknowledged === undefined) hasRepeatable = true
    }
    if (hasRepeatable) retryAt = Math.min(retryAt, (group.lastSentAt ?? now) + this.#o.repeatIntervalMs)
    group.dueAt = Math.min(group.dueAt, retryAt)
  }

  #commit(group: Group, alert: NotifiedAlert, now: number): void {
    const fp = alert.fingerprint
    this.#lastSuppression.delete(fp)
    if (alert.reason === 'resolved') {
      group.notified.delete(fp)
      this.#drop(group, fp)
      return
    }
    group.notified.set(fp, { state: alert.state, severity: alert.severity })
    if (alert.reason === 'firing' || alert.reason === 'no-data') this.#ruleNotifiedAt.set(alert.ruleId, now)
  }

  #drop(group: Group, fp: string): void {
    group.members.delete(fp)
    group.muted.delete(fp)
    group.notified.delete(fp)
    this.#groupOf.delete(fp)
    this.#lastSuppression.delete(fp)
  }

  #send(group: Pick<Group, 'key' | 'labels'>, alerts: NotifiedAlert[], repeat: boolean, now: number): void {
    const firing = alerts.some((a) => a.state === 'firing' || a.state === 'no-data')
    const notification: AlertNotification = {
      id: ++this.#seq,
      groupKey: group.key,
      groupLabels: { ...group.labels },
      status: firing ? 'firing' : 'resolved',
      repeat,
      alerts,
      at: now,
    }
    this.#stats.notifications++
    this.#o.deliver(notification)
  }

  #takeToken(now: number, force: boolean): boolean {
    const limit = this.#o.rateLimit
    if (limit === undefined) return true
    let drop = 0
    while (drop < this.#sent.length && (this.#sent[drop] as number) <= now - limit.intervalMs) drop++
    if (drop > 0) this.#sent.splice(0, drop)
    if (this.#sent.length >= limit.limit && !force) return false
    this.#sent.push(now)
    if (this.#sent.length > limit.limit) this.#sent.shift()
    return true
  }

  #suppress(alert: Alert, reason: AlertSuppressionReason, now: number): void {
    if (this.#lastSuppression.get(alert.fingerprint) === reason) return
    this.#lastSuppression.set(alert.fingerprint, reason)
    this.#stats.suppressed[reason]++
    this.#o.suppressed(alert, reason, now)
  }
}
