import { PerfBus, reportError } from '../bus/bus'
import type { Alert, AlertTransition } from '../bus/events/alerts'
import type { Labels } from '../bus/events/monitor'
import type { RegressionDetectedEvent, RegressionRecoveredEvent } from '../bus/events/regression'
import { ClosedError, PerfkitConfigError, PerfkitInputError } from '../errors'
import { type Clock, toClock } from '../internal/clock'
import { unrefInterval } from '../internal/timers'
import { nonNegativeFinite, optionalSignal, positiveInt } from '../internal/validate'
import { AlertStore } from './alert-store'
import type { NotifierStats } from './delivery'
import type { DispatchStats } from './dispatcher'
import * as opt from './engine-options'
import type { EvaluationContext } from './evaluate'
import { snapshot } from './lifecycle'
import { forecastWithDetector } from './math'
import { NotificationCenter } from './notification-center'
import { normalizeFlapping } from './rules'
import type { MetricSource } from './source'
import type { AlertFilter, AlertNotifier, AlertRule, LabelMatchers, Silence, SilenceOptions, ThresholdUpdate } from './types'

/**
 * What {@link AlertEngine.stats} reports.
 * @example
 * ```ts
 * const stats = engine.stats()
 * console.log(`${stats.active.firing} firing, ${stats.ruleErrors} rule errors, last pass ${stats.lastEvaluationDurationMs} ms`)
 * ```
 */
export interface AlertEngineStats extends DispatchStats {
  rules: number
  evaluations: number
  ruleErrors: number
  /** Engine clock time of the last evaluation. */
  lastEvaluationAt: number | undefined
  /** How long the last evaluation took, ms (wall time). */
  lastEvaluationDurationMs: number | undefined
  active: { pending: number; firing: number; noData: number }
  silences: number
  notifiers: NotifierStats[]
}

/**
 * Turns metrics into alerts with Alertmanager's semantics and more: threshold, trend, anomaly,
 * regression, predictive, error-rate, ratio and custom rules with warning and critical levels;
 * pending → firing → resolved with `forMs`, `keepFiringForMs`, hysteresis, flap damping,
 * no-data and escalation; acknowledgements, silences, inhibition, de-duplication, grouping,
 * cooldowns and a rate limit; notifications on the bus and to any notifiers.
 *
 * @example
 * ```ts
 * const engine = new AlertEngine({ monitor, rules: genericProfile(), notifiers: [loggerNotifier()] })
 * engine.addRule({ id: 'slow-predictions', metric: 'prediction_latency_seconds', stat: 'p95', op: '>', warning: 0.1, critical: 0.25, forMs: 120_000 })
 * engine.bus.on('alert:firing', ({ alert }) => console.log(alert.annotations.summary))
 * const changes = engine.evaluate() // or wait for the 60 s timer
 * ```
 */
export class AlertEngine {
  /** The bus alert events are emitted on (and regression events are read from). */
  readonly bus: PerfBus
  readonly #source: MetricSource
  readonly #clock: Clock
  readonly #forecast: NonNullable<opt.AlertEngineOptions['forecast']>
  readonly #store: AlertStore
  readonly #notify: NotificationCenter
  readonly #evalTimer: NodeJS.Timeout | undefined
  #closing: Promise<void> | undefined
  #stats = { evaluations: 0, ruleErrors: 0, lastEvaluationAt: undefined as number | undefined, lastEvaluationDurationMs: undefined as number | undefined }
  readonly #detach: () => void

