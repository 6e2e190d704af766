// Optimization rules: a condition read on every evaluation, an action the host provides, run
// in priority order with a cooldown and a timeout. Failures are results, never throws.
import type { Bottleneck, Evidence, OptimizationAppliedEvent, ResourceZone } from '../bus/events/insights'
import type { Labels } from '../bus/events/monitor'
import { AbortError, ClosedError, OptimizationError, PerfkitConfigError, TimeoutError, messageOf } from '../errors'
import { unrefTimeout } from '../internal/timers'
import { bool, finiteNumber, func, nonEmptyString, nonNegativeFinite, positiveFinite } from '../internal/validate'
import type { InsightSource } from './source'

/**
 * What a rule's condition sees.
 * @example
 * ```ts
 * insights.addRule({
 *   id: 'shed-in-red', action: () => 'paused imports',
 *   condition: ({ zone, utilization, monitor }) => zone === 'red' && utilization > 90 && (monitor.value('prediction_queue_size') ?? 0) > 100,
 * })
 * ```
 */
export interface OptimizationContext {
  /** Clock ms of this evaluation. */
  now: number
  /** The findings of this evaluation, most severe first. */
  bottlenecks: readonly Bottleneck[]
  zone: ResourceZone
  /** Resource utilisation, 0..100 %. */
  utilization: number
  /** The monitor, for reads of your own. */
  monitor: InsightSource
}

/**
 * A condition may return evidence instead of `true`; it is handed to the action and reported.
 * @example
 * ```ts
 * insights.addRule({ id: 'raise-ttl', action: ({ trigger }) => `raised the TTL of ${trigger.targets?.length ?? 0} caches`,
 *   condition: ({ bottlenecks }) => {
 *     const low = bottlenecks.filter((b) => b.kind === 'cache' && b.labels !== undefined)
 *     return low.length > 0 && { reason: 'low hit ratio', evidence: low.flatMap((b) => b.evidence), targets: low.map((b) => b.labels!) }
 *   } })
 * ```
 */
export interface OptimizationTrigger {
  evidence?: readonly Evidence[]
  /** Why it triggered, one sentence. */
  reason?: string
  /** The instances concerned (`{ cache: 'users' }`, `{ route: '/search' }`), for the action. */
  targets?: readonly Labels[]
}

/**
 * What a rule's action sees.
 * @example
 * ```ts
 * insights.addRule({
 *   id: 'flush-queue', condition: ({ bottlenecks }) => bottlenecks.some((b) => b.kind === 'queue'),
 *   action: async ({ trigger, signal }) => { await processor.flush(); return signal.aborted ? undefined : `flushed (${trigger.reason ?? 'queue'})` },
 * })
 * ```
 */
export interface OptimizationActionContext extends OptimizationContext {
  trigger: OptimizationTrigger
  /** Aborted when the action times out or the engine closes. */
  signal: AbortSignal
}

/**
 * What an action may return: a text saying what it did, or an object with one.
 * @example
 * ```ts
 * const action = (): OptimizationActionResult => ({ impact: `cleared ${cache.size} entries` })
 * ```
 */
export type OptimizationActionResult = string | { impact?: string } | void | undefined

/**
 * An optimization rule, as `InsightEngine.addRule` takes it.
 * @example
 * ```ts
 * engine.addRule({
 *   id: 'smaller-batches',
 *   priority: 5,
 *   cooldownMs: 120_000,
 *   condition: ({ bottlenecks }) => bottlenecks.some((b) => b.kind === 'event-loop'),
 *   action: () => { batcherOptions.maxBatchSize = 16; return 'maxBatchSize → 16' },
 * })
 * ```
 */
export interface OptimizationRule {
  /** Unique among the engine's rules. */
  id: string
  /** Display name. @defaultValue the id */
  name?: string
  /** Read on every evaluation; truthy (or a {@link OptimizationTrigger}) runs the action, cooldown allowing. */
  condition: (context: OptimizationContext) => boolean | OptimizationTrigger | undefined | Promise<boolean | OptimizationTrigger | undefined>
  /** Does the optimization. Throw or reject to report a failure; the engine never rethrows it. */
  action: (context: OptimizationActionContext) => OptimizationActionResult | Promise<OptimizationActionResult>
  /** Lower runs first (the reference system's 1 is the highest priority). @defaultValue 10 */
  priority?: number
  /** After the action ran (whatever the outcome), it does not run again for this long, ms. @defaultValue 300_000 */
  cooldownMs?: number
  /** @defaultValue true */
  enabled?: boolean
  /** Longest an action may take before it counts as `timed-out`, ms. @defaultValue the engine's `actionTimeoutMs` */
  timeoutMs?: number
}

