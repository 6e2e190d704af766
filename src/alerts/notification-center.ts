// The notification side of the engine: silences and inhibition decide who is muted, the
// dispatcher decides what goes out when, the hub delivers; one unref'd timer wakes the
// dispatcher for the next group flush or silence change.
import { type PerfBus, reportError } from '../bus/bus'
import type { PerfkitEventName } from '../bus/events'
import type { Alert, AlertNotification, AlertNotificationReason } from '../bus/events/alerts'
import { PerfkitConfigError } from '../errors'
import type { Clock } from '../internal/clock'
import { unrefTimeout } from '../internal/timers'
import { nonNegativeFinite, positiveFinite, positiveInt } from '../internal/validate'
import { NotifierHub, type NotifierStats } from './delivery'
import { type DispatchStats, NotificationDispatcher } from './dispatcher'
import { checkGroupBy, checkRateLimit, type AlertEngineOptions } from './engine-options'
import { snapshot } from './lifecycle'
import { compileInhibitRules, Inhibitor, SilenceStore } from './silences'
import type { AlertNotifier, InhibitRule } from './types'

const eventOf: Record<AlertNotificationReason, PerfkitEventName & `alert:${string}`> = {
  firing: 'alert:firing',
  repeat: 'alert:firing',
  escalated: 'alert:escalated',
  'no-data': 'alert:no-data',
  resolved: 'alert:resolved',
  acknowledged: 'alert:acknowledged',
}

export type NotificationSettings = Required<
  Pick<AlertEngineOptions, 'groupBy' | 'groupWaitMs' | 'groupIntervalMs' | 'repeatIntervalMs' | 'rateLimit' | 'maxSilences' | 'notifierTimeoutMs' | 'maxPendingNotifications'>
> & { inhibitRules: readonly InhibitRule[] }

export interface NotificationHost {
  bus: PerfBus
  clock: Clock
  activeAlerts: () => Iterable<Alert>
  cooldownOf: (ruleId: string) => number
}

export class NotificationCenter {
  readonly silences: SilenceStore
  readonly #host: NotificationHost
  readonly #inhibitor: Inhibitor
  readonly #dispatcher: NotificationDispatcher
  readonly #hub: NotifierHub
  #timer: NodeJS.Timeout | undefined
  #timerAt = Infinity
  #closed = false

  constructor(settings: NotificationSettings, host: NotificationHost) {
    this.#host = host
    const bus = host.bus
    this.silences = new SilenceStore(positiveInt('maxSilences', settings.maxSilences))
    this.#inhibitor = new Inhibitor(compileInhibitRules(settings.inhibitRules))
    this.#dispatcher = new NotificationDispatcher({
      groupBy: checkGroupBy(settings.groupBy),
      groupWaitMs: nonNegativeFinite('groupWaitMs', settings.groupWaitMs),
      groupIntervalMs: nonNegativeFinite('groupIntervalMs', settings.groupIntervalMs),
      repeatIntervalMs: nonNegativeFinite('repeatIntervalMs', settings.repeatIntervalMs),
      rateLimit: checkRateLimit(settings.rateLimit),
      cooldownOf: host.cooldownOf,
      checkMutes: (alert, at) => this.checkMutes(alert, at),
      deliver: (n) => this.#deliver(n),
      suppressed: (alert, reason, at) => {
        if (bus.hasListeners('alert:suppressed')) bus.emit('alert:suppressed', { alert: snapshot(alert), reason, at })
      },
    })
    this.#hub = new NotifierHub({
      timeoutMs: positiveFinite('notifierTimeoutMs', settings.notifierTimeoutMs),
      maxPending: positiveInt('maxPendingNotifications', settings.maxPendingNotifications),
      clock: host.clock,
      onFailure: (event, error) => {
        if (bus.hasListeners('alert:notifier-failed')) bus.emit('alert:notifier-failed', event)
        else reportError(bus, error)
      },
    })
  }

  /** An alert changed; `urgent` (an escalation) flushes its group now. */
  track(alert: Alert, now: number, urgent = false): void {
    this.#dispatcher.track(alert, now, urgent)
  }

  acknowledged(alert: Alert, now: number): void {
    this.#dispatcher.acknowledged(alert, now)
  }

  /** Sets `silencedBy` and `inhibitedBy` of an alert. Call {@link NotificationCenter.prepare} first. */
  checkMutes(alert: Alert, now: number): void {
    alert.silencedBy = this.silences.matching(alert.labels, now)
    alert.inhibitedBy = this.#inhibitor.inhibitors(alert)
  }

  /** Indexes the firing alerts that may inhibit others. */
  prepare(): void {
    this.#inhibitor.prepare(this.#host.activeAlerts)
  }

  /** Runs due group flushes and arms one timer for the next due flush or silence change. */
  wake(now: number): void {
    if (this.#closed) return
    this.silences.prune(now)
    this.#dispatcher.refresh(now)
    this.prepare()
    const next = Math.min(this.#dispatcher.tick(now), this.silences.nextChange(now))
    if (next === this.#timerAt && this.#timer !== undefined) return
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = next
    if (next === Infinity) return
    this.#timer = unrefTimeout(
      () => {
        this.#timer = undefined
        this.#timerAt = Infinity
        try {
          this.wake(this.#host.clock.now())
        } catch (error) {
          reportError(this.#host.bus, error as Error)
        }
      },
      Math.min(2_147_483_647, Math.max(0, next - now)),
    )
  }

  addNotifier(notifier: AlertNotifier, option: string): void {
    if (this.#hub.has(notifier.name)) throw new PerfkitConfigError(option, 'a name no other notifier of this engine has', notifier.name)
    this.#hub.add(notifier)
  }

  removeNotifier(name: string): Promise<boolean> {
    return this.#hub.remove(name)
  }

  stats(): DispatchStats & { notifiers: NotifierStats[] } {
    return { ...this.#dispatcher.stats(), notifiers: this.#hub.stats() }
  }

  drain(): Promise<void> {
    return this.#hub.drain()
  }

  /** Stops the timer, flushes every group now, then drains and closes the notifiers. */
  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    const now = this.#host.clock.now()
    this.silences.prune(now)
    this.prepare()
    this.#dispatcher.flushAll(now)
    await this.#hub.close((error) => reportError(this.#host.bus, error))
  }

  #deliver(notification: AlertNotification): void {
    const bus = this.#host.bus
    for (const alert of notification.alerts) {
      const event = eventOf[alert.reason]
      if (bus.hasListeners(event)) bus.emit(event, { alert, notification })
    }
    this.#hub.deliver(notification)
  }
}
