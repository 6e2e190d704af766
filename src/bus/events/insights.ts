import type { Labels } from './monitor'

/**
 * How much a finding matters. `critical` needs attention now; `low` is worth knowing.
 * @example
 * ```ts
 * const urgent = insights.insights({ minSeverity: 'high' })
 * ```
 */
export type InsightSeverity = 'low' | 'medium' | 'high' | 'critical'

/**
 * What limits the process: the resource or dependency a bottleneck is about.
 * @example
 * ```ts
 * const loopBound = insights.bottlenecks().some((b) => b.kind === 'event-loop')
 * ```
 */
export type BottleneckKind = 'cpu' | 'memory' | 'event-loop' | 'io' | 'database' | 'queue' | 'cache'

/**
 * The unit of an {@link Evidence} value.
 * @example
 * ```ts
 * const percentages = bottleneck.evidence.filter((e) => e.unit === 'percent')
 * ```
 */
export type EvidenceUnit = 'percent' | 'ratio' | 'seconds' | 'bytes' | 'count' | 'per-second' | 'bytes-per-second'

/**
 * One metric reading that supports a finding.
 * @example
 * ```ts
 * for (const e of bottleneck.evidence) console.log(`${e.metric} ${e.stat} = ${e.value} ${e.unit} (limit ${e.threshold ?? '-'})`)
 * ```
 */
export interface Evidence {
  /** The metric read, e.g. `process_cpu_usage_percent`. */
  metric: string
  /** The series matcher used for the read, when it was not "all series". */
  labels?: Labels
  /** What was read: `'value'`, `'p95'`, `'rate'`, `'slope'`, `'mean-5m'`… */
  stat: string
  value: number
  unit: EvidenceUnit
  /** The level the value was compared with, when there is one. */
  threshold?: number
  /** A short human explanation of the reading. */
  note?: string
}

/**
 * A resource or dependency that limits the process, with the evidence for it.
 * @example
 * ```ts
 * for (const b of insights.bottlenecks()) console.log(`[${b.severity}] ${b.title}: ${b.recommendation}`)
 * ```
 */
export interface Bottleneck {
  /** Stable while the same trouble lasts: the kind, plus the series label for per-instance kinds (`cache:users`). */
  id: string
  kind: BottleneckKind
  severity: InsightSeverity
  /** 0..1: how sure the analysis is (how sustained the signal is, how much data backs it). */
  confidence: number
  title: string
  description: string
  /** The metric values the finding rests on. */
  evidence: readonly Evidence[]
  /** The first thing to do about it, in one sentence. `InsightEngine.recommendations()` has the ranked steps. */
  recommendation: string
  /** Metrics involved, without duplicates. */
  metrics: readonly string[]
  /** Labels of the instance concerned (`{ cache: 'users' }`), when the finding is per instance. */
  labels?: Labels
  /** When this trouble was first seen (clock ms); the analysis time for a fresh finding. */
  since: number
  /** When this analysis ran, clock ms. */
  at: number
}

/**
 * Payload of `insight:bottleneck`: a bottleneck appeared or got worse.
 * @example
 * ```ts
 * insights.bus.on('insight:bottleneck', (e) => console.log(e.change, e.bottleneck.id, e.bottleneck.severity))
 * ```
 */
export interface InsightBottleneckEvent {
  bottleneck: Bottleneck
  change: 'detected' | 'escalated'
  /** The severity before an escalation. */
  previousSeverity?: InsightSeverity
  /** Clock ms. */
  at: number
}

/**
 * Payload of `insight:resolved`: a bottleneck reported earlier is no longer found.
 * @example
 * ```ts
 * insights.bus.on('insight:resolved', (e) => console.log(`${e.id} cleared after ${e.durationMs} ms`))
 * ```
 */
export interface InsightResolvedEvent {
  id: string
  kind: BottleneckKind
  labels?: Labels
  /** When it was first seen, clock ms. */
  since: number
  /** Clock ms. */
  at: number
  durationMs: number
}

/**
 * A band of resource utilisation. Boundaries (defaults from the reference system):
 * green < 60 %, yellow < 75 %, orange < 85 %, red < 95 %, critical ≥ 95 %.
 * @example
 * ```ts
 * const zone: ResourceZone = insights.zone().zone
 * if (zone === 'red' || zone === 'critical') shedOptionalWork()
 * ```
 */
export type ResourceZone = 'green' | 'yellow' | 'orange' | 'red' | 'critical'

/**
 * What the monitor is asked to do while a zone lasts.
 * @example
 * ```ts
 * const { sourcePriorityFloor, historyResolution } = insights.zone().policy
 * ```
 */
export interface ZonePolicy {
  /** Sources below this priority are paused (`'low'` keeps every source). */
  sourcePriorityFloor: 'low' | 'medium' | 'high' | 'critical'
  /** History keeps one snapshot in this many (1 = full resolution). */
  historyResolution: number
}

/**
 * Payload of `insight:zone-changed`.
 * @example
 * ```ts
 * insights.bus.on('insight:zone-changed', (e) => console.log(`${e.from} → ${e.to}: ${e.resource} at ${e.utilization} %`))
 * ```
 */
export interface InsightZoneChangedEvent {
  from: ResourceZone
  to: ResourceZone
  /** `up` towards critical, `down` towards green. */
  direction: 'up' | 'down'
  /** Utilisation that caused the change, 0..100 %. */
  utilization: number
  /** The resource with the highest utilisation (`cpu`, `memory`, `heap`, `event-loop`…). */
  resource: string | undefined
  /** Utilisation of every resource read, 0..100 %. */
  resources: Readonly<Record<string, number>>
  /** The policy now applied to the monitor. */
  policy: ZonePolicy
  /** Whether the monitor offered the calls to apply the policy (it sheds nothing otherwise). */
  applied: boolean
  /** Clock ms. */
  at: number
}

/**
 * How an optimization rule's action ended.
 * @example
 * ```ts
 * insights.bus.on('optimization:applied', (e) => { if (e.outcome !== 'applied') log.warn({ err: e.error }, `${e.rule} ${e.outcome}`) })
 * ```
 */
export type OptimizationOutcome = 'applied' | 'failed' | 'timed-out'

/**
 * Payload of `optimization:applied`: one run of an optimization rule's action.
 * @example
 * ```ts
 * insights.bus.on('optimization:applied', (e) => console.log(`${e.name}: ${e.outcome}, ${e.impact} (${e.durationMs} ms)`))
 * ```
 */
export interface OptimizationAppliedEvent {
  /** The rule's id. */
  rule: string
  /** The rule's display name. */
  name: string
  outcome: OptimizationOutcome
  /** What the action did (its returned text), or why it failed. */
  impact: string
  /** The failure, for `failed` and `timed-out` (an OptimizationError or TimeoutError with the cause). */
  error?: Error
  /** The readings that triggered the rule. */
  evidence: readonly Evidence[]
  /** Time the action took (up to the timeout), ms. */
  durationMs: number
  /** When the action started, clock ms. */
  at: number
}

/**
 * Events emitted by InsightEngine.
 * @example
 * ```ts
 * insights.bus.on('insight:bottleneck', (e) => console.log(e.bottleneck.title))
 * insights.bus.on('insight:zone-changed', (e) => console.log(e.to, e.policy))
 * ```
 */
export interface InsightsEvents {
  'insight:bottleneck': (event: InsightBottleneckEvent) => void
  'insight:resolved': (event: InsightResolvedEvent) => void
  'insight:zone-changed': (event: InsightZoneChangedEvent) => void
  'optimization:applied': (event: OptimizationAppliedEvent) => void
}
