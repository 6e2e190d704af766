import { type PerfBus, reportError } from '../bus/bus'
import type { Bottleneck, ZonePolicy } from '../bus/events/insights'
import { ClosedError, type OptimizationError } from '../errors'
import { unrefInterval } from '../internal/timers'
import { type AnalysisContext, type LeakSignal, analyze, windowFor } from './bottlenecks/index'
import { builtinRules } from './builtin-rules'
import { type MetricCorrelation, type MetricCorrelationOptions, correlate, correlationSettings } from './correlation'
import { type InsightHealth, computeHealth } from './health'
import { type Insight, type InsightFilter, InsightLog, bottleneckInsight, listenExternal } from './insight-log'
import { type EngineSettings, type InsightEngineOptions, resolveOptions } from './options'
import { type InsightRecommendation, recommend } from './recommendations'
import { type InsightReport, buildReport } from './report'
import { type OptimizationResult, type OptimizationRule, RuleBook, type OptimizationRuleStatus } from './rules'
import { SafeReader } from './source'
import { severityRank } from './thresholds'
import { BottleneckTracker } from './tracker'
import { ZoneTracker, type ResourceZoneState, applyPolicy, rank, readUtilization } from './zones'

/**
 * What one {@link InsightEngine.evaluate} pass found and did.
 * @example
 * ```ts
 * const { bottlenecks, zone, optimizations } = await insights.evaluate()
 * console.log(`${bottlenecks.length} bottlenecks, zone ${zone.zone}, ${optimizations.length} optimizations run`)
 * ```
 */
export interface InsightEvaluation {
  /** Clock ms. */
  at: number
  bottlenecks: Bottleneck[]
  zone: ResourceZoneState
  /** The optimization actions this pass ran. */
  optimizations: OptimizationResult[]
}

/** A monitor read error is reported at most this often, so a broken monitor cannot flood `error`. */
const READ_ERROR_INTERVAL_MS = 60_000

/**
 * Reads a PerformanceMonitor and says what is wrong, why, and what to change: bottlenecks with
 * evidence, a health score, ranked recommendations, correlations, resource zones that make the
 * monitor shed load under pressure, and optimization rules that run host-provided hooks.
 *
 * @example
 * ```ts
 * const monitor = new PerformanceMonitor()
 * const insights = new InsightEngine({ monitor, hooks: { pruneCaches: () => cache.clear(), gc: () => globalThis.gc?.() } })
 * insights.bus.on('insight:bottleneck', ({ bottleneck }) => log.warn(bottleneck.title, bottleneck.evidence))
 * insights.bus.on('insight:zone-changed', (e) => log.info(`zone ${e.from} → ${e.to}`))
 * const report = insights.report() // summary, health, insights, correlations, recommendations, optimizations
 * ```
 */
export class InsightEngine {
  /** The bus the engine emits on. */
  readonly bus: PerfBus
  readonly #s: EngineSettings
  readonly #read: SafeReader
  readonly #rules: RuleBook
  readonly #log: InsightLog
  readonly #zones: ZoneTracker
  readonly #tracker: BottleneckTracker
  readonly #unsubscribe: Array<() => void> = []
  #leak: LeakSignal | undefined
  #zoneReading = { utilization: 0, resource: undefined as string | undefined, resources: {} as Record<string, number> }
  #policyChanged = false
  #readErrorAt = -Infinity
  #lastNow = 0
  #timer: NodeJS.Timeout | undefined
  #evaluating: Promise<InsightEvaluation> | undefined
  #closing: Promise<void> | undefined

