// Label matchers, silences (mute by labels until an expiry) and inhibition (a firing alert
// mutes others that share some labels, e.g. a critical mutes the warning on the same metric).
import type { Alert } from '../bus/events/alerts'
import type { Labels } from '../bus/events/monitor'
import { PerfkitConfigError, PerfkitInputError, QueueFullError } from '../errors'
import type { InhibitRule, LabelMatcherValue, LabelMatchers, Silence, SilenceOptions } from './types'

type Predicate = (labels: Labels) => boolean

function anchored(re: RegExp): RegExp {
  // A matcher regex must match the whole value, as in Alertmanager.
  return new RegExp(`^(?:${re.source})$`, re.flags.replace(/[gy]/g, ''))
}

function valueTest(option: string, value: LabelMatcherValue, fail: (option: string, expected: string, value: unknown) => Error): (v: string) => boolean {
  if (typeof value === 'string') return (v) => v === value
  if (value instanceof RegExp) {
    const re = anchored(value)
    return (v) => re.test(v)
  }
  if (typeof value === 'object' && value !== null && 'not' in value) {
    if (typeof value.not !== 'string' && !(value.not instanceof RegExp)) throw fail(`${option}.not`, 'a string or a RegExp', value.not)
    const inner = valueTest(`${option}.not`, value.not, fail)
    return (v) => !inner(v)
  }
  throw fail(option, 'a string, a RegExp or { not: string | RegExp }', value)
}

/** Compiles matchers into one predicate; a label the alert lacks matches as `''`. */
export function compileMatchers(
  option: string,
  matchers: LabelMatchers,
  fail: (option: string, expected: string, value: unknown) => Error = (o, e, v) => new PerfkitConfigError(o, e, v),
): Predicate {
  if (typeof matchers !== 'object' || matchers === null || Array.isArray(matchers)) throw fail(option, 'an object of label names to matchers', matchers)
  const tests = Object.entries(matchers).map(([name, value]) => [name, valueTest(`${option}.${name}`, value, fail)] as const)
  return (labels) => tests.every(([name, test]) => test(labels[name] ?? ''))
}

interface StoredSilence {
  silence: Silence
  test: Predicate
}

/** The engine's silences, bounded by `max`. Expired silences are dropped as time passes. */
export class SilenceStore {
  readonly #max: number
  readonly #silences = new Map<string, StoredSilence>()
  #seq = 0

  constructor(max: number) {
    this.#max = max
  }

