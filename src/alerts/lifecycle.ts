// The state machine of one alert instance (a rule and one label set):
//   inactive → pending (condition holds, waiting for `forMs`) → firing → resolved
// plus escalation inside one alert, keepFiringFor, no-data, manual resolve with a re-fire latch,
// reopening within the de-duplication window, and flap damping.
import type { Alert, AlertChangeKind, AlertPhase, AlertSeverity, AlertState, AlertTransition } from '../bus/events/alerts'
import type { Labels } from '../bus/events/monitor'
import type { NormalizedRule } from './rules'

/** What the engine decided for an instance at one evaluation. */
export interface Verdict {
  /** null: the condition does not hold. */
  severity: AlertSeverity | null
  noData?: boolean
  keep?: boolean
}

export interface LifecycleHooks {
  dedupWindowMs: number
  /** Creates and registers a new alert record. */
  create(instance: AlertInstance, state: AlertState, severity: AlertSeverity): Alert
  /** Puts a reopened record back among the active alerts. */
  reactivate(record: Alert): void
  /** Drops a pending record that never fired. */
  retire(record: Alert): void
  /** Copies the evaluation's value, threshold and text onto an active record. */
  refresh(record: Alert): void
}

export function snapshot(record: Alert): Alert {
  return { ...record, labels: { ...record.labels }, annotations: { ...record.annotations }, silencedBy: [...record.silencedBy], inhibitedBy: [...record.inhibitedBy] }
}

export function setSeverity(record: Alert, severity: AlertSeverity): void {
  record.severity = severity
  if (record.labels.severity !== severity) record.labels = { ...record.labels, severity }
}

type Phase = 'inactive' | 'pending' | 'firing' | 'no-data'

export class AlertInstance {
  readonly fingerprint: string
  readonly ruleId: string
  readonly labels: Labels
  phase: Phase = 'inactive'
  /** The current alert, or the last one (resolved) while it can still be reopened. */
  record: Alert | undefined
  seenData = false
  flapping = false
  #pendingSince = 0
  #criticalSince: number | undefined
  #lastTrueAt = 0
  /** When the metric last reported (no-data counts from here). */
  #lastDataAt = 0
  #latchedUntil: number | undefined
  #transitions: number[] = []
  /** What a reopened record looked like before, to restore it if its pending phase is cancelled. */
  #reopenedFrom: Pick<Alert, 'resolvedAt' | 'resolvedBy' | 'acknowledged'> | undefined

  constructor(ruleId: string, fingerprint: string, labels: Labels) {
    this.ruleId = ruleId
    this.fingerprint = fingerprint
    this.labels = labels
  }

  get active(): boolean {
    return this.phase !== 'inactive'
  }