  constructor(options: InsightEngineOptions) {
    const s = resolveOptions(options)
    this.#s = s
    this.bus = s.bus
    this.#read = new SafeReader(s.monitor, (error) => this.#onReadError(error))
    this.#rules = new RuleBook(s.maxOptimizationLog, s.actionTimeoutMs)
    this.#log = new InsightLog(s.maxInsightHistory)
    this.#tracker = new BottleneckTracker(s.bus, this.#log)
    this.#zones = new ZoneTracker(s.zones.boundaries, s.zones.hysteresis, s.zones.recoveryMs, this.#now())
    if (s.builtinRules) {
      for (const rule of builtinRules(s.hooks, { read: this.#read, thresholds: s.thresholds, names: s.names, heapLimitBytes: s.heapLimitBytes, window: windowFor(s.windowMs) })) this.#rules.add(rule)
    }
    this.#listen()
    if (s.intervalMs > 0) this.#timer = unrefInterval(() => void this.evaluate().catch(() => undefined), s.intervalMs)
    s.signal?.addEventListener('abort', () => void this.close(), { once: true })
    if (s.signal?.aborted) void this.close()
  }

  /** Analyses the monitor now: every bottleneck found, most severe first. Reads only; events come from {@link InsightEngine.evaluate}. */
  bottlenecks(): Bottleneck[] {
    const now = this.#now()
    return this.#read.pass(() => analyze(this.#context(now))).map((d) => ({ ...d, since: this.#tracker.since(d.id) ?? now, at: now }))
  }

  /** The health score, 0–100, with its breakdown per area and the adjustments applied. */
  health(): InsightHealth {
    return this.#read.pass(() => {
      const now = this.#now()
      return computeHealth(this.#context(now), this.bottlenecks(), this.#s.alerts, (e) => this.#onReadError(e))
    })
  }

  /** Recommendations for the bottlenecks found now, best impact over effort first. */
  recommendations(): InsightRecommendation[] {
    return recommend(this.bottlenecks())
  }

  /**
   * Pearson correlations between metric histories, |r| ≥ the threshold (0.7), strongest first.
   * @throws PerfkitInputError for an invalid option.
   */
  correlations(options: MetricCorrelationOptions = {}): MetricCorrelation[] {
    return correlate(this.#read, this.#now(), correlationSettings(this.#s.correlation, options))
  }

  /**
   * Adds an optimization rule. Its condition is read on every evaluation, in priority order
   * (lower first); when it holds and the rule is not cooling down, its action runs.
   * @throws PerfkitConfigError for an invalid rule or an id in use; ClosedError after close().
   */
  addRule(rule: OptimizationRule): this {
    this.#rules.add(rule)
    return this
  }

  /** Removes a rule (built-in ones too, by id); false when there was none. */
  removeRule(id: string): boolean {
    return this.#rules.remove(id)
  }

  /** Turns a rule on or off without removing it; false when there is none. */
  setRuleEnabled(id: string, enabled: boolean): boolean {
    return this.#rules.setEnabled(id, enabled)
  }

  /** Every rule with its counters and cooldown, in run order. */
  rules(): OptimizationRuleStatus[] {
    return this.#rules.status(this.#now())
  }

  /** The applied-optimizations log, oldest first (the last `maxOptimizationLog`). */
  optimizations(): OptimizationResult[] {
    return this.#rules.log()
  }

  /** The insight history (bottlenecks detected or escalated, leak and regression reports), oldest first. */
  insights(filter?: InsightFilter): Insight[] {
    return this.#log.list(filter)
  }

  /**
   * Reads utilisation now and returns the resource zone. A change of zone is applied to the
   * monitor (sources shed, history coarsened, or restored) and emitted as `insight:zone-changed`.
   */
  zone(): ResourceZoneState {
    const now = this.#now()
    if (this.#closing === undefined) {
      this.#zoneReading = readUtilization(this.#read, this.#s.zones.resources)
      const change = this.#zones.update(this.#zoneReading.utilization, now)
      if (change !== undefined) this.#applyZone(change.from, change.to, now)
    }
    const zone = this.#zones.zone
    return { zone, since: this.#zones.since, ...this.#zoneReading, resources: { ...this.#zoneReading.resources }, policy: { ...this.#s.zones.policies[zone] }, recovering: this.#zones.recovering }
  }

  /**
   * One full pass, as the timer runs it every `intervalMs`: analysis (emitting
   * `insight:bottleneck` and `insight:resolved`), zone, then the optimization rules. Concurrent
   * calls share one pass. Never rejects, except with ClosedError after close().
   */
  evaluate(): Promise<InsightEvaluation> {
    if (this.#closing !== undefined) return Promise.reject(new ClosedError('InsightEngine'))
    this.#evaluating ??= this.#evaluate().finally(() => {
      this.#evaluating = undefined
    })
    return this.#evaluating
  }

  async #evaluate(): Promise<InsightEvaluation> {
    const at = this.#now()
    const bottlenecks = this.bottlenecks()
    this.#tracker.update(bottlenecks, at)
    const zone = this.zone()
    const optimizations = await this.#rules.run(
      { now: at, bottlenecks, zone: zone.zone, utilization: zone.utilization, monitor: this.#s.monitor },
      () => this.#now(),
      (result) => this.#reportOptimization(result),
      (error) => this.#reportRuleError(error),
    )
    return { at, bottlenecks, zone, optimizations }
  }

  /** Summary, health, zone, bottlenecks, insights, correlations, recommendations and the optimizations applied, in one object. */
  report(): InsightReport {
    return this.#read.pass(() => this.#report())
  }

  #report(): InsightReport {
    const at = this.#now()
    const bottlenecks = this.bottlenecks()
    const health = computeHealth(this.#context(at), bottlenecks, this.#s.alerts, (e) => this.#onReadError(e))
    // Bottlenecks come fresh from this analysis; leak and regression reports from the history.
    const recent = this.#log.list({ since: at - this.#s.insightRetentionMs }).filter((i) => i.type !== 'bottleneck')
    const insights = [...bottlenecks.map((b): Insight => ({ id: `bottleneck:${b.id}`, ...bottleneckInsight(b, at) })), ...recent]
    return buildReport({
      at,
      health,
      zone: this.zone(),
      bottlenecks,
      insights: insights.sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || b.at - a.at),
      correlations: this.correlations(),
      recommendations: recommend(bottlenecks),
      optimizations: this.#rules.log(),
      firingAlerts: this.#firingAlerts(),
      metrics: this.#read.metrics().length,
    })
  }

  /**
   * Stops the timer, aborts running actions (they end as failed), waits for the pass in flight,
   * stops listening to the monitor and gives back to the monitor everything a zone shed.
   * Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer)
      this.#rules.close()
      await this.#evaluating?.catch(() => undefined)
      for (const off of this.#unsubscribe.splice(0)) off()
      if (this.#policyChanged) this.#setPolicy(this.#s.zones.policies.green)
    })()
    return this.#closing
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** The clock, guarded: a throwing or non-finite clock repeats its last good reading. */
  #now(): number {
    try {
      const t = this.#s.clock.now()
      if (Number.isFinite(t)) this.#lastNow = t
    } catch {
      // The monitor's clock failing is reported by the reads that follow, not here (no recursion).
    }
    return this.#lastNow
  }

