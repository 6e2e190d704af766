// The alert side of the engine: rules, their instances (one per label set), and the bounded
// history of alert records. It turns observations into transitions; notifying is the
// engine's business.
import type { Alert, AlertSeverity, AlertTransition } from '../bus/events/alerts'
import type { RegressionDetectedEvent, RegressionRecoveredEvent } from '../bus/events/regression'
import { NotFoundError, PerfkitConfigError, PerfkitInputError, QueueFullError } from '../errors'
import { defaultSummary, fingerprintOf, renderSummary } from './engine-options'
import { type EvaluationContext, type Observation, observe } from './evaluate'
import { AlertInstance, type LifecycleHooks, snapshot } from './lifecycle'
import { applyThresholdUpdate, levelOf, type NormalizedFlapping, type NormalizedRule, normalizeRule, thresholdOf } from './rules'
import type { AlertFilter, AlertRule, ThresholdUpdate } from './types'

export interface AlertStoreOptions {
  dedupWindowMs: number
  maxHistory: number
  maxAlerts: number
  flapping: NormalizedFlapping | undefined
  ruleError: (ruleId: string, error: unknown, at: number) => void
  /** An alert started or stopped flapping without changing state. */
  flapChanged: (record: Alert, now: number) => void
}

const describe = (rule: NormalizedRule): { description?: string } => (rule.def.description === undefined ? {} : { description: rule.def.description })

export class AlertStore {
  readonly #o: AlertStoreOptions
  readonly #rules = new Map<string, NormalizedRule>()
  readonly #instances = new Map<string, Map<string, AlertInstance>>()
  /** Active alerts by id. */
  readonly #active = new Map<string, AlertInstance>()
  /** Every alert kept for `alerts()`, by id, in creation order. */
  readonly #records = new Map<string, Alert>()
  /** Open regressions by metric and labels, from `regression:detected` until `regression:recovered`; bounded by `maxHistory`. */
  readonly regressions = new Map<string, RegressionDetectedEvent>()
  #seq = 0
  #instanceCount = 0
  #current: { rule: NormalizedRule; obs: Observation | undefined; now: number } = { rule: undefined as never, obs: undefined, now: 0 }

  constructor(options: AlertStoreOptions) {
    this.#o = options
    this.#hooks.dedupWindowMs = options.dedupWindowMs
  }