  add(matchers: LabelMatchers, untilMs: number, options: SilenceOptions, now: number): Silence {
    const fail = (o: string, e: string, v: unknown) => new PerfkitInputError(o, e, v)
    const test = compileMatchers('matchers', matchers, fail)
    if (Object.keys(matchers).length === 0) throw new PerfkitInputError('matchers', 'at least one matcher (an empty silence would mute everything)', matchers)
    const startsAt = options.startsAt ?? now
    if (typeof startsAt !== 'number' || !Number.isFinite(startsAt)) throw new PerfkitInputError('options.startsAt', 'a finite number (engine clock ms)', startsAt)
    if (typeof untilMs !== 'number' || !Number.isFinite(untilMs) || untilMs <= Math.max(now, startsAt)) {
      throw new PerfkitInputError('untilMs', `an engine-clock time after now (${Math.max(now, startsAt)})`, untilMs)
    }
    if (options.createdBy !== undefined && typeof options.createdBy !== 'string') throw new PerfkitInputError('options.createdBy', 'a string', options.createdBy)
    if (options.comment !== undefined && typeof options.comment !== 'string') throw new PerfkitInputError('options.comment', 'a string', options.comment)
    this.prune(now)
    if (this.#silences.size >= this.#max) throw new QueueFullError('Silences', this.#max)
    const silence: Silence = {
      id: `silence-${++this.#seq}`,
      matchers: { ...matchers },
      startsAt,
      endsAt: untilMs,
      createdBy: options.createdBy,
      comment: options.comment,
    }
    this.#silences.set(silence.id, { silence, test })
    return { ...silence }
  }

  /** Ends a silence now. Returns false when there is no such silence. */
  expire(id: string): boolean {
    return this.#silences.delete(id)
  }

  /** Silences that have not ended (including ones that start later). */
  list(now: number): Silence[] {
    this.prune(now)
    return [...this.#silences.values()].map((s) => ({ ...s.silence, matchers: { ...s.silence.matchers } }))
  }

  /** Drops ended silences. Returns true when any was dropped. */
  prune(now: number): boolean {
    let removed = false
    for (const [id, s] of this.#silences) {
      if (s.silence.endsAt <= now) {
        this.#silences.delete(id)
        removed = true
      }
    }
    return removed
  }

  /** Ids of the silences muting `labels` at `now`. */
  matching(labels: Labels, now: number): string[] {
    const ids: string[] = []
    for (const { silence, test } of this.#silences.values()) {
      if (silence.startsAt <= now && now < silence.endsAt && test(labels)) ids.push(silence.id)
    }
    return ids
  }

  /** The next time a silence starts or ends, or Infinity. */
  nextChange(now: number): number {
    let next = Infinity
    for (const { silence } of this.#silences.values()) {
      if (silence.startsAt > now) next = Math.min(next, silence.startsAt)
      if (silence.endsAt > now) next = Math.min(next, silence.endsAt)
    }
    return next
  }

  get size(): number {
    return this.#silences.size
  }
}

interface CompiledInhibit {
  source: Predicate
  target: Predicate
  equal: readonly string[]
}

export function compileInhibitRules(rules: readonly InhibitRule[]): CompiledInhibit[] {
  if (!Array.isArray(rules)) throw new PerfkitConfigError('inhibitRules', 'an array of { source, target, equal? }', rules)
  return rules.map((rule, i) => {
    const at = `inhibitRules[${i}]`
    if (typeof rule !== 'object' || rule === null) throw new PerfkitConfigError(at, 'an object { source, target, equal? }', rule)
    const equal = rule.equal ?? []
    if (!Array.isArray(equal) || equal.some((e) => typeof e !== 'string')) throw new PerfkitConfigError(`${at}.equal`, 'an array of label names', equal)
    return { source: compileMatchers(`${at}.source`, rule.source), target: compileMatchers(`${at}.target`, rule.target), equal: [...equal] }
  })
}

/** Answers "which firing alerts inhibit this one" for the current set of active alerts. */
export class Inhibitor {
  readonly #rules: CompiledInhibit[]
  /** Per rule: equal-label key → fingerprints of firing source alerts. */
  #sources: Array<Map<string, string[]>> = []
  #pending: (() => Iterable<Alert>) | undefined

  constructor(rules: CompiledInhibit[]) {
    this.#rules = rules
  }

  /**
   * Marks the index stale; it is rebuilt from `alerts()` on the next {@link Inhibitor.inhibitors}
   * call, so evaluations that send nothing never pay for it.
   */
  prepare(alerts: () => Iterable<Alert>): void {
    this.#pending = alerts
  }

  #build(alerts: Iterable<Alert>): void {
    this.#sources = this.#rules.map(() => new Map())
    if (this.#rules.length === 0) return
    for (const alert of alerts) {
      if (alert.state !== 'firing') continue
      this.#rules.forEach((rule, i) => {
        if (!rule.source(alert.labels)) return
        const key = equalKey(alert.labels, rule.equal)
        if (key === undefined) return
        const map = this.#sources[i] as Map<string, string[]>
        const list = map.get(key)
        if (list === undefined) map.set(key, [alert.fingerprint])
        else list.push(alert.fingerprint)
      })
    }
  }

  /** Fingerprints of the firing alerts inhibiting `alert`; never itself. */
  inhibitors(alert: Alert): string[] {
    if (this.#pending !== undefined) {
      this.#build(this.#pending())
      this.#pending = undefined
    }
    const out: string[] = []
    this.#rules.forEach((rule, i) => {
      if (!rule.target(alert.labels)) return
      const key = equalKey(alert.labels, rule.equal)
      if (key === undefined) return
      for (const fp of (this.#sources[i] as Map<string, string[]>).get(key) ?? []) {
        if (fp !== alert.fingerprint && !out.includes(fp)) out.push(fp)
      }
    })
    return out
  }
}

/** The values of `equal` labels joined, or undefined when one is missing. Unlike Alertmanager, a missing label never counts as equal: that would let one alert mute unrelated ones. */
function equalKey(labels: Labels, equal: readonly string[]): string | undefined {
  const parts: string[] = []
  for (const name of equal) {
    const value = labels[name]
    if (value === undefined) return undefined
    parts.push(value)
  }
  return parts.join('\u0000')
}