  #context(now: number): AnalysisContext {
    const s = this.#s
    const leak = this.#leak !== undefined && now - this.#leak.at <= s.leakWindowMs ? this.#leak : undefined
    return { read: this.#read, now, windowMs: s.windowMs, window: windowFor(s.windowMs), leakWindowMs: s.leakWindowMs, thresholds: s.thresholds, names: s.names, heapLimitBytes: s.heapLimitBytes, leak }
  }

  #applyZone(from: ResourceZoneState['zone'], to: ResourceZoneState['zone'], at: number): void {
    const policy = this.#s.zones.policies[to]
    const applied = this.#setPolicy(policy)
    this.#policyChanged = to !== 'green'
    if (this.bus.hasListeners('insight:zone-changed')) {
      const r = this.#zoneReading
      this.bus.emit('insight:zone-changed', { from, to, direction: rank(to) > rank(from) ? 'up' : 'down', utilization: r.utilization, resource: r.resource, resources: { ...r.resources }, policy: { ...policy }, applied, at })
    }
  }

  #setPolicy(policy: ZonePolicy): boolean {
    return applyPolicy(this.#s.monitor, policy, (error) => reportError(this.bus, error))
  }

  #listen(): void {
    const off = listenExternal(this.bus, this.#s.monitor.bus, this.#log, (signal) => {
      this.#leak = signal
    })
    this.#unsubscribe.push(off)
  }

  #reportOptimization(result: OptimizationResult): void {
    if (this.bus.hasListeners('optimization:applied')) this.bus.emit('optimization:applied', result)
    else if (result.error !== undefined) reportError(this.bus, result.error)
  }

  #reportRuleError(error: OptimizationError): void {
    reportError(this.bus, error)
  }

  #firingAlerts(): number {
    try {
      return this.#s.alerts?.alerts({ state: 'firing' }).filter((a) => a.state === 'firing').length ?? 0
    } catch (error) {
      this.#onReadError(error)
      return 0
    }
  }

  #onReadError(error: unknown): void {
    const now = this.#now()
    if (now - this.#readErrorAt < READ_ERROR_INTERVAL_MS) return
    this.#readErrorAt = now
    reportError(this.bus, error instanceof Error ? error : new Error(String(error)))
  }
}
