// The bounded insight history: bottlenecks as they are detected or escalate, and what other
// primitives report on the bus (the monitor's leak suspicions, RegressionDetector findings).
import type { PerfBus } from '../bus/bus'
import type { Bottleneck, Evidence, InsightSeverity } from '../bus/events/insights'
import type { Labels, MonitorLeakSuspectedEvent } from '../bus/events/monitor'
import type { RegressionDetectedEvent, RegressionRecoveredEvent } from '../bus/events/regression'
import type { LeakSignal } from './bottlenecks/index'
import { fmt, fmtBytes, fmtDuration } from './math'

/**
 * Where an insight came from.
 * @example
 * ```ts
 * const leaks = insights.insights({ type: 'leak' })
 * ```
 */
export type InsightType = 'bottleneck' | 'leak' | 'regression'

/**
 * One entry of the insight history.
 * @example
 * ```ts
 * for (const i of insights.insights()) console.log(`[${i.severity}] ${i.type} ${i.title} (confidence ${i.confidence})`)
 * ```
 */
export interface Insight {
  /** Unique per entry. */
  id: string
  type: InsightType
  /** What the insight is about, stable across entries: a bottleneck id, `leak`, or `regression:<metric>{labels}`. */
  key: string
  severity: InsightSeverity
  title: string
  description: string
  metrics: readonly string[]
  evidence: readonly Evidence[]
  /** 0..1 */
  confidence: number
  /** Clock ms. */
  at: number
  /** When the trouble ended (bottleneck resolved, regression recovered), clock ms. */
  resolvedAt?: number
}

/**
 * Filters of {@link InsightEngine.insights}.
 * @example
 * ```ts
 * const recent = insights.insights({ since: monitor.now() - 3_600_000, minSeverity: 'high' }) // engine clock: the monitor's by default
 * ```
 */
export interface InsightFilter {
  /** Entries at or after this clock time. */
  since?: number
  type?: InsightType
  /** Entries at least this severe. */
  minSeverity?: InsightSeverity
}

const RANK: Readonly<Record<InsightSeverity, number>> = { low: 0, medium: 1, high: 2, critical: 3 }

/** A ring of the latest `max` insights. */
export class InsightLog {
  readonly #max: number
  readonly #entries: Insight[] = []
  #seq = 0

  constructor(max: number) {
    this.#max = max
  }

  add(entry: Omit<Insight, 'id'>): Insight {
    const insight: Insight = { id: `${entry.type}#${++this.#seq}`, ...entry }
    this.#entries.push(insight)
    if (this.#entries.length > this.#max) this.#entries.splice(0, this.#entries.length - this.#max)
    return insight
  }

  /** Marks the open entries of `key` as resolved at `at`. */
  resolve(key: string, at: number): void {
    for (const e of this.#entries) if (e.key === key && e.resolvedAt === undefined) e.resolvedAt = at
  }

  list(filter: InsightFilter = {}): Insight[] {
    return this.#entries
      .filter((e) => (filter.since === undefined || e.at >= filter.since) && (filter.type === undefined || e.type === filter.type) && (filter.minSeverity === undefined || RANK[e.severity] >= RANK[filter.minSeverity]))
      .map((e) => ({ ...e }))
  }
}

/** A bottleneck as a history entry. */
export function bottleneckInsight(b: Bottleneck, at: number): Omit<Insight, 'id'> {
  return { type: 'bottleneck', key: b.id, severity: b.severity, title: b.title, description: b.description, metrics: b.metrics, evidence: b.evidence, confidence: b.confidence, at }
}

/** The monitor's leak event as a signal for the memory analysis. */
export function leakSignal(e: MonitorLeakSuspectedEvent): LeakSignal {
  const evidence: Evidence[] = [
    { metric: e.metric, stat: 'leak-suspected', value: e.growthPercent, unit: 'percent', note: `heap troughs rose ${fmt(e.growthPercent)} % over ${fmtDuration(e.windowMs)} (R² ${fmt(e.r2)}), reported by the monitor` },
    { metric: e.metric, stat: 'trough-slope', value: e.slopeBytesPerSecond, unit: 'bytes-per-second' },
    { metric: e.metric, stat: 'growth-bytes', value: e.growthBytes, unit: 'bytes' },
  ]
  return {
    at: e.at,
    evidence,
    description: `The heap that survives garbage collection grew ${fmtBytes(e.growthBytes)} (${fmt(e.growthPercent)} %) over ${fmtDuration(e.windowMs)}`,
  }
}

/** The monitor's leak event as a history entry. */
export function leakInsight(e: MonitorLeakSuspectedEvent, signal: LeakSignal): Omit<Insight, 'id'> {
  return {
    type: 'leak',
    key: 'leak',
    severity: e.growthPercent >= 50 ? 'high' : 'medium',
    title: 'Suspected memory leak',
    description: `${signal.description}.`,
    metrics: [e.metric],
    evidence: signal.evidence,
    confidence: Math.min(0.95, 0.5 + 0.45 * e.r2 * e.risingShare),
    at: e.at,
  }
}

/** A RegressionDetector finding as a history entry. */
export function regressionInsight(e: RegressionDetectedEvent): Omit<Insight, 'id'> {
  const change = Math.abs(e.changePercent)
  const severity: InsightSeverity = change >= 100 ? 'high' : change >= 25 ? 'medium' : 'low'
  return {
    type: 'regression',
    key: regressionKey(e.metric, e.labels),
    severity,
    title: `Regression in ${e.metric}`,
    description: `${e.metric} ${e.direction === 'increase' ? 'rose' : 'fell'} ${fmt(change)} % (${e.kind}): ${e.reason}`,
    metrics: [e.metric],
    evidence: [
      { metric: e.metric, labels: e.labels, stat: 'baseline-mean', value: e.baselineMean, unit: 'count' },
      { metric: e.metric, labels: e.labels, stat: 'current-mean', value: e.currentMean, unit: 'count' },
      { metric: e.metric, labels: e.labels, stat: 'change-percent', value: e.changePercent, unit: 'percent' },
    ],
    confidence: e.confidence,
    at: e.at,
  }
}

/** History key of a regression episode. */
export function regressionKey(metric: string, labels: Labels): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
  return `regression:${metric}{${pairs.join(',')}}`
}

/**
 * Records what other primitives report: the monitor's leak suspicions (from the monitor's bus)
 * and RegressionDetector findings (from either bus). Returns the unsubscribe function.
 */
export function listenExternal(bus: PerfBus, monitorBus: PerfBus | undefined, log: InsightLog, onLeak: (signal: LeakSignal) => void): () => void {
  const onLeakEvent = (e: MonitorLeakSuspectedEvent) => {
    const signal = leakSignal(e)
    onLeak(signal)
    log.add(leakInsight(e, signal))
  }
  const onRegression = (e: RegressionDetectedEvent) => void log.add(regressionInsight(e))
  const onRecovered = (e: RegressionRecoveredEvent) => log.resolve(regressionKey(e.metric, e.labels), e.at)
  const buses = new Set<PerfBus>([bus])
  if (monitorBus !== undefined) {
    buses.add(monitorBus)
    monitorBus.on('monitor:leak-suspected', onLeakEvent)
  }
  for (const b of buses) {
    b.on('regression:detected', onRegression)
    b.on('regression:recovered', onRecovered)
  }
  return () => {
    monitorBus?.off('monitor:leak-suspected', onLeakEvent)
    for (const b of buses) {
      b.off('regression:detected', onRegression)
      b.off('regression:recovered', onRecovered)
    }
  }
}