/**
 * One run of a rule's action (the `optimization:applied` payload).
 * @example
 * ```ts
 * insights.bus.on('optimization:applied', (r: OptimizationResult) => console.log(`${r.name}: ${r.outcome} in ${r.durationMs} ms, ${r.impact}`))
 * const failed = insights.optimizations().filter((r) => r.outcome !== 'applied')
 * ```
 */
export type OptimizationResult = OptimizationAppliedEvent

/**
 * A rule's settings and counters, as `InsightEngine.rules()` lists them.
 * @example
 * ```ts
 * for (const r of insights.rules()) console.log(`${r.id}: ${r.runs} runs, ${r.failures} failed, last ${r.lastOutcome ?? 'never'}`)
 * ```
 */
export interface OptimizationRuleStatus {
  id: string
  name: string
  priority: number
  cooldownMs: number
  enabled: boolean
  /** Action runs, whatever their outcome. */
  runs: number
  failures: number
  lastRunAt: number | undefined
  lastOutcome: OptimizationResult['outcome'] | undefined
  /** Until when (clock ms) the rule is cooling down; undefined when it may run. */
  coolingUntil: number | undefined
}

interface RuleState {
  rule: Required<Omit<OptimizationRule, 'timeoutMs'>> & { timeoutMs: number | undefined }
  order: number
  runs: number
  failures: number
  lastRunAt: number | undefined
  lastOutcome: OptimizationResult['outcome'] | undefined
  /** A condition that threw waits out the cooldown before it is read again. */
  conditionFailedAt: number | undefined
}

/** The engine's rule book: validation, ordering, cooldowns, timeouts and the bounded log. */
export class RuleBook {
  readonly #rules = new Map<string, RuleState>()
  readonly #log: OptimizationResult[] = []
  readonly #maxLog: number
  readonly #timeoutMs: number
  readonly #abort = new AbortController()
  #order = 0
  #closed = false

  constructor(maxLog: number, timeoutMs: number) {
    this.#maxLog = maxLog
    this.#timeoutMs = timeoutMs
  }

