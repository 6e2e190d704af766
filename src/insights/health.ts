// The health score: a weighted mean of per-area scores, each read off a curve through the
// thresholds, then lowered by firing alerts and capped by the worst bottleneck.
import type { Bottleneck, InsightSeverity } from '../bus/events/insights'
import { M, type AnalysisContext } from './bottlenecks/index'
import { clamp } from './math'
import type { InsightAlertsSource } from './source'
import type { InsightLevels } from './thresholds'

/**
 * A band of the health score. `unknown`: the monitor had none of the metrics the score reads.
 * @example
 * ```ts
 * const { score, status } = insights.health()
 * if (status === 'poor' || status === 'critical') console.warn(`health ${score}/100`)
 * ```
 */
export type InsightHealthStatus = 'excellent' | 'good' | 'fair' | 'poor' | 'critical' | 'unknown'

/**
 * An area the health score weighs.
 * @example
 * ```ts
 * const cpu = insights.health().components.find((c) => c.name === 'cpu')
 * ```
 */
export type InsightHealthArea = 'cpu' | 'memory' | 'event-loop' | 'latency' | 'errors' | 'cache' | 'queue' | 'database'

/**
 * One area's part of the health score.
 * @example
 * ```ts
 * for (const c of insights.health().components) console.log(`${c.name}: ${c.score} (${c.value} ${c.unit} from ${c.metric}, weight ${c.weight})`)
 * ```
 */
export interface InsightHealthComponent {
  name: InsightHealthArea
  /** 0..100 for this area alone. */
  score: number
  /** Share of the total, 0..1, after renormalising over the areas that had data. */
  weight: number
  /** The reading scored. */
  value: number
  /** The metric it came from. */
  metric: string
  /** What `value` means, e.g. `'% CPU'`, `'s p95'`. */
  unit: string
}

/**
 * A change applied after the weighted mean.
 * @example
 * ```ts
 * for (const a of insights.health().adjustments) console.log(`-${a.points}: ${a.reason}`)
 * ```
 */
export interface InsightHealthAdjustment {
  reason: string
  /** Points taken off (a cap is reported as the points it removed). */
  points: number
}

/**
 * The health score with its breakdown.
 * @example
 * ```ts
 * const health = insights.health()
 * console.log(`${health.status} (${health.score}/100)`, health.components.map((c) => c.name))
 * ```
 */
export interface InsightHealth {
  /** 0..100, higher is healthier. */
  score: number
  status: InsightHealthStatus
  components: InsightHealthComponent[]
  adjustments: InsightHealthAdjustment[]
  /** Clock ms. */
  at: number
}

/** Base weights; areas without data drop out and the rest are renormalised. */
const WEIGHTS: Readonly<Record<InsightHealthArea, number>> = {
  cpu: 0.2,
  memory: 0.2,
  'event-loop': 0.15,
  latency: 0.15,
  errors: 0.1,
  cache: 0.1,
  queue: 0.05,
  database: 0.05,
}

/** Highest score a bottleneck of each severity allows: a critical finding can never read as healthy. */
const SEVERITY_CAP: Readonly<Record<InsightSeverity, number>> = { critical: 40, high: 65, medium: 85, low: 100 }

/**
 * Scores a reading on a curve through (good, 100), (warning, 70), (critical, 30), (worst, 0),
 * linear between the knots. Works for lower-is-worse readings too (decreasing knots).
 */
export function curveScore(value: number, good: number, levels: InsightLevels, worst: number): number {
  const knots: Array<[number, number]> = [
    [good, 100],
    [levels.warning, 70],
    [levels.critical, 30],
    [worst, 0],
  ]
  const rising = worst > good
  const past = (a: number, b: number) => (rising ? a >= b : a <= b)
  if (!past(value, good)) return 100
  for (let i = 1; i < knots.length; i++) {
    const [x1, s1] = knots[i] as [number, number]
    if (!past(value, x1)) {
      const [x0, s0] = knots[i - 1] as [number, number]
      return x1 === x0 ? s1 : s0 + ((value - x0) / (x1 - x0)) * (s1 - s0)
    }
  }
  return 0
}

/** Status band of a score. */
export function statusOf(score: number): Exclude<InsightHealthStatus, 'unknown'> {
  return score >= 90 ? 'excellent' : score >= 75 ? 'good' : score >= 50 ? 'fair' : score >= 25 ? 'poor' : 'critical'
}

