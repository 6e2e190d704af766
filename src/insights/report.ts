// The one-object report: a summary on top of health, insights, correlations, recommendations
// and the optimizations applied.
import type { Bottleneck, InsightSeverity } from '../bus/events/insights'
import type { MetricCorrelation } from './correlation'
import type { InsightHealth, InsightHealthStatus } from './health'
import type { Insight } from './insight-log'
import { fmt } from './math'
import type { InsightRecommendation } from './recommendations'
import type { OptimizationResult } from './rules'
import type { ResourceZoneState } from './zones'

/**
 * The headline of a {@link InsightReport}.
 * @example
 * ```ts
 * const { summary } = insights.report()
 * console.log(summary.text, summary.topIssue, summary.bySeverity.critical)
 * ```
 */
export interface InsightSummary {
  status: InsightHealthStatus
  /** Health score, 0..100. */
  score: number
  zone: ResourceZoneState['zone']
  /** Resource utilisation, 0..100 %. */
  utilization: number
  /** Bottlenecks found now. */
  bottlenecks: number
  bySeverity: Record<InsightSeverity, number>
  /** Title of the most severe bottleneck. */
  topIssue: string | undefined
  /** Alerts firing on the AlertEngine given as `alerts` (0 without one). */
  firingAlerts: number
  /** Optimizations in the log, by outcome. */
  optimizationsApplied: number
  optimizationsFailed: number
  /** Metrics the monitor holds. */
  metrics: number
  /** The summary in one or two sentences. */
  text: string
}

/**
 * Everything the engine knows, in one object (JSON-serialisable).
 * @example
 * ```ts
 * app.get('/insights', (_req, res) => res.json(engine.report()))
 * ```
 */
export interface InsightReport {
  /** Clock ms. */
  at: number
  summary: InsightSummary
  health: InsightHealth
  zone: ResourceZoneState
  /** Bottlenecks found now, most severe first. */
  bottlenecks: Bottleneck[]
  /** The bottlenecks found now plus recent leak and regression insights. */
  insights: Insight[]
  /** Metric pairs with |r| at or above the threshold, strongest first. */
  correlations: MetricCorrelation[]
  /** Ranked by impact over effort. */
  recommendations: InsightRecommendation[]
  /** The applied-optimizations log, oldest first. */
  optimizations: OptimizationResult[]
}

/** Assembles the report from its parts. */
export function buildReport(parts: Omit<InsightReport, 'summary'> & { firingAlerts: number; metrics: number }): InsightReport {
  const { firingAlerts, metrics } = parts
  const bySeverity: Record<InsightSeverity, number> = { low: 0, medium: 0, high: 0, critical: 0 }
  for (const b of parts.bottlenecks) bySeverity[b.severity]++
  const applied = parts.optimizations.filter((o) => o.outcome === 'applied').length
  const top = parts.bottlenecks[0]
  const findings =
    parts.bottlenecks.length === 0
      ? 'No bottleneck found.'
      : `${parts.bottlenecks.length} bottleneck(s)${bySeverity.critical > 0 ? `, ${bySeverity.critical} critical` : ''}: ${parts.bottlenecks
          .slice(0, 3)
          .map((b) => b.title)
          .join('; ')}.`
  const next = parts.recommendations[0] === undefined ? '' : ` First: ${parts.recommendations[0].title.toLowerCase()}.`
  const text = `Health ${parts.health.score}/100 (${parts.health.status}), ${parts.zone.zone} zone at ${fmt(parts.zone.utilization)} % utilisation. ${findings}${next}`
  return {
    at: parts.at,
    summary: {
      status: parts.health.status,
      score: parts.health.score,
      zone: parts.zone.zone,
      utilization: parts.zone.utilization,
      bottlenecks: parts.bottlenecks.length,
      bySeverity,
      topIssue: top?.title,
      firingAlerts,
      optimizationsApplied: applied,
      optimizationsFailed: parts.optimizations.length - applied,
      metrics,
      text,
    },
    health: parts.health,
    zone: parts.zone,
    bottlenecks: parts.bottlenecks,
    insights: parts.insights,
    correlations: parts.correlations,
    recommendations: parts.recommendations,
    optimizations: parts.optimizations,
  }
}