  add(rule: OptimizationRule): void {
    if (this.#closed) throw new ClosedError('InsightEngine')
    if (typeof rule !== 'object' || rule === null) throw new PerfkitConfigError('rule', 'an object', rule)
    const id = nonEmptyString('rule.id', rule.id)
    if (this.#rules.has(id)) throw new PerfkitConfigError('rule.id', 'an id not already in use', id)
    const state: RuleState = {
      rule: {
        id,
        name: rule.name === undefined ? id : nonEmptyString('rule.name', rule.name),
        condition: func('rule.condition', rule.condition),
        action: func('rule.action', rule.action),
        priority: rule.priority === undefined ? 10 : finiteNumber('rule.priority', rule.priority),
        cooldownMs: rule.cooldownMs === undefined ? 300_000 : nonNegativeFinite('rule.cooldownMs', rule.cooldownMs),
        enabled: rule.enabled === undefined ? true : bool('rule.enabled', rule.enabled),
        timeoutMs: rule.timeoutMs === undefined ? undefined : positiveFinite('rule.timeoutMs', rule.timeoutMs),
      },
      order: this.#order++,
      runs: 0,
      failures: 0,
      lastRunAt: undefined,
      lastOutcome: undefined,
      conditionFailedAt: undefined,
    }
    this.#rules.set(id, state)
  }

  remove(id: string): boolean {
    return this.#rules.delete(id)
  }

  setEnabled(id: string, enabled: boolean): boolean {
    const state = this.#rules.get(id)
    if (state === undefined) return false
    state.rule.enabled = bool('enabled', enabled)
    return true
  }

  has(id: string): boolean {
    return this.#rules.has(id)
  }

  status(now: number): OptimizationRuleStatus[] {
    return this.#sorted().map((s) => ({
      id: s.rule.id,
      name: s.rule.name,
      priority: s.rule.priority,
      cooldownMs: s.rule.cooldownMs,
      enabled: s.rule.enabled,
      runs: s.runs,
      failures: s.failures,
      lastRunAt: s.lastRunAt,
      lastOutcome: s.lastOutcome,
      coolingUntil: s.lastRunAt !== undefined && now - s.lastRunAt < s.rule.cooldownMs ? s.lastRunAt + s.rule.cooldownMs : undefined,
    }))
  }

  /** The applied-optimizations log, oldest first (bounded). */
  log(): OptimizationResult[] {
    return [...this.#log]
  }

  /**
   * Reads every enabled rule's condition in priority order and runs the actions of those that
   * hold and are not cooling down, one at a time (two actions never fight over one cache).
   */
  async run(context: OptimizationContext, clock: () => number, report: (result: OptimizationResult) => void, onConditionError: (error: OptimizationError) => void): Promise<OptimizationResult[]> {
    const results: OptimizationResult[] = []
    for (const state of this.#sorted()) {
      if (this.#closed) break
      const { rule } = state
      if (!rule.enabled) continue
      const now = clock()
      if (state.lastRunAt !== undefined && now - state.lastRunAt < rule.cooldownMs) continue
      if (state.conditionFailedAt !== undefined && now - state.conditionFailedAt < rule.cooldownMs) continue
      let trigger: OptimizationTrigger | undefined
      try {
        const verdict = await rule.condition({ ...context, now })
        state.conditionFailedAt = undefined
        if (!verdict) continue
        trigger = verdict === true ? {} : verdict
      } catch (error) {
        state.conditionFailedAt = now
        onConditionError(new OptimizationError(rule.id, 'condition', error))
        continue
      }
      const result = await this.#execute(state, { ...context, now, trigger, signal: this.#abort.signal }, clock)
      results.push(result)
      this.#log.push(result)
      if (this.#log.length > this.#maxLog) this.#log.splice(0, this.#log.length - this.#maxLog)
      report(result)
    }
    return results
  }

  async #execute(state: RuleState, context: OptimizationActionContext, clock: () => number): Promise<OptimizationResult> {
    const { rule } = state
    const started = clock()
    state.lastRunAt = started
    state.runs++
    const timeoutMs = rule.timeoutMs ?? this.#timeoutMs
    // One controller per run, aborted by its timeout or by close() (AbortSignal.any needs Node 20.3).
    const local = new AbortController()
    const signal = local.signal
    const onClose = () => local.abort(this.#abort.signal.reason)
    this.#abort.signal.addEventListener('abort', onClose, { once: true })
    if (this.#abort.signal.aborted) onClose()
    let timer: NodeJS.Timeout | undefined
    const evidence = context.trigger.evidence ?? []
    const base = { rule: rule.id, name: rule.name, evidence: [...evidence], at: started }
    try {
      const outcome = await Promise.race([
        Promise.resolve().then(() => rule.action({ ...context, signal })),
        new Promise<never>((_, reject) => {
          timer = unrefTimeout(() => local.abort(new TimeoutError(`Optimization rule \`${rule.id}\``, timeoutMs)), timeoutMs)
          if (signal.aborted) reject(timeoutOrClosed(signal.reason))
          else signal.addEventListener('abort', () => reject(timeoutOrClosed(signal.reason)), { once: true })
        }),
      ])
      state.lastOutcome = 'applied'
      return { ...base, outcome: 'applied', impact: impactOf(outcome, rule.name), durationMs: clock() - started }
    } catch (error) {
      state.failures++
      const timedOut = error instanceof TimeoutError
      state.lastOutcome = timedOut ? 'timed-out' : 'failed'
      const wrapped = timedOut ? error : new OptimizationError(rule.id, 'action', error)
      return { ...base, outcome: state.lastOutcome, impact: `${rule.name} ${timedOut ? 'timed out' : 'failed'}: ${messageOf(error)}`, error: wrapped, durationMs: clock() - started }
    } finally {
      clearTimeout(timer)
      this.#abort.signal.removeEventListener('abort', onClose)
    }
  }

  #sorted(): RuleState[] {
    return [...this.#rules.values()].sort((a, b) => a.rule.priority - b.rule.priority || a.order - b.order)
  }

  /** Aborts running actions (they end as failed) and refuses new rules. */
  close(): void {
    this.#closed = true
    this.#abort.abort(new AbortError('The insight engine closed'))
  }
}

/** The rejection of a run whose signal aborted: its TimeoutError, or an AbortError for close(). */
function timeoutOrClosed(reason: unknown): Error {
  return reason instanceof TimeoutError ? reason : new AbortError('The insight engine closed while the action ran', { cause: reason })
}

function impactOf(result: unknown, name: string): string {
  if (typeof result === 'string' && result.length > 0) return result
  if (typeof result === 'object' && result !== null && typeof (result as { impact?: unknown }).impact === 'string') return (result as { impact: string }).impact
  return `${name} applied`
}