/** Computes the health score from the monitor, the current bottlenecks and the firing alerts. */
export function computeHealth(ctx: AnalysisContext, bottlenecks: readonly Bottleneck[], alerts: InsightAlertsSource | undefined, onError: (e: unknown) => void): InsightHealth {
  const t = ctx.thresholds
  const r = ctx.read
  const raw: Array<Omit<InsightHealthComponent, 'weight'>> = []
  const add = (name: InsightHealthArea, metric: string, unit: string, value: number | undefined, good: number, levels: InsightLevels, worst: number) => {
    if (value === undefined) return
    // A good level configured past warning would bend the curve backwards; keep it monotone.
    const safeGood = (worst > good ? good < levels.warning : good > levels.warning) ? good : levels.warning / 2
    raw.push({ name, metric, unit, value, score: Math.round(curveScore(value, safeGood, levels, worst)) })
  }
  const cpu = max(r.value(M.processCpu), r.value(M.systemCpu))
  add('cpu', cpu?.metric === 1 ? M.systemCpu : M.processCpu, '% CPU', cpu?.value, 50, t.cpuPercent, 100)
  const heapUsed = r.value(M.heapUsed)
  const memory = max(r.value(M.systemMemory), heapUsed === undefined ? undefined : (heapUsed / ctx.heapLimitBytes) * 100)
  add('memory', memory?.metric === 1 ? M.heapUsed : M.systemMemory, '% of limit', memory?.value, 60, t.memoryPercent, 100)
  const loop = t.eventLoopDelaySeconds
  add('event-loop', M.loopP99, 's p99 delay', r.value(M.loopP99), loop.warning / 5, loop, loop.critical * 4)
  const rt = t.responseTimeSeconds
  add('latency', ctx.names.responseTime, 's p95', r.stats(ctx.names.responseTime, undefined, ctx.window)?.p95, rt.warning * 0.3, rt, rt.critical * 2)
  const requests = r.rate(ctx.names.requests, undefined, ctx.window)
  const errors = r.rate(ctx.names.errors, undefined, ctx.window)
  const er = t.errorRatePercent
  if (requests !== undefined && requests > 0) add('errors', ctx.names.errors, '% of requests', ((errors ?? 0) / requests) * 100, er.warning / 5, er, Math.min(100, er.critical * 2.5))
  const hits = r.rate(M.cacheHits, undefined, ctx.window)
  const misses = r.rate(M.cacheMisses, undefined, ctx.window)
  const ch = t.cacheHitRatio
  if (hits !== undefined && misses !== undefined && hits + misses > 0) add('cache', M.cacheHitRatio, 'hit ratio', hits / (hits + misses), Math.min(1, ch.warning + (1 - ch.warning) / 2), ch, 0)
  const q = t.queueSize
  const queued = max(r.value(M.predictionQueueSize), r.value(M.batchQueueDepth))
  add('queue', queued?.metric === 1 ? M.batchQueueDepth : M.predictionQueueSize, 'items queued', queued?.value, q.warning / 10, q, q.critical * 2)
  const db = t.dbQuerySeconds
  add('database', ctx.names.dbQuery, 's p95', r.stats(ctx.names.dbQuery, undefined, ctx.window)?.p95, db.warning / 5, db, db.critical * 2.5)

  const adjustments: InsightHealthAdjustment[] = []
  if (raw.length === 0 && bottlenecks.length === 0) return { score: 100, status: 'unknown', components: [], adjustments, at: ctx.now }
  const total = raw.reduce((sum, c) => sum + WEIGHTS[c.name], 0)
  const components = raw.map((c) => ({ ...c, weight: Math.round((WEIGHTS[c.name] / total) * 1000) / 1000 }))
  let score = raw.length === 0 ? 100 : raw.reduce((sum, c) => sum + (c.score * WEIGHTS[c.name]) / total, 0)

  const firing = firingAlerts(alerts, onError)
  if (firing.critical + firing.warning > 0) {
    const points = Math.min(40, firing.critical * 15 + firing.warning * 5)
    adjustments.push({ reason: `${firing.critical} critical and ${firing.warning} warning alert(s) firing`, points })
    score -= points
  }
  const worstFinding = bottlenecks[0]
  if (worstFinding !== undefined) {
    const cap = SEVERITY_CAP[worstFinding.severity]
    if (score > cap) {
      adjustments.push({ reason: `capped at ${cap} by the ${worstFinding.severity} finding "${worstFinding.title}"`, points: Math.round(score - cap) })
      score = cap
    }
  }
  score = Math.round(clamp(score, 0, 100))
  return { score, status: statusOf(score), components, adjustments, at: ctx.now }
}

function max(a: number | undefined, b: number | undefined): { value: number; metric: 0 | 1 } | undefined {
  if (a === undefined) return b === undefined ? undefined : { value: b, metric: 1 }
  if (b === undefined || a >= b) return { value: a, metric: 0 }
  return { value: b, metric: 1 }
}

function firingAlerts(alerts: InsightAlertsSource | undefined, onError: (e: unknown) => void): { critical: number; warning: number } {
  const counts = { critical: 0, warning: 0 }
  if (alerts === undefined) return counts
  try {
    for (const alert of alerts.alerts({ state: 'firing' })) {
      if (alert.state !== 'firing') continue
      if (alert.severity === 'critical') counts.critical++
      else counts.warning++
    }
  } catch (error) {
    onError(error)
  }
  return counts
}