  /** True when the instance holds nothing worth keeping: no alert, no latch, no flap history, nothing reopenable. */
  idle(now: number, dedupWindowMs: number): boolean {
    if (this.phase !== 'inactive' || this.#latchedUntil !== undefined || this.#transitions.length > 0 || this.flapping) return false
    const resolvedAt = this.record?.resolvedAt
    return resolvedAt === undefined || now - resolvedAt > dedupWindowMs
  }

  /** Applies one evaluation's verdict. Returns the transitions it caused, in order. */
  advance(rule: NormalizedRule, verdict: Verdict, now: number, hooks: LifecycleHooks): AlertTransition[] {
    const out: AlertTransition[] = []
    if (verdict.keep) return this.#settle(rule, now, out)
    let severity = verdict.severity
    if (verdict.noData) {
      if (!this.seenData || rule.noData === 'keep') return this.#settle(rule, now, out)
      if (rule.noData === 'alert') {
        if (this.phase !== 'no-data' && now - this.#lastDataAt >= rule.noDataForMs) this.#enterNoData(rule, now, hooks, out)
        return this.#settle(rule, now, out)
      }
      severity = null
    } else {
      this.seenData = true
      this.#lastDataAt = now
    }

    if (this.phase === 'no-data') {
      const record = this.record as Alert
      if (severity === null) this.#resolve(record, 'condition', now, out, 'no-data', rule)
      else {
        this.#lastTrueAt = now
        this.#criticalSince = severity === 'critical' ? now : undefined
        this.#fire(record, severity, now, out, 'firing', 'no-data', rule)
      }
      if (severity !== null) hooks.refresh(record)
      return this.#settle(rule, now, out)
    }

    if (this.#latchedUntil !== undefined) {
      if (severity === null || now >= this.#latchedUntil) this.#latchedUntil = undefined
      else return this.#settle(rule, now, out)
    }

    if (severity !== null) {
      this.#lastTrueAt = now
      if (severity === 'critical') this.#criticalSince ??= now
      else this.#criticalSince = undefined
      if (this.phase === 'inactive') this.#open(severity, now, hooks, out)
      const record = this.record as Alert
      if (this.phase === 'pending') {
        setSeverity(record, severity)
        if (now - this.#pendingSince >= rule.forMs) {
          // Critical must have held for `forMs` too; until then the alert fires as a warning (when it has one).
          const criticalHeld = now - (this.#criticalSince ?? now) >= rule.forMs
          const canWarn = rule.levels === undefined || rule.levels.warning !== undefined
          const fireAs = severity === 'critical' && !criticalHeld && canWarn ? 'warning' : severity
          const reopened = this.#reopenedFrom !== undefined
          this.#reopenedFrom = undefined
          this.#fire(record, fireAs, now, out, reopened ? 'reopened' : 'firing', 'pending', rule)
        }
      } else if (this.phase === 'firing') {
        if (severity === 'critical' && record.severity === 'warning' && now - (this.#criticalSince ?? now) >= rule.forMs) {
          setSeverity(record, 'critical')
          record.acknowledged = undefined // a new severity needs a new acknowledgement
          record.updatedAt = now
          out.push(transition(record, 'escalated', 'firing', 'firing', now, 'warning'))
        } else if (severity === 'warning' && record.severity === 'critical') {
          setSeverity(record, 'warning')
          record.updatedAt = now
          out.push(transition(record, 'deescalated', 'firing', 'firing', now, 'critical'))
        }
      }
      hooks.refresh(record)
    } else {
      this.#criticalSince = undefined
      const record = this.record
      if (this.phase === 'pending' && record !== undefined) {
        this.phase = 'inactive'
        const from = this.#reopenedFrom
        if (from === undefined) {
          hooks.retire(record)
          record.state = 'resolved'
          out.push(transition(record, 'cancelled', 'pending', 'inactive', now))
          this.record = undefined
        } else {
          // A reopened alert that did not make it back to firing is the resolved alert it was.
          record.state = 'resolved'
          record.resolvedAt = from.resolvedAt
          record.resolvedBy = from.resolvedBy
          record.acknowledged = from.acknowledged
          record.occurrences--
          this.#reopenedFrom = undefined
          out.push(transition(record, 'cancelled', 'pending', 'resolved', now))
        }
      } else if (this.phase === 'firing' && record !== undefined) {
        if (rule.keepFiringForMs > 0 && now - this.#lastTrueAt < rule.keepFiringForMs) hooks.refresh(record)
        else this.#resolve(record, 'condition', now, out, 'firing', rule)
      }
    }
    return this.#settle(rule, now, out)
  }

  /** Resolves the active alert by hand or because its rule went away. `latchMs` keeps it from re-firing that long while the condition still holds. */
  forceResolve(by: 'manual' | 'rule-removed', now: number, latchMs: number): AlertTransition[] {
    const out: AlertTransition[] = []
    const record = this.record
    if (this.phase === 'inactive' || record === undefined) return out
    const from: AlertPhase = this.phase
    this.phase = 'inactive'
    this.#reopenedFrom = undefined
    this.#criticalSince = undefined
    record.state = 'resolved'
    record.resolvedAt = now
    record.resolvedBy = by
    record.updatedAt = now
    this.#latchedUntil = now + latchMs
    out.push(transition(record, 'resolved', from, 'resolved', now))
    return out
  }

  #open(severity: AlertSeverity, now: number, hooks: LifecycleHooks, out: AlertTransition[]): void {
    const previous = this.record
    this.#pendingSince = now
    this.phase = 'pending'
    if (
      previous !== undefined &&
      previous.state === 'resolved' &&
      previous.resolvedBy === 'condition' &&
      previous.resolvedAt !== undefined &&
      now - previous.resolvedAt <= hooks.dedupWindowMs
    ) {
      // The same trouble within the de-duplication window continues the same alert.
      this.#reopenedFrom = { resolvedAt: previous.resolvedAt, resolvedBy: previous.resolvedBy, acknowledged: previous.acknowledged }
      previous.state = 'pending'
      previous.resolvedAt = undefined
      previous.resolvedBy = undefined
      previous.occurrences++
      previous.acknowledged = undefined // a new occurrence needs a new acknowledgement
      previous.updatedAt = now
      setSeverity(previous, severity)
      hooks.reactivate(previous)
      out.push(transition(previous, 'pending', 'inactive', 'pending', now))
      return
    }
    this.#reopenedFrom = undefined
    const record = hooks.create(this, 'pending', severity)
    record.flapping = this.flapping
    this.record = record
    out.push(transition(record, 'pending', 'inactive', 'pending', now))
  }

  #fire(record: Alert, severity: AlertSeverity, now: number, out: AlertTransition[], change: AlertChangeKind, from: AlertPhase, rule: NormalizedRule): void {
    this.phase = 'firing'
    record.state = 'firing'
    setSeverity(record, severity)
    record.firingSince = now
    record.updatedAt = now
    out.push(transition(record, change, from, 'firing', now))
    this.#flip(rule, now)
  }

  #enterNoData(rule: NormalizedRule, now: number, hooks: LifecycleHooks, out: AlertTransition[]): void {
    const from: AlertPhase = this.phase
    let record = this.record
    if (from === 'inactive' || record === undefined) {
      record = hooks.create(this, 'no-data', rule.noDataSeverity)
      record.flapping = this.flapping
      this.record = record
    }
    this.#reopenedFrom = undefined
    this.#criticalSince = undefined
    this.phase = 'no-data'
    record.state = 'no-data'
    if (from === 'inactive') setSeverity(record, rule.noDataSeverity)
    record.value = undefined
    record.updatedAt = now
    record.annotations = { ...record.annotations, summary: `${rule.id}: no data for ${now - this.#lastDataAt} ms` }
    out.push(transition(record, 'no-data', from, 'no-data', now))
  }

  #resolve(record: Alert, by: 'condition', now: number, out: AlertTransition[], from: AlertPhase, rule: NormalizedRule): void {
    this.phase = 'inactive'
    record.state = 'resolved'
    record.resolvedAt = now
    record.resolvedBy = by
    record.updatedAt = now
    out.push(transition(record, 'resolved', from, 'resolved', now))
    this.#flip(rule, now)
  }

  /** Counts a firing/resolved change for flap damping. */
  #flip(rule: NormalizedRule, now: number): void {
    const flap = rule.flapping
    if (flap === undefined) return
    this.#transitions.push(now)
    this.#prune(flap.windowMs, now)
    if (!this.flapping && this.#transitions.length > flap.maxTransitions) this.#setFlapping(true)
  }

  #settle(rule: NormalizedRule, now: number, out: AlertTransition[]): AlertTransition[] {
    const flap = rule.flapping
    if (flap === undefined) {
      this.#transitions.length = 0
      if (this.flapping) this.#setFlapping(false)
    } else if (this.#transitions.length > 0) {
      this.#prune(flap.windowMs, now)
      if (this.flapping && this.#transitions.length <= flap.maxTransitions >> 1) this.#setFlapping(false)
    } else if (this.flapping) this.#setFlapping(false)
    return out
  }

  #prune(windowMs: number, now: number): void {
    let drop = 0
    while (drop < this.#transitions.length && (this.#transitions[drop] as number) <= now - windowMs) drop++
    if (drop > 0) this.#transitions.splice(0, drop)
  }

  #setFlapping(flapping: boolean): void {
    this.flapping = flapping
    if (this.record !== undefined) this.record.flapping = flapping
  }
}

function transition(record: Alert, change: AlertChangeKind, from: AlertPhase, to: AlertPhase, at: number, previousSeverity?: AlertSeverity): AlertTransition {
  const t: AlertTransition = { alert: snapshot(record), change, from, to, at }
  if (previousSeverity !== undefined) t.previousSeverity = previousSeverity
  return t
}