  /** Validates every rule, then adds them all (or none). */
  addRules(rules: Iterable<AlertRule>): void {
    const list = [...rules].map((r) => normalizeRule(r, this.#o.flapping))
    const ids = new Set<string>()
    for (const r of list) {
      if (this.#rules.has(r.id) || ids.has(r.id)) throw new PerfkitConfigError('rule.id', 'an id no other rule of this engine has', r.id)
      ids.add(r.id)
    }
    for (const r of list) {
      this.#rules.set(r.id, r)
      this.#instances.set(r.id, new Map())
    }
  }

  /** Removes a rule, resolving its active alerts. Undefined for an unknown id. */
  removeRule(id: string, now: number): AlertTransition[] | undefined {
    const instances = this.#instances.get(id)
    if (instances === undefined) return undefined
    const changes: AlertTransition[] = []
    for (const instance of instances.values()) changes.push(...this.#sync(instance, instance.forceResolve('rule-removed', now, 0)))
    this.#rules.delete(id)
    this.#instances.delete(id)
    this.#instanceCount -= instances.size
    return changes
  }

  rules(): AlertRule[] {
    return [...this.#rules.values()].map((r) => ({ ...r.def }) as AlertRule)
  }

  get ruleCount(): number {
    return this.#rules.size
  }

  cooldownOf(ruleId: string): number {
    return this.#rules.get(ruleId)?.cooldownMs ?? 0
  }

  /** Applies level changes atomically: all are validated before any is applied. */
  updateThresholds(partial: Readonly<Record<string, ThresholdUpdate>>): void {
    if (typeof partial !== 'object' || partial === null) throw new PerfkitConfigError('thresholds', 'an object of rule ids to level changes', partial)
    const next = Object.entries(partial).map(([id, update]) => {
      const rule = this.#rules.get(id)
      if (rule === undefined) throw new PerfkitConfigError(`thresholds.${id}`, 'the id of a rule of this engine', id)
      return applyThresholdUpdate(rule, update, this.#o.flapping)
    })
    for (const rule of next) this.#rules.set(rule.id, rule)
  }

  /** Evaluates every rule (or those `only` accepts) and returns the transitions. */
  evaluate(ctx: EvaluationContext, only?: (rule: NormalizedRule) => boolean): AlertTransition[] {
    const changes: AlertTransition[] = []
    for (const rule of this.#rules.values()) if (only === undefined || only(rule)) changes.push(...this.#evaluateRule(rule, ctx))
    return changes
  }

  /** Resolves an active alert by hand; it stays quiet for the de-duplication window. */
  resolveManually(id: string, now: number): AlertTransition[] {
    this.activeRecord(id)
    const instance = this.#active.get(id) as AlertInstance
    return this.#sync(instance, instance.forceResolve('manual', now, this.#o.dedupWindowMs))
  }

  /** @throws NotFoundError when no active alert has this id. */
  activeRecord(id: string): Alert {
    const record = this.#active.get(id)?.record
    if (record === undefined || record.id !== id || record.state === 'resolved') throw new NotFoundError('active alert', String(id))
    return record
  }

  *activeRecords(): Generator<Alert> {
    for (const instance of this.#active.values()) if (instance.record !== undefined && instance.active) yield instance.record
  }

  /** Records a regression event. Returns false when it changes nothing (a recovery of an unknown regression). */
  noteRegression(event: RegressionDetectedEvent | RegressionRecoveredEvent, detected: boolean): boolean {
    const key = fingerprintOf(event.metric, event.labels)
    if (!detected) return this.regressions.delete(key)
    this.regressions.delete(key) // re-insert: the map stays in arrival order for eviction
    this.regressions.set(key, event as RegressionDetectedEvent)
    if (this.regressions.size > this.#o.maxHistory) this.regressions.delete(this.regressions.keys().next().value as string)
    return true
  }

  /** Copies of the kept alerts matching `filter`, oldest first; `decorate` updates each active one first. */
  list(filter: AlertFilter, decorate: (record: Alert) => void): Alert[] {
    const { state, severity, since, ruleId } = filter
    const states = state === undefined ? undefined : typeof state === 'string' ? [state] : state
    if (since !== undefined && (typeof since !== 'number' || Number.isNaN(since))) throw new PerfkitInputError('filter.since', 'a number (engine clock ms)', since)
    const out: Alert[] = []
    for (const record of this.#records.values()) {
      if (states !== undefined && !states.includes(record.state)) continue
      if (severity !== undefined && record.severity !== severity) continue
      if (ruleId !== undefined && record.ruleId !== ruleId) continue
      if (since !== undefined && record.resolvedAt !== undefined && record.resolvedAt < since) continue
      if (record.state !== 'resolved') decorate(record)
      out.push(snapshot(record))
    }
    return out
  }

  record(id: string): Alert | undefined {
    return this.#records.get(id)
  }

  #evaluateRule(rule: NormalizedRule, ctx: EvaluationContext): AlertTransition[] {
    const now = ctx.now
    let observations: Observation[]
    try {
      observations = observe(rule, ctx)
    } catch (error) {
      this.#o.ruleError(rule.id, error, now)
      return []
    }
    const instances = this.#instances.get(rule.id) as Map<string, AlertInstance>
    const seen = new Set<string>()
    const changes: AlertTransition[] = []
    for (const obs of observations) {
      const fp = fingerprintOf(rule.id, obs.labels)
      if (seen.has(fp)) continue
      seen.add(fp)
      let instance = instances.get(fp)
      if (instance === undefined) {
        if (this.#instanceCount >= this.#o.maxAlerts) {
          this.#o.ruleError(rule.id, new QueueFullError('Alert instances', this.#o.maxAlerts), now)
          continue
        }
        instance = new AlertInstance(rule.id, fp, obs.labels)
        instances.set(fp, instance)
        this.#instanceCount++
      }
      changes.push(...this.#advance(rule, instance, obs, now))
    }
    for (const [fp, instance] of instances) {
      if (seen.has(fp)) continue
      // A label set the rule no longer reports: its condition no longer holds.
      changes.push(...this.#advance(rule, instance, undefined, now))
      if (instance.idle(now, this.#o.dedupWindowMs)) {
        instances.delete(fp)
        this.#instanceCount--
      }
    }
    return changes
  }

  #advance(rule: NormalizedRule, instance: AlertInstance, obs: Observation | undefined, now: number): AlertTransition[] {
    const current = instance.phase === 'pending' || instance.phase === 'firing' ? (instance.record?.severity ?? null) : null
    let severity: AlertSeverity | null = null
    if (obs !== undefined && !obs.noData && !obs.keep) {
      if (obs.severity !== undefined) severity = obs.severity
      else if (rule.levels !== undefined && obs.value !== undefined) severity = levelOf(rule.levels, obs.value, current)
    }
    const wasFlapping = instance.flapping
    const verdict = { severity, ...(obs?.noData ? { noData: true } : {}), ...(obs?.keep ? { keep: true } : {}) }
    this.#current = { rule, obs, now }
    const changes = instance.advance(rule, verdict, now, this.#hooks)
    if (instance.flapping !== wasFlapping && instance.record !== undefined && changes.length === 0) this.#o.flapChanged(instance.record, now)
    return this.#sync(instance, changes)
  }

  /** Keeps the active map in step with the instance after its transitions. */
  #sync(instance: AlertInstance, changes: AlertTransition[]): AlertTransition[] {
    const record = instance.record
    if (record !== undefined) {
      if (instance.active) this.#active.set(record.id, instance)
      else this.#active.delete(record.id)
    }
    for (const t of changes) if (t.to === 'inactive' || t.to === 'resolved') this.#active.delete(t.alert.id)
    return changes
  }

  /** Called back by the instance being advanced; reads the evaluation in `#current`. */
  readonly #hooks: LifecycleHooks = {
    dedupWindowMs: 0,
    create: (instance, state, severity) => {
      const { rule, now } = this.#current
      const record: Alert = {
        id: `${rule.id}#${++this.#seq}`,
        ruleId: rule.id,
        kind: rule.kind,
        fingerprint: instance.fingerprint,
        labels: { ...instance.labels, ...rule.alertLabels, alertname: rule.id, severity },
        annotations: { summary: rule.def.summary ?? rule.id, ...describe(rule) },
        state,
        severity,
        value: undefined,
        threshold: undefined,
        startsAt: now,
        firingSince: undefined,
        resolvedAt: undefined,
        resolvedBy: undefined,
        updatedAt: now,
        acknowledged: undefined,
        silencedBy: [],
        inhibitedBy: [],
        flapping: false,
        occurrences: 1,
      }
      this.#keep(record)
      return record
    },
    reactivate: (record) => {
      if (!this.#records.has(record.id)) this.#keep(record)
    },
    retire: (record) => {
      this.#records.delete(record.id)
      this.#active.delete(record.id)
    },
    refresh: (record) => {
      const { rule, obs, now } = this.#current
      if (obs === undefined || obs.noData || obs.keep) return
      const threshold = rule.levels === undefined ? undefined : thresholdOf(rule.levels, record.severity)
      // Same value against the same level (so the same severity): the text is unchanged too.
      if (obs.value !== undefined && record.value === obs.value && record.threshold === threshold && obs.summary === undefined && obs.annotations === undefined) return
      record.updatedAt = now
      record.value = obs.value
      record.threshold = threshold
      const summary =
        obs.summary ??
        (rule.def.summary === undefined
          ? defaultSummary(obs.subject, obs.value, threshold, rule.levels?.op, record.severity)
          : renderSummary(rule.def.summary, obs.value, threshold, record.severity, record.labels))
      record.annotations = { ...(obs.annotations ?? {}), summary, ...describe(rule) }
    },
  }

  /** Keeps a record, dropping the oldest resolved one past `maxHistory` (active ones always stay). */
  #keep(record: Alert): void {
    this.#records.set(record.id, record)
    if (this.#records.size <= this.#o.maxHistory) return
    for (const [id, r] of this.#records) {
      if (r.state === 'resolved') {
        this.#records.delete(id)
        return
      }
    }
  }
}