  constructor(options: opt.AlertEngineOptions) {
    const {
      monitor,
      now,
      rules = [],
      notifiers = [],
      intervalMs = 60_000,
      groupBy = ['alertname'],
      groupWaitMs = 30_000,
      groupIntervalMs = 300_000,
      repeatIntervalMs = 14_400_000,
      dedupWindowMs = 300_000,
      rateLimit = { limit: 60, intervalMs: 60_000 },
      inhibitRules = opt.defaultInhibitRules,
      flapping = {},
      maxHistory = 1000,
      maxAlerts = 10_000,
      maxSilences = 1000,
      notifierTimeoutMs = 30_000,
      maxPendingNotifications = 100,
      forecast = forecastWithDetector(),
      signal,
    } = options ?? ({} as opt.AlertEngineOptions)
    this.#source = opt.checkSource(monitor)
    const bus = options.bus ?? this.#source.bus ?? new PerfBus()
    if (!(bus instanceof PerfBus)) throw new PerfkitConfigError('bus', 'a PerfBus', bus)
    this.bus = bus
    if (now !== undefined && typeof now !== 'function' && typeof (now as Clock)?.now !== 'function') throw new PerfkitConfigError('now', 'a function or a { now() } clock', now)
    this.#clock = toClock(now ?? Date.now)
    const interval = opt.checkInterval(intervalMs)
    this.#store = new AlertStore({
      dedupWindowMs: nonNegativeFinite('dedupWindowMs', dedupWindowMs),
      maxHistory: positiveInt('maxHistory', maxHistory),
      maxAlerts: positiveInt('maxAlerts', maxAlerts),
      flapping: flapping === false ? undefined : normalizeFlapping('flapping', flapping),
      ruleError: (ruleId, error, at) => this.#ruleError(ruleId, error, at),
      flapChanged: (record, at) => this.#notify.track(record, at),
    })
    if (typeof forecast !== 'function') throw new PerfkitConfigError('forecast', 'a function', forecast)
    this.#forecast = forecast
    const abortSignal = optionalSignal('signal', signal)
    const settings = { groupBy, groupWaitMs, groupIntervalMs, repeatIntervalMs, rateLimit, maxSilences, notifierTimeoutMs, maxPendingNotifications, inhibitRules }
    this.#notify = new NotificationCenter(settings, {
      bus,
      clock: this.#clock,
      activeAlerts: () => this.#store.activeRecords(),
      cooldownOf: (ruleId) => this.#store.cooldownOf(ruleId),
    })
    if (!Array.isArray(notifiers)) throw new PerfkitConfigError('notifiers', 'an array of notifiers or functions', notifiers)
    notifiers.forEach((n, i) => this.#notify.addNotifier(opt.toNotifier(n, i), `notifiers[${i}].name`))
    if (!Array.isArray(rules)) throw new PerfkitConfigError('rules', 'an array of rules', rules)
    this.addRules(rules)

    const onDetected = (e: RegressionDetectedEvent) => this.#onRegression(e, true)
    const onRecovered = (e: RegressionRecoveredEvent) => this.#onRegression(e, false)
    bus.on('regression:detected', onDetected)
    bus.on('regression:recovered', onRecovered)
    const onAbort = () => void this.close()
    abortSignal?.addEventListener('abort', onAbort, { once: true })
    this.#detach = () => {
      bus.off('regression:detected', onDetected)
      bus.off('regression:recovered', onRecovered)
      abortSignal?.removeEventListener('abort', onAbort)
    }
    this.#evalTimer = interval > 0 ? unrefInterval(() => this.#evaluateInBackground(), interval) : undefined
    if (abortSignal?.aborted) void this.close()
  }

  /** Adds a rule. @throws PerfkitConfigError for an invalid rule or a duplicate id. */
  addRule(rule: AlertRule): this {
    return this.addRules([rule])
  }

  /** Adds several rules; none is added when one is invalid. */
  addRules(rules: Iterable<AlertRule>): this {
    this.#assertOpen()
    this.#store.addRules(rules)
    return this
  }

  /** Removes a rule; its active alerts resolve (and are notified as resolved). Returns false for an unknown id. */
  removeRule(id: string): boolean {
    this.#assertOpen()
    const now = this.#clock.now()
    const changes = this.#store.removeRule(id, now)
    if (changes === undefined) return false
    this.#afterChanges(changes, now)
    return true
  }

  /** The rules, as given (defaults not filled in). */
  rules(): AlertRule[] {
    return this.#store.rules()
  }

  /**
   * Changes levels (and `forMs`, `keepFiringForMs`, `cooldownMs`) of rules at run time, by rule
   * id. All changes are validated before any is applied; `null` removes a level.
   * @throws PerfkitConfigError naming `thresholds.<id>.<option>`.
   * @example
   * ```ts
   * engine.updateThresholds({ 'prediction-latency': { warning: 0.08 }, 'cpu-usage': { critical: null } })
   * ```
   */
  updateThresholds(partial: Readonly<Record<string, ThresholdUpdate>>): void {
    this.#assertOpen()
    this.#store.updateThresholds(partial)
  }

  /**
   * Evaluates every rule now, updates alerts, sends what is due, and returns the transitions
   * (also emitted as `alert:transition`). Never throws for a failing rule: that rule is
   * reported as `alert:rule-error` and its alerts keep their state.
   */
  evaluate(): AlertTransition[] {
    this.#assertOpen()
    const started = performance.now()
    const now = this.#clock.now()
    const changes = this.#store.evaluate(this.#context(now))
    this.#stats.evaluations++
    this.#stats.lastEvaluationAt = now
    this.#afterChanges(changes, now)
    this.#stats.lastEvaluationDurationMs = performance.now() - started
    return changes
  }

  /** Alerts from the bounded history (active ones included), oldest first. */
  alerts(filter: AlertFilter = {}): Alert[] {
    const now = this.#clock.now()
    this.#notify.prepare()
    return this.#store.list(filter, (record) => this.#notify.checkMutes(record, now))
  }

  /** One alert by id, from the history, or undefined. */
  get(id: string): Alert | undefined {
    const record = this.#store.record(id)
    return record === undefined ? undefined : snapshot(record)
  }

  /**
   * Marks an active alert as acknowledged: it is no longer repeated (until it escalates or
   * fires again), and an `acknowledged` notification goes out at once (not for a pending alert).
   * @throws NotFoundError when no active alert has this id.
   */
  acknowledge(id: string, info: { by?: string; note?: string } = {}): Alert {
    this.#assertOpen()
    const record = this.#store.activeRecord(id)
    if (info.by !== undefined && typeof info.by !== 'string') throw new PerfkitInputError('info.by', 'a string', info.by)
    if (info.note !== undefined && typeof info.note !== 'string') throw new PerfkitInputError('info.note', 'a string', info.note)
    const now = this.#clock.now()
    record.acknowledged = { ...(info.by === undefined ? {} : { by: info.by }), ...(info.note === undefined ? {} : { note: info.note }), at: now }
    record.updatedAt = now
    this.#emitTransitions([{ alert: snapshot(record), change: 'acknowledged', from: record.state, to: record.state, at: now }])
    // A pending alert was never announced: its acknowledgement is recorded, not announced either.
    if (record.state !== 'pending') this.#notify.acknowledged(record, now)
    return snapshot(record)
  }

  /**
   * Resolves an active alert by hand. It is notified as resolved; while its condition keeps
   * holding it does not fire again within the de-duplication window.
   * @throws NotFoundError when no active alert has this id.
   */
  resolve(id: string): Alert {
    this.#assertOpen()
    const record = this.#store.activeRecord(id)
    const now = this.#clock.now()
    this.#afterChanges(this.#store.resolveManually(id, now), now)
    return snapshot(record)
  }

  /**
   * Mutes notifications of alerts whose labels match every matcher, until `untilMs` (engine
   * clock). Resolutions of muted alerts are still sent.
   * @example
   * ```ts
   * engine.silence({ alertname: 'cpu-usage', severity: 'warning' }, Date.now() + 3_600_000, { createdBy: 'ops', comment: 'deploy' })
   * ```
   */
  silence(matchers: LabelMatchers, untilMs: number, options: SilenceOptions = {}): Silence {
    this.#assertOpen()
    const now = this.#clock.now()
    const silence = this.#notify.silences.add(matchers, untilMs, options, now)
    this.#notify.wake(now)
    return silence
  }

  /** Ends a silence now; its alerts are notified at their group's next flush. Returns false for an unknown id. */
  expireSilence(id: string): boolean {
    const removed = this.#notify.silences.expire(id)
    if (removed) this.#notify.wake(this.#clock.now())
    return removed
  }

  /** Silences that have not ended. */
  silences(): Silence[] {
    return this.#notify.silences.list(this.#clock.now())
  }

  /** Adds a notifier. @throws PerfkitConfigError when one with the same name exists. */
  addNotifier(notifier: AlertNotifier | opt.NotifyCallback): this {
    this.#assertOpen()
    this.#notify.addNotifier(opt.toNotifier(notifier, 0), 'notifier.name')
    return this
  }

  /** Removes a notifier after its queue drains, then closes it. Resolves false for an unknown name. */
  removeNotifier(name: string): Promise<boolean> {
    return this.#notify.removeNotifier(name)
  }

  /** Counters of evaluation, alerts, notifications, suppressions and every notifier's deliveries. */
  stats(): AlertEngineStats {
    const active = { pending: 0, firing: 0, noData: 0 }
    for (const record of this.#store.activeRecords()) {
      if (record.state === 'pending') active.pending++
      else if (record.state === 'firing') active.firing++
      else if (record.state === 'no-data') active.noData++
    }
    return { ...this.#notify.stats(), rules: this.#store.ruleCount, ...this.#stats, active, silences: this.#notify.silences.size }
  }

  /** Resolves when every notification handed to notifiers so far has been delivered or has failed. */
  drain(): Promise<void> {
    return this.#notify.drain()
  }

  /**
   * Stops the timers, sends every notification still waiting for its group (cooldowns and the
   * rate limit still apply), waits for the notifiers and closes them. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#evalTimer !== undefined) clearInterval(this.#evalTimer)
      this.#detach()
      await this.#notify.close()
    })()
    return this.#closing
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  // —— evaluation ——

  #context(now: number): EvaluationContext {
    let metrics: Map<string, ReadonlyArray<Labels>> | undefined
    return {
      source: this.#source,
      now,
      regressions: this.#store.regressions,
      forecast: this.#forecast,
      series: (metric) => {
        if (metrics === undefined) {
          if (typeof this.#source.metrics !== 'function') throw new PerfkitConfigError('monitor', 'a source with metrics() for rules with `by`', this.#source)
          metrics = new Map(this.#source.metrics().map((m) => [m.name, m.series]))
        }
        return metrics.get(metric) ?? []
      },
    }
  }

  #afterChanges(changes: AlertTransition[], now: number): void {
    this.#emitTransitions(changes)
    for (const t of changes) {
      const record = this.#store.record(t.alert.id)
      if (record === undefined || t.change === 'acknowledged') continue
      this.#notify.track(record, now, t.change === 'escalated')
    }
    this.#notify.wake(now)
  }

  #emitTransitions(changes: AlertTransition[]): void {
    if (changes.length === 0 || !this.bus.hasListeners('alert:transition')) return
    for (const t of changes) this.bus.emit('alert:transition', t)
  }

  #onRegression(event: RegressionDetectedEvent | RegressionRecoveredEvent, detected: boolean): void {
    if (this.#closing !== undefined) return
    if (!this.#store.noteRegression(event, detected)) return
    // Regression rules react at once rather than at the next evaluation.
    const now = this.#clock.now()
    const ctx = this.#context(now)
    this.#afterChanges(this.#store.evaluate(ctx, (rule) => rule.kind === 'regression'), now)
  }

  #evaluateInBackground(): void {
    try {
      this.evaluate()
    } catch (error) {
      reportError(this.bus, error as Error)
    }
  }

  #ruleError(ruleId: string, error: unknown, at: number): void {
    this.#stats.ruleErrors++
    if (this.bus.hasListeners('alert:rule-error')) this.bus.emit('alert:rule-error', { ruleId, error, at })
    else reportError(this.bus, error instanceof Error ? error : new Error(String(error)))
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new ClosedError('AlertEngine')
  }
}
